"""Searching: parse, match, filter and count facets, rank or sort, page, highlight, suggest;
and "similar cases". Reads the index (plus an overlay of pending changes), never writes it."""

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser
from whoosh.searching import Searcher

from search_index import forgiving, memory, whoosh_internals
from search_index.analysis import transliterate
from search_index.documents import (
    FACETS,
    SORTS,
    Overlay,
    QuerySyntaxError,
    SearchHit,
    SearchRequest,
    SearchResults,
    Synonym,
)
from search_index.executor import Execution, Executor, PostingCache, Scores
from search_index.facets import DocIds, DocTable, apply_filters
from search_index.highlight import snippet
from search_index.messages import UNKNOWN_SORT, Message
from search_index.query import clean, expand, make_parser, parse
from search_index.schema import TEXT_FIELDS, build_schema
from search_index.store import IndexStore, to_fields

FEW_HITS = forgiving.FEW_HITS  # below this many hits: widen the query, suggest spellings
MAX_PER_PAGE = 100
MAX_PAGE = 1000


class SearchEngine:
    def __init__(self, root: Path) -> None:
        whoosh_internals.install()
        memory.keep_large_blocks()  # numpy's temporaries: no page faults per search
        self.store = IndexStore(root)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._segment_tables: dict[tuple[str, str], DocTable] = {}
        self._tables: dict[tuple[object, ...], DocTable] = {}
        self._executor = Executor(PostingCache())

    def close(self) -> None:
        """Let go of this thread's open index files."""
        self.store.close()
        cached = getattr(self._local, "overlay", None)
        if cached is not None:
            cached[1].close()
            self._local.overlay = None

    # --- plumbing ---------------------------------------------------------------------------

    def _parser(self) -> MultifieldParser:
        parser: MultifieldParser | None = getattr(self._local, "parser", None)
        if parser is None:
            parser = self._local.parser = make_parser()
        return parser

    def _doc_table(self, searcher: Searcher, generation: Path) -> DocTable:
        """The facet and sort table of the searcher's index state; segments are read once and
        cached (deletions do not change a segment's values, and deleted documents never match)."""
        leaves = searcher.reader().leaf_readers()
        folder = str(generation)
        keys = tuple((str(r.segment().segment_id()), offset) for r, offset in leaves)
        key = (folder, keys)
        with self._lock:
            table = self._tables.get(key)
        if table is not None:
            return table
        parts = []
        for reader, offset in leaves:
            seg_key = (folder, str(reader.segment().segment_id()))
            with self._lock:
                seg = self._segment_tables.get(seg_key)
            if seg is None:
                seg = DocTable.from_reader(reader)
                with self._lock:
                    self._segment_tables[seg_key] = seg
            parts.append((seg, offset))
        table = DocTable.concat(parts, searcher.reader().doc_count_all())
        with self._lock:
            self._tables = {key: table}  # only the newest index state is worth keeping
            used = {(folder, s) for s, _ in keys}
            self._segment_tables = {k: v for k, v in self._segment_tables.items() if k in used}
        return table

    def _hit_ids(self, searcher: Searcher, query: wq.Query) -> DocIds:
        """Every matching (not deleted) document number."""
        return self._executor.run(searcher, query).matches.ids

    def _overlay_searcher(self, overlay: Overlay) -> Searcher:
        cached = getattr(self._local, "overlay", None)
        if cached is not None and cached[0] == overlay:
            return cached[1]
        # A name of its own: Whoosh keeps a RAM index's temporary files in the system folder
        # under the index name, and writers of other processes would delete each other's.
        name = f"kb-overlay-{os.getpid()}-{threading.get_ident()}"
        ix = RamStorage().create_index(build_schema(), indexname=name)
        writer = ix.writer()
        for doc in overlay.docs:
            writer.add_document(**to_fields(doc))
        writer.commit()
        searcher = ix.searcher()
        if cached is not None:
            cached[1].close()
        self._local.overlay = (overlay, searcher)
        return searcher

    # --- searching --------------------------------------------------------------------------

    def search(
        self,
        request: SearchRequest,
        overlay: Overlay | None = None,
        *,
        facets: bool = True,
        snippets: bool = True,
        every_hit: bool = False,
        synonyms: tuple[Synonym, ...] = (),
    ) -> SearchResults:
        """Run a request; raises QuerySyntaxError with a German message for unusable input.
        `facets` and `snippets` can be switched off (the benchmark measures their cost).
        `every_hit` returns all hits as one page, in the requested order, past the paging
        limits that protect interactive requests (for downloads of a whole result set).
        `synonyms` are matched besides their phrases (query.expand: the reader's words for
        what the index holds in German); corrections and word forms work on the words as typed."""
        if request.sort not in SORTS:
            raise QuerySyntaxError(
                Message(UNKNOWN_SORT, sort=request.sort, allowed=", ".join(SORTS))
            )
        per_page = min(max(request.per_page, 1), MAX_PER_PAGE)
        page = min(max(request.page, 1), MAX_PAGE)
        text, note = clean(request.query)
        query = parse(self._parser(), text, synonyms)
        filters = {
            f: tuple(transliterate(v.lower()) for v in values)
            for f, values in request.filters.items()
            if values and f in FACETS
        }
        overlay = overlay or Overlay()

        generation, searcher = self.store.searcher_and_folder()
        stale = [searcher.document_number(id=i) for i in overlay.stale]  # changed since
        stale_ids = np.array([d for d in stale if d is not None], dtype=np.int64)
        searchers = [(searcher, self._doc_table(searcher, generation), stale_ids)]
        if overlay.docs:
            ram = self._overlay_searcher(overlay)
            ram_table = DocTable.concat([(DocTable.from_reader(ram.reader()), 0)], 0)
            searchers.append((ram, ram_table, np.zeros(0, dtype=np.int64)))

        terms: dict[str, set[str]] = {}
        strict: list[Execution] = []  # per searcher: the query as typed, run once
        sources, counts = self._collect(searchers, query, None, filters, facets, terms, strict)
        total = sum(len(src.ids) for src in sources)
        clauses = None
        if total < FEW_HITS and not request.exact:
            clauses = forgiving.plan(
                text,
                self._parser(),
                searcher,
                self.store.words_searcher(),
                lambda q: len(self._executor.run(searcher, q).matches.ids),
            )
        if clauses:
            sources, counts = self._collect(
                searchers, query, clauses, filters, facets, terms, strict
            )
            total = sum(len(src.ids) for src in sources)
        if every_hit:
            page, per_page = 1, max(total, 1)
        hits_out = self._page(sources, request.sort, page, per_page, terms, snippets, clauses)
        exact_total = sum(int((src.tiers == 0).sum()) for src in sources)
        corrected = (
            forgiving.corrected_text(text, clauses) if clauses and exact_total == 0 else None
        )
        if corrected is not None and not any(int((src.tiers == 1).sum()) for src in sources):
            corrected = None  # the corrected words together found nothing either
        suggestion = None
        if total < FEW_HITS and not corrected:
            suggestion = self.suggest(searcher, text, keep=expand(text, synonyms)[1])
        counts = {
            f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in counts.items()
        }
        results = SearchResults(request.query, total, page, per_page, hits_out, counts, suggestion)
        results.message = note
        results.exact_total = exact_total
        results.partial = any(bool((src.tiers >= 2).any()) for src in sources)
        if corrected is not None:
            results.query, results.corrected_from = corrected, request.query
        return results

    def _collect(
        self,
        searchers: list[tuple[Searcher, DocTable, DocIds]],
        query: wq.Query,
        clauses: list[forgiving.Clause] | None,
        filters: dict[str, tuple[str, ...]],
        facets: bool,
        terms: dict[str, set[str]],
        strict: list[Execution],
    ) -> tuple[list[forgiving.Tiers], dict[str, dict[str, int]]]:
        """The hits of every searcher (the index, the overlay) in tiers, without the stale ones
        and those the filters leave out, and the facet counts over all of them. `strict` holds
        the query's execution per searcher once it ran (a second call reuses it)."""
        sources: list[forgiving.Tiers] = []
        counts: dict[str, dict[str, int]] = {f: {} for f in FACETS}
        for n, (s, table, stale_ids) in enumerate(searchers):
            if len(strict) <= n:
                strict.append(self._executor.run(s, query))
            found = strict[n]
            _merge_terms(terms, found.terms)
            loose = []
            for clause in clauses or ():
                widened = self._executor.run(s, clause.loose)
                _merge_terms(terms, widened.terms)
                loose.append(widened.matches)
            tiers = forgiving.combine(
                found.matches, loose, [c.unit.kind == "filter" for c in clauses or ()]
            )
            keep = ~np.isin(tiers.ids, stale_ids) if len(stale_ids) else None
            if keep is not None:
                tiers = forgiving.Tiers(
                    tiers.ids[keep], tiers.scores[keep], tiers.tiers[keep], tiers.clause_ids
                )
            passed, found_counts = apply_filters(table, tiers.ids, filters, count=facets)
            for facet, values in found_counts.items():
                for value, n in values.items():
                    counts[facet][value] = counts[facet].get(value, 0) + n
            if filters:  # without, every hit passes: no copies
                tiers = forgiving.Tiers(
                    tiers.ids[passed], tiers.scores[passed], tiers.tiers[passed], tiers.clause_ids
                )
            sources.append(
                forgiving.Tiers(tiers.ids, tiers.scores, tiers.tiers, tiers.clause_ids, s, table)
            )
        return sources, counts

    def _page(
        self,
        sources: list[forgiving.Tiers],
        sort: str,
        page: int,
        per_page: int,
        terms: dict[str, set[str]],
        snippets: bool = True,
        clauses: list[forgiving.Clause] | None = None,
    ) -> list[SearchHit]:
        """The requested page of hits, merged across the index and the overlay: lower tiers
        first (the words as typed before widened ones, all words before some), then in the
        requested order."""
        limit = page * per_page
        candidates: list[tuple[tuple[object, ...], forgiving.Tiers, int, float]] = []
        for src in sources:
            table = src.table
            for i in _top(table, src.ids, src.scores, src.tiers, sort, limit):
                docnum, score, tier = int(src.ids[i]), float(src.scores[i]), int(src.tiers[i])
                if sort == "date":
                    key: tuple[object, ...] = (tier, -int(table.date[docnum]), -score, docnum)
                elif sort == "name":
                    key = (tier, str(table.name[docnum]), -score, docnum)
                else:
                    key = (tier, -score, docnum)
                candidates.append((key, src, docnum, score))
        candidates.sort(key=lambda c: c[0])
        chosen = candidates[(page - 1) * per_page : limit]
        hits = []
        for key, src, docnum, score in chosen:
            fields = (
                _shown(src.searcher, docnum) if snippets else src.searcher.stored_fields(docnum)
            )
            hit = _to_hit(fields, score, terms, src.searcher.schema, snippets)
            if int(key[0]) >= 2:  # type: ignore[call-overload]
                hit = replace(hit, missing=src.missing(docnum, clauses))
            hits.append(hit)
        return hits

    # --- suggestions and similar documents --------------------------------------------------

    def suggest(
        self, searcher: Searcher, text: str, keep: frozenset[str] = frozenset()
    ) -> str | None:
        """ "Meinten Sie …?": replace each word that matches nothing by the closest indexed
        word (readable, with umlauts), if the corrected query finds something; words in `keep`
        (lower case: those a synonym stands for) stay as they are."""
        corrector = self.store.words_searcher().corrector("word")
        analyzer = searcher.schema["body"].analyzer
        changed = False
        out = []
        for token in re.split(r"(\s+)", text):
            word = token.strip('"()')
            plain = word.isalpha() and ":" not in word and word not in ("AND", "OR", "NOT")
            plain = plain and word.lower() not in keep
            if plain and len(word) > 2:
                terms = [t.text for t in analyzer(word, mode="query")]
                if terms and all(
                    searcher.doc_frequency(f, t) == 0 for t in terms for f in TEXT_FIELDS
                ):
                    candidates = corrector.suggest(word.lower(), limit=5, maxdist=2, prefix=1)
                    # Equally close words: the one most documents use is the likelier intent.
                    found = max(
                        candidates,
                        key=lambda c: sum(
                            searcher.doc_frequency(f, t.text)
                            for t in analyzer(c, mode="query")
                            for f in ("title", "body")
                        ),
                        default=None,
                    )
                    if found:
                        token = token.replace(word, found)
                        changed = True
            out.append(token)
        if not changed:
            return None
        suggestion = "".join(out)
        try:
            if not len(self._hit_ids(searcher, parse(self._parser(), clean(suggestion)[0]))):
                return None
        except QuerySyntaxError:
            return None
        return suggestion

    def similar(self, doc_id: str, kind: str = "case", limit: int = 5) -> list[SearchHit]:
        """Documents of `kind` most like `doc_id`: sharing its key words, its instruments and
        its governance type and scale."""
        generation, searcher = self.store.searcher_and_folder()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        stored = _shown(searcher, docnum)
        clauses: list[wq.Query] = [
            wq.Term("body", term, boost=weight)
            for term, weight in searcher.key_terms_from_text(
                "body", stored.get("body", ""), numterms=12
            )
        ]
        analyzer = searcher.schema["names"].analyzer
        clauses += [
            wq.Term("names", t.text, boost=2.0) for t in analyzer(stored.get("instruments", ""))
        ]
        for facet, boost in (("governance", 1.0), ("scale", 0.5)):
            clauses += [
                wq.Term(facet, v, boost=boost) for v in stored.get(facet, "").split(",") if v
            ]
        if not clauses:
            return []
        found = self._executor.run(searcher, wq.Or(clauses))
        table = self._doc_table(searcher, generation)
        keep = table.mask("kind", (kind,), found.matches.ids) & (found.matches.ids != docnum)
        ids = found.matches.ids[keep]
        tiers = np.zeros(len(ids), dtype=np.int64)
        source = forgiving.Tiers(
            ids, found.matches.scores[keep], tiers, searcher=searcher, table=table
        )
        # Their titles are what the case page shows: no snippets to make.
        return self._page([source], "relevance", 1, limit, found.terms, snippets=False)

    def ids(self) -> Iterable[str]:
        """Every indexed id (for consistency checks)."""
        searcher = self.store.searcher()
        return [fields["id"] for fields in searcher.all_stored_fields()]


