"""The typology page, the matrix on the start page and the catalogue, the timeline, and their
downloads: every cell and bar links to the catalogue showing exactly what it counts."""

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.catalogue.browsing import CatalogueQuery, browse
from kb.catalogue.typology import Timeline, Year, start_year_timeline, typology_matrix
from kb.runtime import Runtime
from models import Case
from tests.helpers import statements
from tests.webapp.helpers import Page
from webapp.typology import chart

CELL = re.compile(r'<a class="cell-count" href="([^"]+)"[^>]*><strong>(\d+)</strong>')
RESULT_COUNT = re.compile(r'<p class="result-count" role="status"><strong>(\d+)</strong>')


def cells(html: str) -> list[tuple[str, int]]:
    """The matrix's cells on a page: (link, count)."""
    return [(href.replace("&amp;", "&"), int(n)) for href, n in CELL.findall(html)]


def shown(web: FlaskClient, url: str) -> int:
    found = RESULT_COUNT.search(web.get(url).text)
    assert found, url
    return int(found[1])


@pytest.mark.parametrize("page", ["/", "/typology", "/cases", "/cases?land=sachsen"])
def test_every_cell_links_to_the_catalogue_showing_its_count(web: FlaskClient, page: str) -> None:
    found = cells(web.get(page).text)
    assert len(found) == 12
    for href, count in found:
        args = parse_qs(urlsplit(href).query)
        assert urlsplit(href).path == "/cases"
        assert len(args["governance"]) == 1 and len(args["scale"]) == 1
        if "land=sachsen" in page:
            assert args["land"] == ["sachsen"], "the cell keeps the catalogue's other filters"
        assert shown(web, href) == count, href


def test_the_matrix_of_sachsen_counts_only_cases_in_sachsen(web: FlaskClient, site: object) -> None:
    everywhere = sum(n for _, n in cells(web.get("/cases").text))
    sachsen = sum(n for _, n in cells(web.get("/cases?land=sachsen").text))
    assert 0 < sachsen < everywhere
    assert sachsen == shown(web, "/cases?land=sachsen")
    assert everywhere == shown(web, "/cases")


def test_cells_name_up_to_three_cases_with_links(web: FlaskClient) -> None:
    html = web.get("/typology").text
    for cell in re.findall(r'<td class="cell[^"]*">(.*?)</td>', html, re.S):
        names = re.findall(r'<li><a href="/cases/[^"]+">', cell)
        count = int(re.search(r"<strong>(\d+)</strong>", cell)[1])  # type: ignore[index]
        assert len(names) == min(3, count)
        if count > 3:
            assert f"und {count - 3} weitere" in cell


def test_typology_page_explains_the_types_and_scales(web: FlaskClient) -> None:
    html = web.get("/typology").text
    assert "Von der Kommune initiiert und getragen" in html  # top-down's definition
    assert "Ein überregionales Netzwerk" in html  # region's definition
    page = Page(html)
    assert ("h1", "Typologie und Zeitleiste") in page.headings
    nav = web.get("/").text
    assert Page(nav).link_to("Typologie") == "/typology"


def test_timeline_bars_link_to_the_catalogue_of_their_year(web: FlaskClient) -> None:
    html = web.get("/typology").text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert '<title id="zeitleiste-titel">' in svg and '<desc id="zeitleiste-beschreibung">' in svg
    assert 'role="group" aria-labelledby="zeitleiste-titel zeitleiste-beschreibung"' in svg
    bars = re.findall(r'<a href="([^"]+)" aria-label="(\d{4}): (\d+) Fäll?e?', svg)
    assert len(bars) > 10
    for href, year, count in bars[:6]:
        assert parse_qs(urlsplit(href.replace("&amp;", "&")).query) == {"start_year": [year]}
        assert shown(web, href.replace("&amp;", "&")) == int(count)
    # Patterns, not colour alone: each governance type has its own and the legend names it.
    for code, pattern in (("top-down", "schraffiert"), ("bottom-up", "gepunktet")):
        assert f'id="muster-{code}"' in svg and f"({pattern})" in svg
    assert "Gespräch" in svg and 'class="talk-mark"' in svg


