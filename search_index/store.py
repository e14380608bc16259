"""The index on disk: generations in folders, a `current` symlink swapped atomically after a
rebuild, the single-writer lock with a timeout, and per-thread searchers that follow commits and
swaps. Searching never waits for the writer.

Each generation holds two Whoosh indexes: the documents, and `words`, the readable words of all
texts for "Meinten Sie …?" (one small document per batch instead of a spelling posting per word
and document, which cost a third of the rebuild time).

A rebuild writes the documents in parts of bounded size (parts_for), each part a segment
written by a worker process, at most one per usable core at a time (BUILD_PROCESSES), started
with the "forkserver" method, never by forking the caller, which may run threads (waitress, the
background indexer); each worker reads its share of the documents itself and writes its
segment (search_index.bulk), so the parent only waits and then commits the segment list.

Each commit records the change-log position its documents include (whoosh_internals.
set_log_position: in the same table of contents as the documents, so a crash can never leave
documents without their position or a position without its documents); a searcher tells the
position of the commit it reads (applied_position). An index directory has a replica id
(replica_id), under which it registers its position with the database.
"""

import fcntl
import gc
import multiprocessing
import os
import queue
import shutil
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from whoosh import index as whoosh_index
from whoosh.fields import KEYWORD, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError, Index, IndexVersionError, LockError
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from search_index import integrity, whoosh_internals
from search_index.analysis import (
    PAIR_BREAK,
    add_catalogue_words,
    detail_line,
    known_catalogue_words,
    spelling_words,
)
from search_index.bulk import SegmentBuilder
from search_index.documents import IndexBusy, IndexUnavailable, SearchDocument
from search_index.pairs import merge_keeping_arrays, merge_when_many, unmerged
from search_index.schema import SCHEMA_VERSION, build_schema
from search_index.whoosh_internals import commit_segments

CURRENT = "current"
REBUILD_LOCK = "rebuild.lock"
VERSION_FILE = "SCHEMA_VERSION"
WORDS = "words"
REPLICA_FILE = "replica-id"  # the index directory's id, under which it registers its position
# How rebuild workers start: a fork of the caller would copy its threads' locks mid-use.
WORKER_START_METHOD: Final = "forkserver"
# Part `part` of `parts` of every document (each document in exactly one part), for a rebuild.
# With more than one part it is called in worker processes, so it must be picklable (a module
# level function, or an instance of a module level class) and open its own connections.
DocumentSource = Callable[[int, int], Iterable[SearchDocument]]
# Called with the number of documents written so far, every PROGRESS_EVERY documents or so.
BuildProgress = Callable[[int], None]
PROGRESS_EVERY = 500


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity on this system
        return os.cpu_count() or 1


BUILD_PROCESSES = usable_cores()  # a rebuild's worker processes at a time
# A rebuild's part (one segment) of at most this many documents: its worker holds the part's
# postings in memory (about 11 KB a document, 0.7 GB for a full part; 1.1 million documents in
# two parts did not fit in 24 GiB), and its pair arrays keep documents in 16 bits.
PART_DOCUMENTS = 65_536


