"""`make bench`: build a large generated catalogue, rebuild the search index from the database,
run a fixed query list against Whoosh (through kb), SQLite FTS5 and Tantivy (both fed the same
analysed tokens), and measure how soon a saved note is searchable while several processes write
and how long the web pages take to render.

    python -m bench.run [--cases 10000] [--notes 100000] [--writers 4] [--saves 25] [--rounds 3]
    python -m bench.run --growth 1000,10000,100000

The report (printed, and written to results.md in the bench folder): build times; whether the
three engines agree on the total hits and on every facet count of the 40 queries (listing any
query where they do not); latency per mode (plain, facets, highlight, full: median / p95) for
each engine with the Whoosh/Tantivy ratios; the searching processes' own peak memory (VmHWM)
and each engine's index size on disk; forgiving queries; concurrent writers; page render times.
Each engine searches in a fresh process of its own (`--search-worker`), so that its memory is
its own. Tantivy is a benchmark-only dependency (the `bench` extra, see bench/tantivy.py).

`--growth` measures Whoosh through kb at several catalogue sizes instead (notes = 10 x cases,
each size in a folder growth-<cases> of the bench folder; see bench/growth.py).
"""

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus import FUNCTION, TextGenerator
from bench.measure import (
    FacetCounts,
    Found,
    Search,
    agreement_record,
    disk_mb,
    peak_memory_mb,
    percentile,
    summary,
    time_queries,
)
from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent
TALKS = 200  # bench.catalogue.generate's default
ENGINES = {"whoosh": "Whoosh (kb)", "fts5": "FTS5", "tantivy": "Tantivy"}
FTS5_FILE = "fts5.sqlite3"
GROWTH_PREFIX = "growth-"  # per-size folders of --growth, kept when a normal run starts afresh

__all__ = ["percentile", "summary"]  # re-exported: the reference scripts import them from here


def queries() -> list[str]:
    """The fixed query list: common and rare words, compounds and their parts, spellings
    without umlauts, several words, phrases, prefixes, OR and NOT."""
    gen = TextGenerator(7)
    sample = gen.text(600).replace(".", "").split()
    pairs = [
        (a, b)
        for a, b in itertools.pairwise(sample)
        if a.lower() not in FUNCTION and b.lower() not in FUNCTION
    ]
    phrases = [f'"{a} {b}"' for a, b in pairs[::7]]
    return [
        "Stadt",
        "Quartier",
        "Beteiligung",
        "Verwaltung",
        "Initiative",
        "Fonds",
        "Garten",
        "Buero",
        "Foerderung",
        "Strasse",
        "Nachbarschaften",
        "Leitlinien",
        gen.names[3],
        gen.names[40],
        gen.names[400],
        gen.names[4000],
        gen.compounds[0],
        gen.compounds[5],
        gen.compounds[50],
        gen.compounds[500],
        "Stadt Verwaltung",
        "Quartier Fonds",
        "Initiative Kultur",
        "Projekt Netzwerk Stiftung",
        f"{gen.names[10]} Stadt",
        "kommunale Kooperation",
        "gemeinsame Planung",
        *phrases[:6],
        "Bürger*",
        "Nachbar*",
        "Werk*",
        "Garten OR Park",
        "Markt ODER Platz",
        "Quartier -Stadt",
        "Initiative NICHT Verein",
    ]


def swap(word: str, at: int) -> str:
    """The word with two neighbouring letters swapped: the commonest typo."""
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def forgiving_queries() -> list[str]:
    """Queries that the words as typed find (almost) nothing for: typos, questions, other word
    forms, and more words than any document has. Timed with forgiveness and without (exact)."""
    gen = TextGenerator(7)
    return [
        swap(gen.compounds[0], 3),
        swap(gen.compounds[50], 5),
        swap(gen.names[40], 2),
        swap("Beteiligung", 5),
        "Verwaltnug",
        f"Quartier {swap(gen.compounds[5], 4)}",
        "Welche Initiative betreibt das Quartier?",
        f"Wer fördert die Nachbarschaften in {gen.names[10]}?",
        "Gibt es Leitlinien für Beteiligung?",
        "Wie arbeiten Verwaltung und Initiative zusammen?",
        "Räume vermitteln",
        "fördern Garten",
        "beteiligen Nachbarschaften Verwaltung",
        f"Stadt Verwaltung {gen.names[4000]} Quallenfischerei",
        f"{gen.names[3]} {gen.names[400]} Garten",
    ]


