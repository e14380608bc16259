"""Markdown: plain text for the search index (and, later, sanitised HTML for pages)."""

from html.parser import HTMLParser

import markdown

_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "br"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")


def plain_text(source: str) -> str:
    """The text of a Markdown document without markup (what a reader sees, for indexing)."""
    if not source:
        return ""
    extractor = _TextExtractor()
    extractor.feed(markdown.markdown(source))
    extractor.close()
    lines = (" ".join(line.split()) for line in "".join(extractor.parts).splitlines())
    return "\n".join(line for line in lines if line)
