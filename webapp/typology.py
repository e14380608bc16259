"""The typology page (/typology): the matrix of governance types and scales and the timeline of
start years with the series' talks, as HTML, as standalone SVG and as CSV and JSON
(/typology.svg|.csv|.json, /timeline.svg|.csv|.json), each for the catalogue filters in the
query string. Counting is kb's (kb.catalogue.typology); here are the links, the drawing of the
SVG (positions only: the templates under templates/typology draw) and HTTP."""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import lazy_gettext

from kb.catalogue.browsing import FACET_LABELS, CatalogueQuery, facet_values, parse_query
from kb.catalogue.typology import (
    MATRIX_HEADER,
    Matrix,
    Timeline,
    matrix_rows,
    start_year_timeline,
    timeline_header,
    timeline_rows,
    typology_matrix,
)
from kb.csvcells import csv_text
from webapp.context import uow, vocabulary
from webapp.downloads import csv_file, filename, json_file, svg_file
from webapp.figures import governance_colour
from webapp.hosts import external_url
from webapp.links import url_of
from webapp.params import args_of, filter_values, url_with

bp = Blueprint("typology", __name__)

Filters = Mapping[str, tuple[str, ...]]
Link = Callable[..., str]

# Each governance type's pattern beside its colour (webapp.figures), so that the stacks differ
# in shape as well as colour; the legend names both. Codes a later vocabulary adds get grey.
# The patterns' codes (the templates draw by them) and their names in the legend.
PATTERNS = {"top-down": "schraffiert", "bottom-up": "gepunktet", "cross-over": "kariert"}
PATTERN_NAMES = {
    "schraffiert": lazy_gettext("schraffiert"),
    "gepunktet": lazy_gettext("gepunktet"),
    "kariert": lazy_gettext("kariert"),
    "einfarbig": lazy_gettext("einfarbig"),
}


def look(governance: str) -> tuple[str, str]:
    return governance_colour(governance), PATTERNS.get(governance, "einfarbig")


def catalogue_link(filters: Filters, external: bool = False) -> str:
    """The catalogue showing exactly the cases that pass `filters`."""
    if external:
        return external_url("pages.cases", **filter_values(filters))
    return url_with(url_for("pages.cases"), CatalogueQuery(filters).args())


def cell_link(filters: Filters, external: bool = False) -> Callable[[str, str], str]:
    """(governance, scale) -> the catalogue with the other filters kept and that cell's type
    and scale chosen: it shows exactly the cases the cell counts."""
    return lambda g, s: catalogue_link({**filters, "governance": (g,), "scale": (s,)}, external)


def year_link(filters: Filters, external: bool = False) -> Callable[[int], str]:
    return lambda year: catalogue_link({**filters, "start_year": (str(year),)}, external)


# --- drawing the timeline ---------------------------------------------------------------------

# Narrow on purpose: at phone width (375 px) the SVG scales to about 0.7, and its 13-unit text
# stays readable.
WIDTH = 480
LEFT, RIGHT = 56, 12  # room for the counts on the axis (and its label), and a margin
TALK_ROW = 30  # above the bars: the talks
PLOT_TOP, PLOT_HEIGHT = 20 + TALK_ROW, 170
LEGEND_TOP, LEGEND_LINE, LEGEND_COLUMN = 30, 22, 210  # under the axis, two entries a line
LABEL_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)
MAX_LABELS = 8  # year labels on the axis, so that they never overlap


@dataclass(frozen=True)
class Segment:
    governance: str
    count: int
    y: float
    height: float


@dataclass(frozen=True)
class Bar:
    year: int
    x: float  # left edge of the bar
    center: float
    width: float
    total: int
    segments: tuple[Segment, ...]  # bottom to top, in vocabulary order
    talks: tuple[Any, ...]  # kb.catalogue.typology.TalkMark
    labelled: bool  # the year is written under the axis


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    plot_top: int
    plot_bottom: int
    talk_y: int
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[int, float], ...]  # (cases, y) on the vertical axis
    legend: tuple[tuple[str, int, int], ...]  # (governance type or "talk", x, y)


