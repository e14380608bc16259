"""The index on disk: generations in folders, a `current` symlink swapped atomically after a
rebuild, the single-writer lock with a timeout, and per-thread searchers that follow commits and
swaps. Searching never waits for the writer."""

import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.index import Index, LockError
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from search_index.documents import IndexBusy, SearchDocument
from search_index.schema import SCHEMA_VERSION, build_schema

CURRENT = "current"
VERSION_FILE = "SCHEMA_VERSION"


def to_fields(doc: SearchDocument) -> dict[str, Any]:
    """A document as Whoosh fields."""
    texts = [
        doc.title,
        *doc.aliases,
        *doc.people,
        *doc.places,
        *doc.instruments,
        doc.body,
        doc.context,
    ]
    return {
        "id": doc.id,
        "kind": doc.kind,
        "slug": doc.slug,
        "parent": doc.parent,
        "url": doc.url,
        "title": doc.title,
        "aliases": "\n".join(doc.aliases),
        "people": "\n".join(doc.people),
        "places": "\n".join(doc.places),
        "instruments": "\n".join(doc.instruments),
        "body": doc.body,
        "context": doc.context,
        "parts": "\n".join(t for t in texts if t),
        "governance": ",".join(doc.governance),
        "scale": ",".join(doc.scale),
        "land": ",".join(doc.land),
        "size_class": ",".join(doc.size_class),
        "year": ",".join(doc.year),
        "date": doc.date,
        "name": doc.title.casefold(),
    }


def apply_changes(
    writer: IndexWriter, upserts: Iterable[SearchDocument], deletes: Iterable[str]
) -> None:
    """Replace documents by id (all copies: Whoosh's update_document removes only one) and delete
    the given ids."""
    for doc_id in deletes:
        writer.delete_by_term("id", doc_id)
    for doc in upserts:
        writer.delete_by_term("id", doc.id)
        writer.add_document(**to_fields(doc))


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
        )
        if ok:
            self._checked.add(target)
        return ok

    def _new_generation(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.time_ns()}"
        path.mkdir()
        whoosh_index.create_in(str(path), build_schema())
        (path / VERSION_FILE).write_text(f"{SCHEMA_VERSION}\n")
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
        self._swap(self._new_generation())
        self.prune()

    def open(self) -> Index:
        target = self.current_dir()
        if target is None:
            raise FileNotFoundError(f"no search index in {self.root}")
        return whoosh_index.open_dir(str(target))

    # --- writing ----------------------------------------------------------------------------

    @contextmanager
    def writer(self, timeout: float) -> Iterator[IndexWriter]:
        """The index writer of the current generation; raises IndexBusy after `timeout` seconds.

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
        try:
            yield w
        except BaseException:
            w.cancel()
            raise
        else:
            w.commit()

    @contextmanager
    def hold_writer(self, timeout: float) -> Iterator[None]:
        """Hold the current generation's write lock (during a rebuild) without writing."""
        if self.current_dir() is None:
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
        """Write every document into a fresh generation (not yet current)."""
        target = self._new_generation()
        w = whoosh_index.open_dir(str(target)).writer(limitmb=256)
        try:
            for doc in docs:
                w.add_document(**to_fields(doc))
        except BaseException:
            w.cancel()
            shutil.rmtree(target, ignore_errors=True)
            raise
        w.commit(optimize=True)
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
        target = self.current_dir()
        if target is None:
            raise FileNotFoundError(f"no search index in {self.root}")
        cached: tuple[Path, Searcher] | None = getattr(self._local, "searcher", None)
        if cached is None or cached[0] != target:
            if cached is not None:
                cached[1].close()
            try:
                searcher = whoosh_index.open_dir(str(target)).searcher()
            except FileNotFoundError:
                # Rebuilt twice while we opened it: take the newest.
                target = self.current_dir()
                if target is None:
                    raise
                searcher = whoosh_index.open_dir(str(target)).searcher()
        else:
            searcher = cached[1].refresh()
        self._local.searcher = (target, searcher)
        return target, searcher

    def close(self) -> None:
        cached = getattr(self._local, "searcher", None)
        if cached is not None:
            cached[1].close()
            self._local.searcher = None
