"""Snippets: the best matching passage of a hit, HTML-escaped, with the matches in <mark>."""

from collections import deque
from html import escape
from typing import Any

from whoosh.analysis import Token
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Fragment,
    Fragmenter,
    HtmlFormatter,
    WholeFragmenter,
    get_text,
    highlight,
    mkfrag,
    set_matched_filter,
    top_fragments,
)

from search_index.analysis import GermanTokenizer, detail_line, german_analyzer
from search_index.schema import SNIPPET_FIELDS

SNIPPET_CHARS = 240
DETAIL_LINES = 2  # a details snippet shows at most this many matching lines
HEAD_CHARS = 100  # a long details line keeps its head ("Instrument: <label> – …") this long
LABEL = '<span class="snippet-label">{}:</span> '


class MarkFormatter(HtmlFormatter):
    """<mark>…</mark> around matches, nothing else; the text around them is escaped."""

    def __init__(self) -> None:
        super().__init__(between=" … ")

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{escape(get_text(text, token, replace), quote=False)}</mark>"


_FORMATTER = MarkFormatter()
_SCORER = BasicFragmentScorer()
_TEXT = german_analyzer()  # a details line's text: its label is already cut off


def _format(fragments: list[Fragment]) -> str:
    return str(_FORMATTER.format(fragments))


def _fragmenter(surround: int = 60) -> ContextFragmenter:
    fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=surround)
    fragmenter.charlimit = None  # long notes: look past the first 32 KiB too
    return fragmenter


def snippet(stored: dict[str, Any], terms: dict[str, set[str]], schema: Any) -> str:
    """The first stored field (in SNIPPET_FIELDS order) where a searched term occurs; a match
    inside a compound (found through the `parts` field) marks the whole compound; in details,
    the best matching lines with their labels; without any match, the start of the body."""
    for field in SNIPPET_FIELDS:
        text = stored.get(field)
        if not text:
            continue
        if field == "details":
            lines = details_snippet(text, terms, schema)
            if lines:
                return lines
            continue
        for source in (field, "parts"):
            wanted = terms.get(source)
            if not wanted:
                continue
            marked = _highlight(text, frozenset(wanted), schema[source].analyzer)
            if marked:
                return " ".join(str(marked).split())
    text = stored.get("body") or stored.get("title") or ""
    short = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] if len(text) > SNIPPET_CHARS else text
    return escape(
        " ".join(short.split()) + (" …" if len(text) > SNIPPET_CHARS else ""), quote=False
    )


def _highlight(text: str, wanted: frozenset[str], analyzer: Any) -> str:
    """Whoosh's highlight(text, wanted, analyzer, _fragmenter(), _FORMATTER, top=2,
    mode="index"), the same string, faster for our tokenizers: their tokens as plain spans
    (GermanTokenizer.spans), none of them made into a Token unless it matches, and Whoosh's
    ContextFragmenter's walk over them (_context_fragments); Whoosh still picks the best
    fragments and formats them."""
    if not isinstance(analyzer, GermanTokenizer):
        return str(
            highlight(text, wanted, analyzer, _fragmenter(), _FORMATTER, top=2, mode="index")
        )
    spans = analyzer.spans(text)
    if not any(form in wanted for _, _, form in spans):
        return ""  # nothing matches: Whoosh makes no fragment either
    fragments = _context_fragments(text, spans, wanted, SNIPPET_CHARS, 60)
    return _format(top_fragments(fragments, 2, _SCORER, FIRST))


def _context_fragments(
    text: str,
    spans: list[tuple[int, int, str]],
    wanted: frozenset[str],
    maxchars: int,
    surround: int,
) -> list[Fragment]:
    """ContextFragmenter(maxchars, surround, charlimit=None).fragment_tokens over
    set_matched_filter's tokens, step for step (whoosh/highlight.py, 2.7.5), on spans: the
    same fragments (with empty ones, which score 0 and are never shown)."""
    first: int | None = None
    firsts: deque[int] = deque()
    countdown = -1
    tks: list[Token] = []
    endchar = 0
    currentlen = 0
    out = []
    for startchar, endchar, form in spans:
        tlength = endchar - startchar
        matched = form in wanted
        if countdown < 0 and not matched:
            firsts.append(startchar)
            while firsts and endchar - firsts[0] > surround:
                firsts.popleft()
        elif currentlen + tlength > maxchars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = startchar
                    countdown += surround
            tks.append(_match(startchar, endchar, form))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
                tks = []
                firsts = deque()
                first = None
                currentlen = 0
    if tks:
        out.append(mkfrag(text, tks, startchar=first, endchar=endchar))
    return out


