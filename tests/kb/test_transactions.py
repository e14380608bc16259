"""Transactions belong to whoever opened them: kb's functions take a unit of work, read and
write through it, and never commit or roll it back; the boundary that opened it (a CLI command,
a web request, the runtime, the background indexer) decides. The search service too: a search
or a catch-up inside a caller's unit of work leaves its transaction open and uncommitted, and
no request ever rebuilds the index (only `kb reindex`, `kb init` and the background repair)."""

import ast
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kb.catalogue.schemas import NoteIn
from kb.editorial.notes import save_note
from kb.errors import SearchUnavailable
from kb.runtime import Runtime
from kb.search.service import CatchUp, SearchRequest
from kb.unit_of_work import UnitOfWork
from models import Note, SearchOutbox

KB = Path(__file__).resolve().parents[2] / "kb"
TALK = "talk-1-stadtmensch-altenburg"
ENDINGS = {"commit", "rollback"}


def _takes_a_unit_of_work(arg: ast.arg) -> bool:
    annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
    return "UnitOfWork" in annotation or arg.arg in ("uow", "unit")


def _ends_transaction_of(call: ast.Call, names: set[str]) -> bool:
    """`uow.commit()`, `uow.rollback()` or `uow.session.commit()` on one of `names`."""
    func = call.func
    if not isinstance(func, ast.Attribute) or func.attr not in ENDINGS:
        return False
    target = func.value
    if isinstance(target, ast.Attribute) and target.attr == "session":
        target = target.value
    return isinstance(target, ast.Name) and target.id in names


def offenders(root: Path = KB) -> list[str]:
    """file:line of every commit or rollback of a unit of work that a function was given."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            given = {a.arg for a in args if _takes_a_unit_of_work(a)}
            if not given:
                continue
            for inner in ast.walk(node):  # nested functions too: they close over the parameter
                if isinstance(inner, ast.Call) and _ends_transaction_of(inner, given):
                    where = path.relative_to(root.parent)
                    found.append(f"{where}:{inner.lineno} {node.name}")
    return found


def test_no_kb_function_commits_or_rolls_back_a_unit_of_work_it_was_given() -> None:
    found = offenders()
    assert found == [], "commit/rollback belong to whoever opened the unit of work:\n" + "\n".join(
        found
    )


def test_the_scan_finds_an_offender(tmp_path: Path) -> None:
    package = tmp_path / "kb"
    package.mkdir()
    (package / "bad.py").write_text(
        "def save(uow: UnitOfWork) -> None:\n"
        "    uow.session.add(1)\n"
        "    uow.commit()\n"
        "\n"
        "def fine(runtime) -> None:\n"
        "    with runtime.uow() as uow:\n"
        "        uow.commit()\n"
        "\n"
        "def also_bad(unit, x) -> None:\n"
        "    def inner() -> None:\n"
        "        unit.session.rollback()\n"
    )
    assert offenders(package) == ["kb/bad.py:3 save", "kb/bad.py:11 also_bad"]


def _pending(runtime: Runtime) -> int:
    with runtime.uow() as other:
        return other.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def _notes(runtime: Runtime, slug: str) -> int:
    with runtime.uow() as other:
        query = select(func.count()).select_from(Note).where(Note.slug == slug)
        return other.session.scalar(query) or 0


def test_a_search_inside_the_callers_unit_of_work_leaves_it_open_and_uncommitted(
    seeded: Runtime,
) -> None:
    with seeded.uow() as uow:
        note = NoteIn(slug="offen", talk=TALK, title="Offen", body="Das Quartiersgeld kam spät.")
        save_note(uow, note, actor="test")
        results = seeded.search_index.search(uow, SearchRequest("Quartiersgeld"))
        assert results.total == 1  # the caller's own change, through the overlay
        assert uow.session.in_transaction()
        assert uow.changes, "the caller's changes are still its own to commit"
        assert _notes(seeded, "offen") == 0  # nothing was committed behind its back
    assert _notes(seeded, "offen") == 0  # and leaving without commit throws it away


def test_a_catch_up_deletes_from_the_outbox_only_when_its_caller_commits(
    seeded: Runtime,
) -> None:
    with UnitOfWork(seeded.session_factory) as writer:  # no listener: the index stays behind
        note = NoteIn(slug="spaeter", talk=TALK, title="Später", body="Das Quartiersgeld kam.")
        save_note(writer, note, actor="test")
        writer.commit()
    assert _pending(seeded) == 1
    with seeded.uow() as uow:
        result = seeded.search_index.catch_up(uow)
        assert result.outcome is CatchUp.WRITTEN and result.written == 1 and result.done
        assert uow.session.in_transaction()
        assert _pending(seeded) == 1  # the deletion is not committed yet
    assert _pending(seeded) == 1  # the caller left without commit: still pending
    with seeded.uow() as uow:
        assert seeded.search_index.catch_up(uow).done
        uow.commit()
    assert _pending(seeded) == 0
    assert "note:spaeter" in seeded.search_index.engine.ids()


def test_a_catch_up_refuses_a_unit_of_work_with_uncommitted_changes(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        note = NoteIn(slug="ungesichert", talk=TALK, title="U", body="Noch nicht gespeichert.")
        save_note(uow, note, actor="test")
        with pytest.raises(ValueError, match="uncommitted"):
            seeded.search_index.catch_up(uow)
    assert "note:ungesichert" not in seeded.search_index.engine.ids()


def test_a_search_never_rebuilds_the_index_in_its_own_thread(
    seeded: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = seeded.search_index.engine.store
    built_in: list[str] = []
    build = store.build

    def recording_build(*args: Any, **kwargs: Any) -> Any:
        built_in.append(threading.current_thread().name)
        return build(*args, **kwargs)

    monkeypatch.setattr(store, "build", recording_build)
    seeded.search_index.engine.close()
    shutil.rmtree(seeded.settings.index_dir)
    with seeded.uow() as uow, pytest.raises(SearchUnavailable):
        seeded.search_index.search(uow, SearchRequest("Büchel"))
    assert threading.current_thread().name not in built_in
    assert seeded.search_index.repair.wait(timeout=120)
    assert built_in == ["kb-index-repair"]  # the background repair, not the caller
    with seeded.uow() as uow:
        assert seeded.search_index.search(uow, SearchRequest("Büchel")).total > 0
