import csv
import json
from pathlib import Path

import yaml
from click.testing import CliRunner
from sqlalchemy import text

from kb.catalogue.cases import case_state, get_case
from kb.catalogue.schemas import NoteIn
from kb.cli import main
from kb.config import Settings
from kb.editorial.notes import save_note
from kb.runtime import Runtime
from models import Base
from tests.case_exports import (
    FORMULA_CITY,
    FORMULA_NAME,
    FORMULA_SLUG,
    FORMULA_SUM,
    assert_no_formula_cells,
    expected_wide_row,
    read_csv_text,
    save_formula_case,
)

TALK = "talk-1-stadtmensch-altenburg"


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_yaml_export_imports_into_an_empty_instance_and_exports_identically(
    seeded: Runtime, settings: Settings, tmp_path: Path
) -> None:
    first = tmp_path / "first"
    second = tmp_path / "second"
    env = {"KB_DATABASE_URL": settings.database_url, "KB_INSTANCE": str(tmp_path)}
    assert CliRunner().invoke(main, ["export", "--out", str(first)], env=env).exit_code == 0

    # Empty the database: an empty instance on the same backend.
    with seeded.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
    result = CliRunner().invoke(main, ["import", str(first)], env=env)
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["export", "--out", str(second)], env=env).exit_code == 0

    assert files_of(first) == files_of(second)
    assert len([f for f in files_of(first) if f.startswith("cases/")]) >= 18


def test_json_export_holds_the_whole_catalogue(
    seeded: Runtime, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    result = CliRunner().invoke(
        main, ["export", "--format", "json", "--out", str(tmp_path / "j")], env=cli_env
    )
    assert result.exit_code == 0
    data = json.loads((tmp_path / "j" / "catalogue.json").read_text())
    assert len(data["talks"]) == 7 and len(data["series"]) == 1 and len(data["cases"]) >= 18
    halle = next(c for c in data["cases"] if c["slug"] == "freiraumbuero-halle")
    assert halle["land"] == "sachsen-anhalt"


def test_csv_export_reads_back_with_labels(
    seeded: Runtime, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    result = CliRunner().invoke(
        main, ["export", "--format", "csv", "--out", str(tmp_path / "c")], env=cli_env
    )
    assert result.exit_code == 0
    with (tmp_path / "c" / "cases.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    halle = next(r for r in rows if r["slug"] == "freiraumbuero-halle")
    assert halle["land"] == "Sachsen-Anhalt"
    assert halle["governance_type"] == "top-down"
    with (tmp_path / "c" / "talks.csv").open(encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == 7


def test_csv_export_guards_formulas_and_reads_back(
    seeded: Runtime, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    state = save_formula_case(seeded)
    with seeded.uow() as uow:
        note = NoteIn(slug="formel-notiz", talk=TALK, title=FORMULA_SUM, body="=1+1\n\nText")
        save_note(uow, note, actor="test")
        uow.commit()
    out = tmp_path / "c"
    result = CliRunner().invoke(main, ["export", "--format", "csv", "--out", str(out)], env=cli_env)
    assert result.exit_code == 0, result.output
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.csv"))}
    assert set(texts) == {"cases.csv", "talks.csv", "notes.csv"}
    for body in texts.values():
        assert_no_formula_cells(body)
    cases = read_csv_text(texts["cases.csv"])
    assert next(r for r in cases if r["slug"] == FORMULA_SLUG) == expected_wide_row(
        state, seeded.vocabulary
    )
    notes = read_csv_text(texts["notes.csv"])
    formula_note = next(r for r in notes if r["slug"] == "formel-notiz")
    assert (formula_note["title"], formula_note["body"]) == (FORMULA_SUM, "=1+1\n\nText")


def test_yaml_export_and_import_keep_texts_that_look_like_formulas(
    seeded: Runtime, settings: Settings, tmp_path: Path
) -> None:
    """The guard belongs to CSV cells only: the data files hold the texts as they are, and a
    round trip through `kb export` and `kb import` gives them back exactly."""
    state = save_formula_case(seeded)
    env = {"KB_DATABASE_URL": settings.database_url, "KB_INSTANCE": str(tmp_path)}
    out = tmp_path / "export"
    assert CliRunner().invoke(main, ["export", "--out", str(out)], env=env).exit_code == 0
    exported = (out / "cases" / f"{FORMULA_SLUG}.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(exported)["city"] == FORMULA_CITY  # no quote added for spreadsheets
    with seeded.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
    result = CliRunner().invoke(main, ["import", str(out)], env=env)
    assert result.exit_code == 0, result.output
    with seeded.uow() as uow:
        assert case_state(get_case(uow, FORMULA_SLUG)) == state
    assert state["name"] == FORMULA_NAME and state["city"] == FORMULA_CITY
