"""Markdown: sanitised HTML for pages and feeds, plain text for the search index.

Every path here runs in time linear in the size of its input, whatever the input: a note is
rendered on its page, in the preview, in feeds and the API, and stripped to plain text for the
index and for every search while it waits in the change log, so one pathological note must not hold
a server thread (issue 11, item 1).

- Rendering uses markdown-it-py (CommonMark), not Python-Markdown: Python-Markdown's inline
  patterns are quadratic on unclosed brackets and entities ('[' * 8000 took 11 s, '&amp;' *
  100000 57 s), while markdown-it-py is linear by design (a per-position cache and a nesting
  limit, `maxNesting`): '[' * 200000 renders in about 2 s, a normal German note of the same size
  in about 0.15 s, and tests/kb/test_markup_bounds.py holds every known worst case to a ratio of
  a normal note.
- Sources above RENDER_LIMIT (larger than any form accepts, so only old rows) are not parsed at
  all: they are shown as escaped paragraphs.
- Results are cached (pages show the same texts again and again), by size: many small texts, a
  few large ones, so the cache stays bounded in memory.
- plain_text's patterns cannot backtrack over more than a bracket, a tag or a line: no pattern
  scans past the next opening sign of its own kind, and emphasis markers are dropped by looking
  at the characters around each run of them, not by pairing openers with closers.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# What rendered Markdown may contain: text structure, links and tables. Everything else (script,
# style, event handlers, iframes, forms, images from other hosts) is removed by nh3, an
# allow-list sanitiser (Rust's ammonia), after rendering, so raw HTML in the source is covered.
_TAGS = {
    *("p", "br", "hr", "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd"),
    *("h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "sup", "sub", "abbr", "a"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}
_HEADING = re.compile(r"<(/?)h([1-6])\b")
_ALIGN = re.compile(r'<(t[hd]) style="text-align:(left|center|right)">')

# CommonMark with raw HTML (sanitised below), GitHub tables and ~~strikethrough~~. maxNesting
# bounds the depth of nested quotes and lists: five levels of lists or nine of quotes are shown,
# deeper content is not (plain_text keeps it). Each line costs up to maxNesting checks: at 20 a
# 100 KB quote 1000 levels deep took 2.7 s, at 10 about 1 s, a normal note 0.05 s.
_MARKDOWN = MarkdownIt("commonmark", {"html": True, "maxNesting": 10}).enable(
    ["table", "strikethrough"]
)
# How deep links and images are looked for inside the text of a link. markdown-it-py's own limit
# is maxNesting, and the cost of every unclosed "[" grows with it: '![' * 50000 took 1.2 s at 20
# and 0.7 s at 6. Real link texts hold at most a code span or an image, one level.
_INLINE_NESTING = 6


def _skip_token(state: StateInline) -> None:
    """markdown-it-py's ParserInline.skipToken (4.0) with _INLINE_NESTING for maxNesting: skip
    one token in validation mode, remembering where each position's token ends. Past the limit it
    skips to the end of the text, which is what keeps scanning for "]" linear."""
    pos = state.pos
    if pos in state.cache:
        state.pos = state.cache[pos]
        return
    ok = False
    if state.level < _INLINE_NESTING:
        for rule in _MARKDOWN.inline.ruler.getRules(""):
            state.level += 1
            ok = rule(state, True)
            state.level -= 1
            if ok:
                break
    else:
        state.pos = state.posMax
    if not ok:
        state.pos += 1
    state.cache[pos] = state.pos


_MARKDOWN.inline.skipToken = _skip_token  # type: ignore[method-assign]
# markdown-it leaves a link to a refused scheme (javascript:, data:) as literal source text;
# let it build the link and leave the scheme to nh3's allow-list below, which drops the href
# and keeps the words, as with every other link.
_MARKDOWN.validateLink = lambda url: True  # type: ignore[method-assign]

RENDER_LIMIT = 250_000  # characters; the forms accept 200.000 (kb.catalogue.schemas.MAX_BODY)
_LARGE = 16_000  # characters from which a text is cached among the few large ones


def _render(source: str, top: int) -> str:
    if len(source) > RENDER_LIMIT:
        paragraphs = (p.strip() for p in source.split("\n\n"))
        return "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs if p)
    html = _MARKDOWN.render(source)
    # markdown-it aligns table cells with a style attribute, which the sanitiser drops.
    html = _ALIGN.sub(r'<\1 align="\2">', html)
    levels = [int(m[2]) for m in _HEADING.finditer(html)]
    if levels:
        shift = top - min(levels)
        html = _HEADING.sub(lambda m: f"<{m[1]}h{max(1, min(6, int(m[2]) + shift))}", html)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


_render_small = lru_cache(maxsize=4096)(_render)
_render_large = lru_cache(maxsize=32)(_render)


def render_html(source: str, *, top: int = 3) -> str:
    """Markdown as safe HTML. The highest heading becomes level `top` and the others follow,
    so that they fit below the page's own headings (its h1 and section h2s) without gaps."""
    if not source:
        return ""
    return (_render_large if len(source) > _LARGE else _render_small)(source, top)


