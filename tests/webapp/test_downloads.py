"""The downloads of catalogue views and searches (wide CSV, long CSV, JSON), the comparison's
and the codebook: exactly the filtered set, every value read back with Python's csv module, no
cell that a spreadsheet would run as a formula."""

from typing import Any
from urllib.parse import parse_qsl

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue.vocabulary import NAMES
from kb.config import DEFAULT_SEED_DIR
from kb.csvcells import RULE
from kb.exchange.exporting import CASE_CSV_HEADER, LONG_CSV_HEADER
from models import Case
from tests.case_exports import (
    FORMULA_CITY,
    FORMULA_SLUG,
    ODD_SLUG,
    assert_no_formula_cells,
    expected_wide_row,
    lists_from_long,
    read_csv,
    read_csv_text,
    save_formula_case,
    save_odd_case,
    state_lists,
)
from tests.webapp.helpers import Page, db_slugs

SEARCHES = [
    "q=Beteiligung",
    "q=Beteiligung&governance=top-down",
    "q=Fonds&sort=name",
    "q=Quartier&sort=date",
    "q=land:berlin",
    "q=Beteiligung&kind=case&kind=note",
    "q=Beteiligung&kind=note",
    "q=zzzznichtsda",
]


def api_case_hits(web: FlaskClient, query: str) -> list[str]:
    """The case hits of a search through the JSON API, page by page."""
    slugs: list[str] = []
    page = 1
    while True:
        data = web.get(f"/api/search?{query}&kind=case&per_page=100&page={page}").json
        assert data is not None
        slugs += [h["slug"] for h in data["hits"]]
        if len(slugs) >= data["total"]:
            assert len(slugs) == data["total"]
            return slugs
        page += 1


@pytest.mark.parametrize("query", SEARCHES)
def test_search_downloads_hold_exactly_the_case_hits(web: FlaskClient, query: str) -> None:
    wanted = [] if "kind=note" in query and "kind=case" not in query else api_case_hits(web, query)
    wide = web.get(f"/search.csv?{query}")
    assert wide.status_code == 200 and wide.mimetype == "text/csv"
    assert wide.headers["Content-Disposition"].startswith('attachment; filename="suche_')
    rows = read_csv(wide.data)
    assert [r["slug"] for r in rows] == wanted
    long = read_csv(web.get(f"/search.long.csv?{query}").data)
    assert list(dict.fromkeys(r["case_slug"] for r in long)) == wanted
    data = web.get(f"/search.json?{query}").json
    assert data is not None
    assert [s["slug"] for s in data["states"]] == wanted and data["total"] == len(wanted)
    assert data["query"]["q"] == query.split("&")[0][2:]
    assert data["query"]["url"].startswith("/search?q=")


def test_search_downloads_count_what_they_leave_out(web: FlaskClient) -> None:
    data = web.get("/search.json?q=Beteiligung").json
    facets = web.get("/api/search?q=Beteiligung").json
    assert data is not None and facets is not None
    kinds = facets["facets"]["kind"]
    assert data["left_out"] == {"talk": kinds.get("talk", 0), "note": kinds.get("note", 0)}
    assert data["total"] == kinds["case"]


def test_search_downloads_refuse_broken_or_empty_queries(web: FlaskClient) -> None:
    assert web.get("/search.csv").status_code == 400
    broken = web.get("/search.json?q=*beteiligung")
    assert broken.status_code == 400 and "Platzhalter" in broken.text


def test_search_page_links_its_downloads(web: FlaskClient) -> None:
    page = Page(web.get("/search?q=Beteiligung&governance=top-down").text)
    hrefs = page.hrefs()
    for ext in ("csv", "long.csv", "json"):
        assert f"/search.{ext}?q=Beteiligung&governance=top-down" in hrefs
    assert "/codebook" in hrefs


@pytest.mark.parametrize(
    "query, where",
    [
        ("", ()),
        ("governance=bottom-up&sort=city", (Case.governance_type == "bottom-up",)),
        ("land=berlin&land=sachsen", (Case.land.in_(["berlin", "sachsen"]),)),
        (
            "scale=region&governance=top-down",
            (Case.scale == "region", Case.governance_type == "top-down"),
        ),
    ],
)
def test_catalogue_downloads_hold_exactly_the_filtered_set(
    web: FlaskClient, site: Flask, query: str, where: tuple[Any, ...]
) -> None:
    expected = db_slugs(site, *where)
    data = web.get(f"/cases.json?{query}").json
    assert data is not None
    order = [c["slug"] for c in data["cases"]]
    assert set(order) == expected and len(order) == len(expected)
    assert [s["slug"] for s in data["states"]] == order
    assert {"total", "page", "per_page", "sort", "filters", "facets", "cases", "warnings"} <= set(
        data
    )
    path, _, args = data["query"]["url"].partition("?")
    assert path == "/cases" and sorted(parse_qsl(args)) == sorted(parse_qsl(query))
    assert [r["slug"] for r in read_csv(web.get(f"/cases.csv?{query}").data)] == order
    long = read_csv(web.get(f"/cases.long.csv?{query}").data)
    assert list(dict.fromkeys(r["case_slug"] for r in long)) == order
    assert lists_from_long(long) == {s["slug"]: state_lists(s) for s in data["states"]}


