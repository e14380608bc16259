"""Snippets: the best matching passage of a hit, HTML-escaped, with the matches in <mark>."""

from html import escape
from typing import Any

from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text
from whoosh.searching import Hit, Results

from search_index.schema import SNIPPET_FIELDS

SNIPPET_CHARS = 240


class MarkFormatter(HtmlFormatter):
    """<mark>…</mark> around matches, nothing else; the text around them is escaped."""

    def __init__(self) -> None:
        super().__init__(between=" … ")

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{escape(get_text(text, token, replace), quote=False)}</mark>"


def prepare(results: Results) -> None:
    results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
    results.fragmenter.charlimit = None  # long notes: look past the first 32 KiB too
    results.formatter = MarkFormatter()


def snippet(hit: Hit) -> str:
    """The first field (in SNIPPET_FIELDS order) with a match; matches inside compounds are
    found through the `parts` field; without any match, the start of the body."""
    for field in SNIPPET_FIELDS:
        text = hit.get(field)
        if not text:
            continue
        marked = hit.highlights(field, top=2) or hit.highlights("parts", text=text, top=2)
        if marked:
            return " ".join(str(marked).split())
    text = hit.get("body") or hit.get("title") or ""
    short = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(text) > SNIPPET_CHARS else text
    return escape(
        " ".join(short.split()) + (" …" if len(text) > SNIPPET_CHARS else ""), quote=False
    )
