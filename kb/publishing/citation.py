"""How to cite a case or a talk of the knowledge base: the plain-text citation, BibTeX and
CSL-JSON, all from one `Citation`, in the style of the reader's language: German academic style
on German pages, Harvard style (Cite Them Right: author (year) 'title'. Available at: URL
(Accessed: date)) on English ones. The words of the style follow the language; the cited item
keeps its own (its title is German content, and `language` in BibTeX and CSL-JSON says so).
Pure: the caller passes the item, what gives its page's absolute address (the web app's `url_of`:
it knows the routes, and the page's language prefix) and the dates; only `revised_on` reads the
database."""

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from babel.dates import format_date

from kb.editorial.kinds import kind_of
from kb.i18n import DEFAULT, N_, current, translate
from kb.revisions import latest_revision
from kb.slugs import UrlOf
from kb.unit_of_work import UnitOfWork
from models import Case, Talk

PUBLISHER = N_("Wissensbasis Kommunale Kooperationsmodelle")
Citable = Case | Talk
# A citation as runs of text, each with the language it is written in: the style's own words
# in the reader's language, the item's title and series in the content's (web pages mark them).
Segments = list[tuple[str, str]]
# The names of languages as LaTeX's babel and biblatex's `langid` know them.
BABEL_NAMES = {"de": "german", "en": "english"}


@dataclass(frozen=True)
class Citation:
    key: str  # BibTeX key and CSL id, from the slug
    kind: str  # "case" or "talk"
    title: str
    url: str  # absolute, stable
    revised: dt.date  # "Stand": the date of the item's latest revision
    accessed: dt.date
    # For a talk: the series, its organiser and the date the talk took place.
    series: str = ""
    organiser: str = ""
    held: dt.date | None = None
    language: str = DEFAULT  # the language of the cited content (the title, the page's texts)


def revised_on(uow: UnitOfWork, item: Citable) -> dt.date:
    """The date of the item's latest revision; its `updated_at` if it has none (an item written
    before revisions existed)."""
    revision = latest_revision(uow, kind_of(item).code, item.id)
    return (revision.created_at if revision is not None else item.updated_at).date()


def citation(item: Citable, url_of: UrlOf, revised: dt.date, accessed: dt.date) -> Citation:
    """The citation of a case or a talk; `url_of` gives its page's absolute, stable address."""
    kind = kind_of(item).code
    cited = Citation(
        key=_key(item.slug),
        kind=kind,
        title=item.name if isinstance(item, Case) else item.title,
        url=url_of(kind, item.slug),
        revised=revised,
        accessed=accessed,
    )
    if isinstance(item, Talk):
        series = item.series
        return replace(cited, series=series.title, organiser=series.organiser, held=item.date)
    return cited


def _key(slug: str) -> str:
    # Slugs are [a-z0-9-]; BibTeX keys may hold those, but some tools split keys at "-".
    return re.sub(r"[^A-Za-z0-9]+", "_", slug)


