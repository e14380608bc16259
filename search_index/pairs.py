"""Pair arrays: the word pairs of a segment written by a full rebuild, as two numpy files beside
the segment: the sorted 64-bit hashes of its pair terms and, in the same order, the documents
that have them. A two-word phrase is then a binary search instead of a term in the `pairs`
field, and a rebuild skips the millions of one-document pair terms Whoosh would write.

Only rebuilds write them. Incremental writes and the overlay keep the pairs as the Whoosh field
(`pairs`), so a segment has either a pair array or pair terms, never part of both; segments
with a pair array are never merged (merge_keeping_arrays), because a merge would copy their
documents without their pairs.
"""

import itertools
import os
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh.writing import MERGE_SMALL

from search_index.analysis import pair_hash, pair_term

HASHES = "pairs-{}.hashes.npy"
DOCS = "pairs-{}.docs.npy"


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
        np.save(os.path.join(folder, HASHES.format(segment_id)), hashes[order])
        np.save(os.path.join(folder, DOCS.format(segment_id)), docs[order])


class PairArray:
    """A segment's pair array, memory-mapped (pages are shared between processes)."""

    def __init__(self, folder: str, segment_id: str) -> None:
        self._hashes = np.load(os.path.join(folder, HASHES.format(segment_id)), mmap_mode="r")
        self._docs = np.load(os.path.join(folder, DOCS.format(segment_id)), mmap_mode="r")

    def documents(self, term: str) -> NDArray[np.int32]:
        """The segment's document numbers (sorted) that have this pair term."""
        key = np.uint64(pair_hash(term))
        lo = int(np.searchsorted(self._hashes, key, side="left"))
        hi = int(np.searchsorted(self._hashes, key, side="right"))
        return np.array(self._docs[lo:hi], dtype=np.int32)


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
    return folder is not None and os.path.exists(os.path.join(folder, HASHES.format(segment_id)))


def open_array(storage: Any, segment_id: str) -> PairArray | None:
    """The segment's pair array, or None when its pairs are Whoosh terms."""
    if not has_array(storage, segment_id):
        return None
    return PairArray(str(folder_of(storage)), segment_id)


def merge_keeping_arrays(writer: Any, segments: Iterable[Any]) -> list[Any]:
    """Whoosh's merge policy (MERGE_SMALL) for the segments without a pair array; those with
    one stay as they are (deletions are still recorded in them)."""
    kept: list[Any] = []
    others: list[Any] = []
    for segment in segments:
        (kept if has_array(writer.storage, segment.segment_id()) else others).append(segment)
    merged: list[Any] = MERGE_SMALL(writer, others)
    return kept + merged
