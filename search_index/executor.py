"""Query execution with numpy: posting lists are read block by block into arrays (and cached),
and Or, And, Not, prefixes and phrases become array operations, scored with Whoosh's BM25F.

Whoosh walks every matching document through Python matcher objects; for a word found in most
of 100,000 documents that costs hundreds of milliseconds, once to count the hits and once more
to rank them. Here the same hits and the same scores cost a few milliseconds. Whoosh still
stores, analyses, parses, highlights and verifies phrase positions.
"""

import itertools
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from math import log
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq
from whoosh.searching import Searcher

from search_index.analysis import pair_term
from search_index.pairs import PairArray, open_array
from search_index.whoosh_internals import field_lengths, pattern_terms, read_postings

Ids = NDArray[np.int64]
Scores = NDArray[np.float64]
Postings = tuple[NDArray[np.int32], NDArray[np.float32]]

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults
MAX_EXPANSION = 2000  # terms a prefix or wildcard may expand to
_CACHE_POSTINGS = 6_000_000  # about 48 MB of cached ids (int32) and weights (float32)
# A larger index keeps the same share of its postings decoded: 55 per document is the budget
# above at the benchmark's 110,000 documents; at 1.1 million, 60 million postings (480 MB).
# With the budget fixed, the common words' postings no longer stayed in the cache there, and
# every search decoded them again from Whoosh's pickled blocks (a search page took 0.5 s).
_CACHE_POSTINGS_PER_DOCUMENT = 55


@dataclass
class Matches:
    """Document numbers (sorted, unique) and their scores."""

    ids: Ids
    scores: Scores

    @classmethod
    def empty(cls) -> "Matches":
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


@dataclass
class Execution:
    """The matches of a query and the terms it really looked up (prefixes expanded), by field,
    for highlighting."""

    matches: Matches
    terms: dict[str, set[str]] = field(default_factory=dict)


class PostingCache:
    """Decoded posting lists of immutable segments, least recently used out first; as many
    postings as the budget (given, else growing with the index: fit)."""

    def __init__(self, budget: int | None = None) -> None:
        self._fits_fixed = budget is not None  # a given budget stays as given
        self._budget = _CACHE_POSTINGS if budget is None else budget
        self._size = 0
        self._items: OrderedDict[tuple[str, str, bytes], Postings] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def budget(self) -> int:
        return self._budget

    def __len__(self) -> int:
        return len(self._items)

    def fit(self, documents: int) -> None:
        """Grow the budget with the index searched (never shrink it: a small overlay index
        is searched beside the large one)."""
        if self._fits_fixed:
            return
        self._budget = max(self._budget, _CACHE_POSTINGS_PER_DOCUMENT * documents)

    def get(self, key: tuple[str, str, bytes]) -> Postings | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, str, bytes], item: Postings) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = item
            self._size += len(item[0])
            while self._size > self._budget and len(self._items) > 1:
                _, (ids, _) = self._items.popitem(last=False)
                self._size -= len(ids)


