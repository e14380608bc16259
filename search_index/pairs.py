"""Pair arrays: the word pairs of a segment written by a full rebuild, as three numpy files
beside the segment: the sorted, distinct 64-bit hashes of its pair terms (keys); where each
key's documents start in the third file and where the last one's end (bounds); and the
documents, sorted within each key (docs: 16 bits each when the segment has at most 65,536
documents, else 32). A two-word phrase is then a binary search instead of a term in the
`pairs` field, and a rebuild skips the millions of one-document pair terms Whoosh would write.
(The 110,000 documents of the benchmark: 12.3 million pairs, 2.1 million distinct; 49 MB in
this form, 148 MB as a hash and a 32-bit document per pair.)

Only rebuilds write them. Incremental writes and the overlay keep the pairs as the Whoosh field
(`pairs`), so a segment has either a pair array or pair terms, never part of both; segments
with a pair array are never merged (merge_keeping_arrays), because a merge would copy their
documents without their pairs.
"""

import itertools
import os
import weakref
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh.writing import MERGE_SMALL

from search_index.analysis import pair_hash, pair_term
from search_index.documents import IndexUnavailable

KEYS = "pairs-{}.hashes.npy"  # the distinct hashes (the name of the first format)
BOUNDS = "pairs-{}.bounds.npy"
DOCS = "pairs-{}.docs.npy"
ARRAY_FILES = (KEYS, BOUNDS, DOCS)  # a segment's pair array: all of them or none


class PairArrayWriter:
    """Collects the pair hashes of a segment's documents, in document order."""

    def __init__(self) -> None:
        self._hashes: list[NDArray[np.uint64]] = []
        self._docs: list[NDArray[np.int32]] = []

    def add(self, docnum: int, groups: Iterable[Sequence[str]]) -> None:
        """A document's indexed terms, in groups no pair spans (analysis.pair_terms)."""
        pairs = {pair_term(a, b) for forms in groups for a, b in itertools.pairwise(forms)}
        hashes = np.fromiter((pair_hash(t) for t in pairs), dtype=np.uint64, count=len(pairs))
        self._hashes.append(hashes)
        self._docs.append(np.full(len(hashes), docnum, dtype=np.int32))

    def write(self, folder: str, segment_id: str) -> None:
        hashes = np.concatenate(self._hashes) if self._hashes else np.zeros(0, np.uint64)
        docs = np.concatenate(self._docs) if self._docs else np.zeros(0, np.int32)
        # Stable: documents were added in number order and stay so within one hash.
        order = np.argsort(hashes, kind="stable")
        hashes, docs = hashes[order], docs[order]
        first = np.ones(len(hashes), dtype=np.bool_)  # where a hash's run starts
        first[1:] = hashes[1:] != hashes[:-1]
        starts = np.flatnonzero(first)
        bounds = np.append(starts, len(hashes))
        small = not len(docs) or int(docs.max()) < 2**16
        np.save(os.path.join(folder, KEYS.format(segment_id)), hashes[starts])
        np.save(
            os.path.join(folder, BOUNDS.format(segment_id)),
            bounds.astype(np.uint32 if len(hashes) < 2**32 else np.int64),
        )
        np.save(os.path.join(folder, DOCS.format(segment_id)), docs.astype(_doc_type(small)))


class NpyColumn:
    """One .npy file, read with pread (never mapped: a mapped file that shrinks would kill the
    process with SIGBUS; a short read here is reported as damage)."""

    def __init__(self, path: str) -> None:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(f)
            self._start = f.tell()
        fd = os.open(path, os.O_RDONLY)
        # Closed when the last user lets go (a search in another thread may still read it).
        self.close = weakref.finalize(self, os.close, fd)
        self._fd = fd
        self.dtype: np.dtype[Any] = dtype
        self.size = int(shape[0])
        self.expected_bytes = self._start + self.size * dtype.itemsize
        self._path = path

    def read(self, start: int, stop: int) -> NDArray[Any]:
        start, stop = max(0, start), min(self.size, stop)
        if stop <= start:
            return np.zeros(0, self.dtype)
        width = self.dtype.itemsize
        data = os.pread(self._fd, (stop - start) * width, self._start + start * width)
        if len(data) != (stop - start) * width:
            raise IndexUnavailable("damaged", f"{self._path} is shorter than its header says")
        return np.frombuffer(data, self.dtype)

    def every(self, stride: int) -> NDArray[Any]:
        """Every stride-th value, from the first (read in large chunks, once)."""
        chunk = stride * 8192
        parts = [self.read(i, i + chunk)[::stride] for i in range(0, self.size, chunk)]
        return np.concatenate(parts) if parts else np.zeros(0, self.dtype)


