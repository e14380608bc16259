"""Snippets: the best matching passage of a hit, HTML-escaped, with the matches in <mark>."""

from html import escape
from typing import Any

from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight

from search_index.schema import SNIPPET_FIELDS

SNIPPET_CHARS = 240


class MarkFormatter(HtmlFormatter):
    """<mark>…</mark> around matches, nothing else; the text around them is escaped."""

    def __init__(self) -> None:
        super().__init__(between=" … ")

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{escape(get_text(text, token, replace), quote=False)}</mark>"


_FORMATTER = MarkFormatter()


def _fragmenter() -> ContextFragmenter:
    fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
    fragmenter.charlimit = None  # long notes: look past the first 32 KiB too
    return fragmenter


def snippet(stored: dict[str, Any], terms: dict[str, set[str]], schema: Any) -> str:
    """The first stored field (in SNIPPET_FIELDS order) where a searched term occurs; a match
    inside a compound (found through the `parts` field) marks the whole compound; without any
    match, the start of the body."""
    for field in SNIPPET_FIELDS:
        text = stored.get(field)
        if not text:
            continue
        for source in (field, "parts"):
            wanted = terms.get(source)
            if not wanted:
                continue
            marked = highlight(
                text,
                frozenset(wanted),
                schema[source].analyzer,
                _fragmenter(),
                _FORMATTER,
                top=2,
                mode="index",
            )
            if marked:
                return " ".join(str(marked).split())
    text = stored.get("body") or stored.get("title") or ""
    short = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(text) > SNIPPET_CHARS else text
    return escape(
        " ".join(short.split()) + (" …" if len(text) > SNIPPET_CHARS else ""), quote=False
    )