def settings_for(folder: Path) -> Settings:
    return Settings(
        folder, f"sqlite:///{folder / 'kb.sqlite3'}", folder / "index", "bench", DEFAULT_SEED_DIR
    )


# --- worker processes --------------------------------------------------------------------


def whoosh_worker(folder: Path, rounds: int) -> dict[str, Any]:
    """Whoosh through kb's search service, as the app searches: the timed rounds, the forgiving
    queries with and without `exact`, and the agreement record."""
    from search_index.documents import SearchRequest

    runtime = Runtime.from_settings(settings_for(folder))
    service = runtime.search_index
    try:
        with runtime.uow() as uow:

            def searching(exact: bool) -> Search:
                def search(q: str, facets: bool, snippets: bool) -> Found:
                    res = service.engine.search(
                        SearchRequest(q, per_page=20, exact=exact),
                        service.overlay(uow),
                        facets=facets,
                        snippets=snippets,
                    )
                    return Found(res.total, res.facets if facets else None)

                return search

            as_app, as_typed = searching(exact=False), searching(exact=True)
            timed = time_queries(as_app, queries(), rounds)
            forgiving: dict[str, list[float]] = {"forgiving": [], "exact": []}
            for round_ in range(rounds + 1):  # round 0 warms caches and is not counted
                for q in forgiving_queries():
                    for mode, search in (("forgiving", as_app), ("exact", as_typed)):
                        t = time.perf_counter()
                        search(q, True, True)
                        if round_:
                            forgiving[mode].append((time.perf_counter() - t) * 1000)
            # The words as typed, as FTS5 and Tantivy search them: on a small catalogue a query
            # with fewer than 3 hits would otherwise be widened (typos, other word forms).
            agreed = agreement_record(as_typed, queries())
    finally:
        runtime.close()
    return {**timed, **agreed, "forgiving": forgiving, "peak_rss_mb": peak_memory_mb()}


def fts5_worker(folder: Path, rounds: int) -> dict[str, Any]:
    """SQLite FTS5 over the same analysed tokens, the query translated by bench.fts5.to_match."""
    from bench.fts5 import Fts5Searcher, to_match
    from search_index.query import clean, make_parser, parse

    parser = make_parser()
    fts = Fts5Searcher(folder / FTS5_FILE)

    def search(q: str, facets: bool, snippets: bool) -> Found:
        # Cleaning, parsing and translating are inside every timing, as for Tantivy.
        total, _, counts = fts.search(to_match(parse(parser, clean(q)[0])), facets, snippets)
        return Found(total, counts)

    timed = time_queries(search, queries(), rounds)
    return {**timed, **agreement_record(search, queries()), "peak_rss_mb": peak_memory_mb()}


def search_worker(folder: Path, engine_name: str, rounds: int) -> dict[str, Any]:
    if engine_name == "whoosh":
        return whoosh_worker(folder, rounds)
    if engine_name == "fts5":
        return fts5_worker(folder, rounds)
    from bench.tantivy import search_worker as tantivy_worker

    return tantivy_worker(folder, rounds, queries())


def write_worker(folder: Path, worker: int, saves: int) -> dict[str, Any]:
    from kb.catalogue.schemas import NoteIn
    from kb.editorial.notes import save_note
    from search_index.documents import SearchRequest

    runtime = Runtime.from_settings(settings_for(folder))
    latencies, save_ms, busy = [], [], 0
    for i in range(saves):
        word = f"schreibprobe{worker}x{i}"
        t0 = time.perf_counter()
        with runtime.uow() as uow:
            save_note(
                uow,
                NoteIn(
                    slug=f"bench-w{worker}-{i}",
                    talk="bench-gespraech-1",
                    title="Schreibprobe",
                    body=f"Notiz {word} zum Test.",
                ),
                actor="bench",
            )
            uow.commit()
        save_ms.append((time.perf_counter() - t0) * 1000)
        with runtime.uow() as uow:
            while runtime.search_index.search(uow, SearchRequest(word)).total < 1:
                time.sleep(0.005)
            busy += bool(runtime.search_index.overlay(uow))
        latencies.append((time.perf_counter() - t0) * 1000)
    runtime.close()  # like any process: what its indexer has not written yet, it writes now
    return {"latency_ms": latencies, "save_ms": save_ms, "pending_after_save": busy}


# --- building ----------------------------------------------------------------------------


