"""Comparing cases: rows, differences, what they share, validation, and every format (the CSV
guarded against spreadsheet formulas, the Markdown against markup in names)."""

import csv
import io
import json
import re

import markdown
import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from kb.cli import main
from kb.csvcells import restore
from kb.errors import NotFound, ValidationError
from kb.publishing.compare import FORMATS, compare, parse_slugs, to_json
from kb.runtime import Runtime
from tests.case_exports import (
    FORMULA_CARRIER,
    FORMULA_CITY,
    FORMULA_NAME,
    FORMULA_SLUG,
    assert_no_formula_cells,
    save_formula_case,
)

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


def test_compare_csv_guards_formulas_and_reads_back(seeded: Runtime) -> None:
    save_formula_case(seeded)
    with seeded.uow() as uow:
        comparison = compare(uow, [FORMULA_SLUG, HALLE], seeded.vocabulary)
    text = FORMATS["csv"](comparison)
    assert_no_formula_cells(text)
    table = [[restore(cell) for cell in row] for row in csv.reader(io.StringIO(text))]
    values = {row[1]: row[4] for row in table[1:]}
    assert values["city"] == FORMULA_CITY
    assert values["carrier"].startswith(FORMULA_CARRIER)
    assert table[0][4:] == [FORMULA_SLUG, HALLE]
    # The names are in the text and JSON formats as they are: neither is a spreadsheet.
    assert FORMULA_NAME in FORMATS["text"](comparison)


MARKUP_NAME = "<b>x</b> | *y* [z](http://evil.example) `c` #"


def test_compare_markdown_shows_names_and_values_as_text(seeded: Runtime) -> None:
    save_formula_case(seeded, slug="markup-modell", name=MARKUP_NAME, city="<i>Stadt</i> | _z_")
    with seeded.uow() as uow:
        comparison = compare(uow, ["markup-modell", HALLE], seeded.vocabulary)
    text = FORMATS["markdown"](comparison)
    assert "&lt;b&gt;x&lt;/b&gt; \\| \\*y\\* \\[z\\](http://evil.example) \\`c\\` \\#" in text
    # Python-Markdown and CommonMark (GFM tables) both show the name as text.
    for html in (
        markdown.markdown(text, extensions=["tables"]),
        MarkdownIt("commonmark").enable("table").render(text),
    ):
        for tag in ("<b>", "<i>", "<em>", "<strong>", "<code>", '<a href="http://evil'):
            assert tag not in html
        assert "&lt;b&gt;x&lt;/b&gt; | *y* [z](http://evil.example) `c` #" in html
        # Every table row still has one cell per case plus the label: no "|" split a cell.
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
            assert len(re.findall(r"<t[hd]", row)) == 3