def chart(timeline: Timeline) -> Chart:
    """Where the timeline's bars, ticks and talk marks go in a WIDTH-wide SVG."""
    bottom = PLOT_TOP + PLOT_HEIGHT
    n = max(1, len(timeline.years))
    band = (WIDTH - LEFT - RIGHT) / n
    width = max(1.0, band * 0.72)
    step = next((s for s in LABEL_STEPS if n / s <= MAX_LABELS), LABEL_STEPS[-1])
    scale = PLOT_HEIGHT / max(1, timeline.highest)
    bars = []
    for i, year in enumerate(timeline.years):
        x = LEFT + i * band + (band - width) / 2
        segments, top = [], float(bottom)
        for governance in timeline.governance_types:
            count = year.counts.get(governance, 0)
            if count:
                top -= count * scale
                segments.append(Segment(governance, count, round(top, 2), round(count * scale, 2)))
        bars.append(
            Bar(
                year.year,
                round(x, 2),
                round(x + width / 2, 2),
                round(width, 2),
                year.total,
                tuple(segments),
                year.talks,
                year.year % step == 0 or n == 1,
            )
        )
    entries = len(timeline.governance_types) + 1  # and the talks
    highest = timeline.highest
    values = sorted({0, math.ceil(highest / 2), highest}) if highest else [0]
    ticks = tuple((v, round(bottom - v * scale, 2)) for v in values)
    return Chart(
        WIDTH,
        bottom + LEGEND_TOP + math.ceil(entries / 2) * LEGEND_LINE,
        LEFT,
        PLOT_TOP,
        bottom,
        PLOT_TOP - TALK_ROW + 12,
        tuple(bars),
        ticks,
        tuple(
            (entry, LEFT + (i % 2) * LEGEND_COLUMN, bottom + LEGEND_TOP + (i // 2) * LEGEND_LINE)
            for i, entry in enumerate((*timeline.governance_types, "talk"))
        ),
    )


def _timeline_svg(timeline: Timeline, filters: Filters, standalone: bool) -> str:
    return render_template(
        "typology/timeline.svg",
        timeline=timeline,
        chart=chart(timeline),
        look=look,
        pattern_names=PATTERN_NAMES,
        year_link=year_link(filters, external=standalone),
        standalone=standalone,
        described=described(filters),
    )


def _matrix_svg(matrix: Matrix, filters: Filters) -> str:
    return render_template(
        "typology/matrix.svg",
        matrix=matrix,
        most=max((c.count for c in matrix.cells.values()), default=0),
        cell_link=cell_link(filters, external=True),
        case_link=lambda slug: url_of("case", slug, external=True),
        described=described(filters),
    )


def described(filters: Filters) -> str:
    """The filters in words in the page's language, for titles: "Bundesland: Sachsen; Beginn:
    2019" (the labels of facets and values follow the current language)."""
    parts = []
    for facet, values in filters.items():
        labels = facet_values(vocabulary(), facet)
        names = ", ".join(labels.get(v, v) for v in values)
        parts.append(f"{FACET_LABELS[facet]}: {names}")
    return "; ".join(parts)


# --- views ------------------------------------------------------------------------------------


def _query() -> tuple[Filters, list[str]]:
    query, problems = parse_query(args_of(request.args), vocabulary())
    return query.filters, problems


@bp.get("/typology")
def typology() -> str:
    filters, problems = _query()
    unit, vocab = uow(), vocabulary()
    timeline = start_year_timeline(unit, filters, vocab)
    pairs = CatalogueQuery(filters).args()
    return render_template(
        "typology/page.html",
        filters=filters,
        problems=problems,
        matrix=typology_matrix(unit, filters, vocab),
        cell_link=cell_link(filters),
        timeline=timeline,
        timeline_svg=_timeline_svg(timeline, filters, standalone=False),
        year_link=year_link(filters),
        look=look,
        described=described(filters),
        download=lambda name: url_with(url_for(f"typology.{name}"), pairs),
    )


def _name(base: str, filters: Filters, ext: str) -> str:
    return filename(base, [f"{f}-{'-'.join(v)}" for f, v in filters.items()], ext)


@bp.get("/typology.svg", defaults={"fmt": "svg"}, endpoint="matrix_svg")
@bp.get("/typology.csv", defaults={"fmt": "csv"}, endpoint="matrix_csv")
@bp.get("/typology.json", defaults={"fmt": "json"}, endpoint="matrix_json")
def matrix_download(fmt: str) -> Response:
    """The matrix for the filters in the query string, as SVG, CSV or JSON."""
    filters, problems = _query()
    matrix = typology_matrix(uow(), filters, vocabulary())
    name = _name("typologie", filters, fmt)
    if fmt == "svg":
        return svg_file(_matrix_svg(matrix, filters), name)
    rows = matrix_rows(matrix, vocabulary())
    if fmt == "csv":
        return csv_file(csv_text(MATRIX_HEADER, rows), name)
    link = cell_link(filters, external=True)
    cells = [
        {
            **dict(zip(MATRIX_HEADER, row, strict=True)),
            "examples": [
                {"slug": e.slug, "name": e.name, "url": url_of("case", e.slug, external=True)}
                for e in cell.examples
            ],
            "url": link(cell.governance, cell.scale),
        }
        for cell, row in zip(matrix.cells.values(), rows, strict=True)
    ]
    data = {"filters": dict(filters), "warnings": problems, "total": matrix.total, "cells": cells}
    return json_file(data, name)


@bp.get("/timeline.svg", defaults={"fmt": "svg"}, endpoint="timeline_svg")
@bp.get("/timeline.csv", defaults={"fmt": "csv"}, endpoint="timeline_csv")
@bp.get("/timeline.json", defaults={"fmt": "json"}, endpoint="timeline_json")
def timeline_download(fmt: str) -> Response:
    """The timeline for the filters in the query string, as SVG, CSV or JSON."""
    filters, problems = _query()
    timeline = start_year_timeline(uow(), filters, vocabulary())
    name = _name("zeitleiste", filters, fmt)
    if fmt == "svg":
        return svg_file(_timeline_svg(timeline, filters, standalone=True), name)
    if fmt == "csv":
        return csv_file(csv_text(timeline_header(timeline), timeline_rows(timeline)), name)
    link = year_link(filters, external=True)
    years = [
        {
            "year": y.year,
            "cases": dict(y.counts),
            "total": y.total,
            "url": link(y.year) if y.total else None,
            "talks": [
                {
                    "slug": t.slug,
                    "title": t.title,
                    "date": t.date.isoformat(),
                    "series": t.series,
                    "url": url_of("talk", t.slug, external=True),
                }
                for t in y.talks
            ],
        }
        for y in timeline.years
    ]
    data = {
        "filters": dict(filters),
        "warnings": problems,
        "total": timeline.total,
        "without_start_year": timeline.without_year,
        "years": years,
    }
    return json_file(data, name)
