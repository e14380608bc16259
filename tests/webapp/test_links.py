"""Every item link comes from the web app's routes (webapp.links): with the case, talk and
instrument pages moved to other paths, search hits, API items, downloads, citations and pages
all follow at once, with the search index left as it was built."""

import csv
import io
import json
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.routing import Map, Rule

from kb.catalogue.schemas import NoteIn
from kb.editorial.notes import save_note
from kb.runtime import Runtime
from tests.webapp.helpers import Page

HALLE, AACHEN = "freiraumbuero-halle", "altstadtquartier-buechel-aachen"
TALK = "talk-1-stadtmensch-altenburg"
NOTE = "notiz-zur-gemeinwohlbilanz"
INSTRUMENT = "verfuegungsfonds"
MOVED = {  # endpoint -> its new rule
    "pages.case": "/faelle/<slug>",
    "pages.talk": "/gespraeche/<slug>",
    "pages.instrument": "/instrumente/<slug>",
}


def move_routes(app: Flask, moved: dict[str, str]) -> None:
    """Give `app` a URL map whose rules for the endpoints in `moved` have other paths, as if
    the routes had been declared there (the views stay the same)."""
    old = app.url_map
    rules = [
        Rule(moved[r.endpoint], endpoint=r.endpoint, methods=r.methods, defaults=r.defaults)
        if r.endpoint in moved
        else r.empty()
        for r in old.iter_rules()
    ]
    app.url_map = Map(
        rules,
        default_subdomain=old.default_subdomain,
        strict_slashes=old.strict_slashes,
        merge_slashes=old.merge_slashes,
        redirect_defaults=old.redirect_defaults,
        converters=old.converters,
        sort_parameters=old.sort_parameters,
        sort_key=old.sort_key,
        host_matching=old.host_matching,
    )


def index_files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")}


@pytest.fixture
def moved_app(app: Flask, seeded: Runtime) -> Flask:
    with seeded.uow() as uow:
        data = NoteIn(slug=NOTE, talk=TALK, title="Gemeinwohlbilanz", body="Die Gemeinwohlbilanz.")
        save_note(uow, data, actor="test")
        uow.commit()
    assert seeded.flush_index()
    move_routes(app, MOVED)
    return app


def test_moved_pages_answer_at_their_new_paths_only(moved_app: Flask) -> None:
    web = moved_app.test_client()
    assert web.get(f"/faelle/{HALLE}").status_code == 200
    assert web.get(f"/gespraeche/{TALK}").status_code == 200
    assert web.get(f"/instrumente/{INSTRUMENT}").status_code == 200
    assert web.get(f"/cases/{HALLE}").status_code == 404


def test_links_follow_the_routes_without_reindexing(moved_app: Flask, seeded: Runtime) -> None:
    index = seeded.settings.index_dir
    before = index_files(index)
    web = moved_app.test_client()

    # Search: the API's hits and the search page's links.
    found = web.get("/api/search?q=Gemeinwohlbilanz").get_json()
    assert [h["url"] for h in found["hits"]] == [f"/gespraeche/{TALK}#notiz-{NOTE}"]
    hits = web.get("/api/search?q=Freiraumbüro&kind=case").get_json()["hits"]
    assert hits and all(h["url"] == f"/faelle/{h['slug']}" for h in hits)
    page = Page(web.get("/search?q=Freiraumbüro&kind=case").text)
    assert f"/faelle/{HALLE}" in page.hrefs()
    assert not any(href.startswith("/cases/") for href in page.hrefs())

    # API items, down to the nested references.
    cases = web.get("/api/cases").get_json()["cases"]
    assert cases and all(c["url"] == f"/faelle/{c['slug']}" for c in cases)
    case = web.get(f"/api/cases/{HALLE}").get_json()
    assert case["url"] == f"/faelle/{HALLE}"
    assert case["talks"] and all(t["url"] == f"/gespraeche/{t['slug']}" for t in case["talks"])
    assert all(s["url"] == f"/faelle/{s['slug']}" for s in case["similar"])
    talk = web.get(f"/api/talks/{TALK}").get_json()
    assert talk["url"] == f"/gespraeche/{TALK}"
    assert all(c["url"] == f"/faelle/{c['slug']}" for c in talk["case_refs"])
    assert [n["url"] for n in talk["notes"]] == [f"/gespraeche/{TALK}#notiz-{NOTE}"]
    instrument = web.get(f"/api/instruments/{INSTRUMENT}").get_json()
    assert instrument["url"] == f"/instrumente/{INSTRUMENT}"
    assert all(c["url"] == f"/faelle/{c['slug']}" for c in instrument["cases"])

    # Downloads: the catalogue's rows, the comparison's cases (Markdown links absolute).
    rows = web.get("/cases.json").get_json()["cases"]
    assert rows and all(r["url"] == f"/faelle/{r['slug']}" for r in rows)
    compared = web.get(f"/compare.json?cases={HALLE},{AACHEN}").get_json()["cases"]
    assert [c["url"] for c in compared] == [f"/faelle/{HALLE}", f"/faelle/{AACHEN}"]
    assert web.get(f"/api/compare?cases={HALLE},{AACHEN}").get_json()["cases"] == compared
    markdown = web.get(f"/compare.md?cases={HALLE},{AACHEN}").text
    assert f"(http://localhost/faelle/{HALLE})" in markdown
    table = list(csv.reader(io.StringIO(web.get("/cases.csv").data.decode("utf-8-sig"))))
    assert not any("/cases/" in cell for row in table for cell in row)

    # Citations and feeds leave the site with absolute addresses.
    [cited] = json.loads(web.get(f"/cases/{HALLE}/zitieren.json").text)
    assert cited["URL"] == f"http://localhost/faelle/{HALLE}"
    feed = web.get("/feed.atom").text
    assert f'href="http://localhost/gespraeche/{TALK}#notiz-{NOTE}"' in feed

    assert index_files(index) == before  # nothing was rebuilt or rewritten
