import csv
import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from kb.cli import main
from kb.config import Settings
from kb.runtime import Runtime
from models import Base


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
