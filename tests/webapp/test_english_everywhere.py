"""Every public page in English: no German word of the interface is left outside German content.

Each public GET route of the app is rendered under /en/ with real slugs from the seed catalogue
(pages, the Atom feeds and the SVG figures). What a reader meets is collected: the text and the
attributes a browser shows or reads aloud (title, aria-label, placeholder, alt, the meta
description), outside every element marked lang="de" (German content, shown as written). Known
German content may appear outside such an element too, as a name inside an English sentence
("3 cases in Baden-Württemberg"): the values of the content fields listed in CONTENT are taken
out first. What remains must hold no German string of the catalogues whose English differs, no
common German word and no word with an umlaut or ß.
"""

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, select

from models import (
    Actor,
    Award,
    Case,
    CaseAlias,
    CaseSource,
    Funding,
    Instrument,
    KeyDate,
    Note,
    Series,
    SeriesSource,
    Speaker,
    Talk,
    TalkSource,
)

ROOT = Path(__file__).resolve().parents[2]
# The German content fields: every text column of these tables is content, shown as written.
CONTENT = (
    Case,
    CaseAlias,
    Actor,
    Funding,
    Award,
    KeyDate,
    CaseSource,
    Note,
    Series,
    SeriesSource,
    Talk,
    Speaker,
    TalkSource,
)
# Routes that are not pages for readers: editing and accounts need a login (they redirect), the
# data downloads are codes and content (their labels are tested in test_editorial_english.py).
NOT_PAGES = re.compile(
    r"/(edit|new)$|^/(login|account|admin|editor)|\.(csv|json|bib)$|^/api/|^/healthz|^/static"
    r"|^/compare/(add|remove|clear)|^/compare\."
)
GERMAN_WORDS = set(
    [
        "und",
        "oder",
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "nicht",
        "für",
        "mit",
        "von",
        "vom",
        "zum",
        "zur",
        "ist",
        "sind",
        "ein",
        "eine",
        "einer",
        "eines",
        "keine",
        "kein",
        "noch",
        "auch",
        "nach",
        "bei",
        "über",
        "unter",
        "wird",
        "werden",
        "hier",
        "alle",
        "fall",
        "fälle",
        "gespräch",
        "gespräche",
        "notiz",
        "notizen",
        "suche",
        "seite",
        "zurück",
        "weiter",
        "neu",
        "neue",
        "neuer",
        "neues",
        "anmelden",
        "quelle",
        "quellen",
        "beleg",
        "belege",
        "einordnung",
        "begründung",
        "kurzfassung",
        "beschreibung",
        "karte",
        "vergleich",
        "codebuch",
        "bundesland",
        "maßstab",
        "akteur",
        "akteure",
        "förderung",
        "redaktion",
        "ergebnisse",
        "treffer",
        "zeigen",
        "entfernen",
        "hinzufügen",
    ]
)
UMLAUT = re.compile(r"[äöüÄÖÜß]")
# German words English writes too: the Länder, and a proper name in a vocabulary's definition.
LOANWORDS = ("Mietshäuser", "Länder")
# Strings of the catalogues that are English words as well ("Start (newest first)").
ENGLISH_TOO = {"Start", "Filter"}


class Reading(HTMLParser):
    """The text and read-aloud attributes of a page outside elements marked lang="de"."""

    VOID: ClassVar[set[str]] = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
    }
    SHOWN: ClassVar[tuple[str, ...]] = ("title", "aria-label", "placeholder", "alt")

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.langs: list[str] = ["en"]
        self.skip = 0  # inside <script> or <style>
        self.parts: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        lang = attributes.get("lang") or attributes.get("xml:lang") or self.langs[-1]
        if not lang.startswith("de"):
            shown = [attributes.get(a, "") for a in self.SHOWN]
            if tag == "meta" and attributes.get("name") == "description":
                shown.append(attributes.get("content", ""))
            if tag == "input" and attributes.get("type") in ("submit", "button"):
                shown.append(attributes.get("value", ""))
            self.parts.extend(s for s in shown if s)
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in self.VOID and not attrs_close_themselves(self.get_starttag_text()):
            self.langs.append(lang)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1
        if tag not in self.VOID and len(self.langs) > 1:
            self.langs.pop()

    def handle_data(self, data: str) -> None:
        if not self.skip and not self.langs[-1].startswith("de") and data.strip():
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).replace("\xad", "").split())


def attrs_close_themselves(start_tag: str | None) -> bool:
    return bool(start_tag and start_tag.rstrip().endswith("/>"))


def _catalogue_words() -> list[re.Pattern[str]]:
    """The German strings of both catalogues whose English differs, as whole-word patterns; a
    string with placeholders by its longest literal piece."""
    patterns = []
    for po in (
        ROOT / "kb/translations/en/LC_MESSAGES/kb.po",
        ROOT / "webapp/translations/en/LC_MESSAGES/messages.po",
    ):
        with po.open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for german in ids:
                    if not german or german in strings or german in ENGLISH_TOO:
                        continue
                    piece = max(re.split(r"%\(\w+\)[sd]|%[sd]", german), key=len).strip()
                    if len(piece) >= 4:
                        patterns.append(re.compile(rf"(?<!\w)({re.escape(piece)})(?!\w)"))
    return patterns


