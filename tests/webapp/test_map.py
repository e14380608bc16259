"""The map pages: /map, the catalogue's map panel (exactly the filtered set), the SVG download,
links of Länder and points with accessible names, the table under the map, cases without
coordinates, bad filter values, and the cache (a second render reads only the stamp)."""

import re
import xml.etree.ElementTree as ET

import pytest
from flask import Flask

from kb import watermark
from kb.catalogue.browsing import CatalogueQuery, browse
from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn
from kb.runtime import Runtime
from tests.helpers import statements
from tests.webapp.helpers import Page
from webapp import maps

SVG = "{http://www.w3.org/2000/svg}"


def _figure(html: str) -> ET.Element:
    found = re.search(r'<svg[^>]*class="map-figure".*?</svg>', html, re.S)
    assert found, "no map figure"
    return ET.fromstring(found[0])


def _links(figure: ET.Element, ns: str = "") -> list[tuple[str, str]]:
    return [(a.get("href", ""), a.get("aria-label", "")) for a in figure.iter(f"{ns}a")]


def _table(html: str) -> dict[str, int]:
    body = re.search(r'<table class="map-counts-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body
    rows = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th><td>(\d+)</td>', body[1])
    return {land: int(n) for land, n in rows}


def _matching(seeded: Runtime, filters: dict[str, tuple[str, ...]]) -> list[str]:
    with seeded.uow() as uow:
        return [r.slug for r in browse(uow, CatalogueQuery(filters), seeded.vocabulary).matching]


def test_the_map_page_links_every_land_and_every_case(client: Flask, seeded: Runtime) -> None:
    response = client.get("/map")
    assert response.status_code == 200
    html = response.text
    page = Page(html)
    assert ("/map", "Karte") in page.links  # main navigation
    assert any(a.get("aria-current") == "page" and a.get("href") == "/map" for a in page.all("a"))
    figure = _figure(html)
    assert figure.get("role") == "group"
    assert figure.find("title") is not None and figure.find("desc") is not None
    assert figure.get("aria-labelledby") == "karte-titel karte-beschreibung"
    links = _links(figure)
    land_links = {href: name for href, name in links if href.startswith("/cases?land=")}
    assert len(land_links) == 16
    assert land_links["/cases?land=berlin"].startswith("Berlin: ")
    table = _table(html)
    assert len(table) == 16 and sum(table.values()) == len(_matching(seeded, {}))
    assert land_links["/cases?land=sachsen"] == f"Sachsen: {table['Sachsen']} Fälle"
    # Every case is reached from a point: directly, or through its place's list on the page.
    reached: set[str] = set()
    for href, name in links:
        assert name, href  # every link has an accessible name
        if href.startswith("/cases/"):
            reached.add(href.removeprefix("/cases/"))
        elif href.startswith("/map#"):
            anchor = href.removeprefix("/map#")
            entry = re.search(rf'<li id="{anchor}">(.*?)</ul></li>', html, re.S)
            assert entry, anchor
            reached |= set(re.findall(r'href="/cases/([^"]+)"', entry[1]))
    assert reached == set(_matching(seeded, {}))
    assert "GeoNames" in html and "DIVA-GIS" in html and "GADM" in html  # credits


def test_the_panel_on_the_catalogue_shows_exactly_the_filtered_set(
    client: Flask, seeded: Runtime
) -> None:
    html = client.get("/cases?land=berlin&governance=cross-over").text
    assert '<details class="map-panel">' in html
    expected = _matching(seeded, {"land": ("berlin",), "governance": ("cross-over",)})
    table = _table(html)
    assert table["Berlin"] == len(expected) > 0
    assert sum(table.values()) == len(expected)
    figure = _figure(html)
    names = [name for href, name in _links(figure) if not href.startswith("/cases?land=")]
    shown: set[str] = set()
    for href, _ in _links(figure):
        if href.startswith("/cases/"):
            shown.add(href.removeprefix("/cases/"))
        elif href.startswith("/map?"):
            assert "land=berlin" in href and "governance=cross-over" in href
    multi = re.findall(r'<li id="(ort-[^"]+)">.*?</ul></li>', html, re.S)
    for anchor in multi:
        entry = re.search(rf'<li id="{anchor}">(.*?)</ul></li>', html, re.S)
        assert entry
        shown |= set(re.findall(r'href="/cases/([^"]+)"', entry[1]))
    assert shown == set(expected)
    assert all("Cross-over" in n for n in names)  # the points say their governance type


def test_the_svg_download_is_a_standalone_figure(client: Flask) -> None:
    response = client.get("/map.svg?land=sachsen")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Content-Disposition"].startswith("inline; filename=")
    assert "land-sachsen" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('.svg"')
    root = ET.fromstring(response.data)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None and "Fälle" in (title.text or "")
    assert root.find(f"{SVG}desc") is not None
    text = "".join(root.itertext())
    assert "GeoNames" in text and "DIVA-GIS" in text  # credits inside the file
    links = _links(root, SVG)
    assert links and all(href.startswith("http") for href, _ in links)  # absolute: off-site
    assert sum(1 for href, _ in links if "/cases/" in href and "?" not in href) >= 1


def test_bad_filter_values_do_not_break_the_map(client: Flask) -> None:
    for url in ("/map?land=mars&page=x", "/map.svg?land=mars&governance=%00", "/cases?land=mars"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "Unbekannter Wert „mars“" in client.get("/map?land=mars").text


def test_a_case_without_coordinates_is_listed_not_drawn(client: Flask, seeded: Runtime) -> None:
    slug = "stadtmensch-altenburg"
    with seeded.uow() as uow:
        state = case_state(get_case(uow, slug))
        state["municipality"]["lat"] = state["municipality"]["lon"] = None
        data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
        save_case(uow, data, seeded.vocabulary, actor="test")
        uow.commit()
    html = client.get("/map").text
    unplaced = re.search(r'<ul class="map-unplaced">(.*?)</ul>', html, re.S)
    assert unplaced and f'href="/cases/{slug}"' in unplaced[1]
    assert f'href="/cases/{slug}"' not in re.search(r"<svg.*?</svg>", html, re.S)[0]  # type: ignore[index]
    assert _table(html)["Thüringen"] >= 1  # still counted in its Land


def test_a_change_to_the_catalogue_is_drawn_at_once(client: Flask, seeded: Runtime) -> None:
    slug = "stadtmensch-altenburg"
    before = _table(client.get("/map").text)  # drawn and kept
    with seeded.uow() as uow:
        state = case_state(get_case(uow, slug))
        state["land"] = "sachsen"  # a wrong Land, for the test only
        data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
        save_case(uow, data, seeded.vocabulary, actor="test")
        uow.commit()
    after = _table(client.get("/map").text)
    assert after["Thüringen"] == before["Thüringen"] - 1
    assert after["Sachsen"] == before["Sachsen"] + 1


def test_the_map_is_kept_until_the_catalogue_changes(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    web = app.test_client()
    first = web.get("/map").text
    engine = app.extensions["kb"].engine
    with statements(engine) as sent:
        assert web.get("/map").text == first
    assert len(sent) == 1, sent  # the catalogue's stamp only
    drawn: list[str] = []
    render = maps._render

    def counting(template: str, **context: object) -> str:
        drawn.append(template)
        return render(template, **context)

    monkeypatch.setattr(maps, "_render", counting)
    panel = web.get("/cases?land=berlin").text
    assert drawn == ["maps/_panel.html"]
    assert web.get("/cases?land=berlin").text == panel
    assert drawn == ["maps/_panel.html"]  # the panel is not drawn again


def test_a_crowded_place_lists_some_cases_and_says_how_many_more(
    client: Flask, seeded: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(maps, "LISTED_PER_PLACE", 2)
    # Drawn panels are kept per catalogue state: another test (or backend) may have drawn this
    # one with the usual limit in this process.
    monkeypatch.setattr(watermark, "_cache", {})
    html = client.get("/map?land=berlin").text
    with seeded.uow() as uow:
        page = browse(uow, CatalogueQuery({"land": ("berlin",)}), seeded.vocabulary)
    in_berlin = sum(1 for r in page.matching if r.city == "Berlin")
    entries = re.findall(r'<li id="ort-[^"]+">(.*?)</ul></li>', html, re.S)
    (berlin,) = [e for e in entries if e.startswith("Berlin (")]
    assert len(re.findall(r'href="/cases/', berlin)) == 2
    assert f"… und {in_berlin - 2} weitere" in berlin and 'href="/cases?land=berlin"' in berlin
