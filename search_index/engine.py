"""Searching: parse, match, filter and count facets, rank or sort, page, highlight, suggest;
and "similar cases". Reads the index (plus an overlay of pending changes), never writes it."""

import os
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import MultifieldParser
from whoosh.searching import Hit, Searcher
from whoosh.sorting import FieldFacet, ScoreFacet

from search_index.analysis import transliterate
from search_index.documents import (
    FACETS,
    SORTS,
    Overlay,
    QuerySyntaxError,
    SearchHit,
    SearchRequest,
    SearchResults,
)
from search_index.facets import DocIds, FacetTable, apply_filters
from search_index.highlight import prepare, snippet
from search_index.query import clean, make_parser, parse
from search_index.schema import build_schema
from search_index.store import IndexStore, to_fields

FEW_HITS = 3  # below this many hits, offer a "Meinten Sie …?" suggestion
MAX_PER_PAGE = 100
MAX_PAGE = 1000


class SearchEngine:
    def __init__(self, root: Path) -> None:
        self.store = IndexStore(root)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._segment_tables: dict[tuple[str, str], FacetTable] = {}
        self._tables: dict[tuple[object, ...], FacetTable] = {}

    # --- plumbing ---------------------------------------------------------------------------

    def _parser(self) -> MultifieldParser:
        parser: MultifieldParser | None = getattr(self._local, "parser", None)
        if parser is None:
            parser = self._local.parser = make_parser()
        return parser

    def _facet_table(self, searcher: Searcher, generation: Path) -> FacetTable:
        """The facet table of the searcher's index state; segments are read once and cached
        (deletions do not change a segment's values, and deleted documents never match)."""
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
                seg = FacetTable.from_reader(reader)
                with self._lock:
                    self._segment_tables[seg_key] = seg
            parts.append((seg, offset))
        table = FacetTable.concat(parts, searcher.reader().doc_count_all())
        with self._lock:
            self._tables = {key: table}  # only the newest index state is worth keeping
            used = {(folder, s) for s, _ in keys}
            self._segment_tables = {k: v for k, v in self._segment_tables.items() if k in used}
        return table

    @staticmethod
    def _hit_ids(searcher: Searcher, query: wq.Query) -> DocIds:
        """Every matching (not deleted) document number, without scoring."""
        chunks = [
            np.fromiter(query.docs(leaf), dtype=np.int64) + offset
            for leaf, offset in searcher.leaf_searchers()
        ]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)

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
    ) -> SearchResults:
        """Run a request; raises QuerySyntaxError with a German message for unusable input.
        `facets` and `snippets` can be switched off (the benchmark measures their cost)."""
        if request.sort not in SORTS:
            raise QuerySyntaxError(f"Unbekannte Sortierung '{request.sort}' ({', '.join(SORTS)})")
        per_page = min(max(request.per_page, 1), MAX_PER_PAGE)
        page = min(max(request.page, 1), MAX_PAGE)
        text, note = clean(request.query)
        query = parse(self._parser(), text)
        filters = {
            f: tuple(transliterate(v.lower()) for v in values)
            for f, values in request.filters.items()
            if values and f in FACETS
        }
        overlay = overlay or Overlay()

        generation, searcher = self.store.searcher_and_folder()
        hits = self._hit_ids(searcher, query)
        stale = [searcher.document_number(id=i) for i in overlay.stale]
        stale_ids = np.array([d for d in stale if d is not None], dtype=np.int64)
        if len(stale_ids):
            hits = hits[~np.isin(hits, stale_ids)]
        table = self._facet_table(searcher, generation)
        final, counts = apply_filters(table, hits, filters, count=facets)

        extra: list[tuple[Searcher, set[int] | None]] = []
        total = len(final)
        if overlay.docs:
            ram = self._overlay_searcher(overlay)
            ram_hits = self._hit_ids(ram, query)
            ram_final, ram_counts = apply_filters(
                FacetTable.from_reader(ram.reader()), ram_hits, filters, count=facets
            )
            for facet, values in ram_counts.items():
                for value, n in values.items():
                    counts[facet][value] = counts[facet].get(value, 0) + n
            if len(ram_final):
                total += len(ram_final)
                extra.append((ram, set(ram_final.tolist())))

        main_filter = set(final.tolist()) if (filters or len(stale_ids)) else None
        hits_out = self._page(
            [(searcher, main_filter), *extra], query, request.sort, page, per_page, snippets
        )
        suggestion = self.suggest(searcher, text) if total < FEW_HITS else None
        counts = {
            f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in counts.items()
        }
        results = SearchResults(request.query, total, page, per_page, hits_out, counts, suggestion)
        results.message = note
        return results

    def _page(
        self,
        sources: list[tuple[Searcher, set[int] | None]],
        query: wq.Query,
        sort: str,
        page: int,
        per_page: int,
        snippets: bool = True,
    ) -> list[SearchHit]:
        """The requested page of hits, merged across the index and the overlay."""
        limit = page * per_page
        if sort == "date":
            sortedby = [FieldFacet("date", reverse=True), ScoreFacet()]
        elif sort == "name":
            sortedby = [FieldFacet("name"), ScoreFacet()]
        else:
            sortedby = None
        candidates: list[tuple[tuple[object, ...], Hit]] = []
        for searcher, allowed in sources:
            if allowed is not None and not allowed:
                continue
            results = searcher.search(query, limit=limit, filter=allowed, sortedby=sortedby)
            prepare(results)
            for hit in results:
                score = _relevance(hit)
                if sort == "date":
                    key: tuple[object, ...] = (_desc(hit.get("date", "")), -score)
                elif sort == "name":
                    key = (hit.get("name", ""), -score)
                else:
                    key = (-score,)
                candidates.append((key, hit))
        if len(sources) > 1:
            candidates.sort(key=lambda c: c[0])
        chosen = candidates[(page - 1) * per_page : limit]
        return [_to_hit(hit, snippets) for _, hit in chosen]

    # --- suggestions and similar documents --------------------------------------------------

    def suggest(self, searcher: Searcher, text: str) -> str | None:
        """ "Meinten Sie …?": replace each word that matches nothing by the closest indexed
        word (readable, with umlauts), if the corrected query finds something."""
        corrector = self.store.words_searcher().corrector("word")
        analyzer = searcher.schema["body"].analyzer
        changed = False
        out = []
        for token in re.split(r"(\s+)", text):
            word = token.strip('"()')
            plain = word.isalpha() and ":" not in word and word not in ("AND", "OR", "NOT")
            if plain and len(word) > 2:
                terms = [t.text for t in analyzer(word, mode="query")]
                if terms and all(
                    searcher.doc_frequency(f, t) == 0
                    for t in terms
                    for f in ("title", "body", "aliases", "names", "parts")
                ):
                    found = next(
                        iter(corrector.suggest(word.lower(), limit=1, maxdist=2, prefix=1)), None
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
        searcher = self.store.searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None:
            return []
        stored = searcher.stored_fields(docnum)
        clauses: list[wq.Query] = [
            wq.Term("body", term, boost=weight)
            for term, weight in searcher.key_terms([docnum], "body", numterms=12)
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
        results = searcher.search(
            wq.Or(clauses),
            limit=limit,
            filter=wq.Term("kind", kind),
            mask=wq.Term("id", doc_id),
        )
        prepare(results)
        return [_to_hit(hit) for hit in results]

    def doc_count(self) -> int:
        return int(self.store.searcher().doc_count())

    def ids(self) -> Iterable[str]:
        """Every indexed id (for consistency checks)."""
        searcher = self.store.searcher()
        return [fields["id"] for fields in searcher.all_stored_fields()]


def _desc(value: str) -> str:
    """A key that sorts ISO dates newest first, unknown dates last."""
    if not value:
        return "\uffff"
    return "".join(chr(0x10FFFF - ord(c)) if c.isdigit() else c for c in value)


def _relevance(hit: Hit) -> float:
    """The relevance score; when sorted by a field, Whoosh's score is the sort key tuple whose
    last part is the (negated) score of the ScoreFacet tie-break."""
    score = hit.score
    if isinstance(score, tuple):
        return float(-score[-1]) if score and isinstance(score[-1], int | float) else 0.0
    return float(score or 0.0)


def _to_hit(hit: Hit, with_snippet: bool = True) -> SearchHit:
    kind = hit["kind"]
    return SearchHit(
        kind=kind,
        slug=hit["parent"] if kind == "note" else hit["slug"],
        title=hit["title"],
        url=hit["url"],
        score=_relevance(hit),
        snippet=snippet(hit) if with_snippet else "",
        id=hit["id"],
    )