class Executor:
    """Runs parsed Whoosh queries over one searcher's segments with numpy."""

    def __init__(self, cache: PostingCache) -> None:
        self._cache = cache
        self._norms: dict[tuple[str, str], tuple[float, NDArray[np.float64]]] = {}
        self._pair_arrays: dict[tuple[str, str], PairArray | None] = {}
        self._lock = threading.Lock()

    def _segment_key(self, reader: Any) -> str:
        # Segment ids are random per segment and segments never change: a safe cache key.
        return str(reader.segment().segment_id())

    def _postings(self, reader: Any, fieldname: str, btext: bytes) -> Postings:
        key = (self._segment_key(reader), fieldname, btext)
        item = self._cache.get(key)
        if item is None:
            item = read_postings(reader, fieldname, btext)
            self._cache.put(key, item)
        return item

    def run(self, searcher: Searcher, query: wq.Query) -> Execution:
        self._cache.fit(searcher.doc_count_all())
        terms: dict[str, set[str]] = {}
        return Execution(self._eval(searcher, query, terms), terms)

    # --- the query tree ---------------------------------------------------------------------

    def _eval(self, s: Searcher, node: wq.Query, terms: dict[str, set[str]]) -> Matches:
        if isinstance(node, wq.Term):
            return self._term(s, node.fieldname, node.text, node.boost, terms)
        if isinstance(node, wq.Or):
            return _union([self._eval(s, c, terms) for c in node.subqueries], node.boost)
        if isinstance(node, wq.AndNot):
            positive = self._eval(s, node.a, terms)
            negative = self._eval(s, node.b, {})
            keep = ~np.isin(positive.ids, negative.ids, assume_unique=True)
            return Matches(positive.ids[keep], positive.scores[keep])
        if isinstance(node, wq.And):
            positives = [c for c in node.subqueries if not isinstance(c, wq.Not)]
            negatives = [c.query for c in node.subqueries if isinstance(c, wq.Not)]
            result = (
                _intersection([self._eval(s, c, terms) for c in positives], node.boost)
                if positives
                else self._every(s)
            )
            for negative in negatives:
                out = self._eval(s, negative, {})
                keep = ~np.isin(result.ids, out.ids, assume_unique=True)
                # Whoosh's inverse matcher adds a constant 1 per NOT clause; keep scores equal.
                result = Matches(result.ids[keep], result.scores[keep] + node.boost)
            return result
        if isinstance(node, wq.Not):
            everything = self._every(s)
            out = self._eval(s, node.query, {})
            keep = ~np.isin(everything.ids, out.ids, assume_unique=True)
            return Matches(everything.ids[keep], everything.scores[keep])
        if isinstance(node, wq.Every):
            return self._every(s)
        if isinstance(node, wq.PatternQuery):  # Prefix, Wildcard
            expanded = list(pattern_terms(node, s.reader()))[:MAX_EXPANSION]
            texts = [t.decode("utf-8") for t in expanded]
            return self._terms(s, node.fieldname, texts, node.boost, terms)
        if isinstance(node, wq.Phrase):
            return self._phrase(s, node, terms)
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return Matches.empty()
        return self._whoosh(s, node)

    def _term(
        self, s: Searcher, fieldname: str, text: str, boost: float, terms: dict[str, set[str]]
    ) -> Matches:
        return self._terms(s, fieldname, [text], boost, terms)

    def _terms(
        self,
        s: Searcher,
        fieldname: str,
        texts: list[str],
        boost: float,
        terms: dict[str, set[str]],
    ) -> Matches:
        """The scored hits of any of several terms of one field (their scores summed), computed
        together: a prefix expands to dozens of terms, and this is one pass over their postings
        instead of one per term. Per segment, the postings are summed in term order: the same
        additions, in the same order, as _union of the terms one by one (segments hold disjoint
        documents), so the same floats."""
        if fieldname not in s.schema or not texts:
            return Matches.empty()
        terms.setdefault(fieldname, set()).update(texts)
        field = s.schema[fieldname]
        to_bytes = field.to_bytes if hasattr(field, "to_bytes") else None
        btexts = [to_bytes(t) if to_bytes else t.encode("utf-8") for t in texts]
        leaves = s.reader().leaf_readers()
        # Postings include deleted documents, as Whoosh's document frequency does: a term's
        # frequency is the number of its postings (no second lookup in the term table).
        found = [[self._postings(reader, fieldname, b) for reader, _ in leaves] for b in btexts]
        scorable = field.scorable
        if scorable:
            n = s.doc_count_all()
            idfs = [log(n / (sum(len(p[0]) for p in per) + 1)) + 1 for per in found]
            avgfl = s.avg_field_length(fieldname) or 1
        pieces = []
        for at, (reader, offset) in enumerate(leaves):
            chunks = [(i, per[at]) for i, per in enumerate(found) if len(per[at][0])]
            if not chunks:
                continue
            if len(chunks) == 1:
                ids, weights = chunks[0][1]
            else:
                ids = np.concatenate([c[1][0] for c in chunks])
                weights = np.concatenate([c[1][1] for c in chunks])
            idf: float | NDArray[np.float64] = 0.0
            if scorable:
                if len(chunks) == 1:
                    idf = idfs[chunks[0][0]]
                else:
                    idf = np.repeat(
                        np.array([idfs[i] for i, _ in chunks]), [len(c[0]) for _, c in chunks]
                    )
            deleted = reader.deleted_docs_set
            if deleted:
                keep = ~np.isin(ids, np.fromiter(deleted, dtype=np.int64))
                ids, weights = ids[keep], weights[keep]
                if not isinstance(idf, float):
                    idf = idf[keep]
            w = weights.astype(np.float64)
            if scorable:
                # Whoosh's BM25F, term for term: idf * (w (K1 + 1)) / (w + K1 (1 - B + B fl /
                # avgfl)); the per-document part of the denominator is computed once per
                # segment and field (_norm_of), the same floats as computing it per posting.
                norm = self._norm_of(reader, fieldname, avgfl)[ids]
                scores = idf * ((w * (K1 + 1)) / (w + norm))
            else:
                scores = w
            piece = Matches(ids.astype(np.int64), scores * boost)
            if len(chunks) > 1:  # several terms: a document may occur more than once
                piece = _sum_by_id(piece.ids, piece.scores, reader.doc_count_all())
            pieces.append(Matches(piece.ids + offset, piece.scores))
        if not pieces:
            return Matches.empty()
        if len(pieces) == 1:
            return pieces[0]
        return Matches(
            np.concatenate([p.ids for p in pieces]), np.concatenate([p.scores for p in pieces])
        )

    def _norm_of(self, reader: Any, fieldname: str, avgfl: float) -> NDArray[np.float64]:
        """K1 * ((1 - B) + B * fl / avgfl) for every document of a segment: the length part of
        BM25F's denominator. Kept for the latest average length only (it changes with the
        index; the segment's lengths do not)."""
        key = (self._segment_key(reader), fieldname)
        with self._lock:
            cached = self._norms.get(key)
        if cached is not None and cached[0] == avgfl:
            return cached[1]
        fl = field_lengths(reader, fieldname)
        norm: NDArray[np.float64] = K1 * ((1 - B) + B * fl / avgfl)
        with self._lock:
            if len(self._norms) > 256:
                self._norms.clear()
            self._norms[key] = (avgfl, norm)
        return norm

    def _every(self, s: Searcher) -> Matches:
        chunks = []
        for reader, offset in s.reader().leaf_readers():
            ids = np.arange(reader.doc_count_all(), dtype=np.int64)
            deleted = reader.deleted_docs_set
            if deleted:
                ids = ids[~np.isin(ids, np.fromiter(deleted, dtype=np.int64))]
            chunks.append(ids + offset)
        ids = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
        return Matches(ids, np.ones(len(ids), dtype=np.float64))

    def _phrase(self, s: Searcher, node: wq.Phrase, terms: dict[str, set[str]]) -> Matches:
        """Documents with all the words and all their neighbouring pairs (_pair_ids);
        two words next to each other are then certain, longer phrases (or a slop) are checked
        by Whoosh for those candidates only. Scored like the words together."""
        words = [self._term(s, node.fieldname, w, node.boost, terms) for w in node.words]
        candidates = _intersection(words, 1.0)
        if len(candidates.ids) == 0 or len(node.words) < 2:
            return candidates
        if "pairs" in s.schema:
            having = self._pair_ids(s, node.words)
            keep = np.isin(candidates.ids, having, assume_unique=True)
            candidates = Matches(candidates.ids[keep], candidates.scores[keep])
            if (len(node.words) == 2 and node.slop == 1) or not len(candidates.ids):
                return candidates
        confirmed = self._whoosh(s, node, allow=candidates.ids).ids
        keep = np.isin(candidates.ids, confirmed, assume_unique=True)
        return Matches(candidates.ids[keep], candidates.scores[keep])

    def _pair_ids(self, s: Searcher, words: list[str]) -> Ids:
        """Documents (not deleted) that have every neighbouring pair of the words: from a
        segment's pair array if a rebuild wrote it, else from its `pairs` terms."""
        terms = [pair_term(a, b) for a, b in itertools.pairwise(words)]
        chunks = []
        for reader, offset in s.reader().leaf_readers():
            array = self._pair_array(reader)
            found: NDArray[np.int32] | None = None
            for term in terms:
                if array is not None:
                    docs = array.documents(term)
                else:
                    docs = self._postings(reader, "pairs", term.encode("utf-8"))[0]
                found = docs if found is None else np.intersect1d(found, docs, assume_unique=True)
                if not len(found):
                    break
            if found is None or not len(found):
                continue
            deleted = reader.deleted_docs_set
            if deleted:
                found = found[~np.isin(found, np.fromiter(deleted, dtype=np.int64))]
            chunks.append(found.astype(np.int64) + offset)
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)

    def _pair_array(self, reader: Any) -> PairArray | None:
        key = (self._segment_key(reader), "")
        with self._lock:
            if key in self._pair_arrays:
                return self._pair_arrays[key]
        array = open_array(reader.storage(), reader.segment().segment_id())
        with self._lock:
            if len(self._pair_arrays) > 256:
                self._pair_arrays.clear()
            self._pair_arrays[key] = array
        return array

    def _whoosh(self, s: Searcher, node: wq.Query, allow: Ids | None = None) -> Matches:
        """Anything else, matched by Whoosh itself (constant score)."""
        chunks = []
        for leaf, offset in s.leaf_searchers():
            matcher = node.matcher(leaf)
            local = None
            if allow is not None:
                local = allow[(allow >= offset) & (allow < offset + leaf.doc_count_all())] - offset
            found = []
            if local is not None:
                for docnum in local.tolist():
                    if not matcher.is_active():
                        break
                    matcher.skip_to(docnum)
                    if matcher.is_active() and matcher.id() == docnum:
                        found.append(docnum)
            else:
                found = list(matcher.all_ids())
            chunks.append(np.asarray(found, dtype=np.int64) + offset)
        ids = np.unique(np.concatenate(chunks)) if chunks else np.zeros(0, dtype=np.int64)
        return Matches(ids, np.ones(len(ids), dtype=np.float64))


