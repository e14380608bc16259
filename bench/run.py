"""`make bench`: build a large generated catalogue, rebuild the search index from the database,
run a fixed query list against Whoosh (through kb) and SQLite FTS5 (same analysed tokens), and
measure how soon a saved note is searchable while several processes write.

    python -m bench.run [--cases 10000] [--notes 100000] [--writers 4] [--saves 25]
"""

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.corpus import FUNCTION, TextGenerator
from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent


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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def settings_for(folder: Path) -> Settings:
    return Settings(
        folder, f"sqlite:///{folder / 'kb.sqlite3'}", folder / "index", "bench", DEFAULT_SEED_DIR
    )


# --- worker processes --------------------------------------------------------------------


def search_worker(folder: Path, engine_name: str, rounds: int) -> dict[str, Any]:
    from bench.fts5 import Fts5Searcher, to_match
    from search_index.documents import SearchRequest
    from search_index.query import clean, make_parser, parse

    runtime = Runtime.from_settings(settings_for(folder))
    service = runtime.search_index
    parser = make_parser()
    fts = Fts5Searcher(folder / "fts5.sqlite3") if engine_name == "fts5" else None
    modes = {
        "plain": (False, False),
        "facets": (True, False),
        "highlight": (False, True),
        "full": (True, True),
    }
    timings: dict[str, list[float]] = {m: [] for m in modes}
    totals: dict[str, int] = {}
    first = None
    with runtime.uow() as uow:
        for round_ in range(rounds + 1):  # round 0 warms caches and is not counted
            for q in queries():
                for mode, (facets, snippets) in modes.items():
                    t = time.perf_counter()
                    if fts is None:
                        res = service.engine.search(
                            SearchRequest(q, per_page=20),
                            service.overlay(uow),
                            facets=facets,
                            snippets=snippets,
                        )
                        total = res.total
                    else:
                        match = to_match(parse(parser, clean(q)[0]))
                        total, _ = fts.search(match, facets, snippets)
                    elapsed = (time.perf_counter() - t) * 1000
                    if first is None:
                        first = elapsed
                    if round_:
                        timings[mode].append(elapsed)
                    totals[q] = total
    forgiving: dict[str, list[float]] = {"forgiving": [], "exact": []}
    if fts is None:
        with runtime.uow() as uow:
            for round_ in range(rounds + 1):
                for q in forgiving_queries():
                    for mode, exact in (("forgiving", False), ("exact", True)):
                        t = time.perf_counter()
                        service.engine.search(
                            SearchRequest(q, per_page=20, exact=exact), service.overlay(uow)
                        )
                        if round_:
                            forgiving[mode].append((time.perf_counter() - t) * 1000)
    return {
        "timings": timings,
        "forgiving": forgiving,
        "totals": totals,
        "first_ms": first,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


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
    return {"latency_ms": latencies, "save_ms": save_ms, "pending_after_save": busy}


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


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {percentile(values, 95):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--saves", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=ROOT / "instance" / "bench")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the catalogue, index and FTS5 of a last run"
    )
    parser.add_argument("--search-worker", choices=["whoosh", "fts5"])
    parser.add_argument("--write-worker", type=int)
    parser.add_argument("--web-worker", action="store_true")
    args = parser.parse_args()
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

    from bench.catalogue import generate
    from bench.fts5 import build
    from kb.search.indexing import all_documents

    docs = args.cases + args.notes + 200
    runtime = Runtime.from_settings(settings_for(folder))
    runtime.listeners.clear()
    if args.reuse and (folder / "results.json").exists():
        previous = json.loads((folder / "results.json").read_text())["build"]
        indexed, whoosh_s, fts = previous["indexed"], previous["whoosh_s"], previous["fts"]
        fts_s = previous["fts_s"]
    else:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        runtime.upgrade_schema()
        t = time.perf_counter()
        generate(runtime, args.cases, args.notes)
        print(f"catalogue: {docs} documents in {time.perf_counter() - t:.1f} s", flush=True)
        t = time.perf_counter()
        with runtime.uow() as uow:
            indexed = runtime.search_index.rebuild(uow)
        whoosh_s = time.perf_counter() - t
        print(f"whoosh rebuild: {indexed} docs in {whoosh_s:.1f} s", flush=True)
        t = time.perf_counter()
        with runtime.uow() as uow:
            fts = build(folder / "fts5.sqlite3", all_documents(uow, runtime.vocabulary))
        fts_s = time.perf_counter() - t
        print(f"fts5 build: {fts_s:.1f} s", flush=True)
    runtime.close()
    build_info = {"indexed": indexed, "whoosh_s": whoosh_s, "fts": fts, "fts_s": fts_s}

    w = run_worker("--search-worker", "whoosh", "--rounds", str(args.rounds), "--dir", str(folder))
    f = run_worker("--search-worker", "fts5", "--rounds", str(args.rounds), "--dir", str(folder))
    same = sum(w["totals"][q] == f["totals"][q] for q in w["totals"])

    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.run",
                "--write-worker",
                str(n),
                "--saves",
                str(args.saves),
                "--dir",
                str(folder),
            ],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n in range(args.writers)
    ]
    writes = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    latency = [x for r in writes for x in r["latency_ms"]]
    save_ms = [x for r in writes for x in r["save_ms"]]

    lines = [
        f"## Search benchmark ({docs:,} documents: {args.cases:,} cases, 200 talks, "
        f"{args.notes:,} notes)",
        "",
        f"- rebuild (database -> Whoosh): {whoosh_s:.1f} s, **{indexed / whoosh_s:.0f} docs/s**",
        f"- FTS5 build of the same analysed texts: {fts_s:.1f} s "
        f"({fts['analyse_s']:.1f} s German analysis in Python + {fts['insert_s']:.1f} s FTS5); "
        f"FTS5 alone {docs / fts['insert_s']:.0f} docs/s",
        f"- same total hits in both engines: {same} of {len(w['totals'])} queries",
        "",
        f"Latency per query in ms, median / p95 over {len(queries())} queries x "
        f"{args.rounds} rounds (top 20):",
        "",
        "| mode | Whoosh (kb) | FTS5 | ratio (median) | ratio (p95) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for mode in ("plain", "facets", "highlight", "full"):
        wt, ft = w["timings"][mode], f["timings"][mode]
        lines.append(
            f"| {mode} | {summary(wt)} | {summary(ft)} | "
            f"{statistics.median(wt) / statistics.median(ft):.1f}x | "
            f"{percentile(wt, 95) / percentile(ft, 95):.1f}x |"
        )
    full_p95 = percentile(w["timings"]["full"], 95)
    forgiven, exact = w["forgiving"]["forgiving"], w["forgiving"]["exact"]
    lines += [
        "",
        f"Forgiving queries (typos, questions, other word forms, more words than any document "
        f"has; {len(forgiving_queries())} queries x {args.rounds} rounds, full search, top 20), "
        "ms median / p95:",
        "",
        "| forgiving (default) | exact (`exact=1`) | p95 forgiving / p95 of the full search |",
        "| --- | --- | --- |",
        f"| {summary(forgiven)} | {summary(exact)} | {percentile(forgiven, 95) / full_p95:.2f}x |",
    ]
    lines += [
        "",
        f"- peak memory of the searching process: Whoosh {w['peak_rss_mb']:.0f} MB, "
        f"FTS5 {f['peak_rss_mb']:.0f} MB; first query (cold) {w['first_ms']:.0f} ms",
        f"- {args.writers} processes saving {args.saves} notes each: saved note searchable "
        f"after (median / p95 / max) {summary(latency)} / {max(latency):.0f} ms; the save "
        f"itself {summary(save_ms)} ms; saves whose index update waited for the writer: "
        f"{sum(r['pending_after_save'] for r in writes)}",
    ]
    from bench.web import report as web_report

    web = run_worker("--web-worker", "--rounds", str(args.rounds), "--dir", str(folder))
    lines += web_report(web, percentile)
    report = "\n".join(lines)
    print(report)
    (folder / "results.md").write_text(report + "\n")
    (folder / "results.json").write_text(
        json.dumps({"build": build_info, "whoosh": w, "fts5": f, "writes": writes, "web": web})
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "error")
    main()
