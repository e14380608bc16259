"""Relevance of the search over the seed catalogue: for each relevance suite of the tests (the
expected case or talk per query), how many queries have it in the top 3, and the mean
reciprocal rank of it in the top 10 (MRR@10).

    python -m bench.relevance

Run it at two commits to compare them (the suites are read from the checkout it runs in).
"""

import json
import shutil
import tempfile
from pathlib import Path

from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime
from kb.search.service import SearchRequest
from tests.kb.test_search_forgiving import FORGIVING
from tests.kb.test_search_relevance import CASES

SUITES = {"relevance": CASES, "forgiving": FORGIVING}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    try:
        settings = Settings(
            folder, f"sqlite:///{folder / 'kb.sqlite3'}", folder / "index", "x", DEFAULT_SEED_DIR
        )
        runtime = Runtime.from_settings(settings)
        runtime.init()
        report = {}
        for name, suite in SUITES.items():
            top3, reciprocal = 0, 0.0
            for query, expected, _ in suite:
                with runtime.uow() as uow:
                    results = runtime.search_index.search(uow, SearchRequest(query, per_page=10))
                found = [f"{h.kind}:{h.slug}" for h in results.hits]
                top3 += expected in found[:3]
                reciprocal += 1 / (found.index(expected) + 1) if expected in found else 0.0
            report[name] = {
                "queries": len(suite),
                "top3": top3,
                "mrr10": round(reciprocal / len(suite), 3),
            }
        runtime.close()
        print(json.dumps(report))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