DENSE = 8  # a union sums into a table of every document number when at most this sparse


def _union(parts: Iterable[Matches], boost: float) -> Matches:
    parts = [p for p in parts if len(p.ids)]
    if not parts:
        return Matches.empty()
    if len(parts) == 1:
        return Matches(parts[0].ids, parts[0].scores * boost)
    size = int(max(p.ids[-1] for p in parts)) + 1  # ids are sorted
    summed = _sum_by_id(
        np.concatenate([p.ids for p in parts]), np.concatenate([p.scores for p in parts]), size
    )
    return Matches(summed.ids, summed.scores * boost)


def _sum_by_id(ids: Ids, scores: Scores, size: int) -> Matches:
    """Each document once (sorted), with the sum of its scores, added in the order given
    (np.bincount adds its weights in order: the same floats as adding part after part)."""
    if size <= DENSE * len(ids):
        # Many hits (a common word in every field, a widened query): summing into a table of
        # all document numbers is linear, where sorting the concatenation is not.
        # (with weights, bincount's sums are float64 already: astype copies nothing)
        summed: Scores = np.bincount(ids, weights=scores, minlength=size).astype(
            np.float64, copy=False
        )
        present = np.zeros(size, dtype=np.bool_)
        present[ids] = True
        found = np.flatnonzero(present)
        return Matches(found, summed[found])
    unique, inverse = np.unique(ids, return_inverse=True)
    result: Scores = np.bincount(inverse, weights=scores).astype(np.float64)
    return Matches(unique, result)


