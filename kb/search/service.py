"""Search for kb's callers: keeps the index in step with the database (it follows the change
log from the position it has applied, kb.search.changelog; rebuilds) and answers requests with
every committed change visible at once (the overlay of the entries past that position)."""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select

from kb.catalogue.vocabulary import Vocabulary
from kb.errors import SearchUnavailable
from kb.i18n import DEFAULT, N_, current, translate
from kb.search import changelog
from kb.search.language import in_language, with_note_in_language
from kb.unit_of_work import Change, UnitOfWork
from kb.watermark import cached_from_index
from models import Case, Series, Talk
from search_index.analysis import add_catalogue_words, catalogue_words
from search_index.documents import (
    FACETS,
    KINDS,
    SORTS,
    IndexBusy,
    IndexUnavailable,
    Overlay,
    QuerySyntaxError,
    SearchDocument,
    SearchHit,
    SearchRequest,
    SearchResults,
    Synonym,
)
from search_index.engine import SearchEngine
from search_index.families import warm_up as warm_up  # for `kb serve`: the webapp asks kb
from search_index.store import BUILD_PROCESSES, DocumentSource, parts_for

log = logging.getLogger(__name__)
# kb.search.indexing (with the catalogue's ORM loading and pydantic schemas) is imported where a
# document is built: a search with nothing pending, as `kb search` mostly is, never needs it.

__all__ = [
    "FACETS",
    "KINDS",
    "SORTS",
    "BackgroundIndexer",
    "CatchUp",
    "CatchUpResult",
    "QuerySyntaxError",
    "SearchHit",
    "SearchIndexService",
    "SearchRequest",
    "SearchResults",
]

# The vocabularies whose values a query may name in the reader's language, by the facet that
# holds their codes in the index. Instruments have no facet: their German label is in `names`.
LABELLED_FACETS = {
    "governance_types": "governance",
    "scales": "scale",
    "lands": "land",
    "size_classes": "size_class",
}
CATCH_UP_TIMEOUT = 0.5  # seconds a direct catch-up waits for the writer before leaving it
REPAIR_RETRY = 60.0  # seconds before a failed background rebuild is tried again
UNAVAILABLE = N_(
    "Die Suche wird gerade neu aufgebaut. Bitte in einer Minute erneut versuchen; "
    "alle anderen Seiten sind erreichbar."
)


class CatchUp(Enum):
    """How a catch-up ended."""

    WRITTEN = "written"  # every change pending at its start is in the index (maybe none was)
    BUSY = "busy"  # another writer held the index past the timeout: the changes stay pending
    REBUILDING = "rebuilding"  # a rebuild runs; its own catch-up writes the pending changes
    UNUSABLE = "unusable"  # the index is outdated or damaged: a background repair was started


@dataclass(frozen=True)
class CatchUpResult:
    """What `SearchIndexService.catch_up` did: how it ended and how many entities it wrote into
    the index. Whatever was not written stays past the index's position in the log."""

    outcome: CatchUp
    written: int = 0

    @property
    def done(self) -> bool:
        """Whether the index now has every change that was pending."""
        return self.outcome is CatchUp.WRITTEN


CATCH_UP_BATCH = 2000  # log entries applied per index commit (a far behind index commits often)


