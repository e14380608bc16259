"""Tantivy as the benchmark's third engine, a yardstick for Whoosh (through kb) and FTS5: its
index, the translation of kb's parsed queries into Tantivy queries, and its search worker.

Tantivy is a benchmark-only dependency (the `bench` extra); the app never imports it (an
import contract in setup.cfg). It gets exactly FTS5's work: the index is built from the FTS5
file's analysed texts and facet rows, under FTS5's rowids, so all three engines search the
same documents with the same tokens; queries are cleaned and parsed by kb's Whoosh parser and
the tree translated as bench.fts5.to_match translates it, with the same text fields and
weights (ported from a stand-alone yardstick script written for an earlier layout).
"""

import itertools
import shutil
import sqlite3
import time
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import tantivy
from whoosh import query as wq

from bench.fts5 import COLUMNS
from bench.measure import FacetCounts, Found, agreement_record, peak_memory_mb, time_queries
from search_index.documents import FACETS
from search_index.query import clean, make_parser, parse
from search_index.schema import TEXT_FIELDS
from search_index.store import BUILD_PROCESSES

FOLDER = "tantivy"  # the index's folder in the bench folder
ROWID = "rowid"  # FTS5's rowid of the document, a fast field
HEAP = 512_000_000  # the writer's memory budget for all its threads (bytes)
# Every value of every facet comes back (the catalogue has a few dozen per facet).
AGGREGATIONS = {f: {"terms": {"field": f, "size": 10_000}} for f in FACETS}
TOP = 20

Row = tuple[int, list[str], dict[str, list[str]]]  # rowid, analysed texts by column, facets


