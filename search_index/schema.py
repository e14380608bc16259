"""The index schema: weighted German text fields, a low-weighted field of compound parts, facet
fields and sort columns. Bump SCHEMA_VERSION whenever analysis or fields change: the index is
then rebuilt from the database."""

import struct
from collections.abc import Mapping

from whoosh.fields import ID, KEYWORD, STORED, TEXT, FieldType, Schema

from search_index.analysis import (
    details_analyzer,
    german_analyzer,
    keyword_analyzer,
    pairs_analyzer,
    parts_analyzer,
)
from search_index.whoosh_internals import TextBlockColumn

SCHEMA_VERSION = 11

# Text fields searched by default, with their weights. Few fields on purpose: every field
# multiplies the matchers Whoosh builds per query word (measured: 8 fields cost 1.6x of 5).
# Hence one field for every other text of a case, its `details`, rather than one per kind.
TEXT_FIELDS = {
    "title": 3.0,
    "aliases": 2.5,
    "names": 1.5,  # actors, carrier, speakers, places, instruments
    "body": 1.0,  # the text, then its context (talk and case names of a note)
    # One labelled line per further text: actors' roles, instrument, funding, award and alias
    # notes, what the sources support, speakers' roles ("Instrument: Label – note"; the
    # labels are not searched).
    "details": 0.8,
    "parts": 0.4,  # parts of compounds
}
# Fields a snippet may come from, best first (a details snippet shows its lines' labels).
SNIPPET_FIELDS = ("body", "aliases", "details", "names", "title")


class SortKey(ID):
    """A sort column only: never searched and not stored (sorting reads the column). A term per
    document costs about 150 bytes of term table and postings in a segment."""

    indexed = False

    def __init__(self) -> None:
        super().__init__(sortable=True)


class SnippetTexts(FieldType):
    """The texts snippets and similar() read (body, aliases, names, details as written; the
    title is stored, as every hit shows it) in a TextBlockColumn: compressed with their
    neighbours' texts, they take about half the bytes of stored fields, which compress each
    document alone. Only a page's hits are read. A value is the four texts' UTF-8 lengths
    (HEADER), then the texts."""

    FIELDS = ("body", "aliases", "names", "details")
    HEADER = struct.Struct("<4I")

    indexed = False
    stored = False
    format = None
    analyzer = None

    def __init__(self) -> None:
        self.column_type = TextBlockColumn()

    def to_column_value(self, value: Mapping[str, str]) -> bytes:
        texts = [value.get(f, "").encode() for f in self.FIELDS]
        return self.HEADER.pack(*map(len, texts)) + b"".join(texts)

    def from_column_value(self, value: bytes) -> dict[str, str]:
        if not value:
            return {}
        texts, at = {}, self.HEADER.size
        for name, size in zip(self.FIELDS, self.HEADER.unpack_from(value), strict=True):
            if size:
                texts[name] = value[at : at + size].decode()
            at += size
        return texts


def build_schema() -> Schema:
    text = german_analyzer()
    keyword = keyword_analyzer()

    # Stored facet values are read back only by similar() (governance, scale).
    def facet(stored: bool = False) -> KEYWORD:
        return KEYWORD(stored=stored, commas=True, scorable=False, analyzer=keyword)

    return Schema(
        id=ID(stored=True, unique=True),  # its term: updates and deletions find documents by it
        kind=facet(stored=True),
        # Shown with a hit, never searched: stored only (a term per document is not free).
        slug=STORED(),
        parent=STORED(),
        title=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["title"]),
        aliases=TEXT(analyzer=text, field_boost=TEXT_FIELDS["aliases"]),
        names=TEXT(analyzer=text, field_boost=TEXT_FIELDS["names"]),
        instruments=STORED(),
        body=TEXT(analyzer=text, field_boost=TEXT_FIELDS["body"]),
        details=TEXT(analyzer=details_analyzer(), field_boost=TEXT_FIELDS["details"]),
        texts=SnippetTexts(),  # the four fields above as written, for snippets
        # Parts carry no positions: a phrase is matched on the words as written.
        parts=TEXT(analyzer=parts_analyzer(), phrase=False, field_boost=TEXT_FIELDS["parts"]),
        # Neighbouring word pairs, for fast phrases; never searched by default.
        pairs=TEXT(analyzer=pairs_analyzer(), phrase=False),
        governance=facet(stored=True),
        scale=facet(stored=True),
        land=facet(),
        size_class=facet(),
        year=facet(),
        date=SortKey(),
        name=SortKey(),
    )
