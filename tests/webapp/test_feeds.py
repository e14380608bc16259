"""The Atom feeds: valid Atom 1.0 with absolute links and unique ids, new notes with their
Markdown rendered and sanitised, changes to cases naming the changed fields, and the feeds
announced in every page's head."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

from flask.testing import FlaskClient

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn, NoteIn
from kb.editorial.notes import save_note
from kb.runtime import Runtime
from tests.webapp.helpers import Page

A = "{http://www.w3.org/2005/Atom}"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


def atom(client: FlaskClient, path: str) -> ET.Element:
    """The feed at `path`, checked for what Atom 1.0 requires of a feed and its entries."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == ATOM_TYPE
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{required}") is not None, required
    [self_link] = [link for link in feed.findall(f"{A}link") if link.get("rel") == "self"]
    assert self_link.get("href") == f"http://localhost{path}"
    ids = [entry.findtext(f"{A}id") for entry in feed.findall(f"{A}entry")]
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    for entry in feed.findall(f"{A}entry"):
        for required in ("id", "title", "updated", "link"):
            assert entry.findtext(f"{A}{required}") is not None, required
        assert entry.findtext(f"{A}id", "").startswith("http://localhost/")
        assert entry.find(f"{A}link").get("href", "").startswith("http://localhost/")  # type: ignore[union-attr]
        dt.datetime.fromisoformat(entry.findtext(f"{A}updated", ""))  # RFC 3339
    return feed


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{A}entry")


def test_every_page_announces_both_feeds(web: FlaskClient) -> None:
    for path in ("/", "/cases", "/talks"):
        page = Page(web.get(path).text)
        feeds = {
            link["href"]
            for link in page.all("link")
            if link.get("rel") == "alternate" and link.get("type") == "application/atom+xml"
        }
        assert feeds == {"/feed.atom", "/cases/changes.atom"}, path
        assert page.link_to("Neue Notizen (Atom)") == "/feed.atom"


def test_seed_catalogue_feeds_are_valid(web: FlaskClient) -> None:
    assert entries(atom(web, "/feed.atom")) == []  # the seed has no notes yet
    changes = entries(atom(web, "/cases/changes.atom"))
    assert 0 < len(changes) <= 50
    assert all(e.findtext(f"{A}title", "").endswith(": angelegt") for e in changes)


def test_a_saved_note_appears_rendered_and_sanitised(client: FlaskClient, seeded: Runtime) -> None:
    body = (
        "## Lernprozesse\n\nDie Verwaltung hat **viel** gelernt.\n\n"
        '<script>alert(1)</script><img src=x onerror="alert(2)">'
        "[Klick](javascript:alert(3))"
    )
    with seeded.uow() as uow:
        save_note(
            uow,
            NoteIn(
                slug="lernen-in-aachen",
                talk="talk-3-altstadtquartier-buechel-aachen",
                title="Lernen in Aachen",
                author="Anna",
                body=body,
            ),
            actor="anna",
        )
        uow.commit()
    [entry] = entries(atom(client, "/feed.atom"))
    assert entry.findtext(f"{A}title") == "Lernen in Aachen"
    assert entry.findtext(f"{A}author/{A}name") == "Anna"
    link = entry.find(f"{A}link")
    assert link is not None
    assert link.get("href") == (
        "http://localhost/talks/talk-3-altstadtquartier-buechel-aachen#notiz-lernen-in-aachen"
    )
    content = entry.find(f"{A}content")
    assert content is not None and content.get("type") == "html"
    html = content.text or ""
    assert "<strong>viel</strong>" in html and "<h3>Lernprozesse</h3>" in html
    for payload in ("<script", "alert(1)", "onerror", "<img"):
        assert payload not in html, payload
    # CommonMark keeps the rest of a raw HTML line as HTML, so the link stays words after nh3
    # has removed the tags: no javascript: URL in any attribute.
    assert not re.search(r"=\s*[\"']?\s*javascript:", html, re.I)


def test_a_case_change_appears_with_its_changed_fields(
    client: FlaskClient, seeded: Runtime
) -> None:
    with seeded.uow() as uow:
        case = get_case(uow, "alte-feuerwache-weimar")
        state = case_state(case)
        state.update(summary="Neu zusammengefasst.", website="https://example.org/feuerwache")
        data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
        save_case(uow, data, seeded.vocabulary, actor="anna", reason="Quelle geprüft")
        uow.commit()
        name = case.name
    first = entries(atom(client, "/cases/changes.atom"))[0]
    assert first.findtext(f"{A}title") == f"{name}: geändert"
    assert first.findtext(f"{A}author/{A}name") == "anna"
    summary = first.findtext(f"{A}summary", "")
    assert "Geänderte Felder: Kurzfassung, Website" in summary
    assert "Begründung: Quelle geprüft" in summary
    link = first.find(f"{A}link")
    assert link is not None
    assert link.get("href") == "http://localhost/cases/alte-feuerwache-weimar/history"
