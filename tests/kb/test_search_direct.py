"""`kb search` from the index alone (kb.search.direct): with nothing pending it answers exactly
what the full way answers; whenever it cannot tell, it leaves the answer to the full way."""

import sqlite3
from pathlib import Path

import pytest

from kb.editorial.notes import NoteIn, save_note
from kb.runtime import Runtime
from kb.search.direct import QuerySyntaxError, SearchRequest, nothing_pending, search_index_only

TALK = "talk-1-stadtmensch-altenburg"
REQUESTS = [
    SearchRequest(query="Büchel"),
    SearchRequest(query="Stadtmacher Kooperation"),  # several words
    SearchRequest(query='"Kooperative Stadt"'),
    SearchRequest(query="Freiraum*", sort="name"),
    SearchRequest(query="Quartier", filters={"kind": ("case",), "land": ("berlin",)}),
    SearchRequest(query="Genossenschaf"),  # few hits: widened and corrected
    SearchRequest(query="", filters={"governance": ("bottom-up",)}, per_page=5, page=2),
]


def full_way(runtime: Runtime, request: SearchRequest) -> dict[str, object]:
    with runtime.uow() as uow:
        return runtime.search_index.search(uow, request).to_json()


def test_with_nothing_pending_the_index_alone_answers_as_the_full_way(seeded: Runtime) -> None:
    settings = seeded.settings
    if not settings.database_url.startswith("sqlite"):
        # PostgreSQL is read through SQLAlchemy only: the full way always answers.
        assert search_index_only(settings.database_url, settings.index_dir, REQUESTS[0]) is None
        return
    assert nothing_pending(settings.database_url)
    for request in REQUESTS:
        direct = search_index_only(settings.database_url, settings.index_dir, request)
        assert direct is not None, request
        assert direct.to_json() == full_way(seeded, request), request
    assert direct.total > 0  # the last request found something: the comparison was not empty


def test_a_pending_change_leaves_the_answer_to_the_full_way(seeded: Runtime) -> None:
    url, index_dir = seeded.settings.database_url, seeded.settings.index_dir
    request = SearchRequest(query="Quokkabilanz")
    seeded.listeners.clear()  # no background catch-up: the change stays in the outbox
    with seeded.uow() as uow:
        note = NoteIn(slug="quokka", talk=TALK, title="Q", body="Die Quokkabilanz.")
        save_note(uow, note, actor="test")
        uow.commit()
    assert not nothing_pending(url)
    assert search_index_only(url, index_dir, request) is None
    assert full_way(seeded, request)["total"] == 1  # the overlay has it
    with seeded.uow() as uow:
        assert seeded.search_index.catch_up(uow).done
        uow.commit()
    if url.startswith("sqlite"):
        found = search_index_only(url, index_dir, request)
        assert found is not None and found.total == 1


def test_an_unreadable_database_or_a_missing_index_is_left_to_the_full_way(
    seeded: Runtime, tmp_path: Path
) -> None:
    request = SearchRequest(query="Büchel")
    missing = tmp_path / "nowhere.sqlite3"
    assert search_index_only(f"sqlite:///{missing}", seeded.settings.index_dir, request) is None
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()  # a SQLite file without kb's tables
    assert not nothing_pending(f"sqlite:///{empty}")
    assert not nothing_pending("sqlite:///kb.sqlite3?timeout=5")  # options: not read here
    if seeded.settings.database_url.startswith("sqlite"):
        url = seeded.settings.database_url
        assert search_index_only(url, tmp_path / "no-index", request) is None


def test_a_wrong_query_is_refused_as_on_the_full_way(seeded: Runtime) -> None:
    url, index_dir = seeded.settings.database_url, seeded.settings.index_dir
    wrong = SearchRequest(query="Büchel", sort="quer")
    with pytest.raises(QuerySyntaxError, match="Sortierung"), seeded.uow() as uow:
        seeded.search_index.search(uow, wrong)
    if url.startswith("sqlite"):
        with pytest.raises(QuerySyntaxError, match="Sortierung"):
            search_index_only(url, index_dir, wrong)
    else:
        assert search_index_only(url, index_dir, wrong) is None  # the full way refuses it
