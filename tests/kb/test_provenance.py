"""kb.catalogue.provenance: which facts name a source, the warnings of `kb check` (and
--strict), and the completeness gap that leads to the first fact without a source."""

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kb.catalogue.completeness import assess
from kb.catalogue.provenance import (
    facts,
    same_address,
    source_numbers,
    uncited_sources,
    unlisted_citations,
    unsourced_facts,
    warnings,
)
from kb.cli import main
from kb.runtime import Runtime
from tests.helpers import CASE, complete_state, write


def state(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "municipality": {"population": 1000, "population_source": "https://example.org/ew"},
        "actors": [
            {"name": "Stadt", "kind": "administration", "role": "Gibt das Haus", "source": ""},
            {"name": "Verein", "kind": "initiative", "role": "", "source": ""},
        ],
        "funding": [{"programme": "Programm", "source": "https://example.org/f/"}],
        "awards": [],
        "key_dates": [{"date": "2019", "event": "Start", "source": ""}],
        "sources": [
            {"url": "https://example.org/ew", "supports": ""},
            {"url": "HTTPS://Example.org/f", "supports": ""},
            {"url": "https://example.org/rest", "supports": "Beschreibung"},
            {"url": "https://example.org/leer", "supports": ""},
        ],
    }
    return base | changes


def test_facts_are_roles_population_funding_awards_and_dates() -> None:
    found = facts(state())
    assert [f.path for f in found] == [
        "municipality.population_source",
        "actors[0].source",  # the actor without a role states nothing to source
        "funding[0].source",
        "key_dates[0].source",
    ]
    assert [f.path for f in unsourced_facts(state())] == ["actors[0].source", "key_dates[0].source"]
    assert unsourced_facts(state())[0].label == "Akteur „Stadt“"
    no_population = state(municipality={"population": None})
    assert "municipality.population_source" not in [f.path for f in facts(no_population)]


def test_addresses_compare_without_trailing_slash_and_case_of_host() -> None:
    assert same_address("HTTPS://Example.org/f/") == same_address("https://example.org/f")
    assert same_address("https://example.org/F") != same_address("https://example.org/f")
    assert source_numbers(state()["sources"])[same_address("https://example.org/f/")] == 2


def test_unlisted_citations_and_uncited_sources() -> None:
    # The funding cites .../f/ which the list holds as HTTPS://Example.org/f: listed.
    assert unlisted_citations(state()) == []
    other = state(awards=[{"name": "Preis", "source": "https://example.org/fehlt"}])
    assert [f.path for f in unlisted_citations(other)] == ["awards[0].source"]
    # Cited by a fact, or explained by `supports`: used. The last one is neither.
    assert uncited_sources(state()) == [(3, "https://example.org/leer")]


def test_warnings_name_the_field_and_the_problem() -> None:
    found = dict(warnings(state(awards=[{"name": "Preis", "source": "https://example.org/x"}])))
    assert found[("actors", 0, "source")] == "Akteur „Stadt“: keine Quelle angegeben"
    assert "steht nicht in der Quellenliste" in found[("awards", 0, "source")]
    assert "https://example.org/leer" in found[("sources", 3)]


def test_kb_check_warns_with_file_and_line_and_fails_when_strict(
    runtime: Runtime, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    text = CASE.replace(
        "summary:",
        "actors:\n  - name: Stadt\n    kind: administration\n    role: Gibt das Haus\nsummary:",
    )
    path = write(tmp_path, "testfall.yaml", text)
    result = CliRunner().invoke(main, ["check", str(path)], env=cli_env)
    assert result.exit_code == 0, result.output
    line = text.splitlines().index("  - name: Stadt") + 1
    assert (
        f"Warnung: {path}:{line}: actors[0].source: Akteur „Stadt“: keine Quelle angegeben"
        in result.output
    )
    assert "1 Datei(en) geprüft: keine Fehler, 1 Warnung(en)." in result.output

    strict = CliRunner().invoke(main, ["check", "--strict", str(path)], env=cli_env)
    assert strict.exit_code == 1
    assert "1 Warnung(en); mit --strict ist das ein Fehler." in strict.output

    sourced = text.replace(
        "role: Gibt das Haus", "role: Gibt das Haus\n    source: https://example.org/testfall"
    )
    write(tmp_path, "testfall.yaml", sourced)
    clean = CliRunner().invoke(main, ["check", "--strict", str(path)], env=cli_env)
    assert clean.exit_code == 0, clean.output
    assert "Warnung" not in clean.output


def test_the_completeness_gap_leads_to_the_first_unsourced_fact(runtime: Runtime) -> None:
    vocab = runtime.vocabulary
    actor_without = complete_state() | {
        "actors": [
            {"name": "Stadt", "kind": "administration", "role": "Gibt das Haus"},
            {"name": "Initiative", "kind": "initiative", "role": ""},
        ]
    }
    gap = {g.code: g for g in assess(actor_without, vocab, notes=1).gaps}["fact-sources"]
    assert gap.field == "f-actors" and "Akteur „Stadt“" in gap.label
    population = complete_state() | {
        "municipality": complete_state()["municipality"] | {"population": 5000}
    }
    gap = {g.code: g for g in assess(population, vocab, notes=1).gaps}["fact-sources"]
    assert gap.field == "f-municipality-population_source"