def parts_for(documents: int, processes: int = BUILD_PROCESSES) -> int:
    """How many parts a rebuild of `documents` writes: one per process, more when a part would
    hold more than PART_DOCUMENTS, and then a multiple of the processes, so that the last
    round keeps every process busy (the source splits by row id: parts come out about
    equal)."""
    processes = max(processes, 1)
    rounds = -(-documents // (PART_DOCUMENTS * processes))
    return processes * max(rounds, 1)


@dataclass(frozen=True)
class DocumentList:
    """A DocumentSource of documents in memory (picklable): part `part` of `parts` is every
    parts-th document from the part-th."""

    docs: tuple[SearchDocument, ...]

    def __call__(self, part: int, parts: int) -> Iterator[SearchDocument]:
        return (d for i, d in enumerate(self.docs) if i % parts == part)


def detail_lines(doc: SearchDocument) -> tuple[str, ...]:
    """The document's details, one line each (a text's own line breaks folded into spaces)."""
    return tuple(line for d in doc.details if (line := " ".join(d.split())))


def text_pieces(doc: SearchDocument) -> dict[str, tuple[str, ...]]:
    """The texts of a document's text fields as they are indexed; a field's value is its
    pieces, one per line (details without their labels)."""
    return {
        "title": (doc.title,),
        "aliases": doc.aliases,
        "names": (*doc.people, *doc.places, *doc.instruments),
        "body": (doc.body, doc.context) if doc.context else (doc.body,),
        "details": tuple(detail_line(line)[1] for line in detail_lines(doc)),
    }


def to_fields(
    doc: SearchDocument, pieces: dict[str, tuple[str, ...]] | None = None
) -> dict[str, Any]:
    """A document as Whoosh fields."""
    pieces = pieces or text_pieces(doc)
    names = "\n".join(pieces["names"])
    body = "\n".join(pieces["body"])
    details = "\n".join(pieces["details"])  # without labels: for parts and pairs
    texts = [t for t in (doc.title, *doc.aliases, names, body, details) if t]
    # What snippets show, as written: the `texts` column (details with their labels, which
    # the details analyzer drops when indexing).
    shown = {
        "aliases": "\n".join(doc.aliases),
        "names": names,
        "body": body,
        "details": "\n".join(detail_lines(doc)),
    }
    return {
        "id": doc.id,
        "kind": doc.kind,
        "slug": doc.slug,
        "parent": doc.parent,
        "title": doc.title,
        **shown,
        "texts": shown,
        "instruments": "\n".join(doc.instruments),
        "parts": "\n".join(texts),
        "pairs": PAIR_BREAK.join(texts),
        "governance": ",".join(doc.governance),
        "scale": ",".join(doc.scale),
        "land": ",".join(doc.land),
        "size_class": ",".join(doc.size_class),
        "year": ",".join(doc.year),
        "date": doc.date,
        "name": doc.title.casefold(),
    }


def _words_of(doc: SearchDocument) -> set[str]:
    details = [detail_line(line)[1] for line in detail_lines(doc)]
    return spelling_words(" ".join([doc.title, *doc.aliases, doc.body, *details]))


def open_index(folder: str) -> Index:
    """The index in `folder`, its files read rather than memory-mapped (see _Reading.open)."""
    return FileStorage(folder, supports_mmap=False).open_index()


def _words_schema() -> Schema:
    return Schema(word=KEYWORD(lowercase=False))


class Batch:
    """Changes to write in one commit: documents replaced by id (every copy: Whoosh's
    update_document removes only one) and ids deleted."""

    def __init__(self, writer: IndexWriter) -> None:
        self.writer = writer
        self.words: set[str] = set()
        self.empty = True  # nothing applied and no position recorded: nothing to commit
        self.skipped = False

    def skip(self) -> None:
        """Leave without committing anything (the writer is cancelled)."""
        self.skipped = True

    @property
    def position(self) -> int | None:
        """The change-log position of the commit this batch builds on (None: never recorded,
        an index written before positions were kept)."""
        return whoosh_internals.log_position(self.writer.schema)

    def record_position(self, position: int) -> None:
        """Record the position this batch's commit includes (never lower than it was)."""
        before = self.position
        if before is None or position > before:
            whoosh_internals.set_log_position(self.writer, position)
            self.empty = False

    def apply(self, upserts: Iterable[SearchDocument], deletes: Iterable[str]) -> None:
        self.empty = False
        for doc_id in deletes:
            self.writer.delete_by_term("id", doc_id)
        for doc in upserts:
            self.writer.delete_by_term("id", doc.id)
            self.writer.add_document(**to_fields(doc))
            self.words |= _words_of(doc)


class IndexStore:
    def __init__(self, root: Path) -> None:
        whoosh_internals.install()
        self.root = root
        self._local = threading.local()
        self._checked: set[Path] = set()

    # --- locations --------------------------------------------------------------------------

    @property
    def link(self) -> Path:
        return self.root / CURRENT

    def current_dir(self) -> Path | None:
        """The generation folder the `current` link points at (cheap: no index files read)."""
        for _ in range(5):
            try:
                target = self.link.resolve(strict=True)
            except (FileNotFoundError, RuntimeError):
                if self.link.is_symlink():
                    continue  # swapped and pruned while we looked: resolve the link again
                return None
            return target if target.is_dir() else None
        return None

    def is_current(self) -> bool:
        """Whether a complete index exists and was built with this code's schema (remembered
        per generation, so that asking before every search costs two system calls)."""
        target = self.current_dir()
        if target is None:
            return False
        if target in self._checked:
            return True
        version = target / VERSION_FILE
        ok = (
            version.exists()
            and version.read_text().strip() == str(SCHEMA_VERSION)
            and whoosh_index.exists_in(str(target))
            and whoosh_index.exists_in(str(target / WORDS))
        )
        if ok:
            self._checked.add(target)
        return ok

    def _new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.time_ns()}"
        path.mkdir()
        whoosh_index.create_in(str(path), build_schema())
        (path / WORDS).mkdir()
        whoosh_index.create_in(str(path / WORDS), _words_schema())
        return path

    def _swap(self, target: Path) -> None:
        """Point `current` at `target` atomically (rename of a fresh symlink over the old one)."""
        tmp = self.root / f".{CURRENT}.{os.getpid()}.{time.time_ns()}"
        tmp.symlink_to(target.name)
        os.replace(tmp, self.link)

    def prune(self, keep_previous: int = 1) -> None:
        """Remove old generations, holding the rebuild lock (so that no folder still being
        built is among them). The newest previous ones stay, because a search that began
        before the swap may still open their files; every new search opens the current one."""
        current = self.current_dir()
        older = sorted(
            (p for p in self.root.glob("gen-*") if p.resolve() != current),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for path in older[keep_previous:]:
            shutil.rmtree(path, ignore_errors=True)

    def replica_id(self) -> str:
        """This index directory's id (made on first use): processes sharing the directory
        share it, and so does a copy (which is detected when pruning passes its position: it
        then rebuilds and takes an id of its own, renew_replica_id)."""
        path = self.root / REPLICA_FILE
        try:
            found = path.read_text().strip()
        except FileNotFoundError:
            found = ""
        if found:
            return found
        self.root.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two processes starting at once must not use two ids
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            time.sleep(0.01)  # the other process is writing it
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(uuid.uuid4().hex + "\n")
        return path.read_text().strip()

    def renew_replica_id(self) -> str:
        """Give the directory a new id (after a rebuild because it had missed changes: it may
        be a copy of another index directory, registered under the same id)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{REPLICA_FILE}.{os.getpid()}.{time.time_ns()}"
        new = uuid.uuid4().hex
        tmp.write_text(new + "\n")
        os.replace(tmp, self.root / REPLICA_FILE)
        return new

    def applied_position(self) -> int | None:
        """The change-log position of the newest commit of the current generation, as this
        thread's searcher reads it (None: never recorded). Raises IndexUnavailable."""
        return whoosh_internals.log_position(self.searcher().schema)

    def create_empty(self) -> None:
        with self.rebuild_lock():
            target = self._new_generation()
            (target / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
            self._swap(target)
            self.prune()

    def open(self) -> Index:
        target = self.current_dir()
        if target is None:
            raise FileNotFoundError(f"no search index in {self.root}")
        return open_index(str(target))

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float) -> Iterator[Batch]:
        """A batch on the current generation; raises IndexBusy after `timeout` seconds.

        After a swap, a writer of the old generation is useless: it is cancelled and the new
        generation is tried, so that nothing is written where no search will look.
        """
        deadline = time.monotonic() + timeout
        misses = 0
        while True:
            target = self.current_dir()
            if target is None:
                raise FileNotFoundError(f"no search index in {self.root}")
            remaining = max(0.0, deadline - time.monotonic())
            try:
                w = open_index(str(target)).writer(timeout=remaining, delay=0.05)
            except LockError as exc:
                raise IndexBusy(str(target)) from exc
            except FileNotFoundError:
                # The index is opened before its lock is taken: another process's commit can
                # remove the table of contents just listed. Read the newest one again (as
                # searchers do, _cached); a file that stays missing is damage.
                misses += 1
                if misses >= 10:
                    raise
                time.sleep(0.01)
                continue
            if self.current_dir() == target:
                break
            w.cancel()
        batch = Batch(w)
        try:
            yield batch
            # A commit of nothing would only make every searcher reopen.
            if batch.skipped or batch.empty:
                w.cancel()
                return
            # Before the documents' commit releases their lock, so that the words index has a
            # single writer too (words without their documents only cost a suggestion).
            if batch.words:
                try:
                    words = open_index(str(target / WORDS)).writer(timeout=5.0, delay=0.05)
                except LockError as exc:
                    raise IndexBusy(str(target / WORDS)) from exc
                words.add_document(word=" ".join(sorted(batch.words)))
                words.commit(mergetype=merge_when_many)
        except BaseException:
            w.cancel()
            raise
        w.commit(mergetype=merge_when_many)

    def merge(self, timeout: float = 0.0) -> bool:
        """Join the small segments that commits left unmerged (pairs.merge_when_many), of the
        documents and of the words, at a moment nothing waits to be written; False when there
        was nothing to join or another writer held the index (it is tried again later)."""
        target = self.current_dir()
        if target is None:
            return False
        merged = False
        for folder in (target, target / WORDS):
            try:
                w = open_index(str(folder)).writer(timeout=timeout, delay=0.05)
            except (LockError, FileNotFoundError, EmptyIndexError):
                continue
            if self.current_dir() != target or unmerged(w.storage, w.segments) < 2:
                w.cancel()
                continue
            # The policy adds the segments it joins to the writer and returns those it keeps;
            # when it joins none, a commit would change nothing but make searchers reopen.
            kept = merge_keeping_arrays(w, w.segments)
            if len(kept) == len(w.segments):
                w.cancel()
                continue
            w.commit(mergetype=lambda _writer, _segments, kept=kept: kept)
            merged = True
        return merged

    def build(
        self,
        source: DocumentSource,
        parts: int = BUILD_PROCESSES,
        progress: BuildProgress | None = None,
        processes: int | None = None,
        position: int | None = None,
    ) -> tuple[Path, int]:
        """Write every document into a fresh generation (not yet current); returns it and the
        number of documents; its commit records `position` (the change-log position the
        source's documents include) when given.

        Each part of the source is read and written as a segment of its own by a worker process, at
        most `processes` at a time (default: one per part up to BUILD_PROCESSES; parts_for() says
        how many parts keep each one bounded). With processes=1 the parts are written one after the
        other in this process; else the source must be picklable (see DocumentSource). `progress` is
        called in this process with the number of documents written so far by all parts."""
        target = self._new_generation()
        workers = min(parts, processes or BUILD_PROCESSES)
        try:
            built = _build_parts(str(target), source, parts, workers, progress)
        except BaseException:
            shutil.rmtree(target, ignore_errors=True)
            raise
        ix = open_index(str(target))
        writer = ix.writer()
        if position is not None:
            whoosh_internals.set_log_position(writer, position)
        # The parent's own segment stays empty.
        commit_segments(writer, [b.segment for b in built if b.count])
        words: set[str] = set().union(*(b.words for b in built))
        ww = open_index(str(target / WORDS)).writer()
        ordered = sorted(words)
        for i in range(0, len(ordered), 5000):
            ww.add_document(word=" ".join(ordered[i : i + 5000]))
        ww.commit()
        (target / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        return target, sum(b.count for b in built)

    def publish(self, target: Path) -> None:
        """Make a built generation current (call prune() once the old one is let go)."""
        self._swap(target)

    # --- reading ----------------------------------------------------------------------------

    def searcher(self) -> Searcher:
        return self.searcher_and_folder()[1]

    def searcher_and_folder(self) -> tuple[Path, Searcher]:
        """This thread's searcher of the newest commit of the current generation, and that
        generation's folder. Raises IndexUnavailable when there is no index, or it is of an
        older schema, or its files are damaged."""
        return self._cached("searcher", "")

    def words_searcher(self) -> Searcher:
        return self._cached("words", WORDS)[1]

    def _cached(self, name: str, sub: str) -> tuple[Path, Searcher]:
        """A fresh searcher whenever the index has a new commit. Whoosh's own refresh() keeps
        the old reader's segments that the new commit no longer lists (merged away), so their
        documents would be counted twice; a fresh reader opens only what the commit lists."""
        for _ in range(10):
            target = self.current_dir()
            if target is None:
                self.drop_searchers()
                raise IndexUnavailable("missing", f"no search index in {self.root}")
            if not self.is_current():
                self.drop_searchers()
                raise IndexUnavailable("outdated", f"{target} is of another schema")
            cached: _Reading | None = getattr(self._local, name, None)
            try:
                if cached is not None and cached.folder == target and cached.is_latest():
                    return target, cached.searcher
                reading = _Reading.open(target, sub)
            except FileNotFoundError:
                # Merged away or pruned by another process since the list was read: the
                # newest commit lists only files that exist (a lost file shows up again below).
                time.sleep(0.01)
                continue
            except IndexUnavailable:
                self.drop_searchers()
                raise
            if cached is not None:
                cached.close()
            setattr(self._local, name, reading)
            return target, reading.searcher
        self.drop_searchers()
        raise IndexUnavailable("damaged", f"a file listed by the index in {self.root} is missing")

    def drop_searchers(self) -> None:
        """Close this thread's searchers; the next search opens (and checks) afresh."""
        for name in ("searcher", "words"):
            cached: _Reading | None = getattr(self._local, name, None)
            if cached is not None:
                cached.close()
                setattr(self._local, name, None)

    def check(self) -> str:
        """The current generation's state: "ok", "missing", "outdated" or "damaged". Asks this
        thread's searchers, so it costs what a search costs: a reopening (and check of every
        file) only when the index has a new commit or a file changed its size."""
        try:
            self._cached("searcher", "")
            self._cached("words", WORDS)
        except IndexUnavailable as exc:
            return exc.state
        return "ok"

    def close(self) -> None:
        self.drop_searchers()

    # --- one rebuild at a time ------------------------------------------------------------

    @contextmanager
    def rebuild_lock(self) -> Iterator[None]:
        """Exclusive, across processes, for rebuilding this index directory (waits for another
        rebuild to end). Saves take it shared (index_lock), so a rebuild reads the database
        after every save that wrote into the old index."""
        with self._flock(fcntl.LOCK_EX, wait=True):
            yield

    @contextmanager
    def index_lock(self) -> Iterator[bool]:
        """Shared, across processes, for writing into the current generation: yields False at
        once while a rebuild runs (the changes then stay pending and the rebuild's catch-up
        writes them)."""
        with self._flock(fcntl.LOCK_SH, wait=False) as held:
            yield held

    def rebuilding(self) -> bool:
        """Whether some process holds the rebuild lock now."""
        with self._flock(fcntl.LOCK_SH, wait=False) as free:
            return not free

    @contextmanager
    def _flock(self, mode: int, wait: bool) -> Iterator[bool]:
        self.root.mkdir(parents=True, exist_ok=True)
        # A file of its own per call: flock belongs to the open file, so threads of one
        # process exclude each other just as processes do.
        fd = os.open(self.root / REBUILD_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _close_searcher(pid: int, searcher: Searcher) -> None:
    # Never in a forked child (rebuild workers are not forked, but a caller's child may be),
    # which drops the searchers it inherited: one of the parent's threads may have held a
    # file's lock at the fork, and closing would hang.
    if os.getpid() == pid:
        searcher.close()


@dataclass
class _Reading:
    """A searcher of one commit (generation) of one index folder."""

    folder: Path
    index: Index
    generation: int
    searcher: Searcher
    files: list[Path]  # its segments' files, and their sizes when they were checked
    sizes: list[int]
    _closer: "weakref.finalize[[int, Searcher], _Reading]" = field(init=False, repr=False)

    @classmethod
    def open(cls, folder: Path, sub: str) -> "_Reading":
        """Open the newest commit's segments, each checked to be whole first. Segments are
        read, not memory-mapped: a mapped file that shrinks (damage from outside) would kill
        the process with SIGBUS; a read past its end is an error that is reported."""
        path = folder / sub
        try:
            index = open_index(str(path))
            # Checked before Whoosh opens them (it would leave the files it opened before a
            # failure open), and again below: a newer commit may have come in between.
            integrity.check_segments(path, TOC.read(index.storage, index.indexname).segments)
            searcher = index.searcher()
        except (FileNotFoundError, IndexUnavailable):
            raise
        except (EmptyIndexError, IndexVersionError) as exc:
            raise IndexUnavailable("damaged", f"{path}: {exc}") from exc
        except Exception as exc:  # unpickling, struct or EOF errors: the bytes are not whole
            raise IndexUnavailable("damaged", f"{path}: {type(exc).__name__}: {exc}") from exc
        reading = cls(folder, index, searcher.reader().generation(), searcher, [], [])
        # Files are closed with the reading even when its thread or store is dropped unclosed.
        reading._closer = weakref.finalize(reading, _close_searcher, os.getpid(), searcher)
        try:
            reading.files = integrity.check_segments(
                path, (r.segment() for r, _ in reading.leaves())
            )
            reading.sizes = integrity.sizes(reading.files)
        except BaseException:
            reading.close()
            raise
        return reading

    def leaves(self) -> list[tuple[Any, int]]:
        return list(self.searcher.reader().leaf_readers())

    def is_latest(self) -> bool:
        """Whether this is still the newest commit, and its files are the size they were
        (a file cut from outside is then checked, and reported, at the reopening)."""
        if self.index.latest_generation() != self.generation:
            return False
        try:
            return integrity.sizes(self.files) == self.sizes
        except FileNotFoundError:
            return False

    def close(self) -> None:
        self._closer()


@dataclass
class Built:
    """What a worker wrote: its segment, its documents' readable words, their number."""

    segment: Any
    words: set[str]
    count: int


if TYPE_CHECKING:  # only typeshed's Queue is generic
    from multiprocessing.queues import Queue

    Results = Queue[tuple[int, Built | None, str | None]]  # part, what it built or the error


def _build_part(
    folder: str, source: DocumentSource, part: int, parts: int, written: Callable[[int], None]
) -> Built:
    whoosh_internals.install()
    builder = SegmentBuilder(open_index(folder))
    for doc in source(part, parts):
        pieces = text_pieces(doc)
        builder.add(to_fields(doc, pieces), pieces)
        if builder.count % PROGRESS_EVERY == 0:
            written(PROGRESS_EVERY)
    written(builder.count % PROGRESS_EVERY)
    return Built(builder.finish(), builder.words, builder.count)


def _worker(
    folder: str,
    source: DocumentSource,
    part: int,
    parts: int,
    words: frozenset[str],
    out: "Results",
    done: Any,
) -> None:
    """A worker process's work: the catalogue's words the parent learnt (analysis), then its
    part written as a segment, put on `out` with its part number (or the error); the documents
    written are counted in the shared `done`."""
    # The builder holds millions of postings that are never garbage, and the ORM's few cycles
    # die with the process: the collector would walk them all again and again.
    gc.disable()

    def written(n: int) -> None:
        with done.get_lock():
            done.value += n

    try:
        add_catalogue_words(words)
        out.put((part, _build_part(folder, source, part, parts, written), None))
    except BaseException:
        out.put((part, None, traceback.format_exc()))


def _build_parts(
    folder: str,
    source: DocumentSource,
    parts: int,
    processes: int,
    progress: BuildProgress | None = None,
) -> list[Built]:
    """Every part built, in part order, by at most `processes` workers at a time (each ends
    with its part, so its memory is returned before the next part starts). Worker processes
    start from a fork server (a single threaded process that has imported this module and the
    source's module once), so they inherit nothing of the caller: the source is pickled to
    them and must open its own database connections; the catalogue words the caller learnt
    are handed over. The workers count the documents they wrote in a shared counter, which
    `progress` is told about every half second."""
    if processes <= 1:
        total = 0

        def written(n: int) -> None:
            nonlocal total
            total += n
            if progress is not None and n:
                progress(total)

        return [_build_part(folder, source, part, parts, written) for part in range(parts)]
    context = multiprocessing.get_context(WORKER_START_METHOD)
    if WORKER_START_METHOD == "forkserver":  # only heeded when the server starts
        context.set_forkserver_preload([__name__, _module_of(source)])
    out: Results = context.Queue()
    done = context.Value("q", 0)
    words = known_catalogue_words()
    waiting = list(range(parts))
    running: dict[int, multiprocessing.process.BaseProcess] = {}
    results: dict[int, Built] = {}
    reported = 0
    try:
        while len(results) < parts:
            while waiting and len(running) < processes:
                part = waiting.pop(0)
                proc = context.Process(
                    target=_worker,
                    args=(folder, source, part, parts, words, out, done),
                    daemon=True,
                )
                proc.start()  # pickles the source: an unpicklable one fails here
                running[part] = proc
            try:
                # before join(): a full queue would block the worker
                part, built, error = out.get(timeout=0.5)
            except queue.Empty:
                part, built, error = _lost_worker(running, out)
            if progress is not None and done.value != reported:
                reported = done.value
                progress(reported)
            if part < 0:
                continue
            if built is None:
                raise RuntimeError(f"building part {part} of the index failed:\n{error}")
            results[part] = built
            _end(running.pop(part), WORKER_EXIT_SECONDS)  # its result is in: it is ending
    finally:
        for worker in running.values():
            _end(worker, 5)
    return [results[part] for part in range(parts)]


WORKER_EXIT_SECONDS = 60  # after its result: a worker only frees its memory and exits


def _end(worker: multiprocessing.process.BaseProcess, timeout: float) -> None:
    worker.join(timeout=timeout)
    if worker.is_alive():
        worker.kill()
        worker.join()


def _lost_worker(
    running: dict[int, multiprocessing.process.BaseProcess], out: "Results"
) -> tuple[int, Built | None, str | None]:
    """After a wait without a result: (-1, None, None) while every running worker still runs.
    A worker that ended without a result (killed, e.g. by the kernel for lack of memory) never
    sends one: waiting on would hang the rebuild for good, so it fails, saying so."""
    ended = [p for p, proc in running.items() if proc.exitcode is not None]
    if not ended:
        return -1, None, None
    try:  # what a worker put on the queue just before it ended may still be on its way
        return out.get(timeout=1.0)
    except queue.Empty:
        codes = ", ".join(f"part {p}: exit code {running[p].exitcode}" for p in ended)
        raise RuntimeError(
            f"a worker building the index ended without its result ({codes}; -9 is SIGKILL, "
            "e.g. the kernel's out-of-memory killer: a part holds its postings in memory)"
        ) from None


def _module_of(source: DocumentSource) -> str:
    """The module that defines a source's function or class (for the fork server to import)."""
    module = getattr(source, "__module__", None)
    return str(module) if isinstance(module, str) else type(source).__module__
