"""The index on disk: generations in folders, a `current` symlink swapped atomically after a
rebuild, the single-writer lock with a timeout, and per-thread searchers that follow commits and
swaps. Searching never waits for the writer.

Each generation holds two Whoosh indexes: the documents, and `words`, the readable words of all
texts for "Meinten Sie …?" (one small document per batch instead of a spelling posting per word
and document, which cost a third of the rebuild time).
"""

import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import KEYWORD, Schema
from whoosh.index import Index, LockError
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from search_index.analysis import PAIR_BREAK, spelling_words
from search_index.documents import IndexBusy, SearchDocument
from search_index.schema import SCHEMA_VERSION, build_schema

CURRENT = "current"
VERSION_FILE = "SCHEMA_VERSION"
WORDS = "words"
BUILD_PROCESSES = 2  # this machine's cores; the rebuild leaves one segment per process


def to_fields(doc: SearchDocument) -> dict[str, Any]:
    """A document as Whoosh fields."""
    names = "\n".join([*doc.people, *doc.places, *doc.instruments])
    body = f"{doc.body}\n{doc.context}" if doc.context else doc.body
    return {
        "id": doc.id,
        "kind": doc.kind,
        "slug": doc.slug,
        "parent": doc.parent,
        "url": doc.url,
        "title": doc.title,
        "aliases": "\n".join(doc.aliases),
        "names": names,
        "instruments": "\n".join(doc.instruments),
        "body": body,
        "parts": "\n".join(t for t in (doc.title, *doc.aliases, names, body) if t),
        "pairs": PAIR_BREAK.join(t for t in (doc.title, *doc.aliases, names, body) if t),
        "governance": ",".join(doc.governance),
        "scale": ",".join(doc.scale),
        "land": ",".join(doc.land),
        "size_class": ",".join(doc.size_class),
        "year": ",".join(doc.year),
        "date": doc.date,
        "name": doc.title.casefold(),
    }


def _words_of(doc: SearchDocument) -> set[str]:
    return spelling_words(" ".join([doc.title, *doc.aliases, doc.body]))


def _words_schema() -> Schema:
    return Schema(word=KEYWORD(lowercase=False))


class Batch:
    """Changes to write in one commit: documents replaced by id (every copy: Whoosh's
    update_document removes only one) and ids deleted."""

    def __init__(self, writer: IndexWriter) -> None:
        self.writer = writer
        self.words: set[str] = set()

    def apply(self, upserts: Iterable[SearchDocument], deletes: Iterable[str]) -> None:
        for doc_id in deletes:
            self.writer.delete_by_term("id", doc_id)
        for doc in upserts:
            self.writer.delete_by_term("id", doc.id)
            self.writer.add_document(**to_fields(doc))
            self.words |= _words_of(doc)


class IndexStore:
    def __init__(self, root: Path) -> None:
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
        """Remove old generations. The newest previous ones stay, because a search that began
        before the swap may still open their files; every new search opens the current one."""
        current = self.current_dir()
        older = sorted(
            (p for p in self.root.glob("gen-*") if p.resolve() != current),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for path in older[keep_previous:]:
            shutil.rmtree(path, ignore_errors=True)

    def create_empty(self) -> None:
        target = self._new_generation()
        (target / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        self._swap(target)
        self.prune()

    def open(self) -> Index:
        target = self.current_dir()
        if target is None:
            raise FileNotFoundError(f"no search index in {self.root}")
        return whoosh_index.open_dir(str(target))

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float) -> Iterator[Batch]:
        """A batch on the current generation; raises IndexBusy after `timeout` seconds.

        After a swap, a writer of the old generation is useless: it is cancelled and the new
        generation is tried, so that nothing is written where no search will look.
        """
        deadline = time.monotonic() + timeout
        while True:
            target = self.current_dir()
            if target is None:
                raise FileNotFoundError(f"no search index in {self.root}")
            remaining = max(0.0, deadline - time.monotonic())
            try:
                w = whoosh_index.open_dir(str(target)).writer(timeout=remaining, delay=0.05)
            except LockError as exc:
                raise IndexBusy(str(target)) from exc
            if self.current_dir() == target:
                break
            w.cancel()
        batch = Batch(w)
        try:
            yield batch
        except BaseException:
            w.cancel()
            raise
        w.commit()
        # Under the documents' lock, so the words index has a single writer too.
        if batch.words:
            words = whoosh_index.open_dir(str(target / WORDS)).writer(timeout=5.0, delay=0.05)
            words.add_document(word=" ".join(sorted(batch.words)))
            words.commit()

    @contextmanager
    def hold_writer(self, timeout: float) -> Iterator[None]:
        """Hold the current generation's write lock (during a rebuild) without writing. An index
        of an older schema is not touched (its pickled analyzers may not even load)."""
        if not self.is_current():
            yield
            return
        try:
            w = self.open().writer(timeout=timeout, delay=0.05)
        except LockError as exc:
            raise IndexBusy(str(self.current_dir())) from exc
        try:
            yield
        finally:
            w.cancel()

    def build(self, docs: Iterable[SearchDocument]) -> Path:
        """Write every document into a fresh generation (not yet current), on all cores."""
        target = self._new_generation()
        w = whoosh_index.open_dir(str(target)).writer(
            procs=BUILD_PROCESSES, multisegment=True, limitmb=128
        )
        words: set[str] = set()
        try:
            for doc in docs:
                w.add_document(**to_fields(doc))
                words |= _words_of(doc)
        except BaseException:
            w.cancel()
            shutil.rmtree(target, ignore_errors=True)
            raise
        w.commit()
        ww = whoosh_index.open_dir(str(target / WORDS)).writer()
        ordered = sorted(words)
        for i in range(0, len(ordered), 5000):
            ww.add_document(word=" ".join(ordered[i : i + 5000]))
        ww.commit()
        (target / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
        return target

    def publish(self, target: Path) -> None:
        """Make a built generation current (call prune() once the old one is let go)."""
        self._swap(target)

    # --- reading ----------------------------------------------------------------------------

    def searcher(self) -> Searcher:
        return self.searcher_and_folder()[1]

    def searcher_and_folder(self) -> tuple[Path, Searcher]:
        """This thread's searcher, refreshed to the latest commit or generation (cheap when
        nothing changed: Whoosh reuses unchanged segments), and the generation it reads."""
        return self._cached("searcher", "")

    def words_searcher(self) -> Searcher:
        return self._cached("words", WORDS)[1]

    def _cached(self, name: str, sub: str) -> tuple[Path, Searcher]:
        for _ in range(3):
            target = self.current_dir()
            if target is None:
                raise FileNotFoundError(f"no search index in {self.root}")
            cached: tuple[Path, Searcher] | None = getattr(self._local, name, None)
            try:
                if cached is None or cached[0] != target:
                    if cached is not None:
                        cached[1].close()
                    searcher = whoosh_index.open_dir(str(target / sub)).searcher()
                else:
                    searcher = cached[1].refresh()
            except FileNotFoundError:
                setattr(self._local, name, None)
                continue  # rebuilt and pruned while we opened it: take the newest
            setattr(self._local, name, (target, searcher))
            return target, searcher
        raise FileNotFoundError(f"search index in {self.root} keeps changing")

    def close(self) -> None:
        for name in ("searcher", "words"):
            cached = getattr(self._local, name, None)
            if cached is not None:
                cached[1].close()
                setattr(self._local, name, None)
