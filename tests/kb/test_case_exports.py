"""The case downloads' formats in kb: wide and long CSV round-trip every value (commas,
quotes, line breaks, umlauts, texts a spreadsheet would run as formulas), the result sets are
exactly the filtered sets, and the codebook describes every column, lists every vocabulary
value and states the formula rule."""

import csv
import io
import json

import pytest
import yaml
from click.testing import CliRunner

from kb.catalogue.browsing import CatalogueQuery
from kb.catalogue.vocabulary import NAMES
from kb.cli import main
from kb.config import DEFAULT_SEED_DIR
from kb.csvcells import RULE, csv_text, neutralise, restore
from kb.exchange.codebook import build_codebook, codebook_csv, codebook_json, codebook_markdown
from kb.exchange.exporting import CASE_CSV_HEADER, LONG_CSV_HEADER, cases_csv, cases_long_csv
from kb.exchange.result_sets import catalogue_set, search_case_set
from kb.runtime import Runtime
from kb.search.service import SearchRequest
from tests.case_exports import (
    ALREADY_QUOTED,
    FORMULA_CARRIER,
    FORMULA_CITY,
    FORMULA_NAME,
    FORMULA_SLUG,
    FORMULA_STARTS,
    FORMULA_SUM,
    ODD_SLUG,
    assert_no_formula_cells,
    expected_wide_row,
    lists_from_long,
    raw_cells,
    read_csv_text,
    save_formula_case,
    save_odd_case,
    state_lists,
)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_wide_and_long_csv_round_trip_every_value(seeded: Runtime) -> None:
    state = save_odd_case(seeded)
    vocab = seeded.vocabulary
    wide = _rows(cases_csv([state], vocab))
    assert wide == [expected_wide_row(state, vocab)]
    long = _rows(cases_long_csv([state], vocab))
    assert lists_from_long(long) == {ODD_SLUG: state_lists(state)}
    # One row per list item; the vocabulary's label and side are filled in for actors.
    assert len(long) == sum(len(items) for items in state_lists(state).values())
    actors = [r for r in long if r["item_type"] == "actor"]
    assert [(r["label"], r["side"]) for r in actors] == [
        (vocab.label("actor_kinds", a["kind"]), vocab.side_of(a["kind"])) for a in state["actors"]
    ]
    assert {r["case_name"] for r in long} == {state["name"]}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (FORMULA_NAME, "'" + FORMULA_NAME),
        (FORMULA_CITY, "'=1+1"),
        (FORMULA_CARRIER, "'+cmd|' /C calc'!A0"),
        (FORMULA_SUM, "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # A text that already starts with quotes before a trigger gets one more, so that
        # removing one quote gives it back; any other quote is left alone.
        (ALREADY_QUOTED, "''=schon mit Apostroph"),
        ("''@x", "'''@x"),
        ("'s Hertogenbosch", "'s Hertogenbosch"),
        ("'", "'"),
        ("", ""),
        ("Gießen = Lahn", "Gießen = Lahn"),
        ("–5 (Gedankenstrich)", "–5 (Gedankenstrich)"),
        # Numbers cannot carry a formula and stay numbers; None stays an empty cell.
        (-3, -3),
        (-0.5, -0.5),
        (None, None),
    ],
)
def test_cells_that_start_like_formulas_get_a_quote_and_come_back(
    value: object, cell: object
) -> None:
    assert neutralise(value) == cell
    if isinstance(value, str):
        assert restore(neutralise(value)) == value
        assert not str(cell).startswith(FORMULA_STARTS)


def test_every_cell_of_a_written_csv_is_guarded_and_reads_back() -> None:
    text = csv_text(["=kopf", "b"], [[FORMULA_NAME, -3], ["@x", None]])
    assert_no_formula_cells(text)
    assert text.splitlines()[2] == "'@x,"
    assert read_csv_text(text) == [
        {"=kopf": FORMULA_NAME, "b": "-3"},
        {"=kopf": "@x", "b": ""},
    ]


def test_csv_of_a_formula_case_is_guarded_and_round_trips(seeded: Runtime) -> None:
    state = save_formula_case(seeded)
    vocab = seeded.vocabulary
    wide_text = cases_csv([state], vocab)
    long_text = cases_long_csv([state], vocab)
    for text in (wide_text, long_text):
        assert_no_formula_cells(text)
    wide_cells = set(raw_cells(wide_text))
    assert {"'" + FORMULA_NAME, "'" + FORMULA_CITY, "'" + FORMULA_CARRIER} <= wide_cells
    assert {"'" + FORMULA_SUM, "'" + ALREADY_QUOTED} <= set(raw_cells(long_text))
    assert read_csv_text(wide_text) == [expected_wide_row(state, vocab)]
    long = read_csv_text(long_text)
    assert lists_from_long(long) == {FORMULA_SLUG: state_lists(state)}
    assert {r["case_name"] for r in long} == {FORMULA_NAME}