class SearchIndexService:
    """The search index of one kb runtime. A missing, outdated or damaged index is rebuilt in
    the background (IndexRepair), never inside a request; meanwhile searches raise
    SearchUnavailable and everything else goes on."""

    def __init__(
        self,
        engine: SearchEngine,
        vocabulary: Vocabulary,
        make_uow: Callable[[], UnitOfWork],
        keep_days: float = 7.0,
    ) -> None:
        self.engine = engine
        self.keep_days = keep_days  # log entries older than this are pruned (changelog.prune)
        self.vocabulary = vocabulary
        self._make_uow = make_uow
        self.repair = IndexRepair(self, make_uow)
        self._words_learnt = False
        # Called when a search finds changes the index lacks (left by a process that stopped
        # before writing them, or by a busy writer): a long-running process wakes its
        # background indexer, so that they are written instead of searched beside the index
        # on every request until it saves something itself (Runtime.wake_on_pending).
        self.on_pending: Callable[[], None] | None = None
        self._synonyms: dict[str, tuple[Synonym, ...]] = {}

    def learn_words(self, uow: UnitOfWork) -> None:
        """Tell the analysis the catalogue's own words, so that they count as compound parts:
        every word of the titles of cases, talks and series and of the vocabularies' labels and
        definitions (instruments, actor kinds, …). Once per process before its first write, and
        again before every rebuild (which then splits every text with the newest words)."""
        terms = [t for by_code in self.vocabulary.terms.values() for t in by_code.values()]
        # German words for the German analysis, whatever the language of the request.
        texts = [t.label_in(DEFAULT) for t in terms] + [t.definition_in(DEFAULT) for t in terms]
        texts += uow.session.scalars(select(Case.name).where(Case.deleted_at.is_(None)))
        texts += uow.session.scalars(select(Talk.title).where(Talk.deleted_at.is_(None)))
        texts += uow.session.scalars(select(Series.title))
        add_catalogue_words(catalogue_words(texts))
        self._words_learnt = True

    # --- keeping the index in step ----------------------------------------------------------

    def applied(self) -> int | None:
        """The log position the index's newest commit has applied (None: the index records
        none or cannot be read; the latter also shows in a search)."""
        try:
            return self.engine.store.applied_position()
        except IndexUnavailable:
            return None

    def pending(self, uow: UnitOfWork) -> list[Change]:
        """The committed changes the index does not have yet (log entries past its position)."""
        return changelog.entries_after(uow, self.applied()).changes

    def catch_up(self, uow: UnitOfWork, timeout: float = CATCH_UP_TIMEOUT) -> CatchUpResult:
        """Write every log entry past the index's position into the index, in commits of at
        most CATCH_UP_BATCH entries, each recording the position it reached; then register
        that position and prune the log in the caller's unit of work: the caller commits (if
        it rolls back, the log keeps the entries, which is harmless). Never commits or rolls
        back `uow`. The result says whether the index now has every entry that was pending
        (CatchUp.WRITTEN, with the number of entities written) or why not: the writer stayed
        busy, a rebuild runs (its own catch-up writes them), or the index is unusable or has
        missed pruned entries (a background rebuild is started). Changes not written stay
        pending, and searches see them anyway (the overlay).

        `uow` must hold no uncommitted changes (ValueError): the index would otherwise get
        what its caller may still roll back."""
        from kb.search.indexing import documents_for

        if uow.changes:
            raise ValueError("catch_up needs a unit of work without uncommitted changes")
        store = self.engine.store
        if not self._words_learnt:
            self.learn_words(uow)
        written = 0
        position: int | None = None
        outcome = CatchUp.WRITTEN
        with store.index_lock() as free:
            if not free:
                return CatchUpResult(CatchUp.REBUILDING)
            if not store.is_current():
                self.repair.start()
                return CatchUpResult(CatchUp.UNUSABLE)
            try:
                while True:
                    with store.writer(timeout) as batch:
                        # Read the position, the log and the rows while holding the writer: no
                        # other process sharing the directory can then write an older state of
                        # the same entity after ours, nor apply the same entries.
                        position = batch.position
                        if changelog.lagging(uow, position):
                            batch.skip()
                            if self.repair.start(force=True):
                                log.warning(
                                    "search index at log position %s missed pruned changes: "
                                    "rebuilding it",
                                    position,
                                )
                            return CatchUpResult(CatchUp.UNUSABLE, written)
                        entries = changelog.entries_after(uow, position, CATCH_UP_BATCH)
                        if entries.last is not None:
                            upserts, deletes = documents_for(uow, entries.changes, self.vocabulary)
                            batch.apply(upserts, deletes)
                            batch.record_position(entries.last)
                            position = batch.position
                    written += len(entries.changes)
                    if entries.rows < CATCH_UP_BATCH:
                        break
            except IndexBusy:
                outcome = CatchUp.BUSY
            except Exception:
                if self.unusable():
                    return CatchUpResult(CatchUp.UNUSABLE, written)
                raise
        if position is not None:
            changelog.register(uow, store.replica_id(), position)
        changelog.prune(uow, self.keep_days)
        return CatchUpResult(outcome, written)

    def rebuild(
        self,
        uow: UnitOfWork,
        processes: int = BUILD_PROCESSES,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Rebuild the whole index into a fresh folder and swap it in; searches go on meanwhile.
        One rebuild at a time per index directory, across processes: a second one waits.
        Returns the number of documents; `progress(done, total)` is called as they are written.

        Only for `kb reindex`, `kb init` and the background repair (IndexRepair), never in a
        request: it takes seconds to minutes. It reads the catalogue through `uow`, which must
        not have read anything yet (its snapshot then begins after the rebuild lock is taken,
        after every save that wrote into the old index); it never commits or rolls it back.

        Saves cannot write into the old index while the rebuild lock is held, so a change
        committed during the rebuild stays past the position the rebuild recorded and is
        written into the new index right after the swap, in a unit of work of the service's
        own. The position is the log's newest entry, read before any document: every change
        up to it is in the documents read later (a change after it may be too, and is written
        again, which is harmless). Before that, the index registers itself at the horizon, in
        a transaction of its own, so that no entry it needs is pruned while it builds.

        The documents are written in parts of bounded size (store.parts_for), by `processes` worker
        processes at a time, each reading its share of the database on connections of its own; they
        are started by a fork server, never forked from this process, so a process with threads may
        use them too. processes=1: the parts one after the other in this process."""
        from kb.search.indexing import CatalogueDocuments, all_documents, count_documents

        store = self.engine.store
        vocabulary = self.vocabulary

        with store.rebuild_lock():
            with self._make_uow() as own:
                changelog.register(own, store.replica_id(), changelog.horizon(own))
                own.commit()
            position = changelog.newest(uow) or changelog.horizon(uow)
            self.learn_words(uow)  # before the workers start: the store hands them the words
            # The parts' shares as this snapshot sees the tables (after the lock: see above).
            documents = CatalogueDocuments.of(uow, vocabulary)

            def in_process(part: int, parts: int) -> Iterator[SearchDocument]:
                return all_documents(uow, vocabulary, part, parts, documents.shares)

            source: DocumentSource = in_process if processes == 1 else documents
            total = count_documents(uow)
            step = None
            if progress is not None:
                report = progress

                def step(done: int) -> None:
                    report(done, total)

            parts = parts_for(total, processes)
            target, count = store.build(source, parts, step, processes=processes, position=position)
            store.publish(target)
            store.prune()
        with self._make_uow() as own:  # changes committed meanwhile: a fresh snapshot
            self.catch_up(own)
            own.commit()
        return count

    def state(self, repair: bool = True) -> str:
        """The index for /healthz: "ok", "rebuilding" or "damaged". An unusable index that
        nobody rebuilds starts a repair (with `repair`: not while the database is away); it is
        "damaged" while the last repair failed."""
        if self.repair.running() or self.engine.store.rebuilding():
            return "rebuilding"
        if self.engine.store.check() == "ok":
            return "ok"
        return "rebuilding" if repair and self.repair.start() else "damaged"

    def unusable(self) -> bool:
        """After an unexpected error from the index: whether its files are unusable (then a
        repair is started and this thread's searchers are dropped)."""
        self.engine.store.drop_searchers()
        if self.engine.store.check() == "ok":
            return False
        log.warning("search index unusable, rebuilding it from the database")
        self.repair.start()
        return True

    # --- searching --------------------------------------------------------------------------

    def overlay(self, uow: UnitOfWork) -> Overlay:
        """The changes the index does not have yet, searched beside it, so that a save is
        findable as soon as it returns, in every process: the log entries past the position
        of the index's newest commit (saved by another process, or left by a busy writer or a
        process that died) and the caller's own uncommitted changes. The position is read
        before the search opens its searcher, which then reads that commit or a newer one.
        Empty while the index cannot be read (the search then says so)."""
        try:
            applied = self.engine.store.applied_position()
        except IndexUnavailable:
            return Overlay()
        logged = changelog.entries_after(uow, applied).changes
        changes = list(dict.fromkeys([*logged, *changelog.own_changes(uow)]))
        if not changes:
            return Overlay()
        if self.on_pending is not None:
            self.on_pending()
        from kb.search.indexing import documents_for

        upserts, deletes = documents_for(uow, changes, self.vocabulary)
        return Overlay(tuple(upserts), frozenset([*deletes, *(d.id for d in upserts)]))

    def synonyms(self, lang: str) -> tuple[Synonym, ...]:
        """What a query in `lang` may call the vocabularies' values besides their German words:
        each label in `lang` (and each part of one with "/": "Project / neighbourhood") stands
        for its facet code, or an instrument's for its German label. None for German, whose
        words the index holds: the index stays German, only queries are read in `lang`."""
        if lang == DEFAULT:
            return ()
        found = self._synonyms.get(lang)
        if found is None:
            terms = self.vocabulary.terms
            pairs = [
                (term.labels.get(lang, ""), f"{facet}:{term.code}")
                for name, facet in LABELLED_FACETS.items()
                for term in terms[name].values()
            ]
            pairs += [
                (
                    term.labels.get(lang, ""),
                    'names:"{}"'.format(term.label_in(DEFAULT).replace('"', " ")),
                )
                for term in terms["instruments"].values()
            ]
            found = self._synonyms[lang] = tuple(
                Synonym(part.strip(), query)
                for label, query in pairs
                for part in label.split("/")
                if part.strip()
            )
        return found

    def search(
        self,
        uow: UnitOfWork,
        request: SearchRequest,
        *,
        every_hit: bool = False,
        lang: str | None = None,
    ) -> SearchResults:
        """One page of results; with `every_hit`, all hits as one page in the request's order
        (its `page` and `per_page` ignored) and without snippets: the complete set, for
        downloads. The query is read in `lang` (kb's current language if None): its words
        for vocabulary values find them too (`synonyms`). Raises SearchUnavailable while the
        index is rebuilt."""
        overlay = self.overlay(uow)
        synonyms = self.synonyms(lang or current())
        try:
            results = self.engine.search(
                request,
                overlay,
                snippets=not every_hit,
                every_hit=every_hit,
                synonyms=synonyms,
            )
        except IndexUnavailable as exc:
            self.repair.start()
            raise SearchUnavailable(translate(UNAVAILABLE)) from exc
        except QuerySyntaxError as exc:
            raise in_language(exc) from exc
        except Exception as exc:
            if self.unusable():
                raise SearchUnavailable(translate(UNAVAILABLE)) from exc
            raise
        return with_note_in_language(results)

    def similar_cases(
        self, slug: str, limit: int = 5, *, uow: UnitOfWork | None = None
    ) -> list[SearchHit]:
        """Cases like this one; none while the index is unusable (the page shows without).
        With `uow`, the answer is kept until the catalogue changes (kb.watermark): finding
        them costs the index more than the rest of a case page."""
        if uow is None:
            return list(self._similar(slug, limit) or ())
        key = ("similar_cases", slug, limit)
        applied = self.applied()
        found = cached_from_index(uow, key, lambda: self._similar(slug, limit), applied)
        return list(found or ())

    def _similar(self, slug: str, limit: int) -> tuple[SearchHit, ...] | None:
        """The index's answer, or None when it could not give one."""
        try:
            return tuple(self.engine.similar(f"case:{slug}", "case", limit))
        except IndexUnavailable:
            self.repair.start()
            return None
        except Exception:
            if self.unusable():
                return None
            raise


class IndexRepair:
    """Rebuilds an unusable index in a thread of this process, without worker processes
    (processes=1: a serving process keeps its other cores for requests). Across processes only one
    rebuild runs per index directory: the others wait for it and then find the index whole."""

    def __init__(self, service: SearchIndexService, make_uow: Callable[[], UnitOfWork]) -> None:
        self._service = service
        self._make_uow = make_uow
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._failed_at: float | None = None
        self._force = False

    def start(self, force: bool = False) -> bool:
        """Start a repair unless one runs; False while the last one failed recently. With
        `force`, the index is rebuilt even when its files are whole (it missed changes)."""
        with self._lock:
            self._force = self._force or force
            if self._thread is not None and self._thread.is_alive():
                return True
            if self._failed_at is not None and time.monotonic() - self._failed_at < REPAIR_RETRY:
                return False
            self._thread = threading.Thread(target=self._run, name="kb-index-repair", daemon=True)
            self._thread.start()
            return True

    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def wait(self, timeout: float = 600.0) -> bool:
        """Wait for a running repair to end; True when none runs (any more)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running()

    def _run(self) -> None:
        store = self._service.engine.store
        try:
            # Waits while another process rebuilds; afterwards the index may be whole.
            with store.rebuild_lock():
                state = store.check()
            force, self._force = self._force, False
            if state == "ok" and not force:
                self._failed_at = None
                return
            if force:  # it missed changes: maybe a copy of another directory, under its id
                store.renew_replica_id()
            log.warning("search index %s: rebuilding it from the database", state)
            with self._make_uow() as uow:
                count = self._service.rebuild(uow, processes=1)
            log.warning("search index rebuilt: %d documents", count)
            self._failed_at = None
        except Exception:
            self._failed_at = time.monotonic()
            log.exception("rebuilding the search index failed; trying again later")


class BackgroundIndexer:
    """Brings the index up to date after commits (this process's, or another's that the log
    follower noticed), in a thread of its own, so that a save returns as soon as the database
    has it: searches see the change at once through the overlay, and the index catches up
    behind them. Whatever a stopped process leaves in the log, the next one writes."""

    def __init__(self, service: SearchIndexService, make_uow: Callable[[], UnitOfWork]) -> None:
        self._service = service
        self._make_uow = make_uow
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.busy = 0  # catch-ups that found the writer busy, for the log and tests

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
        """Catch up until nothing is pending, waiting for a busy writer a while. Another
        process holding the writer is expected contention, not an error: it is counted and
        logged at debug level; during a rebuild the rebuild's own catch-up writes the rest."""
        for _ in range(100):
            with self._make_uow() as uow:
                result = self._service.catch_up(uow, timeout=5.0)
                uow.commit()  # registers the position, prunes what every index has
                if result.written == 0 and not self._service.pending(uow):
                    return
            if not result.done:
                self.busy += 1
                log.debug(
                    "search index catch-up: %s (%d times); changes stay pending",
                    result.outcome.value,
                    self.busy,
                )
                store = self._service.engine.store
                if self._service.repair.running() or store.rebuilding():
                    return
                time.sleep(0.1)
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