def _de(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _inner_quotes(text: str) -> str:
    """German style nests quotes: „…“ inside a quoted title becomes ‚…‘."""
    return text.replace("„", "‚").replace("“", "‘")


def _en(day: dt.date) -> str:
    return format_date(day, "d MMMM y", locale="en")


def segments(c: Citation, lang: str | None = None) -> Segments:
    """The citation as a reference list entry in the style of `lang` (the current language if
    None), as runs of (text, language of the text)."""
    lang = lang or current()
    if lang == DEFAULT:
        return _german(c)
    return _harvard(c, lang)


def plain_text(c: Citation, lang: str | None = None) -> str:
    """The citation as one line of text in the style of `lang` (see `segments`)."""
    return "".join(text for text, _ in segments(c, lang))


def _german(c: Citation) -> Segments:
    """German academic style: Hrsg. (Jahr): „Titel“. In: … Stand: … URL: … (abgerufen am …)."""
    de, content = DEFAULT, c.language
    out = [(f"{PUBLISHER} (Hrsg.) ({c.revised.year}): „", de), (_inner_quotes(c.title), content)]
    out.append(("“.", de))
    if c.kind == "talk":
        out.append((" ", de))
        if c.series:
            out += [("Gesprächsreihe „", de), (_inner_quotes(c.series), content), ("“", de)]
        else:
            out.append(("Gespräch", de))
        details = [c.organiser, _de(c.held) if c.held else ""]
        out.append(("".join(f", {d}" for d in details if d) + ".", de))
    out.append((f" In: {PUBLISHER}. Stand: {_de(c.revised)}.", de))
    out.append((f" URL: {c.url} (abgerufen am {_de(c.accessed)}).", de))
    return out


def _harvard(c: Citation, lang: str) -> Segments:
    """Harvard style (Cite Them Right, a web page): Author (year) ‘Title’. Version of …
    Available at: URL (Accessed: …). A talk names its series, organiser and date after the
    title. British quotation marks; the German title and series stay as written."""
    publisher, content = translate(PUBLISHER, lang), c.language
    out = [(f"{publisher} ({c.revised.year}) ‘", lang), (c.title, content), ("’.", lang)]
    if c.kind == "talk":
        out.append((" ", lang))
        if c.series:
            out += [("Talk series ‘", lang), (c.series, content), ("’", lang)]
        else:
            out.append(("Talk", lang))
        if c.organiser:  # a name, as the organiser writes it
            out += [(", ", lang), (c.organiser, content)]
        out.append(((f", {_en(c.held)}" if c.held else "") + ".", lang))
    out.append((f" Version of {_en(c.revised)}.", lang))
    out.append((f" Available at: {c.url} (Accessed: {_en(c.accessed)}).", lang))
    return out


# LaTeX's special characters; a backslash first would be escaped again by the later ones, so
# the replacements are applied in one pass.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_PATTERN = re.compile("|".join(re.escape(ch) for ch in _BIBTEX_SPECIAL))


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX field; umlauts stay UTF-8 (biber and BibTeX 8-bit read
    them, and escaping them as {\\"u} would spoil search and copy-paste)."""
    return _BIBTEX_PATTERN.sub(lambda m: _BIBTEX_SPECIAL[m[0]], text)


def bibtex(c: Citation, lang: str | None = None) -> str:
    """A biblatex/BibTeX @misc entry; its note in the words of `lang` (the current language if
    None), `language` and `langid` naming the content's language."""
    lang = lang or current()
    german = lang == DEFAULT
    publisher = PUBLISHER if german else translate(PUBLISHER, lang)
    note = f"Stand: {_de(c.revised)}" if german else f"Version of {_en(c.revised)}"
    if c.kind == "talk":
        if german:
            held = f", {_de(c.held)}" if c.held else ""
            note = f"Gesprächsreihe „{c.series}“, {c.organiser}{held}. {note}"
        else:
            held = f", {_en(c.held)}" if c.held else ""
            note = f"Talk series ‘{c.series}’, {c.organiser}{held}. {note}"
    babel_name = BABEL_NAMES.get(c.language, c.language)
    fields = [
        ("title", "{" + bibtex_escape(c.title) + "}"),  # inner braces keep the capitals
        ("author", "{" + bibtex_escape(publisher) + "}"),  # corporate author: never split
        ("howpublished", bibtex_escape(publisher)),
        ("year", str(c.revised.year)),
        # URLs are passed verbatim by the url package; only braces would break the field.
        ("url", c.url.replace("{", "%7B").replace("}", "%7D")),
        ("urldate", c.accessed.isoformat()),
        ("note", bibtex_escape(note)),
        # biblatex: `langid` sets the hyphenation of the title, `language` is printed.
        ("language", babel_name),
        ("langid", babel_name),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def _date_parts(day: dt.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_json(c: Citation, lang: str | None = None) -> list[dict[str, Any]]:
    """CSL-JSON (a list of items, as citeproc and Zotero read it) with one item; `language` is
    the content's, the publisher's name and the note are in `lang` (the current one if None)."""
    lang = lang or current()
    german = lang == DEFAULT
    publisher = PUBLISHER if german else translate(PUBLISHER, lang)
    item: dict[str, Any] = {
        "id": c.key,
        # A case page is a web page. A talk is cited as "speech" (CSL: "a speech or other
        # presentation, e.g. a talk at a conference"): it is the talk itself that is cited,
        # with its series as event; "event" would cite the whole series and is newer in CSL
        # (1.0.2), so fewer processors know it.
        "type": "webpage" if c.kind == "case" else "speech",
        "title": c.title,
        "author": [{"literal": publisher}],
        "container-title": publisher,
        "publisher": publisher,
        "URL": c.url,
        "issued": _date_parts(c.revised),
        "accessed": _date_parts(c.accessed),
        "language": c.language,
    }
    if c.kind == "talk":
        item["event-title"] = c.series
        item["event"] = c.series  # the name before CSL 1.0.2, still what many tools read
        if c.held:
            item["event-date"] = _date_parts(c.held)
        if c.organiser:
            item["note"] = (
                f"Veranstaltet von {c.organiser}" if german else f"Organised by {c.organiser}"
            )
    return [item]
