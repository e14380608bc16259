"""Long commands show their progress on stderr: a plain line now and then when stderr is not a
terminal (as here), nothing with --quiet; kb reports it through a callback, the CLI shows it."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb import cli
from kb.cli import main
from kb.runtime import Runtime


@pytest.fixture(autouse=True)
def every_call_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line for every step (the seed catalogue is done long before the usual interval)."""
    monkeypatch.setattr(cli, "PROGRESS_EVERY", 0.0)


LINE = re.compile(r"^… (\d+)/(\d+) (\w+)$")


def progress_lines(stderr: str, unit: str) -> list[tuple[int, int]]:
    found = [LINE.match(line) for line in stderr.splitlines()]
    return [(int(m[1]), int(m[2])) for m in found if m is not None and m[3] == unit]


def run(cli_env: dict[str, str], *args: str) -> tuple[str, str]:
    result = CliRunner().invoke(main, list(args), env=cli_env)
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


def test_reindex_counts_the_documents(seeded: Runtime, cli_env: dict[str, str]) -> None:
    stdout, stderr = run(cli_env, "reindex")
    lines = progress_lines(stderr, "Dokumente")
    count = int(re.findall(r"(\d+) Dokumente", stdout)[0])
    assert lines and lines[-1] == (count, count), stderr
    assert "Dokumente" not in stdout.replace(f"{count} Dokumente", "")  # progress is not output
    _, quiet = run(cli_env, "reindex", "--quiet")
    assert quiet == ""


def test_export_counts_the_files(seeded: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    stdout, stderr = run(cli_env, "export", "--out", str(tmp_path / "a"))
    written = int(stdout.split()[0])
    assert progress_lines(stderr, "Dateien")[-1] == (written, written), stderr
    _, quiet = run(cli_env, "export", "--out", str(tmp_path / "b"), "-q")
    assert quiet == ""


def test_import_counts_the_items(seeded: Runtime, cli_env: dict[str, str], tmp_path: Path) -> None:
    _, stderr = run(cli_env, "export", "--out", str(tmp_path), "--quiet")
    _, stderr = run(cli_env, "import", str(tmp_path))
    done, total = progress_lines(stderr, "Einträge")[-1]
    assert done == total > 10, stderr
    _, quiet = run(cli_env, "import", str(tmp_path), "--quiet")
    assert quiet == ""


def test_check_links_counts_the_addresses(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb.editorial import links

    def answer(self: links.Checker, link: links.Link) -> links.LinkResult:  # no network here
        return links.LinkResult(link.url, "ok", 200, "", "", [], link.used_by)

    monkeypatch.setattr(links.Checker, "check", answer)
    out = str(tmp_path / "r.json")
    _, stderr = run(cli_env, "check-links", "--out", out)
    done, total = progress_lines(stderr, "Adressen")[-1]
    assert done == total > 0, stderr
    _, quiet = run(cli_env, "check-links", "--out", out, "--quiet")
    assert quiet == ""