@dataclass(frozen=True)
class Heading:
    """A heading of a Markdown text: its level (1 to 6), its text as written (inline
    Markdown) and its lines, `start` up to (not including) `end`, counted from 0."""

    level: int
    text: str
    start: int
    end: int


# The same block rules as _MARKDOWN, without inline parsing: finding headings needs only the
# blocks, and skipping emphasis and links makes it about ten times faster (0.2 against 2 ms for
# a note of 2,700 characters), which counts where every note of a series is read.
_BLOCKS = MarkdownIt("commonmark", {"html": True, "maxNesting": 10}).enable(["table"])
_BLOCKS.disable(["inline", "text_join"])


def headings(source: str) -> list[Heading]:
    """The headings of a Markdown text that stand on their own (ATX "## …" and setext, not
    those inside code blocks, quotes or lists), in order. Parsing is linear like rendering;
    a text above RENDER_LIMIT, which is never rendered as Markdown, has none."""
    if not source or len(source) > RENDER_LIMIT:
        return []
    tokens = _BLOCKS.parse(source)
    return [
        Heading(int(token.tag[1]), tokens[i + 1].content, token.map[0], token.map[1])
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.level == 0 and token.map
    ]


_FLANK = frozenset(" \t\r\n\f\v.,;:!?()[]{}<>\"'„“”‚‘’«»/-–—")


def _emphasis(m: re.Match[str]) -> str:
    """A run of emphasis or code signs goes when it touches a space or punctuation on one side
    (it opens or closes); between two letters (snake_case, 2*3) it stays."""
    text, start, end = m.string, m.start(), m.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return "" if before in _FLANK or after in _FLANK else m[0]


# Markdown syntax that carries no words, each with the characters it cannot do without: a
# pattern runs only when the text holds one of them. Stripping with expressions is about twenty
# times faster than rendering and parsing HTML, and skipping the patterns that cannot match
# halves it again for plain prose, which is most of what a rebuild indexes. Each pattern is
# linear: a bracket or tag pattern stops at the next opening sign, line patterns at the line end.
_STRIP: list[tuple[tuple[str, ...], re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (("```", "~~~"), re.compile(r"^[ \t]{0,3}(```|~~~).*$", re.M), ""),  # code fences
    (("![",), re.compile(r"!\[([^\[\]\n]*)\]\([^()\n]*\)"), r"\1"),  # images -> alt text
    (("](",), re.compile(r"\[([^\[\]\n]*)\]\([^()\n]*\)"), r"\1"),  # links -> text
    (("][",), re.compile(r"\[([^\[\]\n]*)\]\[[^\[\]\n]*\]"), r"\1"),  # reference links -> text
    (("]:",), re.compile(r"^[ \t]{0,3}\[[^\[\]\n]+\]:[ \t]*\S.*$", re.M), ""),  # definitions
    (("<",), re.compile(r"<[^<>\n]+>"), " "),  # HTML tags
    (("#",), re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+|$)|(?<![ \t#])[ \t]+#+[ \t]*$", re.M), ""),
    ((">",), re.compile(r"^[ \t]{0,3}(?:>[ \t]?)+", re.M), ""),  # block quotes, nested too
    # List markers and rules: their signs are everywhere in prose, and checking for them costs
    # more than these two cheap patterns, so they always run (no characters given).
    ((), re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+", re.M), ""),  # list markers
    ((), re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M), ""),  # rules
    (("|",), re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*$", re.M), ""),  # separators
    (("*", "_", "~", "`"), re.compile(r"[*_~`]+"), _emphasis),  # emphasis, code spans
    (("|",), re.compile(r"\|"), " "),  # table cells
]


def _plain_text(source: str) -> str:
    text = source
    for needs, pattern, replacement in _STRIP:
        if not needs or any(n in text for n in needs):
            text = pattern.sub(replacement, text)
    lines = (" ".join(line.split()) for line in unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


# The search overlay strips every note waiting in the change log on every search: cached like pages.
_plain_small = lru_cache(maxsize=4096)(_plain_text)
_plain_large = lru_cache(maxsize=32)(_plain_text)


def plain_text(source: str) -> str:
    """The words of a Markdown document without its markup, one line per block."""
    if not source:
        return ""
    return (_plain_large if len(source) > _LARGE else _plain_small)(source)
