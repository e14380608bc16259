"""What the benchmark's search workers share, whatever the engine: the four modes, the timed
rounds over the query list, the record of total hits and facet counts per query that the run
compares across engines, the searching process's own peak memory, and sizes on disk."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FacetCounts = dict[str, dict[str, int]]  # facet -> value -> hits having it

# mode -> (facet counts, highlighted snippets); every mode returns the total and the top 20.
MODES = {
    "plain": (False, False),
    "facets": (True, False),
    "highlight": (False, True),
    "full": (True, True),
}


@dataclass(frozen=True)
class Found:
    """What one engine answered to one query: the total hits, and (when asked) facet counts."""

    total: int
    facets: FacetCounts | None = None


# query, facets, snippets -> what was found
Search = Callable[[str, bool, bool], Found]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    """ "median / p95" of timings in ms."""
    return f"{statistics.median(values):.1f} / {percentile(values, 95):.1f}"


def normal_facets(counts: FacetCounts) -> FacetCounts:
    """Counts without zeros and without facets that no hit has a value of: engines differ in
    whether they list those (FTS5's GROUP BY never does), not in what they counted."""
    out = {f: {v: n for v, n in values.items() if n} for f, values in counts.items()}
    return {f: dict(sorted(values.items())) for f, values in sorted(out.items()) if values}


def time_queries(search: Search, queries: list[str], rounds: int) -> dict[str, Any]:
    """Every query in every mode, `rounds` times after one warm-up round that is not counted:
    the timings in ms per mode, and the very first query's time (cold caches)."""
    timings: dict[str, list[float]] = {m: [] for m in MODES}
    first: float | None = None
    for round_ in range(rounds + 1):
        for q in queries:
            for mode, (facets, snippets) in MODES.items():
                t = time.perf_counter()
                search(q, facets, snippets)
                elapsed = (time.perf_counter() - t) * 1000
                if first is None:
                    first = elapsed
                if round_:
                    timings[mode].append(elapsed)
    return {"timings": timings, "first_ms": first}


def agreement_record(search: Search, queries: list[str]) -> dict[str, Any]:
    """Total hits and facet counts of every query (not timed), for the comparison of engines."""
    totals: dict[str, int] = {}
    facets: dict[str, FacetCounts] = {}
    for q in queries:
        found = search(q, True, False)
        totals[q] = found.total
        facets[q] = normal_facets(found.facets or {})
    return {"totals": totals, "facets": facets}


def peak_memory_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not getrusage's ru_maxrss: Python
    starts subprocesses with vfork, and Linux carries the parent's peak across the exec into
    the child's ru_maxrss, so a small worker of a large parent would report the parent's."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status (not Linux?)")


def disk_mb(path: Path) -> float:
    """Size of a file, or of every file under a folder (symbolic links not followed), in MB."""
    if path.is_file():
        return path.stat().st_size / 1e6
    return (
        sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6
    )