def test_timeline_counts_cases_without_a_start_year_apart(web: FlaskClient, site: object) -> None:
    app = site
    runtime: Runtime = app.extensions["kb"]  # type: ignore[attr-defined]
    with runtime.uow() as uow:
        without = len(
            uow.session.scalars(
                select(Case.slug).where(Case.start_year.is_(None), Case.deleted_at.is_(None))
            ).all()
        )
    html = web.get("/typology").text
    if without:
        assert f"{without} {'Fall' if without == 1 else 'Fälle'} ohne Angabe des Beginns" in html
    else:
        assert "Alle gezeigten Fälle haben ein Jahr des Beginns." in html
    data = web.get("/timeline.json").get_json()
    assert data["without_start_year"] == without


def test_start_year_filter_on_the_catalogue(web: FlaskClient) -> None:
    html = web.get("/cases?start_year=2019").text
    assert shown(web, "/cases?start_year=2019") > 0
    chip = Page(html).link_to("Filter entfernen: Beginn: 2019")  # a removable chip
    assert chip == "/cases"
    bad = web.get("/cases?start_year=zwanzig&start_year=1066")
    assert bad.status_code == 200
    assert "Unbekannter Wert „zwanzig“ für Beginn (start_year)" in bad.text
    assert shown(web, "/cases?start_year=zwanzig") == shown(web, "/cases")


@pytest.mark.parametrize(
    "url",
    [
        "/typology?governance=nix&land=atlantis&start_year=abc",
        "/typology.svg?scale=%00",
        "/typology.csv?land=x",
        "/typology.json?presented=vielleicht",
        "/timeline.svg?start_year=99999",
        "/timeline.csv?instrument=<script>",
        "/timeline.json?size_class=riesig",
        "/cases?start_year=%20",
    ],
)
def test_unknown_filter_values_are_reported_not_errors(web: FlaskClient, url: str) -> None:
    response = web.get(url)
    assert response.status_code == 200, url
    assert "<script>" not in response.text


def test_matrix_downloads(web: FlaskClient, site: object) -> None:
    svg = web.get("/typology.svg?land=sachsen")
    assert svg.mimetype == "image/svg+xml"
    assert svg.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert (
        '<title id="matrix-titel">Typologie: Governance-Typ × Maßstab (Bundesland: Sachsen)'
        in svg.text
    )
    links = re.findall(r'<a href="([^"]+)" aria-label="[^"]+: \d+ Fäll?e?"', svg.text)
    assert len(links) == 12
    for href in links:  # absolute (the file leaves the site), Sachsen kept
        assert href.startswith("http://localhost/cases?") and "land=sachsen" in href

    got = web.get("/typology.csv?land=sachsen")
    assert got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert len(rows) == 12
    data = web.get("/typology.json?land=sachsen").get_json()
    assert data["filters"] == {"land": ["sachsen"]}
    assert len(data["cells"]) == 12
    by_cell = {(c["governance"], c["scale"]): c for c in data["cells"]}
    for row in rows:
        cell = by_cell[(row["governance"], row["scale"])]
        assert int(row["cases"]) == cell["cases"]
        path = urlsplit(cell["url"])
        assert shown(web, f"{path.path}?{path.query}") == cell["cases"]
    assert data["total"] == shown(web, "/cases?land=sachsen")


