"""Plain data in and out of the index: documents to index, search requests, hits and results."""

from collections.abc import Callable
from dataclasses import dataclass, field

KINDS = ("case", "talk", "note")
FACETS = ("kind", "governance", "scale", "land", "size_class", "year")
SORTS = ("relevance", "date", "name")


@dataclass(frozen=True)
class SearchDocument:
    """One searchable item. `id` is "<kind>:<slug>"; a note's `parent` is its talk's slug."""

    kind: str
    slug: str
    title: str
    body: str = ""
    aliases: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    instruments: tuple[str, ...] = ()
    context: str = ""
    # Further texts, one line each as "Label: text" ("Akteur: Stadt Halle – beauftragt den
    # Träger"); the label is shown in snippets, not searched. Line breaks inside a text are
    # folded into spaces.
    details: tuple[str, ...] = ()
    parent: str = ""
    date: str = ""  # ISO date (or year) for sorting; "" when unknown
    governance: tuple[str, ...] = ()
    scale: tuple[str, ...] = ()
    land: tuple[str, ...] = ()
    size_class: tuple[str, ...] = ()
    year: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.slug}"


@dataclass(frozen=True)
class SearchRequest:
    query: str
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # facet -> values (OR)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    exact: bool = False  # the words as typed only: no corrections, word forms or fallback


@dataclass(frozen=True)
class Synonym:
    """Words of the reader's language that the index holds under another name (an English
    vocabulary label for a facet code or a German label): where `phrase` stands in a query as
    whole words (in any case, a hyphen or spaces between its words alike), `query`, written in
    the query language ("governance:bottom-up"), is matched as well."""

    phrase: str
    query: str


@dataclass(frozen=True)
class SearchHit:
    kind: str
    slug: str  # for a note: the talk's slug (the note lives on the talk's page)
    title: str
    score: float
    snippet: str  # HTML: escaped text, matches in <mark>
    id: str = ""
    anchor: str = ""  # for a note: its own slug, its place on the talk's page
    missing: tuple[str, ...] = ()  # words of the query this hit lacks (fallback hits only)


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
    # A note for the user, e.g. that the query was shortened (a search_index.messages.Message).
    message: str | None = None
    corrected_from: str | None = None  # the query as typed, when `query` is its correction
    exact_total: int = 0  # hits with every word as typed
    partial: bool = False  # some hits match only some of the words (see `missing`)

    def to_json(self, hit_url: Callable[[SearchHit], str] | None = None) -> dict[str, object]:
        """The results as JSON data. With `hit_url` (the web app's, which knows the routes) each
        hit has its page's `url`; without (the command line), its `id` instead."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [
                {
                    "kind": h.kind,
                    "slug": h.slug,
                    "title": h.title,
                    **({"url": hit_url(h)} if hit_url else {"id": h.id}),
                    "score": round(h.score, 4),
                    "snippet": h.snippet,
                    "missing": list(h.missing),
                }
                for h in self.hits
            ],
            "facets": self.facets,
            "suggestion": self.suggestion,
            "corrected_from": self.corrected_from,
            "exact_total": self.exact_total,
            "partial": self.partial,
        }


class IndexBusy(RuntimeError):
    """Another process holds the index writer; try again later (the change stays pending)."""


class IndexUnavailable(RuntimeError):
    """The index cannot be searched: it is missing, of an older schema, or damaged (`state`
    says which); it has to be rebuilt from the database."""

    def __init__(self, state: str, detail: str) -> None:
        super().__init__(f"search index {state}: {detail}")
        self.state = state  # "missing", "outdated" or "damaged"


class QuerySyntaxError(ValueError):
    """The query cannot be understood; the message says why, in German (its first argument, a
    search_index.messages.Message, can be said in another language)."""


@dataclass(frozen=True)
class Overlay:
    """Changes committed to the database but not yet in the index (the writer was busy): the
    current documents to search besides the index, and the ids whose indexed copy is stale
    (changed or deleted). It makes every saved change searchable at once."""

    docs: tuple[SearchDocument, ...] = ()
    stale: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.docs or self.stale)
