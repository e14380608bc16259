import pytest

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn
from kb.errors import Conflict
from kb.revisions import list_revisions
from kb.runtime import Runtime


def _edit(runtime: Runtime, summary: str, expected_version: int | None) -> None:
    with runtime.uow() as uow:
        state = case_state(get_case(uow, "alte-feuerwache-weimar"))
        state["summary"] = summary
        data = CaseIn.model_validate(state, context={"vocabulary": runtime.vocabulary})
        save_case(uow, data, runtime.vocabulary, actor="anna", expected_version=expected_version)
        uow.commit()


def test_a_save_based_on_an_outdated_version_is_a_conflict_and_changes_nothing(
    seeded: Runtime,
) -> None:
    _edit(seeded, "Erste Änderung.", expected_version=1)
    with pytest.raises(Conflict, match="Version 2, bearbeitet wurde Version 1"):
        _edit(seeded, "Zweite Änderung auf alter Grundlage.", expected_version=1)
    with seeded.uow() as uow:
        case = get_case(uow, "alte-feuerwache-weimar")
        assert (case.summary, case.version) == ("Erste Änderung.", 2)
        assert len(list_revisions(uow, "case", case.id)) == 2


def test_an_unchanged_save_writes_no_revision(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        case = get_case(uow, "alte-feuerwache-weimar")
        data = CaseIn.model_validate(case_state(case), context={"vocabulary": seeded.vocabulary})
        _, changed = save_case(uow, data, seeded.vocabulary, actor="anna")
        assert not changed
        assert len(list_revisions(uow, "case", case.id)) == 1


def test_losing_a_race_to_create_the_same_slug_is_a_conflict(
    seeded: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two editors create the same slug at once: both checks find nothing, the second insert
    hits the unique constraint. That must be a Conflict (409 on the web), not a crash."""
    import kb.catalogue.cases

    with seeded.uow() as uow:
        state = case_state(get_case(uow, "freiraumbuero-halle"))
    data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
    monkeypatch.setattr(kb.catalogue.cases, "find_case", lambda *args, **kwargs: None)
    with seeded.uow() as uow, pytest.raises(Conflict, match="Gleichzeitig wurde"):
        save_case(uow, data, seeded.vocabulary, actor="bert")
