"""Revisions as history: readable diffs, restore as a new revision, soft delete and undelete;
`kb note add` from a Markdown file."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn
from kb.cli import main
from kb.editorial.history import diff_states, history, restore_revision, set_deleted
from kb.editorial.notes import find_note
from kb.editorial.users import add_user
from kb.errors import Conflict
from kb.runtime import Runtime

CASE = "freiraumbuero-halle"


def _set_governance(runtime: Runtime, value: str, reason: str = "") -> None:
    with runtime.uow() as uow:
        state = case_state(get_case(uow, CASE))
        state["governance"]["type"] = value
        data = CaseIn.model_validate(state, context={"vocabulary": runtime.vocabulary})
        save_case(uow, data, runtime.vocabulary, actor="anna", reason=reason)
        uow.commit()


def test_a_revision_names_its_changed_fields_readably(seeded: Runtime) -> None:
    _set_governance(seeded, "cross-over", "neu eingeordnet")
    with seeded.uow() as uow:
        _, entries = history(uow, "case", CASE, seeded.vocabulary)
    newest = entries[0]
    assert newest.revision.actor == "anna" and newest.revision.reason == "neu eingeordnet"
    assert [str(c) for c in newest.changes] == ["Governance-Typ: Top-down → Cross-over"]
    assert entries[-1].action_label == "angelegt"


def test_diff_of_lists_and_missing_values(seeded: Runtime) -> None:
    old = {"title": "A", "speakers": [{"name": "X", "role": "Gast"}], "venue": ""}
    new = {"title": "A", "speakers": [{"name": "Y", "role": "Gast"}], "venue": "Aedes"}
    changes = diff_states(old, new, seeded.vocabulary)
    assert [str(c) for c in changes] == ["Gäste: X · Gast → Y · Gast", "Ort: – → Aedes"]


def test_restore_is_a_new_revision(seeded: Runtime) -> None:
    _set_governance(seeded, "cross-over")
    with seeded.uow() as uow:
        restore_revision(uow, "case", CASE, 1, seeded.vocabulary, actor="bert")
        uow.commit()
    with seeded.uow() as uow:
        assert get_case(uow, CASE).governance_type == "top-down"
        _, entries = history(uow, "case", CASE, seeded.vocabulary)
        assert [e.revision.action for e in entries] == ["restore", "update", "create"]
        assert entries[0].revision.actor == "bert"
        with pytest.raises(Conflict, match="entspricht bereits"):
            restore_revision(uow, "case", CASE, 1, seeded.vocabulary, actor="bert")


def test_soft_delete_and_undelete_are_revisions(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        set_deleted(uow, "case", CASE, True, actor="anna", reason="Dublette")
        uow.commit()
    with seeded.uow() as uow:
        item, entries = history(uow, "case", CASE, seeded.vocabulary)
        assert item.deleted_at is not None
        assert entries[0].action_label == "gelöscht" and entries[0].revision.reason == "Dublette"
        with pytest.raises(Conflict):
            set_deleted(uow, "case", CASE, True, actor="anna")
        set_deleted(uow, "case", CASE, False, actor="root")
        uow.commit()
    with seeded.uow() as uow:
        assert get_case(uow, CASE).deleted_at is None


def test_cli_note_add(seeded: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    with seeded.uow() as uow:
        add_user(uow, "anna", "ein-langes-passwort", "editor", "Anna Beispiel")
        uow.commit()
    note = tmp_path / "notiz.md"
    note.write_text(
        "---\ntitle: Nach dem Talk\ncreated: 2022-03-17\n---\n## Was lernt die Stadt?\n\nViel.\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["note", "add", "talk-2-freiraumbuero-halle", str(note), "--author", "anna"]
    done = runner.invoke(main, args, env=cli_env)
    assert done.exit_code == 0, done.output
    assert "zum Gespräch 'talk-2-freiraumbuero-halle' gespeichert" in done.output
    with seeded.uow() as uow:
        saved = find_note(uow, "talk-2-freiraumbuero-halle-nach-dem-talk")
        assert saved is not None and saved.author == "Anna Beispiel"
        assert saved.body.strip().endswith("Viel.")
    again = runner.invoke(main, args, env=cli_env)
    assert again.exit_code == 0  # a second note with the same title gets its own slug
    broken = tmp_path / "kaputt.md"
    broken.write_text("---\ntitle: Kaputt\ncreated: gestern\n---\nText\n", encoding="utf-8")
    failed = runner.invoke(
        main,
        ["note", "add", "talk-2-freiraumbuero-halle", str(broken), "--author", "anna"],
        env=cli_env,
    )
    assert failed.exit_code == 1
    assert f"{broken}:3: created" in failed.output
    nobody = runner.invoke(
        main,
        ["note", "add", "talk-2-freiraumbuero-halle", str(note), "--author", "nobody"],
        env=cli_env,
    )
    assert nobody.exit_code == 1 and "nobody" in nobody.output


def test_cli_history_and_restore_of_a_case_and_a_talk(
    seeded: Runtime, cli_env: dict[str, str]
) -> None:
    with seeded.uow() as uow:
        add_user(uow, "anna", "ein-langes-passwort", "editor")
        uow.commit()
    _set_governance(seeded, "bottom-up", "Test")
    runner = CliRunner()
    shown = runner.invoke(main, ["history", "case", CASE], env=cli_env)
    assert shown.exit_code == 0, shown.output
    assert "Fassung 2" in shown.output and "Governance-Typ: Top-down → Bottom-up" in shown.output
    done = runner.invoke(
        main, ["restore", "case", CASE, "1", "--author", "anna", "--reason", "zurück"], env=cli_env
    )
    assert done.exit_code == 0, done.output
    with seeded.uow() as uow:
        assert get_case(uow, CASE).governance_type == "top-down"
    again = runner.invoke(main, ["restore", "case", CASE, "1", "--author", "anna"], env=cli_env)
    assert again.exit_code == 1 and "entspricht bereits" in again.output
    missing = runner.invoke(main, ["restore", "talk", "nope", "1", "--author", "anna"], env=cli_env)
    assert missing.exit_code == 1 and "nope" in missing.output
    talk = runner.invoke(main, ["history", "talk", "talk-1-stadtmensch-altenburg"], env=cli_env)
    assert talk.exit_code == 0 and "Fassung 1" in talk.output


def test_notes_of_a_deleted_talk_leave_the_latest_notes_and_the_count(seeded: Runtime) -> None:
    from kb.catalogue.schemas import NoteIn
    from kb.editorial.notes import count_notes, latest_notes, save_note

    talk = "talk-2-freiraumbuero-halle"
    with seeded.uow() as uow:
        save_note(uow, NoteIn(slug="n1", talk=talk, title="T", body="B"), actor="anna")
        uow.commit()
    with seeded.uow() as uow:
        assert [n.slug for n in latest_notes(uow)] == ["n1"] and count_notes(uow) == 1
        set_deleted(uow, "talk", talk, True, actor="anna")
        uow.commit()
    with seeded.uow() as uow:
        assert latest_notes(uow) == [] and count_notes(uow) == 0
