"""The quick ways of the search path give exactly what the plain ways gave: the same floats,
positions, counts and strings (no tolerance), on random inputs and on a small index that
changes under a long-lived executor."""

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from whoosh.highlight import highlight

from search_index import memory
from search_index.analysis import german_analyzer, parts_analyzer
from search_index.documents import SearchDocument
from search_index.engine import SearchEngine, _kth_largest
from search_index.executor import (
    Executor,
    Matches,
    PostingCache,
    _common,
    _intersection,
    _sum_by_id,
    _union,
)
from search_index.facets import DocTable
from search_index.highlight import _FORMATTER, _fragmenter, _highlight
from search_index.pairs import PairArray, PairArrayWriter
from search_index.query import clean, make_parser, parse

SENTENCES = (
    "Die Stadt und das Quartier der Bürgerbeteiligung mit Quartiersfonds, Verwaltung und "
    "Initiative: ein Garten, eine Straße, Büchel, Nachbarschaften. Verfügungs- und "
    "Quartiersfonds; Stadtentwicklung... Leitlinien für die Zusammenarbeit! Kultur, Verein"
)
WORDS = SENTENCES.split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


@pytest.mark.parametrize("seed", range(40))
def test_highlighting_gives_whooshs_string(seed: int) -> None:
    rng = random.Random(seed)
    text = _text(rng, rng.choice([3, 30, 120, 400]))
    for analyzer in (german_analyzer(), parts_analyzer()):
        vocabulary = sorted({t.text for t in analyzer(" ".join(WORDS), mode="index")})
        wanted = frozenset(rng.sample(vocabulary, rng.randint(1, 4)))
        expected = highlight(text, wanted, analyzer, _fragmenter(), _FORMATTER, top=2, mode="index")
        assert _highlight(text, wanted, analyzer) == str(expected)


def _matches(rng: np.random.Generator, size: int, n: int) -> Matches:
    ids = np.sort(rng.choice(size, size=min(n, size), replace=False)).astype(np.int64)
    return Matches(ids, rng.random(len(ids)) * 10)


@pytest.mark.parametrize("n", [5, 300, 4000])
def test_unions_and_intersections_add_in_the_same_order(n: int) -> None:
    rng = np.random.default_rng(n)
    parts = [_matches(rng, 5000, n) for _ in range(4)]
    # The plain way: a sort of everything, then sums in the order given.
    ids = np.concatenate([p.ids for p in parts])
    unique, inverse = np.unique(ids, return_inverse=True)
    scores = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts])) * 1.5
    found = _union(parts, 1.5)
    assert found.ids.tolist() == unique.tolist()
    assert found.scores.tolist() == scores.tolist()
    dense = _sum_by_id(ids, np.concatenate([p.scores for p in parts]), 5000)
    sparse = _sum_by_id(ids, np.concatenate([p.scores for p in parts]), 10**9)
    assert dense.ids.tolist() == sparse.ids.tolist() == unique.tolist()
    assert dense.scores.tolist() == sparse.scores.tolist()
    for a, b in ((parts[0], parts[1]), (parts[2], parts[3])):
        expected = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
        for got, want in zip(_common(a.ids, b.ids), expected, strict=True):
            assert got.tolist() == want.tolist()
    both = _intersection(parts[:2], 1.0)
    first, second = sorted(parts[:2], key=lambda p: len(p.ids))  # as _intersection does
    common, left, right = np.intersect1d(
        first.ids, second.ids, assume_unique=True, return_indices=True
    )
    assert both.ids.tolist() == common.tolist()
    assert both.scores.tolist() == (first.scores[left] + second.scores[right]).tolist()


@pytest.mark.parametrize("seed", range(20))
def test_the_kth_largest_is_partitions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.choice([1, 50, 3000, 100_000]))
    values = rng.integers(0, 40, size) if seed % 2 else rng.random(size)
    for k in {1, 2, 20, min(size, 1000), size}:
        if k <= size:
            expected = np.partition(values, size - k)[size - k]
            assert _kth_largest(values, k) == expected


