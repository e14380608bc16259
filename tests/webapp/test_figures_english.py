"""The talks, series, typology, map and history pages and their SVG figures in English (/en/…):
their words are English, the German content on them is marked lang="de", the German pages stay
as they were, and the figures kept per catalogue state are kept per language too."""

from dataclasses import replace
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue.schemas import NoteIn
from kb.catalogue.talks import get_series
from kb.editorial.notes import save_note
from kb.geo.map_content import catalogue_map
from kb.i18n import using
from kb.runtime import Runtime
from tests.webapp.helpers import csrf_token, editor

SERIES = "governance-des-stadtmachens-2022"
TALK = "talk-1-stadtmensch-altenburg"
CASE = "freiraumbuero-halle"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
SVG_EMPTY = {"path", "rect", "circle", "line", "polygon"}


class Outside(HTMLParser):
    """The text of a page (in <main>; all of an SVG) that is not inside an element marked
    lang="de", with the accessible names (aria-label) outside such elements."""

    def __init__(self, markup: str, svg: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._open: list[tuple[str, bool]] = []
        self._in_main = svg
        self.feed(markup)

    def _german(self) -> bool:
        return any(german for _, german in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag in VOID or tag in SVG_EMPTY:
            return
        german = attributes.get("lang") == "de" or tag in ("script", "style")
        self._open.append((tag, german))
        if self._in_main and not self._german() and attributes.get("aria-label"):
            self.texts.append(str(attributes["aria-label"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self._in_main = False
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i:]
                break

    def handle_data(self, data: str) -> None:
        if self._in_main and data.strip() and not self._german():
            self.texts.append(" ".join(data.split()))

    @property
    def text(self) -> str:
        return " | ".join(self.texts)


def english(client: FlaskClient, url: str, svg: bool = False) -> tuple[str, str]:
    """An English page: its markup, and its text outside German content (up to its sources and
    citation, which are not among these pages' own parts)."""
    response = client.get(f"/en{url}")
    assert response.status_code == 200, url
    own = response.text.split('<section aria-labelledby="quellen">')[0]
    return response.text, Outside(own, svg).text


def assert_english(text: str, present: list[str], absent: list[str]) -> None:
    for word in present:
        assert word in text, word
    for word in absent:
        assert word not in text, word


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


# --- talks and series -------------------------------------------------------------------------


def test_the_talks_list_in_english(web: FlaskClient) -> None:
    page, text = english(web, "/talks")
    assert_english(
        text,
        ["Talks", "Guiding questions of the series", "What the series learned", "Presented:"],
        ["Gespräche", "Leitfragen", "Was die Reihe", "Vorgestellt", " Uhr"],
    )
    # Titles of the series and talks, the questions and the cases are German content.
    assert f'<a class="timeline-title" href="/en/talks/{TALK}" lang="de">' in page
    assert f'<a href="/en/series/{SERIES}" lang="de">Governance des Stadtmachens: Kommunale' in page
    assert '<a href="/en/cases/stadtmensch-altenburg" lang="de">STADTMENSCH Altenburg</a>' in page


def test_a_talk_in_english(web: FlaskClient) -> None:
    page, text = english(web, f"/talks/{TALK}")
    assert_english(
        text,
        ["Date", "Time", "Guests and moderation", "Summary", "(in German)", "Notes after the talk"],
        ["Datum", "Uhrzeit", "Gäste", "Zusammenfassung", "Notizen", "Verlauf", "Vorgestellte"],
    )
    assert "24 February 2022" in text and "13:00–14:00 |" in text  # no "Uhr"
    assert '<h1 id="titel" lang="de">Talk #1: STADTMENSCH Altenburg' in page
    assert '<div class="prose" lang="de">' in page  # the summary
    assert f'href="/en/talks/{TALK}/history">History of this talk</a>' in page


def add_notes(seeded: Runtime) -> None:
    """Two notes on the first talk, one answering the first question, one without sections."""
    with seeded.uow() as uow:
        first = str(get_series(uow, SERIES).questions[0])
        body = f"## {first}\n\nMehr **Vertrauen** zwischen Amt und Initiative.\n"
        save_note(uow, NoteIn(slug="n1", talk=TALK, title="Altenburg", body=body), actor="anna")
        save_note(uow, NoteIn(slug="n2", talk=TALK, title="Kurz", body="Ohne."), actor="anna")
        uow.commit()


def test_the_series_and_what_it_learned_in_english(client: FlaskClient, seeded: Runtime) -> None:
    add_notes(seeded)
    page, text = english(client, f"/series/{SERIES}")
    assert_english(
        text,
        ["Talk series 2022", "Organiser", "About the series", "Guiding questions", "Notes"],
        ["Gesprächsreihe", "Veranstalter", "Über die Reihe", "Leitfragen", "Verlauf dieser"],
    )
    assert f'<a href="/en/series/{SERIES}/questions">What the series learned</a>: the' in page
    assert '<h1 id="titel" lang="de">Governance des Stadtmachens: Kommunale' in page

    page, text = english(client, f"/series/{SERIES}/questions")
    assert_english(
        text,
        ["What the series learned", "Question 1:", "(1 answer)", "(0 answers)", "2 notes on 7"],
        ["Frage", "Antwort", "Notiz", "Leitfragen", "Abschnitt", "Gespräche", " von "],
    )
    assert 'Note “<span lang="de">Altenburg</span>”' in page  # a note's title is German
    assert "<strong>Vertrauen</strong>" in page and '<div class="prose" lang="de">' in page
    assert 'lang="de">Wie verändert sich die Zusammenarbeit' in page  # the question


# --- the typology -----------------------------------------------------------------------------


def test_the_typology_page_in_english(web: FlaskClient, site: Flask) -> None:
    page, text = english(web, "/typology")
    assert_english(
        text,
        ["Typology and timeline", "Governance type × scale", "Total", "The types and scales"],
        ["Typologie", "Summe", "Fälle", "Fall ", "Zeitleiste", "Gespr.", "weitere", "Jahr"],
    )
    assert "Download the matrix:" in text and "Cases by start year" in text
    assert "Top-down (hatched)" in text.replace(
        site.extensions["kb"].vocabulary.label("governance_types", "top-down", "en"), "Top-down"
    )
    scale = site.extensions["kb"].vocabulary.term("scales", "city").label_in("en")
    assert f'<th scope="col">{scale}</th>' in page
    # The names of the cases in the cells are German content.
    assert '<li><a href="/en/cases/' in page and '" lang="de">' in page


@pytest.mark.parametrize("name", ["typology.svg", "timeline.svg"])
def test_the_typology_figures_in_english(web: FlaskClient, name: str) -> None:
    svg, text = english(web, f"/{name}", svg=True)
    title = svg[svg.index("<title") : svg.index("</desc>")]
    assert "cases" in title and "Fälle" not in title and "Governance-Typ" not in title
    assert_english(text, ["cases"], ["Fälle", "Fall ", "Gespräch", "Säulen", "Zeilen"])
    assert "http://localhost/en/cases?" in svg  # its links lead to the English catalogue


def test_the_typology_filtered_says_its_filter_in_english(web: FlaskClient) -> None:
    _, text = english(web, "/typology?land=sachsen")
    assert "Shown: only the cases with" in text and "show all cases" in text


# --- the map ----------------------------------------------------------------------------------


def test_the_map_page_in_english(web: FlaskClient, site: Flask) -> None:
    page, text = english(web, "/map")
    assert_english(
        text,
        ["Map of the cases", "Cases per federal state", "Places with several cases", "Total"],
        ["Karte", "Fälle", "Bundesland", "Orte", "Quellen", "Grenzen", "Kreis", "Dreieck"],
    )
    assert "circle: " in text and "diamond: several types in one place" in text
    assert "68 cases in Germany" in text
    land = site.extensions["kb"].vocabulary.term("lands", "bayern").label_in("en")
    assert f'<a href="/en/cases?land=bayern">{land}</a>' in page
    assert '<li id="ort-' in page and 'lang="de">Hannover</span> (4 cases):' in page


def test_the_map_figure_in_english(web: FlaskClient) -> None:
    svg, text = english(web, "/map.svg", svg=True)
    assert_english(
        text,
        ["Map of the cases: 68 cases in Germany", "Cases per federal state", "mixed", "Boundaries"],
        ["Karte", "Fälle", "Bundesland", "Orte:", "Grenzen", "gemischt", "Kreis", "mehrere"],
    )
    assert 'href="http://localhost/en/cases?land=bayern"' in svg


# --- history ----------------------------------------------------------------------------------


def test_a_case_history_in_english(web: FlaskClient) -> None:
    page, text = english(web, f"/cases/{CASE}/history")
    assert_english(
        text,
        ["History:", "Case", "to the page", "Every change is a version", "Version 1: created"],
        ["Verlauf", "Fassung", "angelegt", "zur Seite", "Jede Änderung", " von "],
    )
    assert '<h1>History: <span lang="de">Freiraumbüro Halle</span></h1>' in page
    page, text = english(web, f"/cases/{CASE}/history/1")
    assert_english(text, ["Version 1:", "created on", "Back to the history"], ["Fassung", " am "])
    assert '<dd lang="de">' in page


def test_a_changed_note_history_and_restoring_in_english(
    editors_app: Flask, seeded: Runtime
) -> None:
    add_notes(seeded)
    with seeded.uow() as uow:
        save_note(uow, NoteIn(slug="n2", talk=TALK, title="Länger", body="Ohne."), actor="anna")
        uow.commit()
    client = editor(editors_app)
    page, text = english(client, "/notes/n2/history")
    assert_english(
        text,
        ["Version 2: changed", "Restore version 1", "Delete note", "Reason (optional)"],
        ["Fassung", "geändert", "löschen", "Grund", "Gelöschte"],
    )
    assert '<del lang="de">Kurz</del> → <ins lang="de">Länger</ins>' in page
    url = "/en/notes/n2/history"
    token = csrf_token(client, url)
    restored = client.post(f"{url}/1/restore", data={"csrf_token": token})
    assert restored.headers["Location"] == url  # stays English
    assert "Version 1 restored (as a new version)." in client.get(url).text
    # A version equal to the current one: kb's refusal, in English.
    again = client.post(f"{url}/3/restore", data={"csrf_token": csrf_token(client, url)})
    assert again.headers["Location"] == url
    assert "Version 3 is already the current state" in client.get(url).text


# --- the German pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/talks", f"/talks/{TALK}", f"/series/{SERIES}", f"/series/{SERIES}/questions",
     "/typology", "/map", f"/cases/{CASE}/history", f"/cases/{CASE}/history/1"],
)  # fmt: skip
def test_the_german_pages_mark_no_content(web: FlaskClient, url: str) -> None:
    """German content on a German page needs no mark (the pages are as they were)."""
    main = main_of(web.get(url).text)
    assert 'lang="de"' not in main and "(auf Deutsch)" not in main
    assert "content-language" not in main


def test_the_german_pages_keep_their_words(web: FlaskClient) -> None:
    assert "Vorgestellt: " in web.get("/talks").text
    assert "Fälle je Bundesland (Zahl in der Fläche)" in web.get("/map").text
    assert "Typologie und Zeitleiste" in web.get("/typology").text
    assert "Fassung 1: angelegt" in web.get(f"/cases/{CASE}/history").text
    assert (
        '<title id="karte-titel">Karte der Fälle: 68 Fälle in Deutschland'
        in web.get("/map.svg").text
    )


# --- caches: one figure per language ----------------------------------------------------------


def test_figures_kept_per_catalogue_state_are_kept_per_language(client: FlaskClient) -> None:
    """German, then English, then German again: each time the page's own language, though the
    map panel, the talk timeline and kb's map content are kept until the catalogue changes."""
    # The seed vocabulary names Bayern "Bavaria" in English.
    for lang in ("de", "en", "de", "en"):
        prefix = "/en" if lang == "en" else ""
        panel = client.get(f"{prefix}/map").text
        figure = client.get(f"{prefix}/map.svg").text
        talks = client.get(f"{prefix}/talks").text
        typology = client.get(f"{prefix}/typology").text
        if lang == "de":
            assert "Fälle je Bundesland (Zahl in der Fläche)" in panel
            assert ">Bayern</a>" in panel and "Bavaria" not in panel
            assert "Karte der Fälle" in figure and "Bavaria" not in figure
            assert "Vorgestellt: " in talks and "Presented:" not in talks
            assert "Säulen je Jahr von" in typology
        else:
            assert "Cases per federal state (number in the area)" in panel
            assert ">Bavaria</a>" in panel and "Fälle je Bundesland" not in panel
            assert "Bavaria: 3 cases" in figure and "Karte der Fälle" not in figure
            assert "Presented:" in talks and "Vorgestellt" not in talks
            assert "One bar per year from" in typology and "Säulen" not in typology


def test_the_map_content_is_kept_per_language(seeded: Runtime) -> None:
    vocabulary = replace(seeded.vocabulary, terms=dict(seeded.vocabulary.terms))
    vocabulary.terms["lands"] = {
        code: replace(term, labels={**term.labels, "en": f"{code} (en)"})
        for code, term in seeded.vocabulary.terms["lands"].items()
    }
    with seeded.uow() as uow:
        for lang in ("de", "en", "de"):
            with using(lang):
                land = catalogue_map(uow, {}, vocabulary).lands[0]
            assert land.label == vocabulary.label("lands", land.land, lang)
            assert land.label.endswith("(en)") == (lang == "en")


def test_the_editors_and_admins_parts_in_english(editors_app: Flask, seeded: Runtime) -> None:
    add_notes(seeded)
    anna = editor(editors_app)
    _, text = english(anna, "/talks")
    assert_english(text, ["New talk", "New series", "Edit series"], ["Neue", "bearbeiten"])
    page, text = english(anna, f"/talks/{TALK}")
    assert_english(text, ["Add a note", "Edit"], ["Notiz", "Bearbeiten"])
    assert 'aria-label="Edit: Altenburg"' in page and 'aria-label="History: Altenburg"' in page
    url = "/en/notes/n2/history"
    deleted = anna.post("/en/notes/n2/delete", data={"csrf_token": csrf_token(anna, url)})
    assert deleted.headers["Location"] == f"/en/talks/{TALK}"
    assert "“Kurz” deleted. An administrator can restore it." in anna.get(f"/en/talks/{TALK}").text
    root = editor(editors_app, "root")
    page, text = english(root, "/admin/deleted")
    assert_english(text, ["Deleted entries", "Kind", "Deleted on", "Note", "Restore"], ["Notiz"])
    assert '<a href="/en/notes/n2/history" lang="de">Kurz</a>' in page
    token = csrf_token(root, "/en/admin/deleted")
    undone = root.post("/en/admin/deleted/notes/n2/restore", data={"csrf_token": token})
    assert undone.headers["Location"] == "/en/admin/deleted"
    assert "“Kurz” is visible again." in root.get("/en/admin/deleted").text
