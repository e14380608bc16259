"""The public browsing pages in English (/en/…): the interface speaks English, German content
stays as written and is marked lang="de" (with a visible "(in German)" after longer texts), and
the German pages say what they said before."""

import csv
import io
import re
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue.browsing import CaseRow, CaseTable
from kb.catalogue.vocabulary import Term, Vocabulary
from kb.i18n import using
from tests.webapp.helpers import csrf_token, editor
from webapp.context import vocabulary

HALLE, AACHEN = "freiraumbuero-halle", "altstadtquartier-buechel-aachen"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Outside(HTMLParser):
    """The text of a page outside the elements marked lang="de" (and outside script/style)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.german: list[bool] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        lang = dict(attrs).get("lang")
        inside = bool(self.german and self.german[-1])
        self.german.append(lang == "de" if lang else inside or tag in ("script", "style"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self.german:
            self.german.pop()

    def handle_data(self, data: str) -> None:
        if not (self.german and self.german[-1]):
            self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def english(web: FlaskClient, url: str) -> tuple[str, str]:
    """An English page's HTML and its text outside German content."""
    response = web.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    return html, Outside(html).text


def stays_english(html: str) -> None:
    """Links to filtered, paged or downloaded views keep the language prefix."""
    # (The language switch links the German twin on purpose.)
    german = re.findall(r'href="(/(?:cases|search|compare|typology)[?.][^"]*)"(?! hreflang)', html)
    assert not german, f"links to German pages: {german[:3]}"


def absent(text: str, *german: str) -> None:
    left = [g for g in german if g in text]
    assert not left, f"German interface text on an English page: {left}"


def en(name: str, code: str) -> str:
    """A vocabulary label in English (German until the vocabulary has an English one)."""
    return vocabulary().term(name, code).label_in("en")


def test_the_english_start_page(web: FlaskClient, site: Flask) -> None:
    html, text = english(web, "/en/")
    for words in (
        "Cases in which German municipalities",
        "Search cases, talks and notes",
        "Typology: governance type × scale",
        "The typology explained",
        "Governance types and scales",
        "Latest notes",
        "No notes yet.",
    ):
        assert words in text
    assert re.search(r"<strong>\d+</strong> cases</a>", html)
    assert re.search(r"<strong>\d+</strong> talks</a>", html)
    absent(
        text,
        "Fälle, in denen",
        "Gespräche und Notizen durchsuchen",
        "Typologie erklärt",
        "Neueste Notizen",
        "Noch keine Notizen",
        "Governance-Typen und Maßstäbe",
    )
    # The series' title and the talks' titles are German content.
    assert re.search(r'<h2 id="reihe-[^"]+"><a href="/en/series/[^"]+" lang="de">', html)
    assert re.search(r'<a class="timeline-title" href="/en/talks/[^"]+" lang="de">', html)
    assert '<span lang="de">„Governance des Stadtmachens“</span>' in html
    with site.app_context():
        assert f">{en('governance_types', 'bottom-up')}</a>" in html


def test_the_english_catalogue_with_a_filter(web: FlaskClient, site: Flask) -> None:
    html, text = english(web, "/en/cases?governance=bottom-up&per_page=5")
    stays_english(html)
    assert 'href="/en/cases?governance=bottom-up&amp;per_page=5&amp;page=2"' in html
    for words in (
        "Cases (filtered)",
        "Filters",
        "Active filters",
        "Remove filter:",
        "Remove all filters",
        "Sort by",
        "Federal state (Land)",
        "Download this selection:",
        "CSV (long format)",
        "presented in the series",
        "add to comparison",
        "hits, selected – choose to remove",
    ):
        assert words in text, words
    assert re.search(r"<strong>\d+</strong> cases", html)
    absent(
        text,
        "Aktive Filter",
        "Alle Filter entfernen",
        "Sortieren nach",
        "Diese Auswahl herunterladen",
        "in der Reihe vorgestellt",
        "zum Vergleich hinzufügen",
        "Treffer",
        " seit ",
    )
    with site.app_context():
        chip = html.split('class="chip"')[1].split("</a>")[0]
        assert f"Governance type: {en('governance_types', 'bottom-up')}" in chip or (
            en("governance_types", "bottom-up") in chip
        )
    # Case names and summaries are German content.
    assert re.search(r'<h3><a href="/en/cases/[^"]+" lang="de">', html)
    assert '<p lang="de">' in html
    # A parameter the page ignored is reported in English.
    _, ignored = english(web, "/en/cases?governance=nope&sort=wrong")
    assert "We ignored these parts of the address:" in ignored
    assert "Unknown value “nope”" in ignored and "Unknown sort order “wrong”" in ignored