def test_timeline_downloads(web: FlaskClient) -> None:
    svg = web.get("/timeline.svg")
    assert svg.mimetype == "image/svg+xml"
    assert '<title id="zeitleiste-titel">Fälle nach Jahr des Beginns</title>' in svg.text
    got = web.get("/timeline.csv")
    assert got.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(got.data.decode("utf-8-sig"))))
    data = web.get("/timeline.json").get_json()
    assert [int(r["year"]) for r in rows] == [y["year"] for y in data["years"]]
    for row, year in zip(rows, data["years"], strict=True):
        assert int(row["cases"]) == year["total"] == sum(year["cases"].values())
        assert int(row["talks"]) == len(year["talks"])
    assert sum(len(y["talks"]) for y in data["years"]) > 0
    assert data["total"] == shown(web, "/cases")
    json.dumps(data)  # plain JSON all the way down


def test_figures_are_computed_once_per_catalogue_state(web: FlaskClient, site: object) -> None:
    runtime: Runtime = site.extensions["kb"]  # type: ignore[attr-defined]
    for url in ("/typology?land=sachsen", "/typology.json?land=sachsen"):
        web.get(url)
    with statements(runtime.engine) as sent:
        assert web.get("/typology?land=sachsen").status_code == 200
        assert web.get("/timeline.json?land=sachsen").status_code == 200
    # Only the catalogue's stamp, once per request: the matrix, the timeline, the case table
    # and the talks come from the caches.
    assert len(sent) == 2, sent


def test_figures_follow_a_change_of_the_catalogue(client: FlaskClient, seeded: Runtime) -> None:
    before = client.get("/typology.json").get_json()
    with seeded.uow() as uow:
        case = uow.session.scalars(select(Case).where(Case.governance_type == "top-down")).first()
        assert case is not None
        slug, scale = case.slug, case.scale
    from kb.catalogue.cases import case_state, get_case, save_case
    from kb.catalogue.schemas import CaseIn

    with seeded.uow() as uow:
        state = case_state(get_case(uow, slug))
        state["governance"]["type"] = "bottom-up"
        data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
        save_case(uow, data, seeded.vocabulary, actor="test")
        uow.commit()
    after = client.get("/typology.json").get_json()

    def count(data: dict, governance: str) -> int:  # type: ignore[type-arg]
        cell = [c for c in data["cells"] if c["governance"] == governance and c["scale"] == scale]
        return int(cell[0]["cases"])

    assert count(after, "top-down") == count(before, "top-down") - 1
    assert count(after, "bottom-up") == count(before, "bottom-up") + 1
    with seeded.uow() as uow:
        matrix = typology_matrix(uow, {}, seeded.vocabulary)
        assert matrix.total == browse(uow, CatalogueQuery({}), seeded.vocabulary).total
        assert start_year_timeline(uow, {}, seeded.vocabulary).total == matrix.total


def test_chart_places_bars_side_by_side_and_scales_them_to_the_highest() -> None:
    years = tuple(
        Year(y, {"top-down": n, "bottom-up": 1}, ()) for y, n in ((2000, 3), (2001, 0), (2002, 7))
    )
    drawn = chart(Timeline(("top-down", "bottom-up"), years, without_year=2))
    assert [b.year for b in drawn.bars] == [2000, 2001, 2002]
    for left, right in zip(drawn.bars, drawn.bars[1:], strict=False):
        assert left.x + left.width < right.x  # no overlap
    assert drawn.bars[-1].x + drawn.bars[-1].width <= drawn.width
    tallest = drawn.bars[2]
    assert tallest.segments[-1].y == pytest.approx(drawn.plot_top)  # 8 cases: the full height
    stacked = sum(s.height for s in drawn.bars[0].segments)
    assert stacked == pytest.approx((drawn.plot_bottom - drawn.plot_top) * 4 / 8)
    assert [s.governance for s in drawn.bars[0].segments] == ["top-down", "bottom-up"]
    assert drawn.ticks[-1] == (8, pytest.approx(drawn.plot_top))
    assert len(drawn.legend) == 3 and drawn.legend[-1][0] == "talk"
    assert all(y + 16 <= drawn.height for _, _, y in drawn.legend)
