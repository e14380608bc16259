"""Comparing cases: rows, differences, what they share, validation, and every format."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.compare import FORMATS, compare, parse_slugs, to_json
from kb.errors import NotFound, ValidationError
from kb.runtime import Runtime

HALLE, AACHEN = "freiraumbuero-halle", "altstadtquartier-buechel-aachen"
ALTENBURG, WEIMAR = "stadtmensch-altenburg", "alte-feuerwache-weimar"


def test_halle_and_aachen_share_the_koop_stadt_award(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        comparison = compare(uow, [HALLE, AACHEN], seeded.vocabulary)
    rows = {r.key: r for _, r in comparison.rows}
    award = "Bundespreis Kooperative Stadt (Koop.Stadt) 2021"
    assert award in rows["awards"].shared
    assert award in comparison.shared["Gemeinsame Auszeichnungen"]
    # Same governance type (both top-down), different scale.
    assert not rows["governance"].differs
    assert rows["scale"].differs
    assert rows["governance"].cells[0].note  # the rationale travels with the value


def test_differing_governance_types_are_marked(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        comparison = compare(uow, [HALLE, ALTENBURG, WEIMAR], seeded.vocabulary)
    governance = next(r for _, r in comparison.rows if r.key == "governance")
    assert governance.differs
    assert [c.values for c in governance.cells] == [("Top-down",), ("Cross-over",), ("Bottom-up",)]


def test_rows_empty_for_all_cases_are_left_out(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        comparison = compare(uow, [HALLE, AACHEN], seeded.vocabulary)
    keys = [r.key for _, r in comparison.rows]
    assert "notes" not in keys  # no case has notes yet
    assert all(not r.empty for _, r in comparison.rows)
    assert {g.key for g in comparison.groups} >= {"classification", "place", "organisation"}


@pytest.mark.parametrize(
    ("slugs", "message"),
    [
        ([HALLE], "mindestens 2"),
        ([HALLE, AACHEN, ALTENBURG, WEIMAR, "pankow-beteiligt-berlin"], "höchstens 4"),
        ([HALLE, HALLE], "doppelt"),
        ([f"{HALLE},{AACHEN},{HALLE}"], "doppelt"),
    ],
)
def test_invalid_selections_are_refused(slugs: list[str], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_slugs(slugs)


def test_an_unknown_case_is_not_found(seeded: Runtime) -> None:
    with seeded.uow() as uow, pytest.raises(NotFound, match="gibt-es-nicht"):
        compare(uow, [HALLE, "gibt-es-nicht"], seeded.vocabulary)


@pytest.mark.parametrize("count", [2, 3, 4])
def test_every_format_holds_every_row(seeded: Runtime, count: int) -> None:
    slugs = [HALLE, AACHEN, ALTENBURG, WEIMAR][:count]
    with seeded.uow() as uow:
        comparison = compare(uow, slugs, seeded.vocabulary)
    rows = comparison.rows
    table = list(csv.reader(io.StringIO(FORMATS["csv"](comparison))))
    assert table[0] == ["group", "field", "label", "differs", *slugs]
    assert [r[1] for r in table[1:]] == [r.key for _, r in rows]
    for line, (_, row) in zip(table[1:], rows, strict=True):
        assert line[3] == ("ja" if row.differs else "nein")
        assert line[4:] == [" | ".join(c.values) for c in row.cells]
    data = json.loads(FORMATS["json"](comparison))
    assert data == json.loads(json.dumps(to_json(comparison)))
    assert [c["slug"] for c in data["cases"]] == slugs
    assert sum(len(g["rows"]) for g in data["groups"]) == len(rows)
    markdown = FORMATS["markdown"](comparison)
    assert markdown.count("\n| Governance-Typ") == 1
    assert all(f"## {g.label}" in markdown for g in comparison.groups)
    text = FORMATS["text"](comparison)
    assert all(case.name in text for case in comparison.cases)


def test_cli_compare_prints_each_format_and_reports_errors(
    seeded: Runtime, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["compare", HALLE, AACHEN, "--format", "csv"], env=cli_env)
    assert done.exit_code == 0, done.output
    assert next(csv.reader(io.StringIO(done.output))) == [
        "group",
        "field",
        "label",
        "differs",
        HALLE,
        AACHEN,
    ]
    assert "Koop.Stadt" in runner.invoke(main, ["compare", HALLE, AACHEN], env=cli_env).output
    one = runner.invoke(main, ["compare", HALLE], env=cli_env)
    assert one.exit_code == 1 and "mindestens 2" in one.output
    unknown = runner.invoke(main, ["compare", HALLE, "nope"], env=cli_env)
    assert unknown.exit_code == 1 and "nope" in unknown.output
    bad = runner.invoke(main, ["compare", HALLE, AACHEN, "--format", "xml"], env=cli_env)
    assert bad.exit_code == 2