def test_the_english_case_page(web: FlaskClient, site: Flask) -> None:
    html, text = english(web, f"/en/cases/{AACHEN}")
    for words in (
        "Summary",
        "The summary as written: (in German)",
        "Profile",
        "Governance type",
        "Rationale: (in German)",
        "Town size class",
        "inhabitants",
        "Actors",
        "Instruments",
        "Funding and finance",
        "Description (in German)",
        "In the talk series",
        "There are no notes on this case yet.",
        "Sources",
        "Supports:",
        "Similar cases",
        "History (who changed what)",
        "Last changed:",
        "add to comparison",
    ):
        assert words in text, words
    absent(
        text,
        "Kurzfassung",
        "Steckbrief",
        "Begründung",
        "Einwohner",
        "Förderung und Finanzierung",
        "In der Gesprächsreihe",
        "Ähnliche Fälle",
        "Zuletzt geändert",
        "Belegt:",
        "zum Vergleich",
    )
    assert '<h1 id="titel" lang="de">' in html
    assert html.count('<div class="prose" lang="de">') == 2  # summary and description
    assert re.search(r'<li id="quelle-1">.*?<span lang="de">', html)
    # Instruments are named by the vocabulary in the page's language.
    with site.app_context():
        assert f'/en/instruments/konzeptvergabe">{en("instruments", "konzeptvergabe")}</a>' in html


def test_notes_on_the_english_case_and_start_page(editors_app: Flask) -> None:
    client = editor(editors_app)
    url = "/talks/talk-3-altstadtquartier-buechel-aachen/notes/new"
    data = {"title": "Notiz zum Büchel", "body": "Die SEGA lernt das **Zuhören**."}
    data |= {"created": "2022-04-14", "csrf_token": csrf_token(client, url)}
    assert client.post(url, data=data).status_code == 302
    html, text = english(client, f"/en/cases/{AACHEN}")
    assert "Notes (in German)" in text
    assert '<h3 lang="de">Notiz zum Büchel</h3>' in html
    assert re.search(r'<p class="meta">on “<a href="/en/talks/[^"]+" lang="de">', html)
    assert '<div class="prose" lang="de"><p>Die SEGA lernt das <strong>Zuhören</strong>' in html
    assert "Edit" in text and "Bearbeiten" not in text  # the editor's link
    start, start_text = english(client, "/en/")
    assert re.search(r'>Notiz zum Büchel</a> <span class="meta">on “<span lang="de">', start)
    absent(start_text, "zu „")


def test_the_english_search(web: FlaskClient, site: Flask) -> None:
    html, text = english(web, "/en/search?q=Beirat&per_page=5")
    stays_english(html)
    for words in ("Search: Beirat", "Filters", "Kind", "Year", "Sort by", "Relevance"):
        assert words in text, words
    assert "Date (newest first)" in text and "Download the cases found:" in text
    assert re.search(r"<strong>\d+</strong> hits", html)
    assert '<p class="kind">Case</p>' in html
    absent(text, "Treffer", "Sortieren", "Relevanz", "Gefundene Fälle", "Art ", "Jahr")
    assert re.search(r'<h3><a href="/en/cases/[^"]+" lang="de">', html)
    assert '<p class="snippet" lang="de">' in html
    # No query: the help, its example queries German words marked as such.
    help_html, help_text = english(web, "/en/search")
    stays_english(help_html)
    assert "How the search works" in help_text and "Umlauts do not matter" in help_text
    assert '<a href="/en/search?q=Buechel" lang="de">Buechel</a>' in help_html
    absent(help_text, "So funktioniert", "Umlaute sind egal", "findet")
    _, none = english(web, "/en/search?q=xyzzyqwertz&exact=1")
    assert "No hits for “xyzzyqwertz”." in none
    _, bad = english(web, "/en/search?q=Beirat&sort=wrong&page=x")
    assert "Unknown sort order “wrong” (sort)" in bad and "“x” is not a valid number" in bad


def test_the_english_instrument_pages(web: FlaskClient, site: Flask) -> None:
    html, text = english(web, "/en/instruments")
    assert "Instruments of cooperation" in text
    absent(text, "Instrumente der Kooperation", "Womit Kommunen")
    with site.app_context():
        names = [en("instruments", code) for code in vocabulary().codes("instruments")]
        for name in names:
            assert f">{name}</a>" in html
    detail, detail_text = english(web, "/en/instruments/konzeptvergabe")
    assert re.search(r"Cases that use this instrument \(\d+\)", detail_text)
    assert "Filter the catalogue for these cases" in detail_text
    absent(detail_text, "Fälle, die dieses Instrument", "im Katalog filtern")
    with site.app_context():
        assert f"<h1>{en('instruments', 'konzeptvergabe')}</h1>" in detail


