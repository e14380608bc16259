"""Search for kb's callers: keeps the index in step with the database (outbox catch-up,
rebuilds) and answers requests with every committed change visible at once."""

import logging
import threading
from collections.abc import Callable, Iterator

from sqlalchemy import delete, select

from kb.indexing import all_documents, documents_for
from kb.unit_of_work import Change, UnitOfWork
from kb.vocabulary import Vocabulary
from models import SearchOutbox
from search_index.documents import (
    FACETS,
    KINDS,
    SORTS,
    IndexBusy,
    Overlay,
    QuerySyntaxError,
    SearchDocument,
    SearchHit,
    SearchRequest,
    SearchResults,
)
from search_index.engine import SearchEngine

log = logging.getLogger(__name__)

__all__ = [
    "FACETS",
    "KINDS",
    "SORTS",
    "BackgroundIndexer",
    "QuerySyntaxError",
    "SearchHit",
    "SearchIndexService",
    "SearchRequest",
    "SearchResults",
]

CATCH_UP_TIMEOUT = 0.5  # seconds a direct catch-up waits for the writer before leaving it
REBUILD_LOCK_TIMEOUT = 60.0


def _pending(uow: UnitOfWork) -> tuple[list[int], list[Change]]:
    rows = uow.session.execute(
        select(SearchOutbox.id, SearchOutbox.entity_type, SearchOutbox.entity_id).order_by(
            SearchOutbox.id
        )
    ).all()
    changes = list(dict.fromkeys((r.entity_type, r.entity_id) for r in rows))
    return [r.id for r in rows], changes


class SearchIndexService:
    """The search index of one kb runtime."""

    def __init__(self, engine: SearchEngine, vocabulary: Vocabulary) -> None:
        self.engine = engine
        self.vocabulary = vocabulary

    # --- keeping the index in step ----------------------------------------------------------

    def catch_up(self, uow: UnitOfWork, timeout: float = CATCH_UP_TIMEOUT) -> int:
        """Write every pending change into the index and clear it from the outbox. Returns the
        number of entities written; 0 when the writer stayed busy (they stay pending)."""
        store = self.engine.store
        if not store.is_current():
            self.rebuild(uow)
            return -1
        try:
            with store.writer(timeout) as batch:
                # Read the outbox and the rows while holding the writer: no other process can
                # then write an older state of the same entity after ours.
                row_ids, changes = _pending(uow)
                upserts, deletes = documents_for(uow, changes, self.vocabulary)
                batch.apply(upserts, deletes)
        except IndexBusy:
            uow.rollback()
            return 0
        if row_ids:
            uow.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
        uow.commit()
        return len(changes)

    def rebuild(self, uow: UnitOfWork) -> int:
        """Rebuild the whole index into a fresh folder and swap it in; searches go on meanwhile.

        The old index's writer is held throughout, so that changes made during the rebuild stay
        in the outbox and are written into the new index right after the swap.
        """
        store = self.engine.store
        vocabulary = self.vocabulary

        def part_documents(part: int, parts: int) -> Iterator[SearchDocument]:
            if parts == 1:
                yield from all_documents(uow, vocabulary)
                return
            # In a worker process forked by the store: on connections of its own.
            with uow.for_forked_process() as child:
                yield from all_documents(child, vocabulary, part, parts)

        with store.hold_writer(REBUILD_LOCK_TIMEOUT):
            uow.rollback()  # a fresh snapshot
            target, count = store.build(part_documents)
            store.publish(target)
        store.prune()
        uow.rollback()
        self.catch_up(uow)
        return count

    # --- searching --------------------------------------------------------------------------

    def overlay(self, uow: UnitOfWork) -> Overlay:
        """Committed changes the index does not have yet (the writer was busy or a process
        died): searched beside the index, so that a save is findable as soon as it returns."""
        _, changes = _pending(uow)
        if not changes:
            return Overlay()
        upserts, deletes = documents_for(uow, changes, self.vocabulary)
        return Overlay(tuple(upserts), frozenset([*deletes, *(d.id for d in upserts)]))

    def search(
        self, uow: UnitOfWork, request: SearchRequest, *, every_hit: bool = False
    ) -> SearchResults:
        """One page of results; with `every_hit`, all hits as one page in the request's order
        (its `page` and `per_page` ignored) and without snippets: the complete set, for
        downloads."""
        if not self.engine.store.is_current():
            self.rebuild(uow)
        overlay = self.overlay(uow)
        return self.engine.search(request, overlay, snippets=not every_hit, every_hit=every_hit)

    def similar_cases(self, slug: str, limit: int = 5) -> list[SearchHit]:
        if not self.engine.store.is_current():
            return []
        return self.engine.similar(f"case:{slug}", "case", limit)


class BackgroundIndexer:
    """Brings the index up to date after commits, in a thread of its own, so that a save
    returns as soon as the database has it: searches see the change at once through the
    overlay, and the index catches up behind them. Whatever a stopped process leaves in the
    outbox, the next one writes."""

    def __init__(self, service: SearchIndexService, make_uow: Callable[[], UnitOfWork]) -> None:
        self._service = service
        self._make_uow = make_uow
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def notify(self) -> None:
        with self._lock:
            self._idle.clear()
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="kb-search-indexer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(timeout=1.0)
            if not self._wake.is_set():
                continue
            self._wake.clear()
            try:
                self._drain()
            except Exception:
                log.exception("search index catch-up failed; the changes stay pending")
            if not self._wake.is_set():
                self._idle.set()

    def _drain(self) -> None:
        """Catch up until nothing is pending, waiting for a busy writer a while."""
        for _ in range(100):
            with self._make_uow() as uow:
                written = self._service.catch_up(uow, timeout=5.0)
                if written == 0 and not _pending(uow)[1]:
                    return
            if self._stopping:
                return

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every change notified so far is in the index (True) or time runs out."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 30.0) -> None:
        self.flush(timeout)
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
