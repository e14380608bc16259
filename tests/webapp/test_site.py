"""Properties of every page: headers (caching, security), error pages, a label for every
control, no assets from other hosts, and a sane page structure."""

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import BadRequest

from kb.runtime import Runtime
from tests.webapp.helpers import Page

PAGES = [
    "/",
    "/cases",
    "/cases?governance=bottom-up&scale=project",
    "/cases/altstadtquartier-buechel-aachen",
    "/talks",
    "/talks/talk-5-politik-zum-anfassen-hannover",
    "/instruments",
    "/instruments/konzeptvergabe",
    "/search",
    "/search?q=Beteiligung",
    "/search?q=*kaputt",
    "/barrierefreiheit",
    "/gibt-es-nicht",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_german_labelled_and_self_contained(web: FlaskClient, url: str) -> None:
    response = web.get(url)
    assert response.status_code in (200, 404)
    page = Page(response.text)
    assert page.all("html")[0]["lang"] == "de"
    assert page.all("title") and page.all("main")
    assert len([h for h in page.headings if h[0] == "h1"]) == 1
    assert page.all("a")[0]["href"] == "#inhalt"  # skip link first
    labelled = {label["for"] for label in page.all("label")}
    for tag in ("input", "select", "textarea"):
        for control in page.all(tag):
            if control.get("type") in ("hidden", "submit"):
                continue
            assert control.get("id") in labelled or control.get("aria-label"), (tag, control)
    # Styles, scripts and images come from this site only.
    for tag, attr in (("link", "href"), ("script", "src"), ("img", "src")):
        for element in page.all(tag):
            if element.get("hreflang"):  # the page in each language: absolute, on this site
                assert element[attr].startswith("http://localhost/"), element
                continue
            assert not element.get(attr, "").startswith(("http:", "https:", "//")), element
    assert "'self'" in response.headers["Content-Security-Policy"]


def test_ids_are_unique_on_the_case_page(web: FlaskClient) -> None:
    ids = [
        a["id"]
        for _, a in Page(web.get("/cases/alte-feuerwache-weimar").text).elements
        if "id" in a
    ]
    assert len(ids) == len(set(ids))


def test_public_pages_are_cacheable_and_revalidate(web: FlaskClient) -> None:
    first = web.get("/cases/freiraumbuero-halle")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = web.get("/cases/freiraumbuero-halle", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert web.get("/api/cases").headers["Cache-Control"] == "public, max-age=60"
    assert web.get("/gibt-es-nicht").headers["Cache-Control"] == "no-store"
    assert web.get("/healthz").headers["Cache-Control"] == "no-store"
    with web.get("/static/site.css") as static:
        assert "max-age=3600" in static.headers["Cache-Control"]


def test_healthz(web: FlaskClient) -> None:
    assert web.get("/healthz").json == {"status": "ok", "database": True, "index": "ok"}


def test_bad_request_and_method_pages(web: FlaskClient) -> None:
    response = web.post("/cases")
    assert response.status_code == 405
    assert "Methode nicht erlaubt" in response.text and '<html lang="de">' in response.text


def test_error_pages_500_and_400_without_internals(
    make_app: Callable[..., Flask], seeded: Runtime
) -> None:
    app = make_app(seeded.settings)
    app.config["TESTING"] = False

    @app.get("/kaputt")
    def broken() -> str:
        raise RuntimeError("geheimes Detail")

    @app.get("/unsinn")
    def nonsense() -> str:
        raise BadRequest("intern")

    response = app.test_client().get("/kaputt")
    assert response.status_code == 500
    assert "Interner Fehler" in response.text
    assert "geheimes Detail" not in response.text and "Traceback" not in response.text
    bad = app.test_client().get("/unsinn")
    assert bad.status_code == 400 and "Ungültige Anfrage" in bad.text
    assert '<html lang="de">' in bad.text
    api = app.test_client().get("/api/cases/x")
    assert api.status_code == 404


def test_oversized_queries_are_cut_not_failed(web: FlaskClient) -> None:
    # Below the URL limit (webapp/limits.py) a long query is cut; above it the 414 page answers.
    response = web.get("/search", query_string={"q": "Fonds " * 1300})
    assert response.status_code == 200
    assert "Treffer" in response.text or "nicht verstehen" in response.text
    too_long = web.get("/search", query_string={"q": "Fonds " * 20_000})
    assert too_long.status_code == 414 and "Adresse zu lang" in too_long.text


def test_no_template_loads_anything_from_other_hosts() -> None:
    root = Path(__file__).resolve().parents[2] / "webapp"
    for path in [*root.glob("templates/**/*.html"), *root.glob("static/*")]:
        text = path.read_text(encoding="utf-8")
        for marker in ('src="http', "src='http", "@import", "url(http", 'href="//'):
            assert marker not in text, (path, marker)
