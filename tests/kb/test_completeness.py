"""kb.catalogue.completeness: the score and gaps of a complete and a sparse case, `kb check
--completeness` and the completeness in the JSON export."""

import json
from pathlib import Path

from click.testing import CliRunner

from kb.catalogue.completeness import CHECKS, assess, queue
from kb.cli import main
from kb.runtime import Runtime
from tests.helpers import CASE, LONG, complete_state, write


def test_a_complete_case_scores_100(runtime: Runtime) -> None:
    result = assess(complete_state(), runtime.vocabulary, notes=1)
    assert result.score == 100 and result.gaps == ()
    assert result.as_json() == {"score": 100, "gaps": []}


def test_a_sparse_case_lists_every_gap(runtime: Runtime) -> None:
    state = {
        "slug": "duenn",
        "name": "Dünn",
        "summary": "Kurz.",
        "carrier": {"name": "", "legal_form": ""},
        "actors": [{"name": "Bund", "kind": "federal", "role": ""}],  # neither side
        "instruments": [],
        "start_year": None,
        "municipality": {"size_class": None, "size_class_rationale": ""},
        "governance": {"type": "bottom-up", "rationale": "Kurz."},
        "scale": {"type": "project", "rationale": LONG},
        "funding": [],
        "awards": [{"name": "Preis", "source": ""}],
        "key_dates": [],
        "sources": [{"url": "https://example.org/1"}],
    }
    result = assess(state, runtime.vocabulary, notes=0)
    codes = [g.code for g in result.gaps]
    assert codes == [c for c in CHECKS if c != "summary"]
    assert result.score == round(100 / len(CHECKS))
    fields = {g.code: g.field for g in result.gaps}
    assert fields["fact-sources"] == "f-awards"
    assert fields["rationales"] == "f-governance-rationale"
    assert fields["carrier"] == "f-carrier-name" and fields["notes"] is None


def test_a_carrier_may_be_stated_as_none(runtime: Runtime) -> None:
    state = complete_state() | {"carrier": {"name": "", "legal_form": "kein eigener Träger"}}
    assert assess(state, runtime.vocabulary, notes=1).score == 100


def test_an_imported_sparse_case_heads_the_queue(
    seeded: Runtime, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    seeded.import_files([write(tmp_path, "testfall.yaml", CASE)])
    with seeded.uow() as uow:
        found = queue(uow, seeded.vocabulary)
    assert found[0].slug == "testfall"
    assert [len(c.gaps) for c in found] == sorted((len(c.gaps) for c in found), reverse=True)
    assert {"sources", "actors-municipal", "instruments", "notes"} <= {
        g.code for g in found[0].gaps
    }

    result = CliRunner().invoke(main, ["check", "--completeness"], env=cli_env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    slug, score, gaps = lines[0].split("\t")
    assert (slug, int(score)) == ("testfall", found[0].score)
    assert gaps.split(", ") == [g.code for g in found[0].gaps]
    assert len(lines) == len(found) + 1  # one line per case and a total

    out = tmp_path / "export"
    result = CliRunner().invoke(
        main, ["export", "--format", "json", "--out", str(out)], env=cli_env
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "catalogue.json").read_text(encoding="utf-8"))
    assert set(data["completeness"]) == {c["slug"] for c in data["cases"]}
    assert data["completeness"]["testfall"] == found[0].as_json()


def test_check_needs_files_or_completeness(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["check"], env=cli_env)
    assert result.exit_code == 2
