import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.catalogue.cases import get_case
from kb.catalogue.files import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from kb.catalogue.schemas import MAX_BODY
from kb.cli import main
from kb.editorial.users import add_user
from kb.errors import ValidationError
from kb.runtime import Runtime
from tests.helpers import CASE, table_counts, write

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


def billion_laughs(levels: int = 9) -> str:
    """The test case with a key whose value, expanded, has 9**levels strings: nine aliases per
    level to the level above (9**9 = 387 million; anything that walks it runs out of memory)."""
    lines = ['lol0: &lol0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{refs}]")
    return CASE + "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", ["import", "check"])
def test_yaml_aliases_are_refused_before_they_expand(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path, command: str
) -> None:
    path = write(tmp_path, "lol.yaml", billion_laughs())
    good = write(tmp_path, "good.yaml", CASE.replace("testfall", "anderer-fall"))
    before = table_counts(seeded)
    result = CliRunner().invoke(main, [command, str(good), str(path)], env=cli_env)
    assert result.exit_code == 1
    line = CASE.count("\n") + 1  # the first anchor
    assert (
        f"{path}:{line}: YAML-Anker und -Verweise (&, *) sind in Importdateien nicht erlaubt"
        in result.output
    )
    assert table_counts(seeded) == before  # not even the good file


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        # An anchor alone, an alias alone (undefined), a merge key, and front matter.
        ("anker.yaml", CASE.replace("name: Testfall", "name: &n Testfall"), 3),
        ("verweis.yaml", CASE.replace("city: Teststadt", "city: *stadt"), 4),
        ("merge.yaml", CASE + "extra:\n  <<: *basis\n", CASE.count("\n") + 2),
        ("t.md", TALK.replace("title: Testgespräch", "title: &t Testgespräch"), 5),
    ],
)
def test_every_anchor_and_alias_is_refused_with_its_line(
    runtime: Runtime, tmp_path: Path, name: str, text: str, line: int
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(ValidationError) as caught:
        runtime.import_files([path])
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:{line}: YAML-Anker und -Verweise (&, *) sind in Importdateien nicht erlaubt"
    ]


def test_yaml_with_too_many_nodes_or_too_deep_is_refused(runtime: Runtime, tmp_path: Path) -> None:
    wide = write(tmp_path, "wide.yaml", CASE + "extra: [" + "0, " * MAX_NODES + "0]\n")
    deep = write(tmp_path, "deep.yaml", CASE + "extra: " + "[" * 5000 + "]" * 5000 + "\n")
    line = CASE.count("\n") + 1  # the line of `extra`
    with pytest.raises(ValidationError) as caught:
        runtime.import_files([wide, deep])
    assert [str(e) for e in caught.value.errors] == [
        f"{wide}:{line}: zu viele YAML-Einträge (höchstens 20.000)",
        f"{deep}:{line}: YAML zu tief verschachtelt (höchstens {MAX_DEPTH} Ebenen)",
    ]


def test_an_oversized_file_is_refused_without_being_read(runtime: Runtime, tmp_path: Path) -> None:
    text = CASE + "description: |\n" + "  Text\n" * (MAX_FILE_BYTES // 7)
    path = write(tmp_path, "gross.yaml", text)
    size = path.stat().st_size
    assert size > MAX_FILE_BYTES
    with pytest.raises(ValidationError) as caught:
        runtime.import_files([path])
    shown, limit = (f"{n:,}".replace(",", ".") for n in (size, MAX_FILE_BYTES))
    assert [str(e) for e in caught.value.errors] == [
        f"{path}: Datei zu groß ({shown} Bytes, höchstens {limit})"
    ]


def test_the_longest_text_the_schema_allows_fits_into_a_file(
    runtime: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    # MAX_BODY characters of four bytes each, the most UTF-8 needs (German prose needs one).
    body = ("\U0001d11e" * 99 + "\n") * (MAX_BODY // 100)
    path = write(tmp_path, "lang.yaml", CASE + "description: |\n" + textwrap.indent(body, "  "))
    assert len(body) == MAX_BODY and 3.9 * MAX_BODY < path.stat().st_size < MAX_FILE_BYTES
    result = CliRunner().invoke(main, ["check", str(path)], env=cli_env)
    assert result.exit_code == 0, result.output


def test_kb_note_add_refuses_anchors_and_oversized_files(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    with seeded.uow() as uow:
        add_user(uow, "anna", "ein-langes-passwort", "editor")
        uow.commit()
    anchored = write(tmp_path, "anker.md", "---\ntitle: &t Nach dem Talk\n---\nText\n")
    big = write(tmp_path, "gross.md", "---\ntitle: Groß\n---\n" + "Text\n" * (MAX_FILE_BYTES // 5))
    before = table_counts(seeded)
    for path, message in (
        (anchored, f"{anchored}:2: YAML-Anker und -Verweise (&, *) sind in Importdateien"),
        (big, f"{big}: Datei zu groß"),
    ):
        args = ["note", "add", "talk-2-freiraumbuero-halle", str(path), "--author", "anna"]
        result = CliRunner().invoke(main, args, env=cli_env)
        assert result.exit_code == 1 and message in result.output
    assert table_counts(seeded) == before