def _match(startchar: int, endchar: int, text: str) -> Token:
    """A matched token as set_matched_filter leaves it (and the fragmenter copies it)."""
    token = Token(chars=True, removestops=False, mode="index")
    token.text, token.startchar, token.endchar = text, startchar, endchar
    token.boost, token.matched, token.stopped = 1.0, True, False
    return token


def details_snippet(text: str, terms: dict[str, set[str]], schema: Any) -> str:
    """The lines of a `details` text ("Label: text" each) with the most searched terms (at
    most DETAIL_LINES, in their order), each with its label kept visible; "" without a match.
    A long line keeps its head (up to " – ") and the passages around its matches."""
    analyzers = []
    if wanted := terms.get("details"):
        analyzers.append((_TEXT, frozenset(wanted)))
    if wanted := terms.get("parts"):  # a part of a compound marks the whole compound
        analyzers.append((schema["parts"].analyzer, frozenset(wanted)))
    if not analyzers:
        return ""
    found = []
    for number, line in enumerate(text.split("\n")):
        label, content = detail_line(line)
        matched = {
            (i, t.text)
            for i, (analyzer, wanted) in enumerate(analyzers)
            for t in analyzer(content, mode="index")
            if t.text in wanted
        }
        if matched:
            found.append((-len(matched), number, label, content))
    shown = sorted(sorted(found)[:DETAIL_LINES], key=lambda f: f[1])
    out = []
    for _, _, label, content in shown:
        marked = _marked_line(content, analyzers)
        if marked:
            out.append((LABEL.format(escape(label, quote=False)) if label else "") + marked)
    return " · ".join(out)


def _fragments(
    text: str, analyzers: list[tuple[Any, frozenset[str]]], fragmenter: Fragmenter
) -> list[Fragment]:
    """The best (at most two) fragments of a text for the first analyzer's terms that occur."""
    for analyzer, wanted in analyzers:
        tokens = set_matched_filter(
            analyzer(text, chars=True, mode="index", removestops=False), wanted
        )
        best: list[Fragment] = top_fragments(
            fragmenter.fragment_tokens(text, tokens), 2, _SCORER, FIRST
        )
        if best:
            return best
    return []


def _marked_line(content: str, analyzers: list[tuple[Any, frozenset[str]]]) -> str:
    """A details line's text with its matches marked: whole if short; else its head and the
    passages around the matches, cut text shown as "…"."""
    if len(content) <= SNIPPET_CHARS:
        return _format(_fragments(content, analyzers, WholeFragmenter(charlimit=None)))
    head, dash, rest = content.partition(" – ")
    if not dash or len(head) > HEAD_CHARS:
        head, dash, rest = "", "", content
    rest_fragments = _fragments(rest, analyzers, _fragmenter(surround=40))
    if head:
        head_fragments = _fragments(head, analyzers, WholeFragmenter(charlimit=None))
        if not head_fragments and not rest_fragments:
            return ""
        marked = _format(head_fragments) if head_fragments else ""
        head = (marked or escape(head, quote=False)) + dash
    if not rest_fragments:  # the match is in the head: the start of the rest
        if len(rest) <= SNIPPET_CHARS:
            return head + escape(rest, quote=False)
        short = rest[:SNIPPET_CHARS].rsplit(" ", 1)[0]
        return f"{head}{escape(short, quote=False)} …"
    before = "… " if rest_fragments[0].startchar > 0 else ""
    after = " …" if rest_fragments[-1].endchar < len(rest) else ""
    return f"{head}{before}{_format(rest_fragments)}{after}"
