"""The comparison view, its downloads and API, and the basket that collects cases from any
page without JavaScript."""

import csv
import io
import re

from flask.testing import FlaskClient

from tests.webapp.helpers import Page

HALLE, AACHEN = "freiraumbuero-halle", "altstadtquartier-buechel-aachen"
ALTENBURG, WEIMAR = "stadtmensch-altenburg", "alte-feuerwache-weimar"


def test_comparison_page_marks_differences_and_shared_values(web: FlaskClient) -> None:
    response = web.get(f"/compare?cases={HALLE},{AACHEN}")
    assert response.status_code == 200
    html = response.text
    page = Page(html)
    assert ("h2", "Was sie gemeinsam haben") in page.headings
    assert "Bundespreis Kooperative Stadt (Koop.Stadt) 2021" in html
    scale = re.search(r'<tr class="(\w+)">\s*<th scope="row">Maßstab', html)
    governance = re.search(r'<tr class="(\w+)">\s*<th scope="row">Governance-Typ', html)
    assert scale and scale[1] == "differs"
    assert governance and governance[1] == "same"
    assert 'class="is-shared"' in html  # the shared award inside a differing row
    # Groups can be collapsed (details/summary, no JavaScript).
    assert html.count('<details class="compare-group" open>') >= 4
    links = page.hrefs()
    assert f"/compare.csv?cases={HALLE}%2C{AACHEN}" in links


def test_only_differences_hides_equal_rows(web: FlaskClient) -> None:
    html = web.get(f"/compare?cases={HALLE},{AACHEN}&diff=1").text
    assert '<tr class="same">' not in html
    assert '<tr class="differs">' in html
    assert "Alle Zeilen zeigen" in html


def test_two_three_and_four_cases_render_and_download(web: FlaskClient) -> None:
    for slugs in ([HALLE, AACHEN], [HALLE, AACHEN, ALTENBURG], [HALLE, AACHEN, ALTENBURG, WEIMAR]):
        query = ",".join(slugs)
        assert web.get(f"/compare?cases={query}").status_code == 200
        rows = list(csv.reader(io.StringIO(web.get(f"/compare.csv?cases={query}").text)))
        assert rows[0][4:] == slugs
        data = web.get(f"/compare.json?cases={query}").json
        assert data is not None and [c["slug"] for c in data["cases"]] == slugs
        markdown = web.get(f"/compare.md?cases={query}")
        assert markdown.mimetype == "text/markdown"
        assert f"(http://localhost/cases/{slugs[0]})" in markdown.text
        api = web.get(f"/api/compare?cases={query}").json
        assert api == data


def test_invalid_comparisons_get_400_or_404_everywhere(web: FlaskClient) -> None:
    for query, status, needle in (
        (HALLE, 400, "mindestens 2"),
        (
            ",".join([HALLE, AACHEN, ALTENBURG, WEIMAR, "pankow-beteiligt-berlin"]),
            400,
            "höchstens 4",
        ),
        (f"{HALLE},{HALLE}", 400, "doppelt"),
        (f"{HALLE},gibt-es-nicht", 404, "gibt-es-nicht"),
    ):
        page = web.get(f"/compare?cases={query}")
        assert page.status_code == status and needle in page.text, query
        api = web.get(f"/api/compare?cases={query}")
        assert api.status_code == status and needle in str(api.json), query
        download = web.get(f"/compare.csv?cases={query}")
        assert download.status_code == status, query


def test_basket_collects_cases_from_pages_and_opens_the_comparison(web: FlaskClient) -> None:
    case_page = Page(web.get(f"/cases/{HALLE}").text)
    add = case_page.link_to("zum Vergleich hinzufügen")
    response = web.get(add.replace("&amp;", "&"))
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{HALLE}"
    again = web.get(f"/cases/{HALLE}").text
    assert "aus dem Vergleich entfernen" in again
    assert "Zum Vergleich hinzugefügt (1 von 4)." in again
    assert again and web.get(f"/cases/{HALLE}").headers["Cache-Control"] == "private, no-cache"
    # From a catalogue row and from a search hit.
    row_link = next(
        h
        # All cases on one page: the catalogue pages by 20, and the seed grows.
        for h, t in Page(web.get("/cases?per_page=100").text).links
        if "hinzufügen" in t and f"case={AACHEN}" in h
    )
    web.get(row_link.replace("&amp;", "&"))
    hit_link = next(
        h
        for h, t in Page(web.get("/search?q=Altenburg").text).links
        if "hinzufügen" in t and ALTENBURG in h
    )
    web.get(hit_link.replace("&amp;", "&"))
    opened = web.get("/compare")
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/compare?cases={HALLE}%2C{AACHEN}%2C{ALTENBURG}"
    web.get(f"/compare/remove?case={AACHEN}")
    assert web.get("/compare").headers["Location"] == f"/compare?cases={HALLE}%2C{ALTENBURG}"


def test_the_basket_holds_at_most_four_and_never_redirects_elsewhere(web: FlaskClient) -> None:
    for slug in (HALLE, AACHEN, ALTENBURG, WEIMAR, "pankow-beteiligt-berlin"):
        web.get(f"/compare/add?case={slug}")
    assert "höchstens 4" in web.get("/compare", follow_redirects=True).text
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = web.get("/compare/add", query_string={"case": HALLE, "next": target})
        assert response.headers["Location"].startswith("/compare"), target


def test_empty_comparison_explains_what_to_do(web: FlaskClient) -> None:
    response = web.get("/compare")
    assert response.status_code == 200
    assert "zum Vergleich hinzufügen" in response.text
