"""`kb search` from the index alone, when that gives the same answer as the full way.

SearchIndexService.search reads the change log through SQLAlchemy and searches the index
beside an overlay of the entries past the position the index has applied. When there are none
the overlay is empty, and the index alone answers exactly the same: then a command need not
load SQLAlchemy, the models and the vocabulary, which is most of its start. The log is read
with the standard library's sqlite3, so this holds for SQLite databases; PostgreSQL, pending
changes, an index that missed pruned entries, an unusable index or any doubt return None, and
the caller goes the full way (which also starts a repair and says why the search is
unavailable).
"""

import sqlite3
from contextlib import closing
from pathlib import Path

from kb.search.language import in_language, with_note_in_language
from search_index.documents import QuerySyntaxError, SearchRequest, SearchResults
from search_index.engine import SearchEngine

__all__ = ["QuerySyntaxError", "SearchRequest", "nothing_pending", "search_index_only"]


def nothing_pending(database_url: str, applied: int | None = None) -> bool:
    """Whether `database_url` is a SQLite file whose change log holds nothing past `applied`
    and was not pruned past it (with `applied` None: whose log is empty); False whenever that
    cannot be told (another backend, URL options, no such file or table)."""
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or "?" in database_url:
        return False
    path = Path(database_url.removeprefix(prefix))
    if not path.is_file():
        return False
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=5.0)) as conn:
            if applied is None:
                row = conn.execute("SELECT EXISTS (SELECT 1 FROM search_outbox)").fetchone()
            else:
                row = conn.execute(
                    "SELECT EXISTS (SELECT 1 FROM search_outbox WHERE id > ?) OR COALESCE("
                    "(SELECT pruned_through FROM search_log_horizon LIMIT 1), 0) > ?",
                    (applied, applied),
                ).fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == 0


def search_index_only(
    database_url: str, index_dir: Path, request: SearchRequest
) -> SearchResults | None:
    """The results of `request` from the index alone, or None when the full way must answer.
    Raises QuerySyntaxError for unusable input, as the full way does."""
    if not database_url.startswith("sqlite:///"):
        return None  # before the index is opened: the full way will open it anyway
    engine = SearchEngine(index_dir)
    try:
        # The position first: the search then reads that commit or a newer one.
        if not nothing_pending(database_url, engine.store.applied_position()):
            return None
        return with_note_in_language(engine.search(request))
    except QuerySyntaxError as exc:
        raise in_language(exc) from exc
    except Exception:  # missing, outdated or damaged index, …: the full way knows what to do
        return None
    finally:
        engine.close()
