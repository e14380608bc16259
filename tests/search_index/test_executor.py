"""The numpy executor finds exactly Whoosh's hits with Whoosh's scores."""

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_index.documents import SearchDocument
from search_index.engine import SearchEngine
from search_index.executor import Executor, PostingCache
from search_index.query import clean, make_parser, parse

WORDS = [
    "Stadt",
    "Quartier",
    "Beteiligung",
    "Bürgerbeteiligung",
    "Verwaltung",
    "Initiative",
    "Quartiersfonds",
    "Fonds",
    "Garten",
    "Straße",
    "Büchel",
    "Nachbarschaft",
    "Leitlinien",
    "Zusammenarbeit",
    "Kultur",
    "Verein",
    "Stadtentwicklung",
]
QUERIES = [
    "Stadt",
    "Beteiligung",
    "Fonds",
    "Buechel",
    "Stadt Verwaltung",
    "Quartier OR Garten",
    "Stadt -Kultur",
    "Initiative NICHT Verein",
    '"Stadt Quartier"',
    "Bürger*",
    "Garten*",
    "titel:Stadt",
    "Kultur Verein OR Garten",
    "land:berlin",
    "art:note Stadt",
    "*",
]


@pytest.fixture
def corpus_engine(tmp_path: Path) -> Iterator[SearchEngine]:
    rng = random.Random(3)
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    # Several commits, so that the index has several segments and deletions.
    for batch in range(3):
        docs = [
            SearchDocument(
                kind=rng.choice(["case", "talk", "note"]),
                slug=f"d{batch}-{i}",
                title=" ".join(rng.choices(WORDS, k=3)),
                body=" ".join(rng.choices(WORDS, k=rng.randint(5, 40))),
                land=(rng.choice(["berlin", "sachsen"]),),
            )
            for i in range(60)
        ]
        with engine.store.writer(timeout=1) as writer:
            writer.apply(docs, [f"d{batch - 1}-{i}" for i in range(0, 60, 7)] if batch else [])
    yield engine
    engine.close()


@pytest.mark.parametrize("text", QUERIES)
def test_same_hits_and_scores_as_whoosh(corpus_engine: SearchEngine, text: str) -> None:
    searcher = corpus_engine.store.searcher()
    assert len(searcher.leaf_searchers()) > 1
    query = parse(make_parser(), clean(text)[0])
    found = Executor(PostingCache()).run(searcher, query).matches
    results = searcher.search(query, limit=None)
    expected = {hit.docnum: hit.score for hit in results}
    assert found.ids.tolist() == sorted(expected)
    if '"' not in text and text != "*":  # phrases and "everything" score differently
        got = dict(zip(found.ids.tolist(), found.scores.tolist(), strict=True))
        for docnum, score in expected.items():
            assert got[docnum] == pytest.approx(score, rel=1e-5)


def test_a_small_cache_still_gives_the_same_hits(corpus_engine: SearchEngine) -> None:
    searcher = corpus_engine.store.searcher()
    tiny = Executor(PostingCache(budget=10))
    query = parse(make_parser(), "Stadt OR Garten")
    first = tiny.run(searcher, query).matches.ids.tolist()
    assert tiny.run(searcher, query).matches.ids.tolist() == first
    assert first == sorted(searcher.docs_for_query(query))


def test_the_cache_budget_grows_with_the_index_and_never_shrinks() -> None:
    cache = PostingCache()
    base = cache.budget
    cache.fit(1_000)  # a small index: the base budget
    assert cache.budget == base
    cache.fit(1_100_000)
    assert cache.budget == 55 * 1_100_000 > base
    cache.fit(10)  # the overlay's RAM index searched beside it
    assert cache.budget == 55 * 1_100_000
    fixed = PostingCache(budget=10)
    fixed.fit(1_100_000)
    assert fixed.budget == 10


def test_a_cache_within_budget_keeps_what_a_search_decoded(corpus_engine: SearchEngine) -> None:
    searcher = corpus_engine.store.searcher()
    cache = PostingCache()
    executor = Executor(cache)
    query = parse(make_parser(), "Stadt OR Garten")
    executor.run(searcher, query)
    kept = len(cache)
    assert kept > 0
    executor.run(searcher, query)
    assert len(cache) == kept  # nothing decoded twice