def _intersection(parts: list[Matches], boost: float) -> Matches:
    if not parts:
        return Matches.empty()
    parts = sorted(parts, key=lambda p: len(p.ids))  # smallest first: cheapest
    result = parts[0]
    for other in parts[1:]:
        if not len(result.ids):
            break
        common, left, right = _common(result.ids, other.ids)
        result = Matches(common, result.scores[left] + other.scores[right])
    return Matches(result.ids, result.scores * boost)


def _common(a: Ids, b: Ids) -> tuple[Ids, Ids, Ids]:
    """np.intersect1d(a, b, assume_unique=True, return_indices=True) of two sorted unique id
    arrays: the common ids and their positions in a and in b. Two long lists of a dense range
    (two common words) meet through a table of b's positions by document number, linear
    where intersect1d sorts both lists together."""
    size = int(max(a[-1], b[-1])) + 1 if len(a) and len(b) else 0
    if not size or size > DENSE * (len(a) + len(b)):
        common, left, right = np.intersect1d(a, b, assume_unique=True, return_indices=True)
        return common, left, right
    position = np.full(size, -1, dtype=np.int64)
    position[b] = np.arange(len(b), dtype=np.int64)
    at = position[a]
    left = np.flatnonzero(at >= 0)
    return a[left], left, at[left]