def start_afresh(folder: Path) -> None:
    """Remove a previous run's catalogue, indexes and results; growth folders stay."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            if not path.name.startswith(GROWTH_PREFIX):
                shutil.rmtree(path)
        else:
            path.unlink()


def build_catalogue(folder: Path, cases: int, notes: int) -> dict[str, Any]:
    """A fresh generated catalogue in `folder` and its Whoosh index, rebuilt from the database
    as `kb reindex` does; returns the document count and the seconds each step took."""
    from bench.catalogue import generate

    start_afresh(folder)
    runtime = Runtime.from_settings(settings_for(folder))
    runtime.listeners.clear()  # the generator's bulk inserts are not changes to index
    try:
        runtime.upgrade_schema()
        t = time.perf_counter()
        generate(runtime, cases, notes, talks=TALKS)
        docs = cases + notes + TALKS
        catalogue_s = time.perf_counter() - t
        print(f"catalogue: {docs} documents in {catalogue_s:.1f} s", flush=True)
        t = time.perf_counter()
        with runtime.uow() as uow:
            indexed = runtime.search_index.rebuild(uow)
        whoosh_s = time.perf_counter() - t
        print(f"whoosh rebuild: {indexed} docs in {whoosh_s:.1f} s", flush=True)
    finally:
        runtime.close()
    return {
        "cases": cases,
        "notes": notes,
        "docs": docs,
        "catalogue_s": catalogue_s,
        "indexed": indexed,
        "whoosh_s": whoosh_s,
    }


def build_fts5(folder: Path) -> dict[str, Any]:
    """FTS5 over the catalogue's documents as the Whoosh rebuild reads them, analysed alike."""
    from bench.fts5 import build
    from kb.search.indexing import all_documents

    runtime = Runtime.from_settings(settings_for(folder))
    runtime.listeners.clear()
    try:
        t = time.perf_counter()
        with runtime.uow() as uow:
            fts = build(folder / FTS5_FILE, all_documents(uow, runtime.vocabulary))
        fts_s = time.perf_counter() - t
    finally:
        runtime.close()
    print(f"fts5 build: {fts_s:.1f} s", flush=True)
    return {"fts": fts, "fts_s": fts_s}


def build_tantivy(folder: Path) -> dict[str, Any]:
    """Tantivy from the FTS5 file (built first): the same documents and tokens."""
    from bench.tantivy import FOLDER, build

    built = build(folder / FOLDER, folder / FTS5_FILE)
    print(f"tantivy build: {built['tantivy_s']:.1f} s", flush=True)
    return built


def whoosh_generation(folder: Path) -> Path:
    """The Whoosh index's current generation folder (documents and spelling words)."""
    from search_index.store import CURRENT

    return (folder / "index" / CURRENT).resolve(strict=True)


def index_sizes(folder: Path) -> dict[str, float]:
    """Each engine's index on disk in MB: Whoosh's current generation, the FTS5 file (which
    also holds the facet rows), the Tantivy folder."""
    from bench.tantivy import FOLDER

    return {
        "whoosh": disk_mb(whoosh_generation(folder)),
        "fts5": disk_mb(folder / FTS5_FILE),
        "tantivy": disk_mb(folder / FOLDER),
    }


# --- agreement across engines ------------------------------------------------------------


@dataclass
class Agreement:
    """On how many queries all engines found the same total hits, and the same count for every
    value of every facet; `differences` says where they did not."""

    queries: int
    totals: int
    facets: int
    differences: list[str] = field(default_factory=list)


def agreement(results: dict[str, dict[str, Any]], qs: list[str]) -> Agreement:
    """Compare the search workers' agreement records (bench.measure.agreement_record)."""
    out = Agreement(len(qs), 0, 0)
    for q in qs:
        totals = {e: results[e]["totals"][q] for e in ENGINES}
        if len(set(totals.values())) == 1:
            out.totals += 1
        else:
            shown = ", ".join(f"{ENGINES[e]} {n}" for e, n in totals.items())
            out.differences.append(f"`{q}`: total hits {shown}")
        counts = {e: results[e]["facets"][q] for e in ENGINES}
        if all(c == counts["whoosh"] for c in counts.values()):
            out.facets += 1
            continue
        for facet in sorted({f for c in counts.values() for f in c}):
            out.differences += [
                f"`{q}`: facet {facet} = {value}: {shown}"
                for value, shown in _differing_counts(counts, facet)
            ]
    return out