def _merge_terms(into: dict[str, set[str]], terms: dict[str, set[str]]) -> None:
    for fieldname, words in terms.items():
        into.setdefault(fieldname, set()).update(words)


def _top(
    table: DocTable, ids: DocIds, scores: Scores, tiers: DocIds, sort: str, k: int
) -> list[int]:
    """Positions (into ids) of the first k hits in the requested order, lower tiers first."""
    if not len(ids):
        return []
    if tiers.any():
        # Lower tiers first: fill the k places tier by tier, each in the requested order.
        placed: list[int] = []
        for tier in np.unique(tiers):
            if len(placed) >= k:
                break
            at = np.flatnonzero(tiers == tier)
            best = _top(table, ids[at], scores[at], np.zeros(0, np.int64), sort, k - len(placed))
            placed += [int(at[i]) for i in best]
        return placed
    if sort == "name":
        keys = table.name_rank[ids]  # type: ignore[index]
        order = np.argpartition(keys, min(k, len(keys)) - 1)[:k] if len(keys) > k else None
        chosen = order if order is not None else np.arange(len(ids))
        return [int(i) for i in chosen[np.argsort(keys[chosen], kind="stable")]]
    if sort == "date":
        dates = table.date[ids]
        if len(ids) > k:
            chosen = np.flatnonzero(dates >= _kth_largest(dates, k))
        else:
            chosen = np.arange(len(ids))
        order = np.lexsort((ids[chosen], -scores[chosen], -dates[chosen]))
        return [int(i) for i in chosen[order][:k]]
    if len(ids) > k:
        chosen = np.flatnonzero(scores >= _kth_largest(scores, k))
    else:
        chosen = np.arange(len(ids))
    order = np.lexsort((ids[chosen], -scores[chosen]))
    return [int(i) for i in chosen[order][:k]]