@pytest.mark.parametrize("values", [7, 70])  # sets as bits of a number, or as rows
def test_facet_counts_over_many_hits_equal_counting_columns(values: int) -> None:
    rng = np.random.default_rng(values)
    size = 3000
    matrix = rng.random((values, size)) < 0.3  # several values per document, or none
    names = [f"v{i}" for i in range(values)]
    table = DocTable({"land": names}, {"land": matrix}, None, None)  # type: ignore[arg-type]
    for n in (1, 10, 2000, size):
        hits = np.sort(rng.choice(size, n, replace=False))
        sums = matrix[:, hits].sum(axis=1)
        expected = {f"v{i}": int(c) for i, c in enumerate(sums) if c}
        assert table.counts("land", hits) == expected


@pytest.mark.parametrize("documents", [300, 70_000])
def test_pair_arrays_find_each_pairs_documents(tmp_path: Path, documents: int) -> None:
    rng = random.Random(documents)
    vocabulary = [f"w{i}" for i in range(40)]
    writer = PairArrayWriter()
    having: dict[str, set[int]] = {}
    for docnum in range(0, documents, max(1, documents // 300)):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 12))]
        writer.add(docnum, [words])
        for a, b in itertools.pairwise(words):
            having.setdefault(f"{a} {b}", set()).add(docnum)
    writer.write(str(tmp_path), "seg")
    array = PairArray(str(tmp_path), "seg")
    for a in vocabulary[:15]:
        for b in vocabulary[:15]:
            found = array.documents(f"{a} {b}")
            assert found.dtype == np.int32
            assert found.tolist() == sorted(having.get(f"{a} {b}", ()))
    assert array.documents("nie gesehen").tolist() == []


def test_keeping_large_blocks_is_idempotent() -> None:
    first = memory.keep_large_blocks()
    assert memory.keep_large_blocks() == first


@pytest.fixture
def changing_engine(tmp_path: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    yield engine
    engine.close()


def _add(engine: SearchEngine, batch: int, rng: random.Random) -> None:
    docs = [
        SearchDocument(
            kind="case",
            slug=f"d{batch}-{i}",
            title=_text(rng, 3),
            body=_text(rng, rng.randint(5, 80)),
        )
        for i in range(40)
    ]
    with engine.store.writer(timeout=1) as writer:
        writer.apply(docs, [f"d{batch - 1}-{i}" for i in range(0, 40, 5)] if batch else [])


def test_a_long_lived_executor_scores_like_whoosh_after_the_index_changes(
    changing_engine: SearchEngine,
) -> None:
    """Its per-segment length norms depend on the average field length of the whole index,
    which every commit changes: they must follow, not stay as first computed."""
    rng = random.Random(9)
    executor = Executor(PostingCache())
    query = parse(make_parser(), clean("Stadt OR Quartier* OR Garten")[0])
    for batch in range(3):
        _add(changing_engine, batch, rng)
        searcher = changing_engine.store.searcher()
        found = executor.run(searcher, query).matches
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        assert found.ids.tolist() == sorted(expected)
        for docnum, score in zip(found.ids.tolist(), found.scores.tolist(), strict=True):
            assert score == pytest.approx(expected[docnum], rel=1e-9)


def test_several_terms_at_once_sum_like_one_by_one(changing_engine: SearchEngine) -> None:
    rng = random.Random(4)
    for batch in range(3):
        _add(changing_engine, batch, rng)
    searcher = changing_engine.store.searcher()
    assert len(searcher.leaf_searchers()) > 1
    executor = Executor(PostingCache())
    texts = ["stadt", "quartier", "quartiersfond", "garten", "nirgend"]
    together = executor._terms(searcher, "body", texts, 0.7, {})
    one_by_one = _union([executor._term(searcher, "body", t, 0.7, {}) for t in texts], 1.0)
    assert together.ids.tolist() == one_by_one.ids.tolist()
    assert together.scores.tolist() == one_by_one.scores.tolist()
