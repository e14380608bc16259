"""Index replicas that follow the change log: two runtimes on one database, each with an index
directory of its own (two app servers). What one saves, the other finds at once (the overlay
of the log entries past its index's position) and soon from its own index; the log is pruned
only behind every index, and an index that missed pruned entries rebuilds itself."""

import dataclasses
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn, NoteIn
from kb.editorial.notes import save_note
from kb.runtime import Runtime
from kb.search import changelog
from kb.search.service import CatchUp, SearchRequest
from kb.unit_of_work import UnitOfWork
from models import Note, SearchLogHorizon, SearchOutbox, SearchReplica
from models.base import utcnow

TALK = "talk-1-stadtmensch-altenburg"
CASE = "freiraumbuero-halle"


def save(runtime: Runtime, slug: str, body: str, *, index: bool = True) -> None:
    """Save a note through `runtime`; with index=False as a process that dies right after
    the commit (no index update follows)."""
    uow = runtime.uow() if index else UnitOfWork(runtime.session_factory)
    with uow:
        save_note(uow, NoteIn(slug=slug, talk=TALK, title=f"Notiz {slug}", body=body), actor="t")
        uow.commit()


def edit_case(runtime: Runtime, words: str) -> None:
    with runtime.uow() as uow:
        state = case_state(get_case(uow, CASE))
        state["summary"] = f"{state['summary']} {words}"
        data = CaseIn.model_validate(state, context={"vocabulary": runtime.vocabulary})
        save_case(uow, data, runtime.vocabulary, actor="anna")
        uow.commit()


def found(runtime: Runtime, query: str) -> set[str]:
    """The ids a search through `runtime` finds (index and overlay, as a request does)."""
    with runtime.uow() as uow:
        return {h.id for h in runtime.search_index.search(uow, SearchRequest(query)).hits}


def in_index(runtime: Runtime, query: str) -> set[str]:
    """The ids `runtime`'s index alone finds (no overlay)."""
    return {h.id for h in runtime.search_index.engine.search(SearchRequest(query)).hits}


