"""Per-document values for counting and sorting: per index segment, one boolean matrix per facet
field (value x document) read once from the postings, and the sort keys (date, name). Counting a
result set is then a few numpy operations instead of Whoosh's per-hit Python loop (about 20 µs
a hit)."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from search_index.documents import FACETS
from search_index.whoosh_internals import read_postings

BoolMatrix = NDArray[np.bool_]
DocIds = NDArray[np.int64]


def _date_key(value: str) -> int:
    """ "2022-04-14" -> 20220414, "2019" -> 20190000, "" -> -1 (unknown dates sort last)."""
    digits = value.replace("-", "")
    return int(digits.ljust(8, "0")) if digits.isdigit() else -1


@dataclass
class DocTable:
    """Facet values and sort keys of every document of one reader, by document number."""

    values: dict[str, list[str]]
    matrix: dict[str, BoolMatrix]  # facet -> (len(values), doc_count_all)
    date: NDArray[np.int64]
    name: NDArray[np.object_]
    name_rank: NDArray[np.int64] | None = None
    # facet -> each document's set of values (_value_sets), made when first counted
    value_sets: dict[str, tuple[NDArray[np.intp], NDArray[np.int64]]] = field(default_factory=dict)

    @classmethod
    def from_reader(cls, reader: Any) -> "DocTable":
        size = reader.doc_count_all()
        values: dict[str, list[str]] = {}
        matrix: dict[str, BoolMatrix] = {}
        for facet in FACETS:
            terms = sorted(reader.field_terms(facet))
            values[facet] = terms
            m = np.zeros((len(terms), size), dtype=np.bool_)
            for i, term in enumerate(terms):
                ids, _ = read_postings(reader, facet, term.encode("utf-8"))
                m[i, ids] = True
            matrix[facet] = m
        dates = reader.column_reader("date")
        names = reader.column_reader("name")
        date = np.fromiter((_date_key(_text(v)) for v in dates), dtype=np.int64, count=size)
        name = np.array([_text(v) for v in names], dtype=object)
        return cls(values, matrix, date, name)

    @classmethod
    def concat(cls, parts: list[tuple["DocTable", int]], size: int) -> "DocTable":
        """Join segment tables (each with its docnum offset) into one for the whole index."""
        if len(parts) == 1 and parts[0][1] == 0:
            table = parts[0][0]
        else:
            values = {f: sorted({v for t, _ in parts for v in t.values[f]}) for f in FACETS}
            matrix = {}
            for facet in FACETS:
                index = {v: i for i, v in enumerate(values[facet])}
                m = np.zeros((len(values[facet]), size), dtype=np.bool_)
                for part, offset in parts:
                    rows = [index[v] for v in part.values[facet]]
                    sub = part.matrix[facet]
                    m[rows, offset : offset + sub.shape[1]] = sub
                matrix[facet] = m
            date = np.concatenate([t.date for t, _ in parts])
            name = np.concatenate([t.name for t, _ in parts])
            table = cls(values, matrix, date, name)
        if table.name_rank is None:
            order = np.argsort(table.name, kind="stable")
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            table.name_rank = rank
        return table

    def mask(self, facet: str, wanted: tuple[str, ...], hits: DocIds) -> NDArray[np.bool_]:
        """For each hit: does it carry one of the wanted values of `facet`?"""
        rows = np.array([i for i, v in enumerate(self.values[facet]) if v in wanted], np.int64)
        if not len(rows):
            return np.zeros(len(hits), dtype=np.bool_)
        return np.asarray(self.matrix[facet][np.ix_(rows, hits)].any(axis=0))

    def counts(self, facet: str, hits: DocIds) -> dict[str, int]:
        if len(hits) == 0:
            return {}
        matrix = self.matrix[facet]
        if matrix.shape[0] * len(hits) <= matrix.shape[1]:
            sums = matrix[:, hits].sum(axis=1)  # few hits: look at their columns only
        else:
            # Many hits: count each hit's set of values (one number per document), then add
            # up the values of each set, instead of gathering every value's row at every hit.
            codes, sets = self._value_sets(facet)
            sums = np.bincount(codes[hits], minlength=len(sets)) @ sets
        return {v: int(n) for v, n in zip(self.values[facet], sums, strict=True) if n}

    def _value_sets(self, facet: str) -> tuple[NDArray[np.intp], NDArray[np.int64]]:
        """Every document's set of values of the facet as a number (an index into the
        distinct sets), and the distinct sets as rows of 0/1 by value (made once)."""
        found = self.value_sets.get(facet)
        if found is None:
            matrix = self.matrix[facet]
            if matrix.shape[0] <= 63:  # a set as the bits of one number: quick to tell apart
                bits = np.zeros(matrix.shape[1], dtype=np.int64)
                for row in range(matrix.shape[0]):
                    bits |= matrix[row].astype(np.int64) << row
                keys, codes = np.unique(bits, return_inverse=True)
                sets = (keys[:, None] >> np.arange(matrix.shape[0])) & 1
            else:
                distinct, codes = np.unique(matrix.T, axis=0, return_inverse=True)
                sets = distinct.astype(np.int64)
            found = self.value_sets[facet] = (codes.reshape(-1), sets)
        return found


def _text(value: object) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value or "")


def apply_filters(
    table: DocTable, hits: DocIds, filters: dict[str, tuple[str, ...]], count: bool = True
) -> tuple[NDArray[np.bool_], dict[str, dict[str, int]]]:
    """Which hits pass the filters (values of one facet OR'ed, facets AND'ed), and the count of
    every facet's values.

    A facet's counts leave out that facet's own filter, so each count says how many hits there
    would be with that value chosen (or added to the choice) while the other filters stay.
    """
    masks = {f: table.mask(f, v, hits) for f, v in filters.items() if v}
    everything = np.ones(len(hits), dtype=np.bool_)
    for m in masks.values():
        everything &= m
    counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for facet in FACETS if count else ():
        others = np.ones(len(hits), dtype=np.bool_)
        for f, m in masks.items():
            if f != facet:
                others &= m
        counts[facet] = table.counts(facet, hits[others])
    return everything, counts