def _differing_counts(counts: dict[str, FacetCounts], facet: str) -> list[tuple[str, str]]:
    """The values of `facet` whose count is not the same in every engine, each with the
    engines' counts ("Whoosh (kb) 12, FTS5 11, Tantivy 11")."""
    values = sorted({v for c in counts.values() for v in c.get(facet, {})})
    found = []
    for value in values:
        by_engine = {e: c.get(facet, {}).get(value, 0) for e, c in counts.items()}
        if len(set(by_engine.values())) > 1:
            found.append((value, ", ".join(f"{ENGINES[e]} {n}" for e, n in by_engine.items())))
    return found


# --- the report --------------------------------------------------------------------------


def ratio(a: float, b: float) -> str:
    if not b:
        return "-"
    r = a / b
    return f"{r:.2f}x" if r < 1 else f"{r:.1f}x"


def search_report(
    rounds: int,
    build: dict[str, Any],
    results: dict[str, dict[str, Any]],
    sizes: dict[str, float],
) -> list[str]:
    """The report's first part: builds, agreement, latency per mode, memory and index size."""
    cases, notes = build["cases"], build["notes"]
    docs = cases + notes + TALKS
    fts, tv = build["fts"], build["tantivy"]
    agreed = agreement(results, queries())
    lines = [
        f"## Search benchmark ({docs:,} documents: {cases:,} cases, {TALKS} talks, "
        f"{notes:,} notes)",
        "",
        f"- rebuild (database -> Whoosh): {build['whoosh_s']:.1f} s, "
        f"**{build['indexed'] / build['whoosh_s']:.0f} docs/s**",
        f"- FTS5 build of the same analysed texts: {build['fts_s']:.1f} s "
        f"({fts['analyse_s']:.1f} s German analysis in Python + {fts['insert_s']:.1f} s FTS5); "
        f"FTS5 alone {docs / fts['insert_s']:.0f} docs/s",
        f"- Tantivy build of the same analysed texts (read back from the FTS5 file): "
        f"{tv['tantivy_s']:.1f} s (add {tv['add_s']:.1f} s, commit {tv['commit_s']:.1f} s, "
        f"merges {tv['merge_s']:.1f} s; {tv.get('threads', '?')} threads, {tv['segments']} "
        "segments); Tantivy alone "
        f"{tv['docs'] / tv['tantivy_s']:.0f} docs/s",
        f"- same total hits in all three engines: {agreed.totals} of {agreed.queries} queries; "
        f"same facet counts (every facet, every value): {agreed.facets} of {agreed.queries} "
        "(Whoosh with `exact=1`: the words as typed, as FTS5 and Tantivy search them)",
        *(f"  - differs: {d}" for d in agreed.differences),
        "",
        f"Latency per query in ms, median / p95 over {len(queries())} queries x "
        f"{rounds} rounds (top 20):",
        "",
        "| mode | Whoosh (kb) | FTS5 | Tantivy | Whoosh/Tantivy (median) | Whoosh/Tantivy (p95) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for mode in ("plain", "facets", "highlight", "full"):
        wt, ft, tt = (results[e]["timings"][mode] for e in ENGINES)
        lines.append(
            f"| {mode} | {summary(wt)} | {summary(ft)} | {summary(tt)} | "
            f"{ratio(statistics.median(wt), statistics.median(tt))} | "
            f"{ratio(percentile(wt, 95), percentile(tt, 95))} |"
        )
    memory = {e: results[e]["peak_rss_mb"] for e in ENGINES}
    first = {e: results[e]["first_ms"] for e in ENGINES}
    lines += [
        "",
        "Memory and size: each searching process's own peak (VmHWM); Whoosh's index is its "
        "current generation (with the spelling words), FTS5's file holds the facet rows too:",
        "",
        "| | Whoosh (kb) | FTS5 | Tantivy | Whoosh/Tantivy |",
        "| --- | --- | --- | --- | --- |",
    ]
    for label, values, fmt in (
        ("peak memory of the searching process (VmHWM), MB", memory, ".0f"),
        ("index on disk, MB", sizes, ".1f"),
        ("first query (cold), ms", first, ".0f"),
    ):
        cells = " | ".join(format(values[e], fmt) for e in ENGINES)
        lines.append(f"| {label} | {cells} | {ratio(values['whoosh'], values['tantivy'])} |")
    return lines


def forgiving_report(whoosh: dict[str, Any], rounds: int) -> list[str]:
    full_p95 = percentile(whoosh["timings"]["full"], 95)
    forgiven, exact = whoosh["forgiving"]["forgiving"], whoosh["forgiving"]["exact"]
    return [
        "",
        f"Forgiving queries (typos, questions, other word forms, more words than any document "
        f"has; {len(forgiving_queries())} queries x {rounds} rounds, full search, top 20), "
        "ms median / p95:",
        "",
        "| forgiving (default) | exact (`exact=1`) | p95 forgiving / p95 of the full search |",
        "| --- | --- | --- |",
        f"| {summary(forgiven)} | {summary(exact)} | {percentile(forgiven, 95) / full_p95:.2f}x |",
    ]


def writers_report(writes: list[dict[str, Any]], writers: int, saves: int) -> list[str]:
    latency = [x for r in writes for x in r["latency_ms"]]
    save_ms = [x for r in writes for x in r["save_ms"]]
    return [
        "",
        f"- {writers} processes saving {saves} notes each: saved note searchable "
        f"after (median / p95 / max) {summary(latency)} / {max(latency):.0f} ms; the save "
        f"itself {summary(save_ms)} ms; saves whose index update waited for the writer: "
        f"{sum(r['pending_after_save'] for r in writes)}",
    ]


# --- the run -----------------------------------------------------------------------------


def run_worker(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_writers(folder: Path, writers: int, saves: int) -> list[dict[str, Any]]:
    """`writers` processes saving notes at once, each timing how soon its note is found."""
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "bench.run", "--write-worker", str(n)),
                *("--saves", str(saves), "--dir", str(folder)),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n in range(writers)
    ]
    return [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]


