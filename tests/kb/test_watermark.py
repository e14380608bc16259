"""kb.watermark: values derived from the catalogue are kept per process until it changes, the
catalogue's stamp costs one statement per unit of work, and nothing is ever served stale: not
after a change by another runtime, nor after the unit of work's own change."""

from sqlalchemy import select

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn, NoteIn
from kb.catalogue.talks import get_talk
from kb.editorial.notes import (
    count_notes_of_talks,
    newest_notes_of_talks,
    notes_of_talks,
    save_note,
)
from kb.runtime import Runtime
from kb.unit_of_work import UnitOfWork
from kb.watermark import cached, cached_from_index, stamp
from models import CatalogueVersion
from tests.helpers import statements

TALK = "talk-2-freiraumbuero-halle"


def _rename(uow: UnitOfWork, runtime: Runtime, name: str) -> None:
    state = case_state(get_case(uow, "alte-feuerwache-weimar"))
    state["name"] = name
    data = CaseIn.model_validate(state, context={"vocabulary": runtime.vocabulary})
    save_case(uow, data, runtime.vocabulary, actor="test")


def test_the_stamp_is_one_statement_per_unit_of_work(seeded: Runtime) -> None:
    with seeded.uow() as uow, statements(seeded.engine) as sent:
        first = cached(uow, "test-a", lambda: 1)
        second = cached(uow, "test-b", lambda: 2)
        assert stamp(uow) == stamp(uow)
    assert (first, second) == (1, 2)
    assert len(sent) == 1, sent


def test_a_change_by_another_runtime_is_seen_at_once(seeded: Runtime) -> None:
    other = Runtime.from_settings(seeded.settings)  # its own engine: another process's view
    try:
        computed: list[int] = []

        def compute() -> int:
            computed.append(1)
            return len(computed)

        with seeded.uow() as uow:
            assert cached(uow, "test-count", compute) == 1
        with seeded.uow() as uow:
            assert cached(uow, "test-count", compute) == 1  # kept: nothing changed
        with other.uow() as uow:
            _rename(uow, other, "Alte Feuerwache (umbenannt)")
            uow.commit()
        with seeded.uow() as uow:
            assert cached(uow, "test-count", compute) == 2
    finally:
        other.close()


def test_a_unit_of_work_sees_its_own_change(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        before = cached(uow, "test-name", lambda: get_case(uow, "alte-feuerwache-weimar").name)
        _rename(uow, seeded, "Alte Feuerwache (eigene Änderung)")  # flushed, not committed
        after = cached(uow, "test-name", lambda: get_case(uow, "alte-feuerwache-weimar").name)
        uow.rollback()
        assert after == "Alte Feuerwache (eigene Änderung)" != before
        # Rolled back: the value computed from the uncommitted change is not served.
        again = cached(uow, "test-name", lambda: get_case(uow, "alte-feuerwache-weimar").name)
        assert again == before


def test_answers_of_the_index_are_kept_only_when_whole(seeded: Runtime) -> None:
    answers: list[str | None] = [None, "a", "b"]
    with seeded.uow() as uow:
        # None: the index could not answer; it is asked again.
        assert cached_from_index(uow, ("test-index", 1), lambda: answers.pop(0)) is None
        assert cached_from_index(uow, ("test-index", 1), lambda: answers.pop(0)) == "a"
        assert cached_from_index(uow, ("test-index", 1), lambda: answers.pop(0)) == "a"
    with seeded.uow() as uow:
        save_note(uow, NoteIn(slug="offen", talk=TALK, title="O", body="Text."), actor="test")
        uow.commit()
    with seeded.uow() as uow:
        if stamp(uow).pending is not None:  # the index lags: not kept until it caught up
            assert cached_from_index(uow, ("test-index", 1), lambda: "lagging") == "lagging"
    assert seeded.flush_index()
    with seeded.uow() as uow:
        assert stamp(uow).pending is None
        assert cached_from_index(uow, ("test-index", 1), lambda: answers.pop(0)) == "b"
        assert cached_from_index(uow, ("test-index", 1), lambda: "never") == "b"


def test_newest_notes_of_talks_are_the_last_of_all_notes_reversed(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        for n, created in enumerate([None, "2023-01-02", "2023-01-01", "2023-01-02", None]):
            note = NoteIn.model_validate(
                {"slug": f"n-{n}", "talk": TALK, "title": "T", "body": "B", "created": created}
            )
            save_note(uow, note, actor="test")
        uow.commit()
    with seeded.uow() as uow:
        talks = [get_talk(uow, TALK)]
        every = notes_of_talks(uow, talks)
        for limit in (1, 3, 10):
            newest = newest_notes_of_talks(uow, talks, limit)
            assert [n.slug for n in newest] == [n.slug for n in every[::-1][:limit]]
        assert count_notes_of_talks(uow, talks) == len(every) == 5
        assert newest_notes_of_talks(uow, [], 3) == [] and count_notes_of_talks(uow, []) == 0


def _version(runtime: Runtime) -> int:
    with runtime.engine.connect() as conn:
        return int(conn.execute(select(CatalogueVersion.value)).scalar_one())


def test_the_catalogue_version_rises_with_each_committed_change_only(seeded: Runtime) -> None:
    before = _version(seeded)
    with seeded.uow() as uow:
        _rename(uow, seeded, "Erster Name")
        uow.commit()
    assert _version(seeded) == before + 1
    with seeded.uow() as uow:
        _rename(uow, seeded, "Verworfen")
        uow.rollback()
    with seeded.uow() as uow:  # reading only
        get_case(uow, "alte-feuerwache-weimar")
        uow.commit()
    assert _version(seeded) == before + 1


def test_a_change_committed_after_a_newer_revision_is_not_missed(seeded: Runtime) -> None:
    """Two writers: the one whose revision has the lower id commits last. A stamp taken
    between the two commits must differ from one taken after both, although the newest
    revision id is the same in both (as on PostgreSQL, where ids are taken at insert)."""
    if not seeded.settings.database_url.startswith("postgresql"):
        # SQLite lets one writer at a time hold the database, so the order cannot arise; the
        # version's rise per commit is tested above.
        with seeded.uow() as uow:
            assert stamp(uow).catalogue[0] == _version(seeded)
        return
    early, late = seeded.uow(), seeded.uow()
    with early, late:
        _rename(early, seeded, "Früher angefangen")
        early.session.flush()  # takes the lower revision id, holds it uncommitted
        note = NoteIn(slug="spaeter", talk=TALK, title="Später", body="Später angefangen.")
        save_note(late, note, actor="test")
        late.commit()  # the higher id, committed first
        with seeded.uow() as reader:
            between = stamp(reader).catalogue
            cached(reader, "order-test", lambda: "without the early change")
        early.commit()
    with seeded.uow() as reader:
        after = stamp(reader).catalogue
        value = cached(reader, "order-test", lambda: "with both changes")
    assert between[1] == after[1]  # the same newest revision id …
    assert between != after  # … but not the same catalogue
    assert value == "with both changes"


def test_a_family_with_a_limit_keeps_only_its_newest_values(seeded: Runtime) -> None:
    computed: list[int] = []

    def value(n: int) -> int:
        computed.append(n)
        return n

    with seeded.uow() as uow:
        for n in (1, 2, 3, 3, 2, 1):
            assert cached(uow, ("limited", n), lambda n=n: value(n), limit=2) == n
    # 1 was dropped when 3 came; 2 and 3 were kept; 1 is computed again.
    assert computed == [1, 2, 3, 1]
