"""The map in a real browser: screenshots of /map and of the catalogue's map panel at desktop and
phone width, axe scans, no horizontal scrolling on a phone, and a Land followed to the catalogue."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.figures import WIDTHS, check_screen, open_at


@pytest.mark.parametrize("device", sorted(WIDTHS))
@pytest.mark.parametrize("path", ["/map", "/cases?land=berlin"])
def test_the_map_is_accessible_and_fits_the_screen(
    page: Page, live_server: str, tmp_path: Path, device: str, path: str
) -> None:
    width = WIDTHS[device]
    open_at(page, f"{live_server}{path}", width)
    if path.startswith("/cases"):
        page.locator(".map-panel > summary").click()  # the panel is folded on the catalogue
    figure = page.locator("svg.map-figure")
    expect(figure).to_be_visible()
    box = figure.bounding_box()
    assert box is not None and box["width"] <= width and box["height"] > 100
    shot = tmp_path / f"{path.strip('/').replace('?', '_').replace('=', '-')}-{device}.png"
    check_screen(page, shot, width)


def test_follow_a_land_on_the_map_to_the_catalogue(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/map")
    land = page.locator('svg.map-figure a[href="/cases?land=sachsen"]')
    name = land.get_attribute("aria-label")
    assert name is not None and name.startswith("Sachsen: ")
    count = int(name.removeprefix("Sachsen: ").split()[0])
    land.click()
    expect(page).to_have_url(f"{live_server}/cases?land=sachsen")
    assert int(page.locator(".result-count strong").inner_text()) == count


def test_follow_a_point_to_its_case(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/map")
    point = page.locator('svg.map-figure .map-places a[href^="/cases/"]').first
    href = point.get_attribute("href")
    name = point.get_attribute("aria-label")
    assert href and name
    # By keyboard: points of nearby places may overlap, and every point must be reachable.
    point.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}{href}")
    assert name.startswith(page.locator("h1").inner_text())
