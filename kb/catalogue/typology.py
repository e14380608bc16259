"""The catalogue at a glance: the typology matrix (governance type x scale) and the timeline of
the cases' start years with the series' talks, for any set of catalogue filters.

Both count with the catalogue's own table and filters (kb.catalogue.browsing), so that a cell
or a bar says exactly how many cases its link to the catalogue shows; both are kept per process
until the catalogue changes (kb.watermark), one value per set of filters. They carry codes and
slugs, never URLs (the webapp builds those), and give their data as plain rows for CSV and JSON.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.catalogue.browsing import case_table, filters_key
from kb.catalogue.timeline import CaseLink, series_timeline
from kb.catalogue.vocabulary import Vocabulary
from kb.unit_of_work import UnitOfWork
from kb.watermark import cached

EXAMPLES = 3  # names of cases a cell shows, in name order
Filters = Mapping[str, tuple[str, ...]]


# --- the typology matrix ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    governance: str
    scale: str
    count: int
    examples: tuple[CaseLink, ...]  # up to EXAMPLES cases, in name order


@dataclass(frozen=True)
class Matrix:
    """Cases per governance type and scale among those that pass the other filters: the
    matrix's own two facets are left out, as a facet's counts leave out its own filter, so that
    each cell counts what choosing exactly that type and scale shows."""

    governance_types: tuple[str, ...]  # rows, in vocabulary order
    scales: tuple[str, ...]  # columns, in vocabulary order
    cells: Mapping[tuple[str, str], Cell]

    def cell(self, governance: str, scale: str) -> Cell:
        return self.cells[(governance, scale)]

    def row_total(self, governance: str) -> int:
        return sum(self.cell(governance, s).count for s in self.scales)

    def column_total(self, scale: str) -> int:
        return sum(self.cell(g, scale).count for g in self.governance_types)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells.values())


MATRIX_FACETS = ("governance", "scale")


def typology_matrix(uow: UnitOfWork, filters: Filters, vocabulary: Vocabulary) -> Matrix:
    """The matrix for the cases that pass `filters` (their governance and scale filters
    ignored), kept until the catalogue changes."""
    key = ("typology_matrix", id(vocabulary), filters_key(filters, MATRIX_FACETS))
    return cached(uow, key, lambda: _matrix(uow, filters, vocabulary))


def _matrix(uow: UnitOfWork, filters: Filters, vocabulary: Vocabulary) -> Matrix:
    table = case_table(uow, vocabulary)
    selected = table.select(table.masks(filters), skip=MATRIX_FACETS)
    order = table.orders["name"]
    governance_types = tuple(vocabulary.codes("governance_types"))
    scales = tuple(vocabulary.codes("scales"))
    counts = {(g, s): 0 for g in governance_types for s in scales}
    examples: dict[tuple[str, str], list[CaseLink]] = {k: [] for k in counts}
    for i in order[selected[order]]:
        row = table.rows[i]
        where = (row.governance, row.scale)
        if where not in counts:  # a code no longer in the vocabulary: not a cell of the grid
            continue
        counts[where] += 1
        if len(examples[where]) < EXAMPLES:
            examples[where].append(CaseLink(row.slug, row.name))
    cells = {k: Cell(k[0], k[1], counts[k], tuple(examples[k])) for k in counts}
    return Matrix(governance_types, scales, cells)


MATRIX_HEADER = (
    "governance",
    "governance_label",
    "scale",
    "scale_label",
    "cases",
    "examples",
)


def matrix_rows(matrix: Matrix, vocabulary: Vocabulary) -> list[tuple[Any, ...]]:
    """One row per cell (MATRIX_HEADER), the example names joined by "; "."""
    return [
        (
            c.governance,
            vocabulary.label("governance_types", c.governance),
            c.scale,
            vocabulary.label("scales", c.scale),
            c.count,
            "; ".join(e.name for e in c.examples),
        )
        for c in matrix.cells.values()
    ]


# --- the timeline -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TalkMark:
    """A talk of a series, as the timeline marks it on its year."""

    slug: str
    title: str
    date: dt.date
    series: str  # the series' title


@dataclass(frozen=True)
class Year:
    year: int
    counts: Mapping[str, int]  # governance type -> cases that started this year
    talks: tuple[TalkMark, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Timeline:
    """Cases that pass the filters by start year, stacked by governance type, and every talk
    of the series by its year, on one axis: each year from the first to the last with a case
    or a talk. A start-year filter is ignored (each bar is a start-year filter of its own)."""

    governance_types: tuple[str, ...]
    years: tuple[Year, ...]
    without_year: int  # cases that pass the filters but have no start year

    @property
    def total(self) -> int:
        return sum(y.total for y in self.years) + self.without_year

    @property
    def highest(self) -> int:
        return max((y.total for y in self.years), default=0)


TIMELINE_FACETS = ("start_year",)


def start_year_timeline(uow: UnitOfWork, filters: Filters, vocabulary: Vocabulary) -> Timeline:
    """The timeline for the cases that pass `filters`, kept until the catalogue changes."""
    key = ("start_year_timeline", id(vocabulary), filters_key(filters, TIMELINE_FACETS))
    return cached(uow, key, lambda: _timeline(uow, filters, vocabulary))


def _timeline(uow: UnitOfWork, filters: Filters, vocabulary: Vocabulary) -> Timeline:
    table = case_table(uow, vocabulary)
    selected = table.select(table.masks(filters), skip=TIMELINE_FACETS)
    governance_types = tuple(vocabulary.codes("governance_types"))
    counts: dict[int, dict[str, int]] = {}
    without_year = 0
    for i in selected.nonzero()[0]:
        row = table.rows[i]
        if row.start_year is None:
            without_year += 1
            continue
        per_type = counts.setdefault(row.start_year, dict.fromkeys(governance_types, 0))
        per_type[row.governance] = per_type.get(row.governance, 0) + 1
    talks: dict[int, list[TalkMark]] = {}
    for series in series_timeline(uow):
        for talk in series.talks:
            mark = TalkMark(talk.slug, talk.title, talk.date, series.title)
            talks.setdefault(talk.date.year, []).append(mark)
    known = set(counts) | set(talks)
    years = tuple(
        Year(
            year,
            counts.get(year, dict.fromkeys(governance_types, 0)),
            tuple(sorted(talks.get(year, ()), key=lambda t: (t.date, t.slug))),
        )
        for year in (range(min(known), max(known) + 1) if known else ())
    )
    return Timeline(governance_types, years, without_year)


def timeline_header(timeline: Timeline) -> tuple[str, ...]:
    return ("year", *timeline.governance_types, "cases", "talks", "talk_titles")


def timeline_rows(timeline: Timeline) -> list[tuple[Any, ...]]:
    """One row per year (timeline_header): cases per governance type, all cases, the number
    of talks and their titles joined by "; "."""
    return [
        (
            y.year,
            *(y.counts.get(g, 0) for g in timeline.governance_types),
            y.total,
            len(y.talks),
            "; ".join(t.title for t in y.talks),
        )
        for y in timeline.years
    ]
