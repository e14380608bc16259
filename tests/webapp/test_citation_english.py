"""The "Cite" section and the citation downloads of English pages: Harvard style, the English
page's address (also behind KB_BASE_URL), the German title marked as German; BibTeX and
CSL-JSON name the content's language."""

import dataclasses
import json

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import bibtex_fields
from tests.webapp.test_citation import CASE, TALK, citation_text
from webapp import create_app


def test_an_english_case_page_cites_in_english_with_its_english_address(
    web: FlaskClient,
) -> None:
    html = web.get(f"/en/cases/{CASE}").text
    text = citation_text(html)
    assert text.startswith("Knowledge Base of Municipal Cooperation Models (")
    assert '‘<span lang="de">Stadt machen am Büchel' in text
    assert f"Available at: http://localhost/en/cases/{CASE} (Accessed: " in text
    assert "Version of " in text and "Stand" not in text
    assert '<h2 id="zitieren">Cite</h2>' in html


def test_an_english_talk_page_cites_its_series_as_german_content(web: FlaskClient) -> None:
    text = citation_text(web.get(f"/en/talks/{TALK}").text)
    assert 'Talk series ‘<span lang="de">Governance des Stadtmachens' in text
    assert (
        '<span lang="de">vhw Stadtmacher Akademie (vhw – Bundesverband für Wohnen und '
        "Stadtentwicklung e.V.)</span>, 14 April 2022." in text
    )


def test_the_german_page_cites_as_before_without_language_marks(web: FlaskClient) -> None:
    html = web.get(f"/cases/{CASE}").text
    assert "<span lang=" not in citation_text(html)
    assert '<h2 id="zitieren">Zitieren</h2>' in html


def test_english_downloads_speak_english_and_name_german_as_the_contents_language(
    web: FlaskClient,
) -> None:
    _, _, fields = bibtex_fields(web.get(f"/en/cases/{CASE}/zitieren.bib").text)
    assert fields["url"] == f"http://localhost/en/cases/{CASE}"
    assert fields["note"].startswith("Version of ")
    assert fields["language"] == fields["langid"] == "german"
    [item] = json.loads(web.get(f"/en/cases/{CASE}/zitieren.json").text)
    assert item["URL"] == f"http://localhost/en/cases/{CASE}"
    assert item["language"] == "de"
    assert item["publisher"] == "Knowledge Base of Municipal Cooperation Models"
    _, _, german = bibtex_fields(web.get(f"/cases/{CASE}/zitieren.bib").text)
    assert german["language"] == german["langid"] == "german"
    assert german["url"] == f"http://localhost/cases/{CASE}"


def test_behind_kb_base_url_an_english_page_cites_its_english_address(site: Flask) -> None:
    base = "https://kooperationsmodelle.example/"
    settings = dataclasses.replace(site.extensions["kb"].settings, base_url=base)
    app = create_app(settings, TESTING=True)
    try:
        client = app.test_client()
        _, _, fields = bibtex_fields(client.get(f"/en/cases/{CASE}/zitieren.bib").text)
        assert fields["url"] == f"{base}en/cases/{CASE}"
        _, _, german = bibtex_fields(client.get(f"/cases/{CASE}/zitieren.bib").text)
        assert german["url"] == f"{base}cases/{CASE}"
    finally:
        app.extensions["kb"].close()