def build_all(folder: Path, cases: int, notes: int, reuse: bool) -> dict[str, Any]:
    """Catalogue, Whoosh, FTS5 and Tantivy, or with `reuse` what a last run left (Tantivy is
    built when that run had none)."""
    from bench.tantivy import FOLDER

    previous = folder / "results.json"
    if reuse and previous.exists():
        build: dict[str, Any] = json.loads(previous.read_text())["build"]
        build.setdefault("cases", cases)  # a run from before the sizes were kept: as asked
        build.setdefault("notes", notes)
        if "tantivy" not in build or not (folder / FOLDER).exists():
            build["tantivy"] = build_tantivy(folder)
        return build
    build = build_catalogue(folder, cases, notes)
    build |= build_fts5(folder)
    build["tantivy"] = build_tantivy(folder)
    return build


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--saves", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=ROOT / "instance" / "bench")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the catalogue and indexes of a last run"
    )
    parser.add_argument(
        "--growth",
        type=lambda s: [int(n) for n in s.split(",")],
        metavar="CASES,CASES,...",
        help="measure Whoosh through kb at these numbers of cases (notes = 10 x cases)",
    )
    parser.add_argument("--search-worker", choices=list(ENGINES))
    parser.add_argument("--write-worker", type=int)
    parser.add_argument("--web-worker", action="store_true")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    folder = args.dir.resolve()
    if args.web_worker:
        from bench.web import web_worker

        print(json.dumps(web_worker(folder, args.rounds * 5, settings_for(folder))))
        return
    if args.search_worker:
        print(json.dumps(search_worker(folder, args.search_worker, args.rounds)))
        return
    if args.write_worker is not None:
        print(json.dumps(write_worker(folder, args.write_worker, args.saves)))
        return
    if args.growth:
        from bench.growth import growth

        print(growth(args.growth, folder, args.rounds, args.reuse))
        return

    build = build_all(folder, args.cases, args.notes, args.reuse)
    sizes = index_sizes(folder)  # before the writers add their notes to Whoosh's index
    results = {
        engine: run_worker(
            "--search-worker", engine, "--rounds", str(args.rounds), "--dir", str(folder)
        )
        for engine in ENGINES
    }
    writes = run_writers(folder, args.writers, args.saves)
    web = run_worker("--web-worker", "--rounds", str(args.rounds), "--dir", str(folder))
    from bench.replicas import replica_delays
    from bench.replicas import report as replicas_report

    replicas = replica_delays(args.writers, args.saves)

    from bench.web import report as web_report

    lines = search_report(args.rounds, build, results, sizes)
    lines += forgiving_report(results["whoosh"], args.rounds)
    lines += writers_report(writes, args.writers, args.saves)
    lines += web_report(web, percentile)
    lines += replicas_report(replicas)
    report = "\n".join(lines)
    print(report)
    (folder / "results.md").write_text(report + "\n")
    (folder / "results.json").write_text(
        json.dumps(
            {
                "build": build,
                "sizes": sizes,
                **results,
                "writes": writes,
                "web": web,
                "replicas": replicas,
            }
        )
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "error")
    main()