def test_the_english_comparison(web: FlaskClient) -> None:
    html, text = english(web, f"/en/compare?cases={HALLE},{AACHEN}")
    stays_english(html)
    for words in (
        "Comparison of 2 cooperation models",
        "Show differences only",
        "Download:",
        "Field",
        "Classification",
        "Place and size",
        "Instruments and funding",
        "Time and status",
        "Talk series",
        "≠ different",
        "= same",
        "Rationale (in German)",
        "in common",
        "≠ marks rows in which the cases differ.",
    ):
        assert words in text, words
    absent(
        text,
        "unterschiedlich",
        "gleich",
        "Einordnung",
        "Ort und Größe",
        "Zeit und Stand",
        "Gesprächsreihe",
        "Gemeinsame",
        "Herunterladen",
        "Feld",
    )
    assert '<th scope="col"><a href="/en/cases/freiraumbuero-halle" lang="de">' in html
    # The values of the city row are content as written; the labels of vocabularies are not.
    assert '<ul lang="de"><li>Halle (Saale)</li></ul>' in html
    assert '<dd lang="de">Bundespreis Kooperative Stadt' in html  # the award both received
    # The downloads speak the page's language too (their column names do not change).
    markdown = web.get(f"/en/compare.md?cases={HALLE},{AACHEN}").get_data(as_text=True)
    assert markdown.startswith("# Comparison: ") and "| Field |" in markdown
    assert "≠: the cases differ in this row." in markdown and "Vergleich" not in markdown
    rows = list(csv.reader(io.StringIO(web.get(f"/en/compare.csv?cases={HALLE},{AACHEN}").text)))
    assert rows[0][:4] == ["group", "field", "label", "differs"]
    assert {r[3] for r in rows[1:]} <= {"yes", "no"}
    assert {r[0] for r in rows[1:]} >= {"Classification", "Talk series"}


def test_the_english_comparison_basket_and_errors(web: FlaskClient) -> None:
    _, empty = english(web, "/en/compare")
    assert "Compare cooperation models" in empty and "How it works:" in empty
    absent(empty, "Kooperationsmodelle vergleichen", "So geht es")
    added = web.get(f"/en/compare/add?case={HALLE}", follow_redirects=True)
    assert added.request.path == "/en/compare"
    assert "Added to the comparison (1 of 4)." in added.get_data(as_text=True)
    web.get(f"/en/compare/add?case={AACHEN}")
    assert web.get("/en/compare").headers["Location"] == f"/en/compare?cases={HALLE}%2C{AACHEN}"
    assert "Choose at least one more case." in Outside(added.get_data(as_text=True)).text
    refused = web.get(f"/en/compare?cases={HALLE}")
    assert refused.status_code == 400
    message = Outside(refused.get_data(as_text=True)).text
    assert "This comparison cannot be shown:" in message
    assert "A comparison needs at least 2 different cases (given: 1)" in message


def test_the_english_codebook(web: FlaskClient) -> None:
    _, text = english(web, "/en/codebook")
    for words in ("Download the codebook:", "one case per row", "Column", "Meaning"):
        assert words in text, words
    assert "Vocabularies" in text
    absent(text, "Codebuch herunterladen", "Spalten der CSV-Datei", "Bedeutung", "Vokabulare")


def test_the_german_pages_keep_their_words_and_no_marks(web: FlaskClient) -> None:
    for url, words in (
        ("/", "Neueste Notizen"),
        ("/cases?governance=bottom-up", "Alle Filter entfernen"),
        (f"/cases/{AACHEN}", "Kurzfassung"),
        ("/search?q=Beirat", "Sortieren nach"),
        ("/instruments", "Instrumente der Kooperation"),
        (f"/compare?cases={HALLE},{AACHEN}", "unterschiedlich"),
    ):
        html = web.get(url).get_data(as_text=True)
        assert words in html, url
        # German content on a German page needs no mark.
        assert "content-language" not in html and "(auf Deutsch)" not in html
        assert 'lang="de">' not in html.split("<footer")[0].split("</header>", 1)[1], url
    problems = web.get("/cases?governance=nope").get_data(as_text=True)
    assert "Unbekannter Wert „nope“" in problems


def test_the_laender_sort_by_their_names_in_the_page_language() -> None:
    def term(code: str, de: str, en: str) -> Term:
        return Term(code, {"de": de, "en": en}, {"de": "", "en": ""})

    lands = {"by": term("by", "Bayern", "Zeta"), "he": term("he", "Hessen", "Alpha")}
    vocab = Vocabulary(
        {name: {} for name in ("governance_types", "scales", "size_classes", "instruments")}
        | {"lands": lands}
    )
    rows = [
        CaseRow(i, slug, slug, "Ort", land, "bottom-up", "city", None, None, "active", (), ())
        for i, (slug, land) in enumerate((("a", "by"), ("b", "he")))
    ]
    table = CaseTable.build(rows, vocab)
    with using("de"):
        assert [rows[i].land for i in table.order("land")] == ["by", "he"]
    with using("en"):
        assert [rows[i].land for i in table.order("land")] == ["he", "by"]
        assert [rows[i].slug for i in table.order("name")] == ["a", "b"]
