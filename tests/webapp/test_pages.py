"""The public pages on the seed catalogue: what each shows, and that it matches the database."""

import csv
import io
import re
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from kb.config import DEFAULT_SEED_DIR
from models import Case, CaseInstrument, Instrument, Talk, TalkCase
from tests.webapp.helpers import Page, db_slugs


def listed_slugs(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/cases/([^"]+)">', html)


def test_start_page_shows_series_timeline_types_and_search(web: FlaskClient, site: Flask) -> None:
    response = web.get("/")
    assert response.status_code == 200
    html = response.text
    page = Page(html)
    assert '<html lang="de">' in html
    assert ("h1", "Wissensbasis Kommunale Kooperationsmodelle") in page.headings
    with site.extensions["kb"].uow() as uow:
        talks = uow.session.execute(select(Talk.slug, Talk.title).order_by(Talk.date)).all()
        by_type = dict(
            uow.session.execute(
                select(Case.governance_type, func.count()).group_by(Case.governance_type)
            ).all()
        )
    talk_links = [h for h in page.hrefs() if h.startswith("/talks/")]
    # The timeline lists every talk and the Jam, in date order.
    assert talk_links == [f"/talks/{slug}" for slug, _ in talks]
    assert len(talks) == 7
    # Each talk shows the case it presented.
    assert page.link_to("Stadt machen am Büchel") == "/cases/altstadtquartier-buechel-aachen"
    for code, count in by_type.items():
        assert re.search(
            rf'href="/cases\?governance={code}">[^<]+</a> <span class="count">{count} ', html
        ), code
    assert any(form.get("action") == "/search" for form in page.all("form"))
    assert "Noch keine Notizen" in html


def test_catalogue_lists_every_case_with_paging(web: FlaskClient, site: Flask) -> None:
    first = web.get("/cases")
    assert first.status_code == 200
    total = len(db_slugs(site))
    assert f"<strong>{total}</strong> Fälle" in first.text
    seen = listed_slugs(first.text)
    assert len(seen) == 20
    pages = -(-total // 20)
    for number in range(2, pages + 1):
        page = web.get(f"/cases?page={number}")
        assert 'rel="prev"' in page.text
        assert ('rel="next"' in page.text) == (number < pages)
        seen += listed_slugs(page.text)
    assert sorted(seen) == sorted(db_slugs(site))
    assert web.get(f"/cases?page={pages + 1}").status_code == 404


def test_catalogue_filters_combine_and_counts_match_the_database(
    web: FlaskClient, site: Flask
) -> None:
    response = web.get("/cases?governance=bottom-up&governance=cross-over&land=berlin")
    expected = db_slugs(
        site, Case.governance_type.in_(["bottom-up", "cross-over"]), Case.land == "berlin"
    )
    assert set(listed_slugs(response.text)) == expected
    assert f"<strong>{len(expected)}</strong>" in response.text
    # A facet's count says how many cases choosing that value too would show.
    top_down_berlin = db_slugs(site, Case.land == "berlin")
    html = response.text
    count = re.search(
        r'href="([^"]*)"[^>]*>\s*<span class="facet-check"[^>]*>☐</span>\s*'
        r'<span class="facet-label">Top-down</span>\s*<span class="count">'
        r'<span class="visually-hidden">\(</span>(\d+)',
        html,
    )
    assert count is not None
    assert int(count[2]) == len(
        [s for s in top_down_berlin if s not in expected]
    )  # berlin cases that are top-down
    target = parse_qs(urlsplit(count[1].replace("&amp;", "&")).query)
    assert target["governance"] == ["bottom-up", "cross-over", "top-down"]


def test_applied_filters_are_chips_that_remove_themselves(web: FlaskClient) -> None:
    page = Page(web.get("/cases?governance=bottom-up&scale=project").text)
    chips = [(h, t) for h, t in page.links if t.startswith("Filter entfernen")]
    assert len(chips) == 2
    remove_scale = next(h for h, t in chips if "Maßstab" in t)
    assert parse_qs(urlsplit(remove_scale.replace("&amp;", "&")).query) == {
        "governance": ["bottom-up"]
    }
    assert page.link_to("Alle Filter entfernen") == "/cases"


def test_catalogue_filters_by_instrument_and_presentation(web: FlaskClient, site: Flask) -> None:
    with site.extensions["kb"].uow() as uow:
        fonds = set(
            uow.session.scalars(
                select(Case.slug)
                .join(CaseInstrument)
                .join(Instrument)
                .where(Instrument.slug == "verfuegungsfonds")
            )
        )
    listed = listed_slugs(web.get("/cases?instrument=verfuegungsfonds").text)
    assert set(listed) == fonds and fonds
    with site.extensions["kb"].uow() as uow:
        in_series = set(uow.session.scalars(select(Case.slug).join(TalkCase)))
    presented = listed_slugs(web.get("/cases?presented=yes&per_page=100").text)
    assert set(presented) == in_series and "stadtmensch-altenburg" in in_series
    others = listed_slugs(web.get("/cases?presented=no&per_page=100").text)
    assert set(others) == db_slugs(site) - in_series and others


def test_catalogue_sorts_by_city_and_start(web: FlaskClient) -> None:
    by_city = listed_slugs(web.get("/cases?sort=city&per_page=100").text)
    assert by_city[0] == "altstadtquartier-buechel-aachen"  # Aachen first
    by_start = web.get("/cases?sort=start&per_page=100").text
    years = [int(y) for y in re.findall(r"· seit (\d{4})", by_start)]
    assert years == sorted(years, reverse=True)


def test_catalogue_reports_and_ignores_unknown_values(web: FlaskClient) -> None:
    response = web.get("/cases?governance=sideways&page=x&sort=weird")
    assert response.status_code == 200
    assert "Unbekannter Wert „sideways“ für Governance-Typ" in response.text
    assert "Unbekannte Sortierung „weird“" in response.text
    seed_cases = len(list((DEFAULT_SEED_DIR / "cases").glob("*.yaml")))
    assert f"<strong>{seed_cases}</strong> Fälle" in response.text


def test_catalogue_downloads_return_exactly_the_filtered_set(web: FlaskClient, site: Flask) -> None:
    query = "governance=top-down&scale=city&scale=district"
    expected = db_slugs(
        site, Case.governance_type == "top-down", Case.scale.in_(["city", "district"])
    )
    data = web.get(f"/cases.json?{query}").json
    assert data is not None
    assert {c["slug"] for c in data["cases"]} == expected
    assert data["total"] == len(expected)
    assert data["filters"] == {"governance": ["top-down"], "scale": ["city", "district"]}
    response = web.get(f"/cases.csv?{query}")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {r["slug"] for r in rows} == expected
    assert all(r["governance_type"] == "top-down" for r in rows)
    # The page links its own downloads with the same filters.
    page = Page(web.get(f"/cases?{query}").text)
    assert page.link_to("CSV") == f"/cases.csv?{query}"
    assert web.get("/cases.xml").status_code == 404


def test_case_page_shows_the_fact_sheet(web: FlaskClient) -> None:
    response = web.get("/cases/alte-feuerwache-weimar")
    assert response.status_code == 200
    html = response.text
    page = Page(html)
    assert ("h1", "Alte Feuerwache Weimar – Zentrum für urbane Beteiligungskultur") in page.headings
    for section in (
        "Kurzfassung",
        "Steckbrief",
        "Akteure",
        "Instrumente",
        "Förderung und Finanzierung",
        "Auszeichnungen",
        "Chronik",
        "Beschreibung",
        "In der Gesprächsreihe",
        "Notizen",
        "Quellen",
        "Ähnliche Fälle",
    ):
        assert ("h2", section) in page.headings, section
    # Governance type with its rationale; carrier and legal form; actors by side.
    assert "Eine Bürgerinitiative hat das Projekt entwickelt" in html
    assert (
        "Alte Feuerwache Weimar Projekt GmbH (GmbH (im Modell des Mietshäuser Syndikats))" in html
    )
    for side in ("Kommunale Seite", "Zivilgesellschaftliche Seite", "Weitere Akteure"):
        assert ("h3", side) in page.headings, side
    # Markdown headings of the description sit below the section's h2.
    assert ("h3", "Vom Leerstand zum Konzeptverkauf") in page.headings
    # Key dates as a timeline, in order; sources as links; the talk that presented it.
    assert html.index("06.03.2019") < html.index("18.09.2019")
    assert "https://feuerwache-weimar.de/start.html" in page.hrefs()
    assert page.link_to("Talk #4") == "/talks/talk-4-alte-feuerwache-weimar"
    assert page.link_to("Konzeptvergabe") == "/instruments/konzeptvergabe"
    similar = [h for h in page.hrefs() if h.startswith("/cases/")]
    assert similar and "/cases/alte-feuerwache-weimar" not in similar


def test_unknown_case_gets_a_404_page_in_the_site_look(web: FlaskClient) -> None:
    response = web.get("/cases/gibt-es-nicht")
    assert response.status_code == 404
    assert '<html lang="de">' in response.text
    assert "Seite nicht gefunden" in response.text
    assert 'aria-label="Hauptnavigation"' in response.text


def test_talk_pages(web: FlaskClient, site: Flask) -> None:
    listing = web.get("/talks")
    assert listing.status_code == 200
    with site.extensions["kb"].uow() as uow:
        slugs = list(uow.session.scalars(select(Talk.slug).order_by(Talk.date)))
    assert [h for h in Page(listing.text).hrefs() if h.startswith("/talks/")] == [
        f"/talks/{s}" for s in slugs
    ]
    talk = web.get("/talks/talk-3-altstadtquartier-buechel-aachen")
    assert talk.status_code == 200
    page = Page(talk.text)
    assert ("h1", "Talk #3: Altstadtquartier Büchel, Aachen") in page.headings
    assert "14. April 2022" in talk.text
    assert "13:00–14:00 Uhr" in talk.text
    assert "Christoph Vogt" in talk.text
    assert page.link_to("Stadt machen am Büchel") == "/cases/altstadtquartier-buechel-aachen"
    assert "Zu diesem Gespräch gibt es noch keine Notizen." in talk.text
    assert web.get("/talks/nope").status_code == 404


def test_instrument_pages(web: FlaskClient, site: Flask) -> None:
    listing = web.get("/instruments")
    assert listing.status_code == 200
    with site.extensions["kb"].uow() as uow:
        labels = list(uow.session.scalars(select(Instrument.label)))
        users = set(
            uow.session.scalars(
                select(Case.slug)
                .join(CaseInstrument)
                .join(Instrument)
                .where(Instrument.slug == "beteiligungsleitlinien")
            )
        )
    for label in labels:
        assert label in listing.text
    detail = web.get("/instruments/beteiligungsleitlinien")
    assert detail.status_code == 200
    assert set(listed_slugs(detail.text)) == users
    assert web.get("/instruments/nope").status_code == 404


def test_accessibility_statement(web: FlaskClient) -> None:
    response = web.get("/barrierefreiheit")
    assert response.status_code == 200
    assert "Erklärung zur Barrierefreiheit" in response.text
    assert "/barrierefreiheit" in Page(web.get("/").text).hrefs()
