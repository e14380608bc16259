from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cases import get_case
from kb.cli import main
from kb.errors import ValidationError
from kb.runtime import Runtime
from tests.helpers import table_counts

CASE = """\
type: case
slug: testfall
name: Testfall
city: Teststadt
land: sachsen
governance:
  type: bottom-up
  rationale: Von einer Initiative gegründet.
scale:
  type: project
  rationale: Ein einzelnes Haus.
summary: Ein Fall für Tests.
sources:
  - url: https://example.org/testfall
    supports: alles
"""

TALK = """\
---
type: talk
slug: testgespraech
series: governance-des-stadtmachens-2022
title: Testgespräch
date: 2022-03-01
cases: [testfall]
---
Worum es ging.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(cli_env: dict[str, str], *paths: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["import", *map(str, paths)], env=cli_env)
    return result.exit_code, result.output


def test_import_of_valid_files_creates_case_and_talk(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    code, output = run_import(
        cli_env, write(tmp_path, "c.yaml", CASE), write(tmp_path, "t.md", TALK)
    )
    assert code == 0, output
    with seeded.uow() as uow:
        assert get_case(uow, "testfall").name == "Testfall"


def test_import_rejects_unknown_governance_type(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "c.yaml", CASE.replace("type: bottom-up", "type: sideways"))
    before = table_counts(seeded)
    code, output = run_import(cli_env, path)
    assert code == 1
    assert f"{path}:7: governance.type: unbekannter Wert 'sideways'" in output
    assert "top-down, bottom-up, cross-over" in output
    assert table_counts(seeded) == before


def test_import_rejects_a_missing_name(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "c.yaml", CASE.replace("name: Testfall\n", ""))
    before = table_counts(seeded)
    code, output = run_import(cli_env, path)
    assert code == 1
    assert f"{path}:1: name: Pflichtfeld fehlt" in output
    assert table_counts(seeded) == before


def test_import_rejects_a_duplicate_slug(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    first = write(tmp_path, "a.yaml", CASE)
    second = write(tmp_path, "b.yaml", CASE.replace("name: Testfall", "name: Zwilling"))
    before = table_counts(seeded)
    code, output = run_import(cli_env, first, second)
    assert code == 1
    assert f"{second}:2: slug: Kürzel 'testfall' kommt auch in {first} vor" in output
    assert table_counts(seeded) == before


def test_import_rejects_a_talk_pointing_at_an_unknown_case(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "t.md", TALK.replace("[testfall]", "[gibt-es-nicht]"))
    before = table_counts(seeded)
    code, output = run_import(cli_env, path)
    assert code == 1
    assert f"{path}:7: cases[0]: unbekannte(r) Fall 'gibt-es-nicht'" in output
    assert table_counts(seeded) == before


def test_import_rejects_broken_yaml_naming_the_line(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = write(tmp_path, "c.yaml", CASE.replace("city: Teststadt", "city: [Teststadt"))
    before = table_counts(seeded)
    code, output = run_import(cli_env, path)
    assert code == 1
    assert f"{path}:" in output and "kein gültiges YAML" in output
    assert table_counts(seeded) == before


def test_import_is_all_or_nothing(seeded: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", CASE)
    bad = write(tmp_path, "bad.yaml", CASE.replace("slug: testfall", "slug: Kaputt Slug"))
    before = table_counts(seeded)
    code, output = run_import(cli_env, good, bad)
    assert code == 1 and "slug: nur Kleinbuchstaben" in output
    assert table_counts(seeded) == before


def test_import_reports_every_error_at_once(runtime: Runtime, tmp_path: Path) -> None:
    text = (
        CASE.replace("land: sachsen", "land: atlantis")
        .replace("type: project", "type: planet")
        .replace("https://example.org/testfall", "ftp://example.org")
        + "colour: blau\n"
    )
    path = write(tmp_path, "c.yaml", text)
    with pytest.raises(ValidationError) as caught:
        runtime.import_files([path])
    fields = sorted(e.field for e in caught.value.errors)
    assert fields == ["colour", "land", "scale.type", "sources[0].url"]
    assert next(e for e in caught.value.errors if e.field == "colour").message == "unbekanntes Feld"


def test_import_rejects_markdown_without_front_matter(runtime: Runtime, tmp_path: Path) -> None:
    path = write(tmp_path, "t.md", "Nur Text\n")
    with pytest.raises(ValidationError, match="Front Matter"):
        runtime.import_files([path])


def test_import_rejects_a_file_without_a_type(runtime: Runtime, tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", CASE.replace("type: case\n", ""))
    with pytest.raises(ValidationError, match="type muss case oder series sein"):
        runtime.import_files([path])


def test_import_of_a_missing_path_names_it(runtime: Runtime, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="nicht gefunden"):
        runtime.import_files([tmp_path / "fehlt.yaml"])


def test_reimporting_a_changed_file_keeps_the_old_state_as_a_revision(
    seeded: Runtime, tmp_path: Path
) -> None:
    seeded.import_files([write(tmp_path, "c.yaml", CASE)])
    seeded.import_files([write(tmp_path, "c.yaml", CASE.replace("Ein Fall", "Ein neuer Fall"))])
    from kb.revisions import list_revisions

    with seeded.uow() as uow:
        case = get_case(uow, "testfall")
        revisions = list_revisions(uow, "case", case.id)
        summaries = [r.state["summary"] for r in revisions]
        actors = [r.actor for r in revisions]
    assert summaries == ["Ein Fall für Tests.", "Ein neuer Fall für Tests."]
    assert actors == ["import", "import"]


def test_check_validates_without_writing(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    before = table_counts(seeded)
    ok = CliRunner().invoke(main, ["check", str(write(tmp_path, "c.yaml", CASE))], env=cli_env)
    assert ok.exit_code == 0 and "keine Fehler" in ok.output
    bad = write(tmp_path, "d.yaml", CASE.replace("land: sachsen", "land: atlantis"))
    result = CliRunner().invoke(main, ["check", str(bad)], env=cli_env)
    assert result.exit_code == 1 and "land: unbekannter Wert 'atlantis'" in result.output
    assert table_counts(seeded) == before


def test_seed_data_passes_check(runtime: Runtime, cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["check", str(runtime.settings.seed_dir)], env=cli_env)
    assert result.exit_code == 0, result.output


def test_import_rejects_an_end_year_before_the_start_year(runtime: Runtime, tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", CASE + "start_year: 2020\nend_year: 2019\n")
    with pytest.raises(ValidationError) as caught:
        runtime.import_files([path])
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:17: end_year: end_year (2019) liegt vor start_year (2020)"
    ]