class PairArray:
    """A segment's pair array. Every STRIDE-th key is held in memory to find where a key lies;
    the keys around it, its bounds and its documents are read from the files."""

    STRIDE = 512

    def __init__(self, folder: str, segment_id: str) -> None:
        self._keys = NpyColumn(os.path.join(folder, KEYS.format(segment_id)))
        self._bounds = NpyColumn(os.path.join(folder, BOUNDS.format(segment_id)))
        self._docs = NpyColumn(os.path.join(folder, DOCS.format(segment_id)))
        self._sample = self._keys.every(self.STRIDE)

    def documents(self, term: str) -> NDArray[np.int32]:
        """The segment's document numbers (sorted) that have this pair term."""
        key = np.uint64(pair_hash(term))
        # sample[j] is keys[j * STRIDE]: the key lies between the sample values around it.
        first = int(np.searchsorted(self._sample, key, side="left"))
        last = int(np.searchsorted(self._sample, key, side="right"))
        base = max(0, (first - 1) * self.STRIDE)
        window = self._keys.read(base, last * self.STRIDE)
        at = int(np.searchsorted(window, key, side="left"))
        if at == len(window) or window[at] != key:
            return np.zeros(0, dtype=np.int32)
        lo, hi = (int(b) for b in self._bounds.read(base + at, base + at + 2))
        return np.array(self._docs.read(lo, hi), dtype=np.int32)


def _doc_type(small: bool) -> type[np.integer[Any]]:
    return np.uint16 if small else np.int32


def folder_of(storage: Any) -> str | None:
    """The folder of a file storage, also behind the overlay Whoosh reads compound segments
    through; None for a storage in memory."""
    while storage is not None:
        folder = getattr(storage, "folder", None)
        if folder is not None:
            return str(folder)
        storage = getattr(storage, "b", None)  # OverlayStorage(compound file, folder)
    return None


def has_array(storage: Any, segment_id: str) -> bool:
    folder = folder_of(storage)
    return folder is not None and os.path.exists(os.path.join(folder, KEYS.format(segment_id)))


def open_array(storage: Any, segment_id: str) -> PairArray | None:
    """The segment's pair array, or None when its pairs are Whoosh terms."""
    if not has_array(storage, segment_id):
        return None
    return PairArray(str(folder_of(storage)), segment_id)


# Small segments a commit leaves unmerged. A merge reads every posting of the segments it joins
# (about 1.5 s for five small ones on the seed catalogue), and a commit that merges holds the
# index's writer that long: another server's save, which its follower is about to write, waits
# behind it. Up to this many are left for an idle moment (IndexStore.merge, from the log follower).
UNMERGED_SEGMENTS = 8


def merge_when_many(writer: Any, segments: Iterable[Any]) -> list[Any]:
    """No merge while at most UNMERGED_SEGMENTS segments lack a pair array (the commit stays
    fast); beyond that, merge_keeping_arrays."""
    segments = list(segments)
    small = [s for s in segments if not has_array(writer.storage, s.segment_id())]
    if len(small) <= UNMERGED_SEGMENTS:
        return segments
    return merge_keeping_arrays(writer, segments)


def unmerged(storage: Any, segments: Iterable[Any]) -> int:
    """How many of `segments` a merge would consider (those without a pair array)."""
    return sum(1 for s in segments if not has_array(storage, s.segment_id()))


def merge_keeping_arrays(writer: Any, segments: Iterable[Any]) -> list[Any]:
    """Whoosh's merge policy (MERGE_SMALL) for the segments without a pair array; those with
    one stay as they are (deletions are still recorded in them)."""
    kept: list[Any] = []
    others: list[Any] = []
    for segment in segments:
        (kept if has_array(writer.storage, segment.segment_id()) else others).append(segment)
    merged: list[Any] = MERGE_SMALL(writer, others)
    return kept + merged
