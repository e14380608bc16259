"""Markdown: plain text for the search index (and, later, sanitised HTML for pages)."""

import re
from html import unescape

# Markdown syntax that carries no words. Stripping it with expressions is about twenty times
# faster than rendering and parsing HTML, and indexing every note of a rebuild pays for it.
_STRIP = [
    (re.compile(r"^\s{0,3}(```|~~~).*$", re.M), ""),  # code fences
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links -> text
    (re.compile(r"\[([^\]]*)\]\[[^\]]*\]"), r"\1"),  # reference links -> text
    (re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", re.M), ""),  # link definitions
    (re.compile(r"<[^>\n]+>"), " "),  # HTML tags
    (re.compile(r"^\s{0,3}#{1,6}\s*|\s+#+\s*$", re.M), ""),  # heading marks
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M), ""),  # list markers
    (re.compile(r"^\s*(?:[-*_]\s*){3,}$", re.M), ""),  # rules
    (re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+\s*$", re.M), ""),  # table separators
    (re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # emphasis, code
    (re.compile(r"\|"), " "),  # table cells
]


def plain_text(source: str) -> str:
    """The words of a Markdown document without its markup, one line per block."""
    if not source:
        return ""
    text = source
    for pattern, replacement in _STRIP:
        text = pattern.sub(replacement, text)
    lines = (" ".join(line.split()) for line in unescape(text).splitlines())
    return "\n".join(line for line in lines if line)
