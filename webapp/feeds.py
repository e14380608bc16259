"""The Atom 1.0 feeds: /feed.atom (the newest notes) and /cases/changes.atom (changes to
cases). kb.publishing.feeds decides what goes in; this module writes the XML with absolute links
built from KB_BASE_URL (or the request's trusted host, see webapp.hosts). Under /en/ the feed's
own words (title, subtitle, summaries) are English and its links lead to English pages; what
the entries quote (note titles and texts, case names, reasons) stays German and says so with
xml:lang="de".

The XML is built with the standard library's ElementTree rather than a feed library: Atom
needs a dozen elements, ElementTree escapes text and attributes correctly, and feedgen (the
maintained choice) would add lxml and python-dateutil to the install for that."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

from flask import Blueprint, Response
from flask_babel import gettext as _

from kb.i18n import DEFAULT
from kb.publishing.feeds import CaseChange, NoteEntry, case_changes, last_change, newest_notes
from webapp.context import uow
from webapp.edition import edition
from webapp.hosts import external_url, site_root
from webapp.i18n import language
from webapp.links import external_url_of, note_anchor

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 cannot carry at all (ElementTree would write them and break the feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _absolute(endpoint: str, **values: str) -> str:
    return external_url(endpoint, **values)


def _german(element: ET.Element) -> ET.Element:
    """Mark German content (a note, a case's name, a reason) in a feed of another language."""
    if language() != DEFAULT:
        element.set(XML_LANG, DEFAULT)
    return element


def _site_name() -> str:
    """kb.publishing.citation.PUBLISHER in the feed's language."""
    return str(_("Wissensbasis Kommunale Kooperationsmodelle"))


def _feed(title: str, subtitle: str, self_url: str, updated: dt.datetime | None) -> ET.Element:
    # Plain tag names under a default xmlns: ElementTree's `default_namespace` would reject
    # Atom's unqualified attributes (rel, href, type).
    feed = ET.Element("feed", {"xmlns": ATOM, XML_LANG: language()})
    _add(feed, "id", self_url)
    _add(feed, "title", title)
    _add(feed, "subtitle", subtitle)
    # An empty feed still needs `updated`: the last change of anything, else a fixed date,
    # so the feed's ETag stays put while nothing changes.
    _add(feed, "updated", _rfc3339(updated or last_change(uow()) or _EPOCH))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=site_root())
    _add(_add(feed, "author"), "name", _site_name())
    return feed


def _response(feed: ET.Element) -> Response:
    ET.indent(feed)  # readable when opened in a browser; content's own text is left alone
    xml = ET.tostring(feed, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + xml, content_type=ATOM_TYPE)


def _note_entry(feed: ET.Element, note: NoteEntry) -> None:
    entry = _add(feed, "entry")
    url = external_url_of("note", note.talk_slug, note.slug)
    # The id names the note, not its talk's page, so that it stays the same if the note is
    # moved to another talk.
    _add(entry, "id", _absolute("feeds.notes") + f"#{note_anchor(note.slug)}")
    _german(_add(entry, "title", note.title))
    _add(entry, "updated", _rfc3339(note.updated))
    _add(entry, "link", rel="alternate", type="text/html", href=url)
    if note.author:
        _add(_add(entry, "author"), "name", note.author)
    _add(entry, "summary", _("Notiz zu „%(talk)s“", talk=note.talk_title))
    # sanitised by kb.markup.render_html
    _german(_add(entry, "content", note.html, type="html"))


@bp.get("/feed.atom")
def notes() -> Response:
    entries = newest_notes(uow())
    feed = _feed(
        _("%(publisher)s: neue Notizen", publisher=_site_name()),
        _("Die neuesten Notizen der Redaktion zu den Gesprächen (die Notizen auf Deutsch)."),
        _absolute("feeds.notes"),
        entries[0].updated if entries else None,
    )
    for note in entries:
        _note_entry(feed, note)
    return _response(feed)


def _change_entry(feed: ET.Element, change: CaseChange) -> None:
    entry = _add(feed, "entry")
    # The case's history, not its page: it shows this very change, and it stays reachable when
    # the case is deleted later. The static edition holds no histories: there, the case's page.
    if edition():
        url = _absolute("pages.case", slug=change.slug)
    else:
        url = _absolute("history.show", kind="cases", slug=change.slug)
    # One entry per revision; revision ids never change or come back.
    _add(entry, "id", f"{_absolute('feeds.case_changes_feed')}#revision-{change.revision_id}")
    _add(entry, "title", change.title)
    _add(entry, "updated", _rfc3339(change.updated))
    _add(entry, "link", rel="alternate", type="text/html", href=url)
    _add(_add(entry, "author"), "name", change.actor)
    lines = [_("Version %(number)s", number=change.number)]
    if change.fields:
        lines.append(_("Geänderte Felder: %(fields)s", fields=", ".join(change.fields)))
    if change.reason:
        lines.append(_("Begründung: %(reason)s", reason=change.reason))
    _add(entry, "summary", ". ".join(lines) + ".")


@bp.get("/cases/changes.atom")
def case_changes_feed() -> Response:
    changes = case_changes(uow())
    feed = _feed(
        _(
            "%(publisher)s: Änderungen an Fällen",
            publisher=_site_name(),
        ),
        _("Neue, geänderte und gelöschte Fälle, mit den geänderten Feldern und der Begründung."),
        _absolute("feeds.case_changes_feed"),
        changes[0].updated if changes else None,
    )
    for change in changes:
        _change_entry(feed, change)
    return _response(feed)
