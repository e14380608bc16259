"""Markdown: sanitised HTML for pages and feeds, plain text for the search index."""

import re
from functools import lru_cache
from html import unescape

import markdown
import nh3

# What rendered Markdown may contain: text structure, links and tables. Everything else (script,
# style, event handlers, iframes, forms, images from other hosts) is removed by nh3, an
# allow-list sanitiser (Rust's ammonia), after rendering, so raw HTML in the source is covered.
_TAGS = {
    *("p", "br", "hr", "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd"),
    *("h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "sup", "sub", "abbr", "a"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}
_EXTENSIONS = ["tables", "fenced_code", "sane_lists", "def_list"]
_HEADING = re.compile(r"<(/?)h([1-6])\b")


@lru_cache(maxsize=4096)  # pages show the same notes again and again; rendering is pure
def render_html(source: str, *, top: int = 3) -> str:
    """Markdown as safe HTML. The highest heading becomes level `top` and the others follow,
    so that they fit below the page's own headings (its h1 and section h2s) without gaps."""
    if not source:
        return ""
    html = markdown.markdown(source, extensions=_EXTENSIONS, output_format="html")
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
    )


# Markdown syntax that carries no words, each with the characters it cannot do without: a
# pattern runs only when the text holds one of them. Stripping with expressions is about twenty
# times faster than rendering and parsing HTML, and skipping the patterns that cannot match
# halves it again for plain prose, which is most of what a rebuild indexes.
_STRIP: list[tuple[tuple[str, ...], re.Pattern[str], str]] = [
    (("```", "~~~"), re.compile(r"^\s{0,3}(```|~~~).*$", re.M), ""),  # code fences
    (("![",), re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (("](",), re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links -> text
    (("][",), re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),  # reference links -> text
    (("]:",), re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", re.M), ""),  # link definitions
    (("<",), re.compile(r"<[^>\n]+>"), " "),  # HTML tags
    (("#",), re.compile(r"^\s{0,3}#{1,6}\s*|\s+#+\s*$", re.M), ""),  # heading marks
    ((">",), re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    # List markers and rules: their signs are everywhere in prose, and checking for them costs
    # more than these two cheap patterns, so they always run (no characters given).
    ((), re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list markers
    ((), re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # rules
    (("|",), re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+\s*$", re.M), ""),  # table separators
    (("*", "_", "~~", "`"), re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (("|",), re.compile(r"\|"), " "),  # table cells
]


def plain_text(source: str) -> str:
    """The words of a Markdown document without its markup, one line per block."""
    if not source:
        return ""
    text = source
    for needs, pattern, replacement in _STRIP:
        if not needs or any(n in text for n in needs):
            text = pattern.sub(replacement, text)
    lines = (" ".join(line.split()) for line in unescape(text).splitlines())
    return "\n".join(line for line in lines if line)
