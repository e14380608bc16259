"""The typology matrix and the timeline in a real browser: the start page and /typology at
desktop and phone width (screenshots, axe, no sideways scrolling), and a matrix cell and a
timeline bar followed to the catalogue, which shows exactly their count."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.figures import WIDTHS, check_screen, open_at


def result_count(page: Page) -> int:
    return int(page.locator(".result-count strong").inner_text())


@pytest.mark.parametrize("path", ["/", "/typology", "/cases?land=sachsen"])
@pytest.mark.parametrize("device", WIDTHS)
def test_figures_at_desktop_and_phone_width(
    page: Page, live_server: str, tmp_path: Path, path: str, device: str
) -> None:
    width = WIDTHS[device]
    open_at(page, f"{live_server}{path}", width)
    if path.startswith("/cases"):
        page.locator(".typology-panel > summary").click()  # the folded matrix, opened
    matrix = page.locator("table.typology")
    expect(matrix).to_be_visible()
    expect(matrix.locator("a.cell-count")).to_have_count(12)
    if path == "/typology":
        svg = page.locator("svg.figure")
        box = svg.bounding_box()
        assert box is not None and box["width"] <= width  # the chart scales down
        page.locator("details.chart-data > summary").click()  # its table, opened for the scan
    check_screen(page, tmp_path / f"typology-{device}.png", width)


def test_a_matrix_cell_leads_to_exactly_its_cases(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    cells = page.locator("table.typology a.cell-count")
    # The fullest cell: a real test of the count, not of an empty list.
    counts = [int(t) for t in cells.locator("strong").all_inner_texts()]
    best = counts.index(max(counts))
    cell = cells.nth(best)
    cell.click()
    expect(page).to_have_url(re.compile(r"/cases\?governance=[\w-]+&scale=[\w-]+$"))
    assert result_count(page) == counts[best]
    governance = re.search(r"governance=([\w-]+)", page.url)[1]  # type: ignore[index]
    rows = page.locator(".case-row")
    expect(rows.first.locator(f".badge-gov-{governance}")).to_be_visible()


def test_a_cell_of_the_filtered_matrix_keeps_the_filter(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/cases?land=sachsen")
    page.locator(".typology-panel > summary").click()
    cells = page.locator("table.typology a.cell-count")
    counts = [int(t) for t in cells.locator("strong").all_inner_texts()]
    assert sum(counts) == result_count(page)
    best = counts.index(max(counts))
    cells.nth(best).click()
    expect(page).to_have_url(re.compile(r"land=sachsen"))
    assert result_count(page) == counts[best]


def test_a_timeline_bar_leads_to_the_cases_of_its_year(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/typology")
    bar = page.locator("svg.figure a").last
    label = bar.get_attribute("aria-label") or ""
    year, count = re.match(r"(\d{4}): (\d+) ", label).groups()  # type: ignore[union-attr]
    bar.click()
    expect(page).to_have_url(f"{live_server}/cases?start_year={year}")
    assert result_count(page) == int(count)
    years = page.locator(".case-row .meta").all_inner_texts()
    assert years and all(f"seit {year}" in text for text in years)
