"""`python -m bench.run --growth 1000,10000,100000`: how the app's costs grow with the catalogue.

At each size (cases; notes = 10 x cases; 200 talks) a fresh catalogue in a folder
growth-<cases> of the bench folder, Whoosh's rebuild through kb, its index size, the full search
(top 20, highlights, all facet counts) over the benchmark's 40 queries in a search worker, and
the render time of each page type (bench/web.py) in a web worker. The report puts each step's
growth factor beside the factor the documents grew by, so that whatever grows faster than
linearly stands out (in bold). FTS5 and Tantivy are left out: the question is the app's scaling.
"""

import itertools
import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.measure import disk_mb, percentile
from bench.run import GROWTH_PREFIX, build_catalogue, run_worker, whoosh_generation

NOTES_PER_CASE = 10
PAGES = ("start page", "case page", "catalogue, two filters", "search page")  # bench/web.py


@dataclass(frozen=True)
class Size:
    """What one catalogue size measured (times in s or ms, sizes in MB)."""

    cases: int
    documents: int
    rebuild_s: float
    index_mb: float
    full_median_ms: float
    full_p95_ms: float
    page_median_ms: dict[str, float]

    def figures(self) -> dict[str, float]:
        """The figures whose growth the report compares with the documents'."""
        return {
            "rebuild": self.rebuild_s,
            "index size": self.index_mb,
            "full search median": self.full_median_ms,
            "full search p95": self.full_p95_ms,
            **{f"{page} median": self.page_median_ms.get(page, 0.0) for page in PAGES},
        }


def measure_size(folder: Path, cases: int, rounds: int, reuse: bool) -> Size:
    """Build (or with `reuse`, keep) the catalogue of `cases` in `folder` and measure it."""
    state = folder / "build.json"
    if reuse and state.exists():
        build = json.loads(state.read_text())
    else:
        build = build_catalogue(folder, cases, cases * NOTES_PER_CASE)
        state.write_text(json.dumps(build))
    index_mb = disk_mb(whoosh_generation(folder))
    where = ("--rounds", str(rounds), "--dir", str(folder))
    full = run_worker("--search-worker", "whoosh", *where)["timings"]["full"]
    web = run_worker("--web-worker", *where)["timings"]
    return Size(
        cases=cases,
        documents=build["indexed"],
        rebuild_s=build["whoosh_s"],
        index_mb=index_mb,
        full_median_ms=statistics.median(full),
        full_p95_ms=percentile(full, 95),
        page_median_ms={page: statistics.median(values) for page, values in web.items()},
    )


def factor(new: float, old: float) -> float | None:
    """How many times `old` the figure became (None: nothing to compare with)."""
    return new / old if old > 0 else None


LINEAR_TOLERANCE = 1.05


def _factor_cell(grown: float | None, documents: float) -> str:
    if grown is None:
        return "-"
    # Within 5 % of the documents' factor is linear: sizes and timings never grow exactly alike.
    return f"**x{grown:.1f}**" if grown > documents * LINEAR_TOLERANCE else f"x{grown:.1f}"


def growth_table(sizes: list[Size]) -> list[str]:
    """The figures at each size, then each step's growth factors beside the documents'; a
    factor above the documents' (growth faster than linear) is bold."""
    pages = " | ".join(f"{page} (median)" for page in PAGES)
    lines = [
        f"## Growth (notes = {NOTES_PER_CASE} x cases, 200 talks; Whoosh through kb)",
        "",
        f"| cases | documents | rebuild s | index MB | full search ms (median / p95) | {pages} |",
        "| ---: | ---: | ---: | ---: | ---: |" + " ---: |" * len(PAGES),
    ]
    for s in sizes:
        cells = " | ".join(f"{s.page_median_ms.get(page, 0.0):.1f}" for page in PAGES)
        lines.append(
            f"| {s.cases:,} | {s.documents:,} | {s.rebuild_s:.1f} | {s.index_mb:.1f} | "
            f"{s.full_median_ms:.1f} / {s.full_p95_ms:.1f} | {cells} |"
        )
    if len(sizes) < 2:
        return lines
    names = list(sizes[0].figures())
    lines += [
        "",
        "Growth per step: factor over the previous size (**bold**: grew faster than the "
        "documents):",
        "",
        "| step | documents | " + " | ".join(names) + " |",
        "| --- | ---: |" + " ---: |" * len(names),
    ]
    for old, new in itertools.pairwise(sizes):
        docs = factor(new.documents, old.documents) or 1.0
        grown = [factor(new.figures()[n], old.figures()[n]) for n in names]
        shown = " | ".join(_factor_cell(f, docs) for f in grown)
        lines.append(f"| {old.cases:,} -> {new.cases:,} cases | x{docs:.1f} | {shown} |")
    return lines


def growth(cases: list[int], root: Path, rounds: int, reuse: bool) -> str:
    """Measure every size (smallest first), print and save the report in `root`."""
    sizes = []
    for n in sorted(cases):
        print(f"--- {n:,} cases", flush=True)
        sizes.append(measure_size(root / f"{GROWTH_PREFIX}{n}", n, rounds, reuse))
    report = "\n".join(growth_table(sizes))
    (root / "growth.md").write_text(report + "\n")
    (root / "growth.json").write_text(json.dumps([asdict(s) for s in sizes]))
    return report
