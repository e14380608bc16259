"""Render times of the web pages over the generated catalogue: the start page, a case page, the
catalogue with two filters (with its matrix and map panels), a search page, the typology page
with its figures and the map page with its figure, each requested through the Flask app in one
process (no network), after one warm-up round."""

import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from kb.runtime import Runtime

SEARCHES = ["Beteiligung", "Quartier Fonds", "Stadt Verwaltung", '"gemeinsame Planung"', "Garten"]


def pages(runtime: Runtime) -> dict[str, list[str]]:
    """The URLs to render, by page type (several of each where the type has variants)."""
    from models import Case

    with runtime.uow() as uow:
        total = uow.session.scalar(select(func.count()).select_from(Case)) or 1
        slugs = list(
            uow.session.scalars(select(Case.slug).order_by(Case.id).offset(total // 2).limit(5))
        )
        governance, scale = uow.session.execute(
            select(Case.governance_type, Case.scale)
            .group_by(Case.governance_type, Case.scale)
            .order_by(func.count().desc())
        ).first()  # type: ignore[misc]
    return {
        "start page": ["/"],
        "case page": [f"/cases/{slug}" for slug in slugs],
        "catalogue, two filters": [f"/cases?governance={governance}&scale={scale}"],
        "search page": [f"/search?q={q}" for q in SEARCHES],
        "typology page and figures": ["/typology", "/typology.svg", "/timeline.svg"],
        "map page and figure": ["/map", "/map?land=sachsen", "/map.svg"],
    }


def web_worker(folder: Path, rounds: int, settings: Any) -> dict[str, Any]:
    from webapp import create_app

    app = create_app(settings)
    runtime: Runtime = app.extensions["kb"]
    client = app.test_client()
    timings: dict[str, list[float]] = {}
    for kind, urls in pages(runtime).items():
        timings[kind] = []
        for round_ in range(rounds + 1):  # round 0 warms caches and is not counted
            for url in urls:
                t = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - t) * 1000
                assert response.status_code == 200, (url, response.status_code)
                if round_:
                    timings[kind].append(elapsed)
    runtime.close()
    return {"timings": timings}


def report(result: dict[str, Any], percentile: Any) -> list[str]:
    lines = ["", "Render time of web pages in ms (Flask app in-process), median / p95:", ""]
    lines += ["| page | median | p95 | requests |", "| --- | --- | --- | --- |"]
    for kind, values in result["timings"].items():
        lines.append(
            f"| {kind} | {statistics.median(values):.1f} | {percentile(values, 95):.1f} | "
            f"{len(values)} |"
        )
    return lines
