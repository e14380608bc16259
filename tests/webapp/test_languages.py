"""The page's language: /en/… is English, unprefixed German; the switch, hreflang and the hint."""

import dataclasses
import re

from flask import Flask
from flask.testing import FlaskClient

from webapp import create_app


def test_an_english_page_says_it_is_english_and_links_its_german_twin(client: FlaskClient) -> None:
    page = client.get("/en/cases").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert 'hreflang="de" href="http://localhost/cases"' in page
    assert 'hreflang="en" href="http://localhost/en/cases"' in page
    assert re.search(r'<a href="/cases" hreflang="de" lang="de" rel="alternate">Deutsch</a>', page)
    # url_for builds English URLs on an English page by itself.
    assert 'href="/en/static/site.css' in page


def test_a_german_page_keeps_its_address_and_language(client: FlaskClient) -> None:
    page = client.get("/cases").get_data(as_text=True)
    assert '<html lang="de">' in page
    assert '<a href="/en/cases" hreflang="en" lang="en" rel="alternate">English</a>' in page
    assert 'href="/static/site.css' in page


def test_the_query_string_survives_the_switch(client: FlaskClient) -> None:
    page = client.get("/en/search?q=Beirat").get_data(as_text=True)
    assert 'href="/search?q=Beirat"' in page


def test_a_browser_preferring_english_is_offered_english_never_redirected(
    client: FlaskClient,
) -> None:
    response = client.get("/cases", headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"})
    assert response.status_code == 200
    assert "Accept-Language" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert '<html lang="de">' in page
    assert re.search(
        r'class="language-hint" lang="en"><a href="/en/cases"[^>]*>Read this page', page
    )
    german = client.get("/cases", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.8"})
    assert "language-hint" not in german.get_data(as_text=True)


def test_absolute_urls_on_an_english_page_stay_english(site: Flask) -> None:
    settings = dataclasses.replace(site.extensions["kb"].settings, base_url="https://kb.example/")
    app = create_app(settings, TESTING=True)
    client = app.test_client()
    feed = client.get("/en/cases/changes.atom").get_data(as_text=True)
    assert 'href="https://kb.example/en/cases/' in feed
    german = client.get("/cases/changes.atom").get_data(as_text=True)
    assert 'href="https://kb.example/cases/' in german and "/en/" not in german
    page = client.get("/en/cases").get_data(as_text=True)
    assert 'hreflang="en" href="https://kb.example/en/cases"' in page
    assert 'hreflang="de" href="https://kb.example/cases"' in page
    app.extensions["kb"].close()
