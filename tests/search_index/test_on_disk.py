"""What a segment keeps on disk, and that it reads back: the texts snippets show sit in a
block-compressed column (search_index.whoosh_internals.TextBlockColumn), not in stored fields;
fields that are only shown or sorted have no terms; posting blocks are pickled with protocol 4,
and segments written with Whoosh's protocol 2 still read alike."""

import pickle
import random
import zlib
from pathlib import Path

import pytest
import whoosh.codec.whoosh3 as w3
from whoosh import index
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import RamStorage

from search_index import whoosh_internals
from search_index.documents import SearchDocument, SearchRequest
from search_index.engine import SearchEngine
from search_index.schema import SnippetTexts, build_schema
from search_index.store import open_index

WORDS = [
    "Stadt",
    "Verein",
    "Quartier",
    "Garten",
    "Rathaus",
    "Beteiligung",
    "Initiative",
    "Wohnung",
    "Netzwerk",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _column_index(block_bytes: int) -> index.Index:
    whoosh_internals.install()
    schema = Schema(
        id=ID(stored=True), text=ID(sortable=whoosh_internals.TextBlockColumn(block_bytes))
    )
    return RamStorage().create_index(schema)


def _column_values(ix: index.Index) -> dict[str, bytes]:
    with ix.searcher() as searcher:
        out = {}
        for reader, _ in searcher.reader().leaf_readers():
            column = reader.column_reader("text", translate=False)
            listed = list(column)
            for docnum in range(reader.doc_count_all()):
                if reader.is_deleted(docnum):
                    continue
                value = column[docnum]
                assert listed[docnum] == value, "iterating and indexing disagree"
                out[reader.stored_fields(docnum)["id"]] = value
        return out


@pytest.mark.parametrize("block_bytes", [1, 64, 16_384])
def test_the_text_column_gives_back_every_value_across_blocks_gaps_and_merges(
    block_bytes: int,
) -> None:
    rng = random.Random(block_bytes)
    ix = _column_index(block_bytes)
    expected: dict[str, bytes] = {}
    for batch in range(3):  # three segments, then merged into one
        writer = ix.writer()
        for i in range(40):
            doc_id = f"{batch}-{i}"
            if i % 7 == 3:  # no value: reads as empty
                writer.add_document(id=doc_id)
                expected[doc_id] = b""
                continue
            value = _text(rng, rng.choice((0, 1, 5, 300))).encode()
            if i == 11:
                value = "Großstadt ä ö ü ß".encode() * 2_000  # longer than a block
            writer.add_document(id=doc_id, text=value.decode())
            expected[doc_id] = value
        writer.commit(merge=False)
    assert len(ix.reader().leaf_readers()) == 3
    assert _column_values(ix) == expected
    writer = ix.writer()
    writer.delete_by_term("id", "1-5")
    writer.commit(optimize=True)
    del expected["1-5"]
    assert len(ix.reader().leaf_readers()) == 1
    assert _column_values(ix) == expected


def test_the_text_column_outside_its_rows_is_empty() -> None:
    ix = _column_index(64)
    writer = ix.writer()
    writer.add_document(id="a", text="eins")
    writer.commit()
    with ix.searcher() as searcher:
        column = searcher.reader().leaf_readers()[0][0].column_reader("text", translate=False)
        assert column[0] == b"eins"
        assert column[1] == b"" and column[-1] == b""


def test_blocks_take_fewer_bytes_than_each_text_compressed_alone() -> None:
    rng = random.Random(7)
    texts = [_text(rng, 120) for _ in range(400)]
    ix = _column_index(16_384)
    writer = ix.writer()
    for i, text in enumerate(texts):
        writer.add_document(id=str(i), text=text)
    writer.commit()
    reader = ix.reader().leaf_readers()[0][0]
    column_bytes = reader.column_reader("text", translate=False)._length
    alone = sum(len(zlib.compress(t.encode(), 6)) for t in texts)
    assert column_bytes < 0.75 * alone, (column_bytes, alone)


def test_snippet_texts_round_trip_and_leave_out_empty_ones() -> None:
    field = SnippetTexts()
    value = field.to_column_value({"body": "Bürgerhaus „Stadt“", "aliases": "", "names": "A"})
    assert field.from_column_value(value) == {"body": "Bürgerhaus „Stadt“", "names": "A"}
    assert field.from_column_value(b"") == {}


def _doc(i: int, body: str) -> SearchDocument:
    return SearchDocument(
        kind="case",
        slug=f"fall-{i}",
        title=f"Fall {i}",
        body=body,
        aliases=(f"Beiname {i}",),
        people=(f"Person {i}",),
        governance=("bottom-up",),
        land=("Sachsen",),
        year=("2022",),
        date="2022-05-01",
    )


def _engine(path: Path, docs: list[SearchDocument]) -> SearchEngine:
    """An engine over a rebuild of `docs` in this process (one part)."""
    engine = SearchEngine(path)
    target, count = engine.store.build(lambda part, parts: iter(docs), 1)
    assert count == len(docs)
    engine.store.publish(target)
    return engine


def test_only_what_a_hit_shows_is_stored_and_shown_or_sorted_fields_have_no_terms(
    tmp_path: Path,
) -> None:
    engine = _engine(tmp_path, [_doc(1, "Ein Garten im Quartier")])
    schema = build_schema()
    with open_index(str(engine.store.current_dir())).searcher() as searcher:
        (stored,) = list(searcher.all_stored_fields())
        assert set(stored) == {
            "id", "kind", "slug", "parent", "title", "instruments", "governance", "scale"
        }  # fmt: skip
        reader = searcher.reader().leaf_readers()[0][0]
        indexed = set(reader.indexed_field_names())
        assert {"id", "title", "body", "land"} <= indexed
        for field in ("slug", "parent", "date", "name", "texts"):
            assert not schema[field].indexed and field not in indexed
        assert reader.has_column("date") and reader.has_column("name")
    engine.close()


def test_snippets_similar_cases_and_sorts_read_the_column(tmp_path: Path) -> None:
    docs = [_doc(i, _text(random.Random(i), 80)) for i in range(30)]
    engine = _engine(tmp_path, docs)
    results = engine.search(SearchRequest(query="Garten", sort="name"))
    assert results.total == sum("Garten" in d.body for d in docs) > 0
    assert all("<mark>Garten</mark>" in hit.snippet for hit in results.hits)
    titles = [hit.title for hit in results.hits]
    assert titles == sorted(titles, key=str.casefold)
    aliases = engine.search(SearchRequest(query="Beiname"))
    assert all("<mark>Beiname</mark>" in hit.snippet for hit in aliases.hits)
    similar = engine.similar(docs[1].id)
    assert similar and docs[1].id not in {hit.id for hit in similar}
    engine.close()


def test_posting_blocks_are_pickled_with_protocol_4_after_install() -> None:
    whoosh_internals.install()
    data = ((1, 2), None, (b"\x01\x02",))
    assert w3.dumps(data, 2) == pickle.dumps(data, 4) != pickle.dumps(data, 2)


def _answers(engine: SearchEngine) -> list[object]:
    phrase = engine.search(SearchRequest(query='"Garten im Quartier Rathaus"'))
    words = engine.search(SearchRequest(query="Garten Rathaus"))
    return [
        [(h.id, h.score, h.snippet) for h in phrase.hits],
        [(h.id, h.score, h.snippet) for h in words.hits],
        phrase.total,
        words.total,
        words.facets,
    ]


def _segment_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.seg"))


def test_segments_written_with_whoosh_protocol_2_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(3)
    docs = [_doc(i, _text(rng, 60) + " Garten im Quartier Rathaus") for i in range(20)]
    docs += [_doc(100 + i, _text(rng, 60)) for i in range(20)]
    new = _engine(tmp_path / "new", docs)
    monkeypatch.setattr(whoosh_internals, "POSTINGS_PICKLE_PROTOCOL", 2)  # as Whoosh writes
    old = _engine(tmp_path / "old", docs)
    monkeypatch.undo()
    assert _segment_bytes(tmp_path / "old") > _segment_bytes(tmp_path / "new")
    assert _answers(old)[2] >= 20  # and any random text with the phrase
    assert _answers(old) == _answers(new)
    old.close()
    new.close()
