"""The index schema: weighted German text fields, a low-weighted field of compound parts, facet
fields and sort columns. Bump SCHEMA_VERSION whenever analysis or fields change: the index is
then rebuilt from the database."""

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from search_index.analysis import german_analyzer, keyword_analyzer, parts_analyzer

SCHEMA_VERSION = 1

# Text fields searched by default, with their weights.
TEXT_FIELDS = {
    "title": 3.0,
    "aliases": 2.5,
    "people": 1.5,
    "places": 1.5,
    "instruments": 1.2,
    "body": 1.0,
    "context": 0.7,
    "parts": 0.4,
}
# Fields a snippet may come from, best first after the body.
SNIPPET_FIELDS = ("body", "aliases", "people", "instruments", "context", "places", "title")


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
        url=STORED(),
        title=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["title"], spelling=True),
        aliases=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["aliases"]),
        people=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["people"]),
        places=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["places"]),
        instruments=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["instruments"]),
        body=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["body"], spelling=True),
        context=TEXT(analyzer=text, stored=True, field_boost=TEXT_FIELDS["context"]),
        parts=TEXT(analyzer=parts_analyzer(), stored=False, field_boost=TEXT_FIELDS["parts"]),
        governance=facet(),
        scale=facet(),
        land=facet(),
        size_class=facet(),
        year=facet(),
        date=ID(stored=True, sortable=True),
        name=ID(stored=True, sortable=True),
    )