# --- the index ---------------------------------------------------------------------------


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_unsigned_field(ROWID, stored=True, indexed=True, fast=True)
    for column in COLUMNS:
        # Analysed tokens joined by spaces, split on whitespace only: Tantivy indexes exactly
        # FTS5's tokens. Stored, as FTS5 stores every column (snippets come from it). Whoosh's
        # `parts` field has no positions (no phrase search), only frequencies for BM25.
        sb.add_text_field(
            column,
            stored=True,
            tokenizer_name="whitespace",
            index_option="freq" if column == "parts" else "position",
        )
    for facet in FACETS:
        # Raw values in a fast field: terms aggregations read them without stored documents.
        sb.add_text_field(facet, fast=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def fts5_rows(fts_path: Path) -> Iterator[Row]:
    """FTS5's documents in rowid order: their analysed texts and their facet values."""
    con = sqlite3.connect(fts_path)
    try:
        texts = con.execute(f"SELECT rowid, {', '.join(COLUMNS)} FROM fts ORDER BY rowid")
        facet_rows = con.cursor().execute(
            "SELECT doc_id, facet, value FROM doc_facet ORDER BY doc_id"
        )
        by_doc = itertools.groupby(facet_rows, key=itemgetter(0))
        pending = next(by_doc, None)
        for rowid, *columns in texts:
            facets: dict[str, list[str]] = {}
            # Both in rowid order: advance the facet rows up to this document (every document
            # has at least its kind, but a merge does not rely on it).
            while pending is not None and pending[0] <= rowid:
                if pending[0] == rowid:
                    for _, facet, value in pending[1]:
                        facets.setdefault(facet, []).append(value)
                pending = next(by_doc, None)
            yield rowid, columns, facets
    finally:
        con.close()


def build(path: Path, fts_path: Path) -> dict[str, Any]:
    """A fresh index in `path` from the FTS5 file (built first); returns the seconds spent
    adding documents, committing and merging, the document count and the segments."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(build_schema(), path=str(path))
    t0 = time.perf_counter()
    # As many threads as Whoosh's rebuild has processes (one per usable core).
    writer = index.writer(heap_size=HEAP, num_threads=BUILD_PROCESSES)
    for rowid, columns, facets in fts5_rows(fts_path):
        doc = tantivy.Document()
        doc.add_unsigned(ROWID, rowid)
        for column, text in zip(COLUMNS, columns, strict=True):
            if text:
                doc.add_text(column, text)
        for facet, values in facets.items():
            for value in values:
                doc.add_text(facet, value)
        writer.add_document(doc)
    add_s = time.perf_counter() - t0
    writer.commit()
    commit_s = time.perf_counter() - t0 - add_s
    writer.wait_merging_threads()
    total_s = time.perf_counter() - t0
    index.reload()
    searcher = index.searcher()
    return {
        "add_s": add_s,
        "commit_s": commit_s,
        "merge_s": total_s - add_s - commit_s,
        "tantivy_s": total_s,
        "threads": BUILD_PROCESSES,
        "docs": searcher.num_docs,
        "segments": searcher.num_segments,
    }


# --- queries -----------------------------------------------------------------------------


def _prefix_pattern(text: str) -> str:
    """A regex for the terms starting with `text`. Analysed prefixes are letters, digits and
    dots; anything else would need escaping rules of Tantivy's regex dialect, so it is refused."""
    if not text.replace(".", "").isalnum():
        raise ValueError(f"no Tantivy regex for the prefix {text!r}")
    return text.replace(".", r"\.") + ".*"


def to_tantivy(
    node: wq.Query, schema: tantivy.Schema, expand: tantivy.Searcher | None = None
) -> tantivy.Query:
    """A parsed Whoosh query as a Tantivy query (the counterpart of bench.fts5.to_match).
    Field weights become score boosts, as they become bm25()'s weights in FTS5.

    With `expand` (a searcher): the query for the body's snippets. Tantivy's SnippetGenerator
    highlights only the terms a query names, and a regex query names none, so a prefix becomes
    the body terms it matches (FTS5's snippet() highlights prefix matches too)."""
    query, occur = tantivy.Query, tantivy.Occur

    def weighted(q: tantivy.Query, leaf: Any) -> tantivy.Query:
        boost = TEXT_FIELDS.get(leaf.fieldname, 1.0) * leaf.boost
        return q if boost == 1.0 else query.boost_query(q, boost)

    def sub(child: wq.Query) -> tantivy.Query:
        return to_tantivy(child, schema, expand)

    if isinstance(node, wq.Every):
        return query.all_query()
    if isinstance(node, wq.Term):
        return weighted(query.term_query(schema, node.fieldname, node.text), node)
    if isinstance(node, wq.Phrase):
        # Whoosh's slop 1 (adjacent words) is Tantivy's slop 0 (and FTS5's "a b").
        phrase = query.phrase_query(schema, node.fieldname, list(node.words), node.slop - 1)
        return weighted(phrase, node)
    if isinstance(node, wq.Prefix):
        # Not phrase_prefix_query: with one word it expands to at most 50 terms.
        pattern = _prefix_pattern(node.text)
        if expand is None:
            return weighted(query.regex_query(schema, node.fieldname, pattern), node)
        if node.fieldname != "body":
            return query.empty_query()
        terms = [t for t, _ in expand.terms_with_prefix("body", node.text)]
        return query.boolean_query(
            [(occur.Should, query.term_query(schema, "body", t)) for t in terms]
        )
    if isinstance(node, wq.AndNot):
        return query.boolean_query([(occur.Must, sub(node.a)), (occur.MustNot, sub(node.b))])
    if isinstance(node, wq.And):
        return query.boolean_query(
            [
                (occur.MustNot, sub(c.query)) if isinstance(c, wq.Not) else (occur.Must, sub(c))
                for c in node.subqueries
            ]
        )
    if isinstance(node, wq.Or):
        return query.boolean_query([(occur.Should, sub(c)) for c in node.subqueries])
    raise ValueError(f"no Tantivy form for {node!r}")


# --- searching ---------------------------------------------------------------------------


class TantivySearcher:
    """One opened index, searched like Fts5Searcher: top 20 by BM25, the total, and on request
    the facet counts and the body's snippets."""

    def __init__(self, path: Path) -> None:
        self.index = tantivy.Index.open(str(path))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(
        self, node: wq.Query, facets: bool, snippets: bool
    ) -> tuple[int, list[int], FacetCounts | None, list[str]]:
        """The total, the top rowids, the facet counts (None without `facets`) and the top
        hits' body snippets as HTML (empty without `snippets`)."""
        query = to_tantivy(node, self.schema)
        result = self.searcher.search(query, TOP, count=True)
        addresses = [address for _, address in result.hits]
        rowids = [
            int(r) for r in self.searcher.fast_field_values(ROWID, addresses) if r is not None
        ]
        counts = self.facet_counts(query) if facets else None
        html: list[str] = []
        if snippets:
            prefixed = any(isinstance(leaf, wq.Prefix) for leaf in node.leaves())
            shown = to_tantivy(node, self.schema, self.searcher) if prefixed else query
            generator = tantivy.SnippetGenerator.create(self.searcher, shown, self.schema, "body")
            html = [
                generator.snippet_from_doc(self.searcher.doc(address)).to_html()
                for address in addresses
            ]
        total: int = result.count  # type: ignore[attr-defined]  # missing from the stub
        return total, rowids, counts, html

    def facet_counts(self, query: tantivy.Query) -> FacetCounts:
        """Counts per value of every facet over all hits: one terms aggregation per facet, all
        in one request (one pass over the hits, reading the fast fields)."""
        answer = self.searcher.aggregate(query, AGGREGATIONS)
        counts: FacetCounts = {}
        for facet in FACETS:
            aggregation = answer[facet]
            if aggregation.get("sum_other_doc_count", 0):
                raise RuntimeError(f"facet {facet}: more values than {AGGREGATIONS[facet]}")
            counts[facet] = {b["key"]: b["doc_count"] for b in aggregation["buckets"]}
        return counts


def search_worker(folder: Path, rounds: int, queries: list[str]) -> dict[str, Any]:
    """The searching process's measurements (run in a fresh process: its memory is its own)."""
    parser = make_parser()
    engine = TantivySearcher(folder / FOLDER)

    def search(q: str, facets: bool, snippets: bool) -> Found:
        # Cleaning, parsing and translating are inside every timing, as for FTS5.
        total, _, counts, _ = engine.search(parse(parser, clean(q)[0]), facets, snippets)
        return Found(total, counts)

    timed = time_queries(search, queries, rounds)
    return {**timed, **agreement_record(search, queries), "peak_rss_mb": peak_memory_mb()}
