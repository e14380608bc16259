"""`kb search` from the index alone, when that gives the same answer as the full way.

SearchIndexService.search reads the outbox through SQLAlchemy and searches the index beside
an overlay of the changes it does not have yet. When the outbox is empty the overlay is empty,
and the index alone answers exactly the same: then a command need not load SQLAlchemy, the
models and the vocabulary, which is most of its start. The outbox is read with the standard
library's sqlite3, so this holds for SQLite databases; PostgreSQL, pending changes, an
unusable index or any doubt return None, and the caller goes the full way (which also starts
a repair and says why the search is unavailable).

An entry leaves the outbox only in the commit after its document is in the index
(SearchIndexService.catch_up), so an empty outbox means the index has every committed change.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from kb.search.language import in_language, with_note_in_language
from search_index.documents import QuerySyntaxError, SearchRequest, SearchResults
from search_index.engine import SearchEngine

__all__ = ["QuerySyntaxError", "SearchRequest", "nothing_pending", "search_index_only"]


def nothing_pending(database_url: str) -> bool:
    """Whether `database_url` is a SQLite file whose search outbox is empty; False whenever
    that cannot be told (another backend, URL options, no such file or table)."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or "?" in database_url:
        return False
    path = Path(database_url.removeprefix(prefix))
    if not path.is_file():
        return False
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as conn:
            row = conn.execute("SELECT EXISTS (SELECT 1 FROM search_outbox)").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == 0


def search_index_only(
    database_url: str, index_dir: Path, request: SearchRequest
) -> SearchResults | None:
    """The results of `request` from the index alone, or None when the full way must answer.
    Raises QuerySyntaxError for unusable input, as the full way does."""
    if not nothing_pending(database_url):
        return None
    engine = SearchEngine(index_dir)
    try:
        return with_note_in_language(engine.search(request))
    except QuerySyntaxError as exc:
        raise in_language(exc) from exc
    except Exception:  # missing, outdated or damaged index, …: the full way knows what to do
        return None
    finally:
        engine.close()
