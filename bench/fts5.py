"""The SQLite FTS5 baseline: the same documents, analysed by the same German analyzer (so both
engines see the same tokens and return the same hits), and the same queries translated from the
parsed Whoosh query tree into FTS5's syntax."""

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from whoosh import query as wq

from bench.measure import FacetCounts
from search_index.documents import FACETS, SearchDocument
from search_index.schema import TEXT_FIELDS, build_schema
from search_index.store import to_fields

COLUMNS = list(TEXT_FIELDS)  # title, aliases, names, body, details, parts
WEIGHTS = ", ".join(str(w) for w in TEXT_FIELDS.values())
ANALYZERS = [build_schema()[c].analyzer for c in COLUMNS]  # details: without the labels


def analysed(doc: SearchDocument) -> list[str]:
    """The document's field texts exactly as the Whoosh index gets them, as analysed tokens."""
    fields = to_fields(doc)
    return [" ".join(t.text for t in a(fields[c])) for c, a in zip(COLUMNS, ANALYZERS, strict=True)]


def build(path: Path, docs: Iterable[SearchDocument]) -> dict[str, float]:
    """Analyse and insert every document; returns seconds for analysis and for FTS5 itself."""
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.executescript(
        f"""
        CREATE TABLE doc(id INTEGER PRIMARY KEY, kind TEXT, title TEXT);
        CREATE TABLE doc_facet(doc_id INTEGER, facet TEXT, value TEXT);
        CREATE VIRTUAL TABLE fts USING fts5({", ".join(COLUMNS)},
            tokenize='unicode61 remove_diacritics 0');
        """
    )
    analyse_s = insert_s = 0.0
    batch: list[tuple[object, ...]] = []
    facets: list[tuple[object, ...]] = []
    meta: list[tuple[object, ...]] = []

    def flush() -> float:
        t = time.perf_counter()
        with con:
            con.executemany(
                f"INSERT INTO fts(rowid, {', '.join(COLUMNS)}) VALUES (?{', ?' * len(COLUMNS)})",
                batch,
            )
            con.executemany("INSERT INTO doc VALUES (?, ?, ?)", meta)
            con.executemany("INSERT INTO doc_facet VALUES (?, ?, ?)", facets)
        batch.clear()
        facets.clear()
        meta.clear()
        return time.perf_counter() - t

    for i, doc in enumerate(docs, 1):
        t = time.perf_counter()
        batch.append((i, *analysed(doc)))
        analyse_s += time.perf_counter() - t
        meta.append((i, doc.kind, doc.title))
        facets.extend((i, f, v) for f in FACETS for v in getattr(doc, f) if f != "kind")
        facets.append((i, "kind", doc.kind))
        if len(batch) >= 2000:
            insert_s += flush()
    insert_s += flush()
    t = time.perf_counter()
    with con:
        con.execute("CREATE INDEX doc_facet_doc ON doc_facet(doc_id)")
        con.execute("INSERT INTO fts(fts) VALUES('optimize')")
    insert_s += time.perf_counter() - t
    con.close()
    return {"analyse_s": analyse_s, "insert_s": insert_s}


def to_match(node: wq.Query) -> str | None:
    """A parsed Whoosh query as an FTS5 MATCH expression (None: match everything)."""
    if isinstance(node, wq.Every):
        return None
    if isinstance(node, wq.Term):
        return f'{node.fieldname} : "{node.text}"'
    if isinstance(node, wq.Phrase):
        return f'{node.fieldname} : "{" ".join(node.words)}"'
    if isinstance(node, wq.Prefix):
        return f'{node.fieldname} : "{node.text}" *'
    if isinstance(node, wq.AndNot):
        return f"({to_match(node.a)}) NOT ({to_match(node.b)})"
    if isinstance(node, wq.And):
        positive = [c for c in node.subqueries if not isinstance(c, wq.Not)]
        expr = " AND ".join(f"({to_match(c)})" for c in positive)
        for negative in (c for c in node.subqueries if isinstance(c, wq.Not)):
            expr = f"({expr}) NOT ({to_match(negative.query)})"
        return expr
    if isinstance(node, wq.Or):
        return " OR ".join(f"({to_match(c)})" for c in node.subqueries)
    raise ValueError(f"no FTS5 form for {node!r}")


class Fts5Searcher:
    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path)

    def search(
        self, match: str | None, facets: bool, snippets: bool
    ) -> tuple[int, list[int], FacetCounts | None]:
        """The total, the top 20 rowids by BM25 and (with `facets`) the facet counts."""
        con = self.con
        where = "WHERE fts MATCH ?" if match else ""
        args = (match,) if match else ()
        body = COLUMNS.index("body")
        snippet = f", snippet(fts, {body}, '<mark>', '</mark>', '…', 24)" if snippets else ""
        rows = con.execute(
            f"SELECT rowid{snippet} FROM fts {where} ORDER BY bm25(fts, {WEIGHTS}) LIMIT 20", args
        ).fetchall()
        if not facets:
            total = con.execute(f"SELECT count(*) FROM fts {where}", args).fetchone()[0]
            return total, [r[0] for r in rows], None
        counts = con.execute(
            f"""WITH h AS MATERIALIZED (SELECT rowid AS id FROM fts {where})
            SELECT '', '', count(*) FROM h
            UNION ALL
            SELECT f.facet, f.value, count(*) FROM doc_facet f JOIN h ON f.doc_id = h.id
            GROUP BY f.facet, f.value""",
            args,
        ).fetchall()
        by_facet: FacetCounts = {}
        for facet, value, n in counts[1:]:
            by_facet.setdefault(facet, {})[value] = n
        return counts[0][2], [r[0] for r in rows], by_facet
