"""Commits stay fast: a commit joins no segments while few small ones exist (a merge reads every
posting and holds the writer a second or more, so another server's save would wait behind it);
beyond UNMERGED_SEGMENTS it merges, and IndexStore.merge joins them when nothing waits."""

from pathlib import Path

from search_index.documents import SearchDocument, SearchRequest
from search_index.engine import SearchEngine
from search_index.pairs import UNMERGED_SEGMENTS, unmerged


def _note(i: int) -> SearchDocument:
    return SearchDocument(
        kind="note", slug=f"n{i}", title=f"Notiz {i}", body=f"Wort{i}", parent="t"
    )


def _segments(engine: SearchEngine) -> int:
    index = engine.store.open()
    return unmerged(index.storage, index._segments())


def _commit(engine: SearchEngine, i: int) -> None:
    with engine.store.writer(timeout=5) as batch:
        batch.apply([_note(i)], [])


def test_commits_leave_few_segments_unmerged_and_an_idle_merge_joins_them(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    for i in range(UNMERGED_SEGMENTS):
        _commit(engine, i)
    assert _segments(engine) == UNMERGED_SEGMENTS  # one per commit: none merged
    assert engine.store.merge() is True
    assert _segments(engine) < UNMERGED_SEGMENTS
    assert engine.store.merge() is False  # nothing the policy would join: no empty commit
    for i in range(UNMERGED_SEGMENTS):
        assert engine.search(SearchRequest(f"Wort{i}", exact=True)).total == 1
    engine.close()


def test_beyond_the_limit_a_commit_merges(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    for i in range(UNMERGED_SEGMENTS + 2):
        _commit(engine, i)  # the last one finds more than UNMERGED_SEGMENTS and merges
    assert _segments(engine) < UNMERGED_SEGMENTS
    assert engine.search(SearchRequest(f"Wort{UNMERGED_SEGMENTS + 1}", exact=True)).total == 1
    engine.close()


def test_an_idle_merge_waits_for_no_writer(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    for i in range(5):
        _commit(engine, i)
    before = _segments(engine)
    with engine.store.writer(timeout=5) as batch:  # another writer holds the documents
        engine.store.merge()  # at most the words' segments, never waiting for the documents
        assert _segments(engine) == before
        batch.apply([_note(9)], [])
    assert engine.store.merge() is True
    assert _segments(engine) < before + 1
    engine.close()
