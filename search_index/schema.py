"""The index schema: weighted German text fields, a low-weighted field of compound parts, facet
fields and sort columns. Bump SCHEMA_VERSION whenever analysis or fields change: the index is
then rebuilt from the database."""

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from search_index.analysis import (
    details_analyzer,
    german_analyzer,
    keyword_analyzer,
    pairs_analyzer,
    parts_analyzer,
)

SCHEMA_VERSION = 10

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


def build_schema() -> Schema:
    text = german_analyzer()
    keyword = keyword_analyzer()

    def facet() -> KEYWORD:
        return KEYWORD(stored=True, commas=True, scorable=False, analyzer=keyword)

    return Schema(
        id=ID(stored=True, unique=True),
        kind=facet(),
        slug=ID(stored=True),
        parent=ID(stored=True),
        title=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["title"]),
        aliases=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["aliases"]),
        names=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["names"]),
        instruments=STORED(),
        body=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["body"]),
        details=TEXT(analyzer=details_analyzer(), stored=True, field_boost=TEXT_FIELDS["details"]),
        # Parts carry no positions: a phrase is matched on the words as written.
        parts=TEXT(analyzer=parts_analyzer(), phrase=False, field_boost=TEXT_FIELDS["parts"]),
        # Neighbouring word pairs, for fast phrases; never searched by default.
        pairs=TEXT(analyzer=pairs_analyzer(), phrase=False),
        governance=facet(),
        scale=facet(),
        land=facet(),
        size_class=facet(),
        year=facet(),
        date=ID(stored=True, sortable=True),
        name=ID(stored=True, sortable=True),
    )
