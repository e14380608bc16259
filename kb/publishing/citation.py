"""How to cite a case or a talk of the knowledge base: the plain-text citation (German academic
style), BibTeX and CSL-JSON, all from one `Citation`. Pure: the caller passes the item, what
gives its page's absolute address (the web app's `url_of`: it knows the routes) and the dates;
only `revised_on` reads the database."""

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Any

from kb.editorial.kinds import kind_of
from kb.revisions import latest_revision
from kb.slugs import UrlOf
from kb.unit_of_work import UnitOfWork
from models import Case, Talk

PUBLISHER = "Wissensbasis Kommunale Kooperationsmodelle"
Citable = Case | Talk


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


def plain_text(c: Citation) -> str:
    """The citation as a German reference list entry."""
    parts = [f"{PUBLISHER} (Hrsg.) ({c.revised.year}): „{_inner_quotes(c.title)}“."]
    if c.kind == "talk":
        context = f"Gesprächsreihe „{_inner_quotes(c.series)}“" if c.series else "Gespräch"
        details = [context, c.organiser, _de(c.held) if c.held else ""]
        parts.append(", ".join(d for d in details if d) + ".")
    parts.append(f"In: {PUBLISHER}. Stand: {_de(c.revised)}.")
    parts.append(f"URL: {c.url} (abgerufen am {_de(c.accessed)}).")
    return " ".join(parts)


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


def bibtex(c: Citation) -> str:
    title = c.title
    note = f"Stand: {_de(c.revised)}"
    if c.kind == "talk":
        held = f", {_de(c.held)}" if c.held else ""
        note = f"Gesprächsreihe „{c.series}“, {c.organiser}{held}. {note}"
    fields = [
        ("title", "{" + bibtex_escape(title) + "}"),  # inner braces keep the capitals
        ("author", "{" + bibtex_escape(PUBLISHER) + "}"),  # corporate author: never split
        ("howpublished", bibtex_escape(PUBLISHER)),
        ("year", str(c.revised.year)),
        # URLs are passed verbatim by the url package; only braces would break the field.
        ("url", c.url.replace("{", "%7B").replace("}", "%7D")),
        ("urldate", c.accessed.isoformat()),
        ("note", bibtex_escape(note)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{c.key},\n{body}\n}}\n"


def _date_parts(day: dt.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl_json(c: Citation) -> list[dict[str, Any]]:
    """CSL-JSON (a list of items, as citeproc and Zotero read it) with one item."""
    item: dict[str, Any] = {
        "id": c.key,
        # A case page is a web page. A talk is cited as "speech" (CSL: "a speech or other
        # presentation, e.g. a talk at a conference"): it is the talk itself that is cited,
        # with its series as event; "event" would cite the whole series and is newer in CSL
        # (1.0.2), so fewer processors know it.
        "type": "webpage" if c.kind == "case" else "speech",
        "title": c.title,
        "author": [{"literal": PUBLISHER}],
        "container-title": PUBLISHER,
        "publisher": PUBLISHER,
        "URL": c.url,
        "issued": _date_parts(c.revised),
        "accessed": _date_parts(c.accessed),
        "language": "de",
    }
    if c.kind == "talk":
        item["event-title"] = c.series
        item["event"] = c.series  # the name before CSL 1.0.2, still what many tools read
        if c.held:
            item["event-date"] = _date_parts(c.held)
        if c.organiser:
            item["note"] = f"Veranstaltet von {c.organiser}"
    return [item]
