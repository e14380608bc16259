"""`kb search` on the seed catalogue: the JSON shape, filters, and hostile input."""

import json

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.runtime import Runtime
from tests.helpers import HOSTILE


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["search", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_json_has_the_documented_shape(seeded: Runtime, cli_env: dict[str, str]) -> None:
    code, output = run(cli_env, "Beteiligung", "--per-page", "3", "--json")
    assert code == 0
    data = json.loads(output)
    assert set(data) == {
        "query",
        "total",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "corrected_from",
        "exact_total",
        "partial",
    }
    assert data["query"] == "Beteiligung" and data["per_page"] == 3 and data["page"] == 1
    assert data["total"] >= 3 and len(data["hits"]) == 3
    hit = data["hits"][0]
    # No site address: the command line names a hit by its id ("note:<slug>"); URLs are the web
    # app's (webapp.links).
    assert set(hit) == {"kind", "slug", "title", "id", "score", "snippet", "missing"}
    assert "<mark>" in hit["snippet"] and isinstance(hit["score"], float)
    assert {"kind", "governance", "scale", "land", "year"} <= set(data["facets"])


def test_filters_and_sorting_narrow_the_results(seeded: Runtime, cli_env: dict[str, str]) -> None:
    _, cases = run(cli_env, "Beteiligung", "--kind", "case", "--json")
    _, narrowed = run(cli_env, "Beteiligung", "--land", "berlin", "--kind", "case", "--json")
    all_cases, berlin = json.loads(cases), json.loads(narrowed)
    assert 0 < berlin["total"] < all_cases["total"]
    # The land facet of the wider search said how many hits choosing Berlin would leave.
    assert berlin["total"] == all_cases["facets"]["land"]["berlin"]
    assert all(h["kind"] == "case" for h in berlin["hits"])
    _, by_date = run(cli_env, "", "--kind", "talk", "--sort", "date", "--json")
    slugs = [h["slug"] for h in json.loads(by_date)["hits"]]
    assert slugs[0] == "jam-governance-des-stadtmachens-2022"
    assert slugs[-1] == "talk-1-stadtmensch-altenburg"


def test_a_misspelled_query_is_corrected_or_suggested(
    seeded: Runtime, cli_env: dict[str, str]
) -> None:
    code, output = run(cli_env, "Freiraumbürro")
    assert code == 0
    assert "Ergebnisse für: freiraumbüro (stattdessen genau so suchen: kb search --exact" in output
    code, output = run(cli_env, "Freiraumbürro", "--exact")
    assert code == 0 and "0 Treffer" in output and "Meinten Sie: freiraumbüro?" in output
    _, data = run(cli_env, "Freiraumbürro", "--json")
    assert json.loads(data)["corrected_from"] == "Freiraumbürro"


def test_partial_hits_name_what_they_lack(seeded: Runtime, cli_env: dict[str, str]) -> None:
    code, output = run(cli_env, "Konzeptvergabe", "Weimar", "Quallenfischerei")
    assert code == 0
    assert "Keine Treffer mit allen Wörtern – Treffer mit einigen Wörtern" in output
    assert "es fehlt: Quallenfischerei" in output


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_a_message(
    seeded: Runtime, cli_env: dict[str, str], query: str
) -> None:
    code, output = run(cli_env, query)
    assert code in (0, 1)
    assert "Traceback" not in output
    assert ("Treffer" in output) if code == 0 else output.startswith("Fehler")
