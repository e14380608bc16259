"""The benchmark's engines side by side (bench/run.py, bench/tantivy.py): on a small generated
catalogue, Whoosh through kb, SQLite FTS5 and Tantivy find the same total hits and the same
count for every facet value for each of `make bench`'s queries, the report has Tantivy's column
with memory and index sizes, and the growth table marks what grows faster than the documents."""

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.growth import Size, growth_table
from bench.run import (
    ENGINES,
    agreement,
    build_catalogue,
    build_fts5,
    build_tantivy,
    index_sizes,
    queries,
    run_worker,
    search_report,
    search_worker,
    start_afresh,
)
from bench.tantivy import FOLDER, TantivySearcher
from search_index.query import clean, make_parser, parse

CASES, NOTES = 30, 300  # with the generator's 200 talks: 530 documents


@dataclass
class Bench:
    folder: Path
    build: dict[str, Any]
    results: dict[str, dict[str, Any]]  # engine -> its search worker's answer


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Bench:
    """The catalogue, the three indexes, and every engine's search worker run in-process (one
    counted round, so that the report has timings)."""
    folder = tmp_path_factory.mktemp("bench")
    build = build_catalogue(folder, CASES, NOTES)
    build |= build_fts5(folder)
    build["tantivy"] = build_tantivy(folder)
    results = {engine: search_worker(folder, engine, 1) for engine in ENGINES}
    return Bench(folder, build, results)


def test_every_engine_indexed_every_document(bench: Bench) -> None:
    docs = CASES + NOTES + 200
    assert bench.build["indexed"] == docs
    assert bench.build["tantivy"]["docs"] == docs


def test_engines_agree_on_totals_and_facet_counts(bench: Bench) -> None:
    agreed = agreement(bench.results, queries())
    assert agreed.differences == []
    assert (agreed.queries, agreed.totals, agreed.facets) == (40, 40, 40)
    # Not agreement on nothing: most queries find something, and the counts are real ones
    # (every document has exactly one kind, so the kinds add up to the total).
    totals = bench.results["tantivy"]["totals"]
    assert sum(1 for n in totals.values() if n) >= 30
    for engine in ENGINES:
        for q, total in bench.results[engine]["totals"].items():
            kinds = bench.results[engine]["facets"][q].get("kind", {})
            assert sum(kinds.values()) == total, (engine, q)


def test_a_difference_is_counted_and_shown(bench: Bench) -> None:
    results = copy.deepcopy(bench.results)
    q = queries()[0]
    results["tantivy"]["totals"][q] += 1
    results["fts5"]["facets"][q]["kind"]["case"] += 1
    case = results["whoosh"]["facets"][q]["kind"]["case"]
    agreed = agreement(results, queries())
    assert (agreed.totals, agreed.facets) == (39, 39)
    assert any(f"`{q}`: total hits" in d and "Tantivy" in d for d in agreed.differences)
    assert f"`{q}`: facet kind = case: Whoosh (kb) {case}, FTS5 {case + 1}, Tantivy {case}" in (
        agreed.differences
    )


def test_report_has_the_tantivy_column_memory_and_sizes(bench: Bench) -> None:
    sizes = index_sizes(bench.folder)
    assert all(mb > 0 for mb in sizes.values()), sizes
    report = "\n".join(search_report(1, bench.build, bench.results, sizes))
    assert report.startswith("## Search benchmark (530 documents: 30 cases, 200 talks, 300 notes)")
    assert (
        "| mode | Whoosh (kb) | FTS5 | Tantivy | Whoosh/Tantivy (median) | Whoosh/Tantivy (p95) |"
        in report
    )
    for mode in ("plain", "facets", "highlight", "full"):
        assert f"\n| {mode} | " in report
    assert "same total hits in all three engines: 40 of 40 queries" in report
    assert "same facet counts (every facet, every value): 40 of 40" in report
    assert "| peak memory of the searching process (VmHWM), MB |" in report
    assert "| index on disk, MB |" in report
    assert "Tantivy build of the same analysed texts" in report


def test_search_worker_process_reports_its_own_peak_memory(bench: Bench) -> None:
    """The worker as `make bench` starts it: a fresh process answering JSON."""
    answer = run_worker("--search-worker", "tantivy", "--rounds", "0", "--dir", str(bench.folder))
    assert answer["totals"] == bench.results["tantivy"]["totals"]
    assert json.loads(json.dumps(bench.results["tantivy"]["facets"])) == answer["facets"]
    assert 0 < answer["peak_rss_mb"] < 2000


def test_tantivy_highlights_prefix_matches(bench: Bench) -> None:
    """A prefix is a regex query, which names no term to highlight: the snippets' query spells
    out the body terms it matches."""
    engine = TantivySearcher(bench.folder / FOLDER)
    node = parse(make_parser(), clean("Nachbar*")[0])
    total, rowids, counts, html = engine.search(node, True, True)
    assert total > 0 and len(rowids) == min(total, 20) and counts is not None
    assert any("<b>nachbar" in h for h in html), html[:3]


def size(documents: int, rebuild: float, search: float) -> Size:
    pages = {"start page": 10.0, "case page": 5.0, "catalogue, two filters": 2.0}
    return Size(documents // 11, documents, rebuild, documents / 1000, search, search, pages)


def test_growth_table_marks_what_grows_faster_than_the_documents() -> None:
    lines = growth_table([size(1_000, 2.0, 10.0), size(10_000, 30.0, 20.0)])
    step = lines[-1]
    assert step.startswith("| 90 -> 909 cases | x10.0 | ")
    assert "| **x15.0** |" in step  # the rebuild: faster than linear
    assert "| x2.0 |" in step  # the search
    assert "| x1.0 |" in step  # the start page
    assert step.endswith("| - |")  # no search page measured: no factor
    # Linear within 5 %: 3.04 times the work for 3 times the documents is not marked.
    third = growth_table([size(10_000, 30.0, 20.0), size(30_000, 91.2, 20.0)])[-1]
    assert "| x3.0 |" in third and "**" not in third
    assert any(line.startswith("| 909 | 10,000 | 30.0 | 10.0 | 20.0 / 20.0 |") for line in lines)


def test_a_new_run_keeps_the_growth_folders(tmp_path: Path) -> None:
    for name in ("growth-1000/kb.sqlite3", "index/current/x", "tantivy/meta.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "results.md").write_text("")
    start_afresh(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["growth-1000"]
    assert (tmp_path / "growth-1000" / "kb.sqlite3").exists()
