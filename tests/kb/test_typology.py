"""The typology matrix and the start-year timeline count exactly what the catalogue shows for the
same filters, and the timeline marks the series' talks on their years."""

from collections import Counter

import pytest
from sqlalchemy import select

from kb.catalogue.browsing import CatalogueQuery, browse, parse_query
from kb.catalogue.timeline import series_timeline
from kb.catalogue.typology import (
    EXAMPLES,
    matrix_rows,
    start_year_timeline,
    timeline_rows,
    typology_matrix,
)
from kb.runtime import Runtime
from models import Case

FILTERS = [
    {},
    {"land": ("sachsen",)},
    {"land": ("berlin", "sachsen"), "presented": ("yes",)},
    {"instrument": ("beteiligungsleitlinien",)},
    # The matrix's own facets are ignored by it (a cell replaces them).
    {"governance": ("bottom-up",), "scale": ("city",), "land": ("berlin",)},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_matrix_cells_count_what_the_catalogue_shows(
    seeded: Runtime, filters: dict[str, tuple[str, ...]]
) -> None:
    vocabulary = seeded.vocabulary
    with seeded.uow() as uow:
        matrix = typology_matrix(uow, filters, vocabulary)
        assert matrix.governance_types == tuple(vocabulary.codes("governance_types"))
        assert matrix.scales == tuple(vocabulary.codes("scales"))
        assert len(matrix.cells) == 3 * 4
        for (governance, scale), cell in matrix.cells.items():
            query = CatalogueQuery({**filters, "governance": (governance,), "scale": (scale,)})
            page = browse(uow, query, vocabulary)
            assert cell.count == page.total, (governance, scale)
            names = [r.name for r in page.matching[:EXAMPLES]]  # the catalogue's name order
            assert [e.name for e in cell.examples] == names
        others = {f: v for f, v in filters.items() if f not in ("governance", "scale")}
        assert matrix.total == browse(uow, CatalogueQuery(others), vocabulary).total


def test_matrix_of_sachsen_matches_the_database(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        matrix = typology_matrix(uow, {"land": ("sachsen",)}, seeded.vocabulary)
        rows = uow.session.execute(
            select(Case.governance_type, Case.scale).where(
                Case.land == "sachsen", Case.deleted_at.is_(None)
            )
        )
        expected = Counter(tuple(r) for r in rows)
    assert expected, "the seed has cases in Sachsen"
    assert {k: c.count for k, c in matrix.cells.items() if c.count} == dict(expected)
    for (governance, scale), count in expected.items():
        assert matrix.row_total(governance) >= count
        assert matrix.column_total(scale) >= count


def test_matrix_rows_name_each_cell(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        matrix = typology_matrix(uow, {}, seeded.vocabulary)
    rows = matrix_rows(matrix, seeded.vocabulary)
    assert len(rows) == 12
    first = rows[0]
    assert first[:4] == ("top-down", "Top-down", "project", "Projekt / Quartier")
    assert sum(r[4] for r in rows) == matrix.total


@pytest.mark.parametrize("filters", FILTERS[:3], ids=lambda f: ",".join(f) or "none")
def test_timeline_counts_cases_per_year_and_governance_type(
    seeded: Runtime, filters: dict[str, tuple[str, ...]]
) -> None:
    vocabulary = seeded.vocabulary
    with seeded.uow() as uow:
        timeline = start_year_timeline(uow, filters, vocabulary)
        matching = browse(uow, CatalogueQuery(filters), vocabulary).matching
        expected = Counter((r.start_year, r.governance) for r in matching if r.start_year)
        for year in timeline.years:
            for governance, count in year.counts.items():
                assert count == expected[(year.year, governance)], (year.year, governance)
            if year.total:  # the bar's link: the catalogue filtered by that year
                query = CatalogueQuery({**filters, "start_year": (str(year.year),)})
                assert browse(uow, query, vocabulary).total == year.total
        assert sum(y.total for y in timeline.years) == sum(expected.values())
        assert timeline.without_year == sum(1 for r in matching if not r.start_year)
        assert timeline.total == len(matching)


def test_timeline_marks_the_talks_of_the_series_per_year(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        timeline = start_year_timeline(uow, {}, seeded.vocabulary)
        talks = [t for s in series_timeline(uow) for t in s.talks]
    assert talks, "the seed has talks"
    per_year = Counter(t.date.year for t in talks)
    assert {y.year: len(y.talks) for y in timeline.years if y.talks} == dict(per_year)
    years = [y.year for y in timeline.years]
    assert years == list(range(years[0], years[-1] + 1)), "one axis without gaps"
    rows = timeline_rows(timeline)
    assert [r[0] for r in rows] == years
    assert sum(r[-2] for r in rows) == len(talks)


def test_start_year_filter_takes_years_and_reports_anything_else(seeded: Runtime) -> None:
    vocabulary = seeded.vocabulary
    args = {"start_year": ["2019", "19", "1700", "zwanzig", "2019"]}
    query, problems = parse_query(args, vocabulary)
    assert query.filters == {"start_year": ("2019",)}
    assert len(problems) == 3 and all("(start_year)" in p for p in problems)
    with seeded.uow() as uow:
        page = browse(uow, query, vocabulary)
        expected = set(
            uow.session.scalars(
                select(Case.slug).where(Case.start_year == 2019, Case.deleted_at.is_(None))
            )
        )
    assert expected and {r.slug for r in page.matching} == expected
    assert page.facets["start_year"]["2019"] == len(expected)
