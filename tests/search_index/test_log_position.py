"""The change-log position an index has applied lives in the same Whoosh commit as its
documents: a commit that fails leaves both as they were, every later commit keeps it, a
rebuild records its own, and the index directory keeps one replica id."""

from pathlib import Path

import pytest

from search_index.documents import SearchDocument, SearchRequest
from search_index.engine import SearchEngine
from search_index.store import DocumentList


def _note(i: int) -> SearchDocument:
    return SearchDocument(
        kind="note", slug=f"n{i}", title=f"Notiz {i}", body=f"Positionswort{i}", parent="t"
    )


def test_a_commit_records_its_position_with_its_documents(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    with engine.store.writer(timeout=5) as batch:
        batch.apply([_note(0)], [])
    assert engine.store.applied_position() is None  # never recorded
    with engine.store.writer(timeout=5) as batch:
        batch.apply([_note(1)], [])
        batch.record_position(5)
    assert engine.store.applied_position() == 5
    assert engine.search(SearchRequest("Positionswort1")).total == 1
    # A commit that fails writes neither its documents nor its position.
    with pytest.raises(RuntimeError), engine.store.writer(timeout=5) as batch:
        batch.apply([_note(2)], [])
        batch.record_position(7)
        raise RuntimeError("the process dies before the commit")
    assert engine.store.applied_position() == 5
    assert engine.search(SearchRequest("Positionswort2", exact=True)).total == 0
    # A later commit without a position of its own (and its merges) keeps it; it never goes back.
    for i in range(3, 15):
        with engine.store.writer(timeout=5) as batch:
            batch.apply([_note(i)], [])
            batch.record_position(4)
    assert engine.store.applied_position() == 5
    # A batch with nothing to write commits nothing.
    generation = engine.store.open().latest_generation()
    with engine.store.writer(timeout=5) as batch:
        batch.record_position(5)
    assert engine.store.open().latest_generation() == generation
    engine.close()


def test_a_rebuild_records_the_position_it_was_built_from(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    target, count = engine.store.build(DocumentList((_note(1), _note(2))), 1, position=42)
    engine.store.publish(target)
    assert count == 2 and engine.store.applied_position() == 42
    engine.close()


def test_an_index_directory_keeps_its_replica_id_until_renewed(tmp_path: Path) -> None:
    engine = SearchEngine(tmp_path / "index")
    first = engine.store.replica_id()
    assert first and SearchEngine(tmp_path / "index").store.replica_id() == first
    renewed = engine.store.renew_replica_id()
    assert renewed != first and engine.store.replica_id() == renewed
