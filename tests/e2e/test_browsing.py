"""What readers do in a real browser: narrow a search by a facet and open a case, filter the
catalogue and download exactly that set as CSV, reach a case with the keyboard alone; and an
axe-core scan of the main page types."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, format_violations


def test_search_narrowed_by_a_facet_then_open_a_case(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    page.get_by_label("Fälle, Gespräche und Notizen durchsuchen").fill("Beteiligung")
    page.get_by_role("button", name="Suchen").click()
    expect(page).to_have_url(f"{live_server}/search?q=Beteiligung")
    total = int(page.locator(".result-count strong").inner_text())
    # Narrow to the bottom-up cases by the governance facet.
    page.locator(".facet-link", has_text="Bottom-up").first.click()
    expect(
        page.get_by_role("link", name="Filter entfernen: Governance-Typ: Bottom-up")
    ).to_be_visible()
    narrowed = int(page.locator(".result-count strong").inner_text())
    assert 0 < narrowed < total
    first = page.locator(".hit h3 a").first
    title = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".badge-gov-bottom-up")).to_be_visible()


def test_catalogue_filters_and_csv_download(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/cases")
    page.locator(".facet-link", has_text="Top-down").first.click()
    page.locator(".facet-link", has_text="Berlin").first.click()
    expect(page).to_have_url(f"{live_server}/cases?governance=top-down&land=berlin")
    shown = page.locator(".case-row h3 a").all_inner_texts()
    assert shown
    assert int(page.locator(".result-count strong").inner_text()) == len(shown)
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert sorted(r["name"] for r in rows) == sorted(shown)
    assert {r["governance_type"] for r in rows} == {"top-down"}
    assert {r["land"] for r in rows} == {"Berlin"}


def test_keyboard_only_navigation_to_a_case(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/")
    # The skip link comes first and is visible when focused.
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Zum Inhalt springen")
    expect(skip).to_be_visible()
    # Tab to the "Fälle" link of the main navigation and follow it.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.locator(":focus").inner_text() == "Fälle":
            break
    focused = page.locator(":focus")
    expect(focused).to_have_text("Fälle")
    outline = focused.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline != "none"  # a visible focus ring
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/cases")
    # Tab on until the first case title is focused, then open it.
    target = page.locator(".case-row h3 a").first.inner_text()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.locator(":focus").inner_text() == target:
            break
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(target)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cases/altstadtquartier-buechel-aachen",
        "/talks/talk-1-stadtmensch-altenburg",
        "/search?q=Beteiligung",
        "/cases?governance=bottom-up",
        "/instruments",
        "/codebook",
    ],
)
def test_no_serious_or_critical_accessibility_violations(
    page: Page, live_server: str, path: str
) -> None:
    response = page.goto(f"{live_server}{path}")
    assert response is not None and response.status == 200
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_phone_width_has_no_horizontal_scrolling(page: Page, live_server: str) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/cases", "/cases/alte-feuerwache-weimar", "/search?q=Fonds", "/codebook"):
        page.goto(f"{live_server}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (path, width)