def log_size(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def catch_up(runtime: Runtime) -> CatchUp:
    with runtime.uow() as uow:
        outcome = runtime.search_index.catch_up(uow).outcome
        uow.commit()
    return outcome


def wait_for(condition: "object", seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return bool(condition())  # type: ignore[operator]


@pytest.fixture
def second(seeded: Runtime, tmp_path: Path) -> Iterator[Runtime]:
    """A second app server: the same database, an index directory of its own, built as a new
    server builds it (which registers it in the log's registry)."""
    settings = dataclasses.replace(seeded.settings, index_dir=tmp_path / "index-b")
    runtime = Runtime.from_settings(settings)
    with runtime.uow() as uow:
        runtime.search_index.rebuild(uow, processes=1)
    yield runtime
    runtime.close()


def test_a_note_and_a_case_edit_saved_on_one_server_are_found_on_the_other(
    seeded: Runtime, second: Runtime
) -> None:
    save(seeded, "von-server-a", "Der Schlüsselübergabevertrag wurde besprochen.")
    edit_case(seeded, "Das Werkstattfrühstück gehört dazu.")
    assert seeded.flush_index()
    # At once on the other server, before its index has the changes: the overlay.
    assert "note:von-server-a" not in second.search_index.engine.ids()
    assert found(second, "Schlüsselübergabevertrag") == {"note:von-server-a"}
    assert f"case:{CASE}" in found(second, "Werkstattfrühstück")
    assert in_index(second, "Werkstattfrühstück") == set()
    # Then from its own index, once it caught up from the position it had applied.
    assert catch_up(second) is CatchUp.WRITTEN
    assert in_index(second, "Schlüsselübergabevertrag") == {"note:von-server-a"}
    assert f"case:{CASE}" in in_index(second, "Werkstattfrühstück")
    with second.uow() as uow:
        assert second.search_index.pending(uow) == []
    assert log_size(second) == 0  # both indexes have every entry: pruned
    # And the other way round.
    save(second, "von-server-b", "Die Nachbarschaftskasse bekam einen Beirat.")
    assert found(seeded, "Nachbarschaftskasse") == {"note:von-server-b"}


def test_the_log_keeps_an_entry_until_every_index_has_it(seeded: Runtime, second: Runtime) -> None:
    assert log_size(seeded) == 0
    save(seeded, "behalten", "Die Ehrenamtspauschale kam zur Sprache.")
    assert seeded.flush_index()  # server A has it and has pruned what both indexes have
    assert log_size(seeded) == 1  # server B has not applied it yet
    assert catch_up(second) is CatchUp.WRITTEN
    assert log_size(seeded) == 0
    with seeded.uow() as uow:
        positions = set(uow.session.scalars(select(SearchReplica.position)))
        assert len(positions) == 1 and changelog.horizon(uow) == positions.pop()


def test_an_index_that_missed_pruned_entries_rebuilds_instead_of_missing_them(
    seeded: Runtime, second: Runtime
) -> None:
    old_id = second.search_index.engine.store.replica_id()
    lag = second.search_index.applied()
    save(seeded, "verpasst", "Der Quartiershausmeister wurde eingestellt.")
    assert seeded.flush_index()
    # Server B is away for longer than the log keeps entries: they are pruned without it.
    with seeded.uow() as uow:
        changelog.prune(uow, keep_days=1, now=utcnow() + timedelta(days=2))
        uow.commit()
    assert log_size(seeded) == 0
    with second.uow() as uow:
        assert changelog.lagging(uow, lag)
        # Without a rebuild the change would be lost to server B: no entry names it any more.
        assert not second.search_index.overlay(uow)
    # Coming back, it finds its position below the horizon and rebuilds.
    assert catch_up(second) is CatchUp.UNUSABLE
    assert second.search_index.repair.wait(timeout=120)
    assert in_index(second, "Quartiershausmeister") == {"note:verpasst"}
    with second.uow() as uow:
        assert not changelog.lagging(uow, second.search_index.applied())
    # It may have been a copy of another directory, registered under that one's id.
    assert second.search_index.engine.store.replica_id() != old_id
    # And it follows the log again.
    save(seeded, "danach", "Die Stadtteilmütter berichteten.")
    assert catch_up(second) is CatchUp.WRITTEN
    assert in_index(second, "Stadtteilmütter") == {"note:danach"}


def test_a_server_killed_between_commit_and_index_update_loses_nothing(
    seeded: Runtime, second: Runtime
) -> None:
    # The commit reached the database; the process died before any index heard of it.
    save(seeded, "verwaist", "Das Nachbarschaftsbudget blieb offen.", index=False)
    assert "note:verwaist" not in seeded.search_index.engine.ids()
    assert "note:verwaist" not in second.search_index.engine.ids()
    for runtime in (seeded, second):  # both find it at once
        assert found(runtime, "Nachbarschaftsbudget") == {"note:verwaist"}
    # Both servers restart: each catches up from the position its index had applied.
    for old in (seeded, second):
        restarted = Runtime.from_settings(old.settings)
        try:
            assert catch_up(restarted) is CatchUp.WRITTEN
            assert in_index(restarted, "Nachbarschaftsbudget") == {"note:verwaist"}
        finally:
            restarted.close()
    assert log_size(seeded) == 0


def test_a_following_server_indexes_what_the_other_saved_by_itself(
    seeded: Runtime, second: Runtime
) -> None:
    second.follow_log()
    try:
        save(seeded, "gefolgt", "Die Gießkannenpatenschaft wurde gegründet.")
        assert wait_for(lambda: "note:gefolgt" in second.search_index.engine.ids())
        assert second.follower.wakes >= 1
    finally:
        second.close()  # ends the follower's thread (and the indexer's)
    assert not second.follower.running()


def test_a_new_server_without_an_index_builds_its_own_and_follows_the_log(
    seeded: Runtime, tmp_path: Path
) -> None:
    settings = dataclasses.replace(seeded.settings, index_dir=tmp_path / "index-c")
    new = Runtime.from_settings(settings)
    try:
        new.follow_log()  # no request needed: the follower starts the build
        assert wait_for(
            lambda: not new.search_index.repair.running() and new.search_index.applied() is not None
        )
        assert new.search_index.engine.store.check() == "ok"
        save(seeded, "fuer-den-neuen", "Die Lastenradgenossenschaft stellte sich vor.")
        assert wait_for(lambda: "note:fuer-den-neuen" in new.search_index.engine.ids())
    finally:
        new.close()


def test_a_rebuild_records_its_position_and_applies_what_was_committed_meanwhile(
    seeded: Runtime, second: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = second.search_index.engine.store
    build = store.build

    def build_while_a_note_is_saved(*args: object, **kwargs: object) -> object:
        save(seeded, "waehrenddessen", "Der Bauwagenplatz bekam Strom.", index=False)
        return build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "build", build_while_a_note_is_saved)
    with second.uow() as uow:
        second.search_index.rebuild(uow, processes=1)
    assert in_index(second, "Bauwagenplatz") == {"note:waehrenddessen"}
    with second.uow() as uow:
        assert second.search_index.pending(uow) == []
        assert (second.search_index.applied() or 0) >= (changelog.newest(uow) or 0)


@pytest.mark.postgres
def test_log_positions_follow_commit_order_not_insert_order(seeded: Runtime) -> None:
    """On PostgreSQL ids are taken when rows are inserted; a writer that began first but
    commits last must still get the higher position, or a reader could pass it by."""
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time")
    first = UnitOfWork(seeded.session_factory)
    with first:
        save_note(first, NoteIn(slug="zuerst", talk=TALK, title="Z", body="A"), actor="t")
        first.session.flush()  # its rows are written, its transaction still open
        committed = threading.Event()

        def commit_later() -> None:
            save(seeded, "danach-begonnen", "B", index=False)
            committed.set()

        other = threading.Thread(target=commit_later)
        other.start()
        assert committed.wait(30)  # it began later and committed first
        first.commit()
        other.join()
    with seeded.uow() as uow:
        rows = uow.session.execute(
            select(SearchOutbox.id, SearchOutbox.entity_id).order_by(SearchOutbox.id)
        ).all()
        slugs = [uow.session.get(Note, row.entity_id).slug for row in rows]  # type: ignore[union-attr]
    assert slugs[-2:] == ["danach-begonnen", "zuerst"]


def test_a_reader_following_the_log_never_passes_an_entry_committed_later(
    seeded: Runtime,
) -> None:
    """Writers commit concurrently while a reader follows the log as an index does (entries
    past its position, then its position is the last one it read): it must see every entry."""
    seen: list[int] = []
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                save(seeded, f"w{n}-{i}", f"Gleichzeitig {n} {i}", index=False)
        except BaseException as exc:
            errors.append(exc)

    def read(position: int | None) -> int | None:
        with seeded.uow() as uow:
            rows = uow.session.scalars(
                select(SearchOutbox.id)
                .where(SearchOutbox.id > (position or 0))
                .order_by(SearchOutbox.id)
            ).all()
        seen.extend(rows)
        return rows[-1] if rows else position

    with seeded.uow() as uow:
        start = position = changelog.newest(uow) or changelog.horizon(uow)
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in writers:
        t.start()
    deadline = time.monotonic() + 120
    while any(t.is_alive() for t in writers) and time.monotonic() < deadline:
        position = read(position)
    for t in writers:
        t.join(10)
    read(position)
    assert errors == []
    with seeded.uow() as uow:
        logged = list(
            uow.session.scalars(
                select(SearchOutbox.id).where(SearchOutbox.id > start).order_by(SearchOutbox.id)
            )
        )
    assert len(logged) == 32
    assert seen == logged  # each once, in order, none passed by


def test_an_index_written_before_positions_were_kept_applies_what_the_log_holds(
    seeded: Runtime,
) -> None:
    """An index of the older code has no position: as the outbox promised, it has every change
    the log no longer holds; the entries left in the log are written, then it has a position.
    (Once something was pruned it could not tell what it missed, and rebuilds instead.)"""
    from kb.search.indexing import all_documents
    from search_index.store import DocumentList

    store = seeded.search_index.engine.store
    with seeded.uow() as uow:
        docs = tuple(all_documents(uow, seeded.vocabulary))
        # As migration 0009 leaves it: nothing pruned yet, no index registered.
        uow.session.execute(update(SearchLogHorizon).values(pruned_through=0))
        uow.session.execute(delete(SearchReplica))
        uow.commit()
    target, _ = store.build(DocumentList(docs), 1)  # no position recorded
    store.publish(target)
    assert seeded.search_index.applied() is None
    save(seeded, "alt-und-neu", "Die Schlüsselgewalt wurde geteilt.", index=False)
    assert found(seeded, "Schlüsselgewalt") == {"note:alt-und-neu"}
    assert catch_up(seeded) is CatchUp.WRITTEN
    assert in_index(seeded, "Schlüsselgewalt") == {"note:alt-und-neu"}
    assert seeded.search_index.applied() is not None and log_size(seeded) == 0


def test_the_log_holds_what_was_committed_not_what_was_rolled_back(seeded: Runtime) -> None:
    def logged() -> list[tuple[str, int]]:
        with seeded.uow() as uow:
            rows = uow.session.execute(
                select(SearchOutbox.entity_type, SearchOutbox.entity_id).order_by(SearchOutbox.id)
            )
            return [(t, i) for t, i in rows]

    def note_id(slug: str) -> int:
        with seeded.uow() as uow:
            found = uow.session.scalar(select(Note.id).where(Note.slug == slug))
            assert found is not None
            return found

    with UnitOfWork(seeded.session_factory) as uow:
        save_note(uow, NoteIn(slug="verworfen", talk=TALK, title="V", body="Weg."), actor="t")
        uow.rollback()
        save_note(uow, NoteIn(slug="behalten2", talk=TALK, title="B", body="Da."), actor="t")
        with uow.session.begin_nested() as savepoint:  # a savepoint undone keeps the rest
            uow.session.execute(select(1))
            savepoint.rollback()
        uow.commit()
    assert logged() == [("note", note_id("behalten2"))]
    with UnitOfWork(seeded.session_factory) as uow:  # left without commit: nothing logged
        save_note(uow, NoteIn(slug="offen2", talk=TALK, title="O", body="Offen."), actor="t")
    with UnitOfWork(seeded.session_factory) as uow:
        uow.commit()
    assert logged() == [("note", note_id("behalten2"))]
