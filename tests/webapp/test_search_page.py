"""The search page: highlighted results, facets that narrow, chips, sort, paging, suggestions,
and helpful pages for empty and broken queries."""

import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from kb.catalogue.schemas import NoteIn
from kb.editorial.notes import save_note
from kb.runtime import Runtime
from models import SearchOutbox
from tests.webapp.helpers import Page

TALK = "talk-1-stadtmensch-altenburg"


def hits(html: str) -> list[str]:
    return re.findall(r'<li class="hit">\s*<p class="kind">[^<]*</p>\s*<h3><a href="([^"]+)"', html)


def test_results_have_highlighted_snippets_and_counts(web: FlaskClient) -> None:
    response = web.get("/search?q=Quartiersfonds")
    assert response.status_code == 200
    html = response.text
    assert hits(html)
    assert "<mark>" in html
    total = int(re.search(r"<strong>(\d+)</strong> Treffer", html)[1])  # type: ignore[index]
    api = web.get("/api/search?q=Quartiersfonds").json
    assert api is not None and total == api["total"]


def test_a_facet_narrows_the_results_and_shows_as_a_chip(web: FlaskClient) -> None:
    html = web.get("/search?q=Beteiligung").text
    page = Page(html)
    talk_link = next(h for h, t in page.links if t.startswith("☐ Gespräch"))
    narrowed = web.get(talk_link.replace("&amp;", "&"))
    assert parse_qs(urlsplit(talk_link.replace("&amp;", "&")).query)["kind"] == ["talk"]
    found = hits(narrowed.text)
    assert found and all(h.startswith("/talks/") for h in found)
    expected = web.get("/api/search?q=Beteiligung&kind=talk").json
    assert expected is not None and len(found) == expected["total"]
    chip = next(h for h, t in Page(narrowed.text).links if t.startswith("Filter entfernen"))
    assert parse_qs(urlsplit(chip.replace("&amp;", "&")).query) == {"q": ["Beteiligung"]}


def test_sort_by_name_and_paging(web: FlaskClient) -> None:
    html = web.get("/search?q=Stadt&sort=name&per_page=5").text
    titles = re.findall(r'<h3><a href="[^"]+">([^<]+)</a>', html)
    assert len(titles) == 5
    second = web.get("/search?q=Stadt&sort=name&per_page=5&page=2").text
    assert set(re.findall(r'<h3><a href="[^"]+">([^<]+)</a>', second)).isdisjoint(titles)
    assert 'rel="prev"' in second


def test_a_misspelling_is_corrected_with_a_way_back(web: FlaskClient) -> None:
    html = web.get("/search?q=Konzeptvergbe").text
    assert "Ergebnisse für <strong><em>konzeptvergabe</em></strong>" in html
    assert hits(html) and "Meinten Sie" not in html
    page = Page(html)
    assert page.link_to("Konzeptvergbe") == "/search?q=Konzeptvergbe&exact=1"
    exact = web.get("/search?q=Konzeptvergbe&exact=1").text
    assert not hits(exact) and "Ergebnisse für" not in exact
    # Without corrections the spelling is still suggested; its link searches normally again.
    assert "Meinten Sie" in exact
    assert Page(exact).link_to("konzeptvergabe") == "/search?q=konzeptvergabe"
    assert 'id="exakt" type="checkbox" name="exact" value="1" checked' in exact


def test_some_words_are_found_when_all_are_not(web: FlaskClient) -> None:
    html = web.get("/search?q=Konzeptvergabe+Weimar+Quallenfischerei").text
    assert "Keine Treffer mit allen Wörtern – Treffer mit einigen Wörtern" in html
    assert hits(html)[0] == "/cases/alte-feuerwache-weimar"
    assert "Es fehlt: <s>Quallenfischerei</s>" in html


def test_a_question_finds_what_its_words_find(web: FlaskClient) -> None:
    html = web.get("/search?q=Wer+betreibt+das+Freiraumbüro+in+Halle%3F").text
    assert "/cases/freiraumbuero-halle" in hits(html)[:3]


def test_empty_query_gets_the_help_page(web: FlaskClient) -> None:
    response = web.get("/search")
    assert response.status_code == 200
    assert "So funktioniert die Suche" in response.text
    assert web.get("/search?q=+++").status_code == 200


def test_broken_queries_get_a_message_not_an_error(web: FlaskClient) -> None:
    for query in ("*beteiligung", "und die der", '"', "((((", "a" * 3000, "\x00\x01", "land:"):
        response = web.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        assert "Traceback" not in response.text
    broken = web.get("/search?q=*beteiligung").text
    assert "Diese Suchanfrage können wir nicht verstehen" in broken
    assert "Platzhalter" in broken


def test_filters_without_a_query_list_everything_of_that_kind(web: FlaskClient) -> None:
    found = hits(web.get("/search?kind=talk&per_page=50").text)
    assert len(found) == 7


def test_unknown_parameters_are_reported(web: FlaskClient) -> None:
    html = web.get("/search?q=Fonds&sort=sideways&page=x").text
    assert "Unbekannte Sortierung" in html
    assert "keine gültige Zahl (page)" in html


def test_changes_a_stopped_process_left_pending_are_written_after_a_search(
    make_app: Callable[..., Flask], seeded: Runtime
) -> None:
    """A note saved by a process that ended before its index update: the outbox keeps it, the
    search finds it beside the index, and wakes the app's indexer to write it."""
    seeded.listeners.clear()  # this runtime stands for the stopped process: it never catches up
    with seeded.uow() as uow:
        note = NoteIn(slug="liegengeblieben", talk=TALK, title="L", body="Die Quokkabilanz.")
        save_note(uow, note, actor="test")
        uow.commit()
    app = make_app(seeded.settings)
    assert "liegengeblieben" in app.test_client().get("/search?q=Quokkabilanz").text
    runtime: Runtime = app.extensions["kb"]
    assert runtime.flush_index(timeout=60)
    with runtime.uow() as uow:
        assert not uow.session.scalars(select(SearchOutbox)).all()
        assert "note:liegengeblieben" in runtime.search_index.engine.ids()