@pytest.fixture(scope="module")
def content(site: Flask) -> list[str]:
    """The values of the German content fields (and the vocabularies' English labels, which
    keep their umlauts: Baden-Württemberg), longest first."""
    values: set[str] = set()
    with site.extensions["kb"].uow() as uow:
        for model in CONTENT:
            columns = [
                c
                for c in model.__table__.columns
                if isinstance(c.type, String | Text) and c.name != "slug"
            ]
            for row in uow.session.execute(select(*columns)):
                values.update(v for v in row if isinstance(v, str) and len(v) >= 3)
    vocabulary = site.extensions["kb"].vocabulary
    for terms in vocabulary.terms.values():
        values.update(t.label_in("en") for t in terms.values())
    return sorted(values, key=len, reverse=True)


def public_urls(site: Flask) -> Iterator[str]:
    """Every public GET route, filled with slugs of the seed catalogue."""
    with site.extensions["kb"].uow() as uow:
        first = {
            "case": uow.session.scalars(select(Case.slug).order_by(Case.slug).limit(1)).one(),
            "talk": uow.session.scalars(
                select(Talk.slug).order_by(Talk.slug.desc()).limit(1)
            ).one(),
            "series": uow.session.scalars(select(Series.slug).limit(1)).one(),
            "instrument": uow.session.scalars(select(Instrument.slug).limit(1)).one(),
        }
    for rule in sorted(site.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or NOT_PAGES.search(rule.rule):
            continue
        url = rule.rule
        url = re.sub(r"<int[^>]*>", "1", url)
        if "<kind>" in url:  # history: of a case and of a talk
            yield url.replace("<kind>", "cases").replace("<slug>", first["case"])
            yield url.replace("<kind>", "talks").replace("<slug>", first["talk"])
            continue
        for section, kind in (("/cases/", "case"), ("/talks/", "talk"), ("/series/", "series")):
            if url.startswith(section):
                url = url.replace("<slug>", first[kind])
        url = url.replace("/instruments/<slug>", f"/instruments/{first['instrument']}")
        assert "<" not in url, f"a route this test cannot fill: {rule.rule}"
        yield url


def test_the_english_pages_cover_the_site(site: Flask) -> None:
    urls = list(public_urls(site))
    for expected in ("/", "/cases", "/talks", "/typology", "/map", "/search", "/codebook"):
        assert expected in urls
    assert len(urls) >= 20


def test_every_public_page_in_english_has_no_german_interface_string(
    site: Flask, content: list[str]
) -> None:
    client: FlaskClient = site.test_client()
    extra = ["/cases?governance=bottom-up&scale=project", "/search?q=Beirat", "/gibt-es-nicht"]
    extra.append("/compare?cases=" + ",".join(_two_cases(site)))
    found = _german_left(client, "/en", [*public_urls(site), *extra], content)
    assert not found, "German left on English pages:\n" + "\n".join(
        f"  /en{url}: {words}" for url, words in found.items()
    )


def test_the_check_finds_the_german_interface_on_german_pages(
    site: Flask, content: list[str]
) -> None:
    """The same check on the German pages, read as if they claimed to be English, finds their
    words: it can fail."""
    found = _german_left(site.test_client(), "", ["/", "/cases", "/typology"], content)
    assert set(found) == {"/", "/cases", "/typology"}
    assert "codebuch" in found["/cases"]  # the footer link, "Codebuch"


def _german_left(
    client: FlaskClient, prefix: str, urls: list[str], content: list[str]
) -> dict[str, list[str]]:
    """For each page holding any: the German interface words outside German content."""
    catalogue = _catalogue_words()
    found: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(prefix + url)
        assert response.status_code in (200, 404), (url, response.status_code)
        markup = response.get_data(as_text=True)
        if response.mimetype == "text/html" and prefix:
            assert re.search(r'<html lang="en"', markup), url
        elif not prefix:  # a German page: read it as if it were English
            markup = markup.replace('<html lang="de"', '<html lang="en"', 1)
        text = Reading(markup).text()
        for value in (*content, *LOANWORDS):
            text = text.replace(value, " ")
        words = {w.lower() for w in re.findall(r"[\wäöüÄÖÜß]+", text)}
        german = sorted(words & GERMAN_WORDS)
        german += sorted({w for w in words if UMLAUT.search(w)})
        german += sorted({m[1] for p in catalogue if (m := p.search(text))})
        if german:
            found[url] = german[:12]
    return found


def _two_cases(site: Flask) -> list[str]:
    with site.extensions["kb"].uow() as uow:
        return list(uow.session.scalars(select(Case.slug).order_by(Case.slug).limit(2)))


def test_the_reader_skips_german_content_and_sees_attributes() -> None:
    page = Reading(
        '<html lang="en"><head><meta name="description" content="Wissensbasis"></head>'
        '<body><p lang="de">Beschreibung <b>und</b> mehr</p><p>Cases</p>'
        '<a aria-label="Fälle">x</a><input type="search" placeholder="Suchen"><br>'
        "<script>var und = 1;</script></body></html>"
    )
    assert page.text() == "Wissensbasis Cases Fälle x Suchen"