def test_catalogue_page_links_its_downloads_and_the_codebook(web: FlaskClient) -> None:
    page = Page(web.get("/cases?governance=top-down").text)
    assert page.link_to("CSV (Langformat)") == "/cases.long.csv?governance=top-down"
    assert page.link_to("Codebuch") == "/codebook"


def test_downloads_round_trip_every_value(app: Flask, client: FlaskClient) -> None:
    runtime = app.extensions["kb"]
    state = save_odd_case(runtime)
    vocab = runtime.vocabulary
    wide = client.get("/cases.csv?land=hessen")
    assert wide.headers["Content-Disposition"].startswith(
        'attachment; filename="kooperationsmodelle_land-hessen_'
    )
    rows = [r for r in read_csv(wide.data) if r["slug"] == ODD_SLUG]
    assert rows == [expected_wide_row(state, vocab)]
    assert list(rows[0]) == CASE_CSV_HEADER
    long = read_csv(client.get("/cases.long.csv?land=hessen").data)
    assert list(long[0]) == LONG_CSV_HEADER
    assert lists_from_long(long)[ODD_SLUG] == state_lists(state)
    states = client.get("/cases.json?land=hessen").json["states"]  # type: ignore[index]
    assert [s for s in states if s["slug"] == ODD_SLUG] == [state]
    # The search finds the new case at once, and its downloads hold the same values.
    found = read_csv(client.get("/search.csv?q=Gießen").data)
    assert [r for r in found if r["slug"] == ODD_SLUG] == [expected_wide_row(state, vocab)]
    long = read_csv(client.get("/search.long.csv?q=Gießen").data)
    assert lists_from_long(long)[ODD_SLUG] == state_lists(state)


def _vocabulary_codes() -> list[tuple[str, str]]:
    data = yaml.safe_load((DEFAULT_SEED_DIR / "vocabularies.yaml").read_text(encoding="utf-8"))
    return [(name, entry["code"]) for name in NAMES for entry in data[name]]


def test_codebook_page_and_files_list_every_value_and_column(web: FlaskClient) -> None:
    response = web.get("/codebook")
    assert response.status_code == 200
    page = Page(response.text)
    assert ("h1", "Codebuch") in page.headings
    rows = read_csv(web.get("/codebook.csv").data)
    values = {(r["table"], r["name"]) for r in rows if r["section"] == "value"}
    columns = {(r["table"], r["name"]) for r in rows if r["section"] == "column" and r["meaning"]}
    data = web.get("/codebook.json").json
    assert data is not None
    for name, code in _vocabulary_codes():
        assert (name, code) in values
        assert f"<code>{code}</code>" in response.text
        assert code in [v["code"] for v in data["vocabularies"][name]["values"]]
    for file, header in (("cases.csv", CASE_CSV_HEADER), ("cases.long.csv", LONG_CSV_HEADER)):
        for column in header:
            assert (file, column) in columns
            assert f"<code>{column}</code>" in response.text
    assert page.link_to("CSV").startswith("/codebook.csv")


def test_footer_links_the_codebook(web: FlaskClient) -> None:
    page = Page(web.get("/").text)
    assert "/codebook" in page.hrefs() and "/cases.csv" in page.hrefs()


HALLE = "freiraumbuero-halle"


def test_downloads_guard_formulas_and_round_trip(app: Flask, client: FlaskClient) -> None:
    runtime = app.extensions["kb"]
    state = save_formula_case(runtime)
    vocab = runtime.vocabulary
    downloads = {
        url: client.get(url)
        for url in (
            "/cases.csv?land=hessen",
            "/cases.long.csv?land=hessen",
            "/search.csv?q=Formelfall",
            "/search.long.csv?q=Formelfall",
            f"/compare.csv?cases={FORMULA_SLUG},{HALLE}",
            "/codebook.csv",
        )
    }
    for url, response in downloads.items():
        assert response.status_code == 200, url
        assert_no_formula_cells(response.data.decode("utf-8-sig"))
    for url in ("/cases.csv?land=hessen", "/search.csv?q=Formelfall"):
        rows = [r for r in read_csv(downloads[url].data) if r["slug"] == FORMULA_SLUG]
        assert rows == [expected_wide_row(state, vocab)], url
    for url in ("/cases.long.csv?land=hessen", "/search.long.csv?q=Formelfall"):
        assert lists_from_long(read_csv(downloads[url].data))[FORMULA_SLUG] == state_lists(state)
    compared = read_csv_text(downloads[f"/compare.csv?cases={FORMULA_SLUG},{HALLE}"].text)
    assert next(r for r in compared if r["field"] == "city")[FORMULA_SLUG] == FORMULA_CITY
    # The codebook explains the rule on its page and in its files.
    assert "Schutz vor Formeln" in client.get("/codebook").text
    assert client.get("/codebook.json").json["notes"] == [RULE]  # type: ignore[index]


def test_compare_markdown_download_escapes_markup_in_names(app: Flask, client: FlaskClient) -> None:
    save_formula_case(app.extensions["kb"], slug="markup-modell", name="<b>x</b> | *y*")
    text = client.get(f"/compare.md?cases=markup-modell,{HALLE}").text
    assert "<b>" not in text
    assert "[&lt;b&gt;x&lt;/b&gt; \\| \\*y\\*](http://localhost/cases/markup-modell)" in text