SAMPLE_STRIDE = 64  # _kth_largest looks at every 64th value first


def _kth_largest(values: NDArray[Any], k: int) -> Any:
    """The k-th largest of values (1 <= k <= len(values)), as
    np.partition(values, len - k)[len - k] gives it, without partitioning all of them: the
    k-th largest of every SAMPLE_STRIDE-th value is a lower bound (the sample is part of
    the values), and only the values at or above it, about k * SAMPLE_STRIDE, are
    partitioned. A page of 20 among 100,000 hits: about 1,300 values instead of 100,000."""
    sample = values[::SAMPLE_STRIDE]
    if len(sample) < 2 * k:
        return np.partition(values, len(values) - k)[len(values) - k]
    bound = np.partition(sample, len(sample) - k)[len(sample) - k]
    above = values[values >= bound]  # at least k: the sample's k largest are among them
    return np.partition(above, len(above) - k)[len(above) - k]


def _shown(searcher: Searcher, docnum: int) -> dict[str, Any]:
    """A document's stored fields and the texts of its `texts` column (what snippets show)."""
    fields: dict[str, Any] = searcher.stored_fields(docnum)
    texts = searcher.schema["texts"]
    for reader, offset in searcher.reader().leaf_readers():
        if docnum < offset + reader.doc_count_all():
            column = whoosh_internals.text_column(reader, "texts", texts.column_type)
            if column is not None:
                fields.update(texts.from_column_value(column[docnum - offset]))
            return fields
    return fields


def _to_hit(
    stored: dict[str, Any],
    score: float,
    terms: dict[str, set[str]],
    schema: Any,
    with_snippet: bool = True,
) -> SearchHit:
    kind = stored["kind"]
    return SearchHit(
        kind=kind,
        slug=stored["parent"] if kind == "note" else stored["slug"],
        title=stored["title"],
        score=score,
        snippet=snippet(stored, terms, schema) if with_snippet else "",
        id=stored["id"],
        anchor=stored["slug"] if kind == "note" else "",
    )