def test_long_csv_rebuilds_the_lists_of_every_seed_case(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        found = catalogue_set(uow, CatalogueQuery(), seeded.vocabulary)
    rows = _rows(cases_long_csv(found.states, seeded.vocabulary))
    assert lists_from_long(rows) == {s["slug"]: state_lists(s) for s in found.states}
    assert list(rows[0]) == LONG_CSV_HEADER


def test_catalogue_set_is_the_filtered_set_in_its_order(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        query = CatalogueQuery({"governance": ("bottom-up",)}, sort="city")
        found = catalogue_set(uow, query, seeded.vocabulary)
    assert [s["slug"] for s in found.states] == [r.slug for r in found.page.matching]
    assert found.states and all(s["governance"]["type"] == "bottom-up" for s in found.states)


def test_search_case_set_holds_every_case_hit_and_counts_the_rest(seeded: Runtime) -> None:
    service = seeded.search_index
    with seeded.uow() as uow:
        request = SearchRequest("Beteiligung", per_page=1, page=2)
        found = search_case_set(service, uow, request)
        cases = service.search(uow, SearchRequest("Beteiligung", {"kind": ("case",)}, per_page=100))
        everything = service.search(uow, SearchRequest("Beteiligung", per_page=100))
        notes_only = search_case_set(
            service, uow, SearchRequest("Beteiligung", {"kind": ("note",)})
        )
    assert [s["slug"] for s in found.states] == [h.slug for h in cases.hits]
    assert len(found.states) == cases.total > 1  # more than the one page asked for
    assert found.left_out == {k: everything.facets["kind"].get(k, 0) for k in ("talk", "note")}
    assert notes_only.states == [] and set(notes_only.left_out) == {"note"}


def _vocabulary_codes() -> dict[str, list[str]]:
    data = yaml.safe_load((DEFAULT_SEED_DIR / "vocabularies.yaml").read_text(encoding="utf-8"))
    return {name: [entry["code"] for entry in data[name]] for name in NAMES}


def test_codebook_lists_every_vocabulary_value_and_describes_every_column(
    seeded: Runtime,
) -> None:
    book = build_codebook(seeded.vocabulary)
    rows = _rows(codebook_csv(book))
    values = {(r["table"], r["name"]) for r in rows if r["section"] == "value"}
    columns = {(r["table"], r["name"]) for r in rows if r["section"] == "column" and r["meaning"]}
    data = json.loads(codebook_json(book))
    markdown = codebook_markdown(book)
    for name, codes in _vocabulary_codes().items():
        for code in codes:
            assert (name, code) in values
            assert code in [v["code"] for v in data["vocabularies"][name]["values"]]
            assert f"| `{code}` |" in markdown
    for file, header in (("cases.csv", CASE_CSV_HEADER), ("cases.long.csv", LONG_CSV_HEADER)):
        assert [c["name"] for c in data["files"][file]] == header
        assert all((file, name) in columns for name in header)
    # The rule against spreadsheet formulas is part of every form of the codebook.
    assert data["notes"] == [RULE] and RULE in markdown
    assert [r["meaning"] for r in rows if r["section"] == "note"] == [RULE]
    # The long format's item types are a vocabulary of their own.
    assert {v["code"] for v in data["vocabularies"]["item_types"]["values"]} == {
        "actor",
        "instrument",
        "funding",
        "award",
        "key_date",
        "alias",
        "source",
    }


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown"])
def test_kb_codebook_prints_the_codebook(
    seeded: Runtime, cli_env: dict[str, str], fmt: str
) -> None:
    result = CliRunner().invoke(main, ["codebook", "--format", fmt], env=cli_env)
    assert result.exit_code == 0, result.output
    expected = {"csv": codebook_csv, "json": codebook_json, "markdown": codebook_markdown}[fmt]
    assert result.stdout_bytes.decode() == expected(build_codebook(seeded.vocabulary))


def test_kb_codebook_has_german_help() -> None:
    result = CliRunner().invoke(main, ["codebook", "--help"])
    assert result.exit_code == 0 and "Codebuch" in result.output
