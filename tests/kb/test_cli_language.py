"""The `kb` command speaks German by default, English with `--lang en` or an English
environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), and `--lang` wins over the environment; help
texts, messages and the codebook follow it, and the language ends with the command."""

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli import main
from kb.i18n import current
from tests.helpers import CASE, write

# No language from the machine running the tests.
NEUTRAL: dict[str, str | None] = {
    "LANGUAGE": None,
    "LC_ALL": None,
    "LC_MESSAGES": None,
    "LANG": None,
}


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    return write(tmp_path, "testfall.yaml", CASE)


def run(args: list[str], env: dict[str, str], **more: str | None) -> Result:
    return CliRunner().invoke(main, args, env={**env, **NEUTRAL, **more})


def test_german_by_default(case_file: Path, cli_env: dict[str, str]) -> None:
    result = run(["check", str(case_file)], cli_env)
    assert result.exit_code == 0, result.output
    assert result.output == "1 Datei(en) geprüft: keine Fehler.\n"


def test_lang_option_speaks_english(case_file: Path, cli_env: dict[str, str]) -> None:
    result = run(["--lang", "en", "check", str(case_file)], cli_env)
    assert result.exit_code == 0, result.output
    assert result.output == "1 file(s) checked: no errors.\n"
    # After the command's name as well.
    after = run(["check", "--lang", "en", str(case_file)], cli_env)
    assert after.output == "1 file(s) checked: no errors.\n"
    assert current() == "de"  # the language was the command's only


@pytest.mark.parametrize(
    "variable, value", [("LANG", "en_GB.UTF-8"), ("LC_ALL", "en_US.UTF-8"), ("LANGUAGE", "en")]
)
def test_an_english_environment_speaks_english(
    case_file: Path, cli_env: dict[str, str], variable: str, value: str
) -> None:
    result = run(["check", str(case_file)], cli_env, **{variable: value})
    assert result.output == "1 file(s) checked: no errors.\n"


def test_lang_option_wins_over_the_environment(case_file: Path, cli_env: dict[str, str]) -> None:
    result = run(["--lang", "de", "check", str(case_file)], cli_env, LANG="en_GB.UTF-8")
    assert result.output == "1 Datei(en) geprüft: keine Fehler.\n"
    unknown = run(["check", str(case_file)], cli_env, LANG="fr_FR.UTF-8")
    assert unknown.output == "1 Datei(en) geprüft: keine Fehler.\n"


def test_usage_errors_in_english(cli_env: dict[str, str]) -> None:
    result = run(["--lang", "en", "check"], cli_env)
    assert result.exit_code == 2
    assert "Name files, or give --completeness." in result.output
    german = run(["check"], cli_env)
    assert "Dateien angeben oder --completeness." in german.output


def test_help_in_english_and_german(cli_env: dict[str, str]) -> None:
    english = run(["--lang", "en", "--help"], cli_env)
    assert english.exit_code == 0
    assert "Knowledge base of municipal cooperation models." in english.output
    assert "Language of the output" in english.output
    assert "Check files without writing anything" in english.output  # a command's short help
    assert "From the package webapp (help: kb serve --help)." in english.output
    assert "Wissensbasis" not in english.output and "Dateien prüfen" not in english.output

    command = run(["--lang", "en", "check", "--help"], cli_env)
    assert "Also warns about facts without a source" in command.output
    assert "Treat warnings (facts without a source" in command.output
    assert "Warnungen" not in command.output

    from_environment = run(["codebook", "--help"], cli_env, LANG="en_GB.UTF-8")
    assert "Print the codebook of the downloads" in from_environment.output

    # Once English was shown, German is German again.
    german = run(["--help"], cli_env)
    assert "Wissensbasis kommunaler Kooperationsmodelle." in german.output
    assert "Dateien prüfen, ohne zu schreiben" in german.output
    assert "Knowledge base" not in german.output


def _codebook(cli_env: dict[str, str], *lang: str) -> list[dict[str, str]]:
    result = run(["codebook", *lang, "--format", "csv"], cli_env)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_codebook_in_english_has_the_same_codes(cli_env: dict[str, str]) -> None:
    german, english = _codebook(cli_env), _codebook(cli_env, "--lang", "en")
    same = ("section", "table", "name", "vocabulary")
    assert [tuple(r[k] for k in same) for r in english] == [
        tuple(r[k] for k in same) for r in german
    ]
    # A value's further attributes are codes too ("side=municipal").
    assert [r["extra"] for r in english if r["section"] == "value"] == [
        r["extra"] for r in german if r["section"] == "value"
    ]
    value = {(r["table"], r["name"]): r for r in english if r["section"] == "value"}
    assert value["lands", "bayern"]["label"] == "Bavaria"
    assert value["lands", "bayern"]["meaning"] == "Free State of Bavaria (DE-BY)."
    assert value["size_classes", "mittelstadt"]["label"] == "Medium-sized town"
    assert value["governance_types", "bottom-up"]["meaning"].startswith("Initiated and run by")
    column = {(r["table"], r["name"]): r for r in english if r["section"] == "column"}
    assert column["cases.csv", "land"]["meaning"] == "Federal state (Land; label, not code)"
    german_value = {(r["table"], r["name"]): r for r in german if r["section"] == "value"}
    assert german_value["lands", "bayern"]["label"] == "Bayern"

    markdown = run(["codebook", "--lang", "en"], cli_env)
    assert markdown.output.startswith("# Codebook\n")
    assert "| `bayern` | Bavaria | Free State of Bavaria (DE-BY). |" in markdown.output
