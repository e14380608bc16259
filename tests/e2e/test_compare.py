"""Building a comparison in the browser: add three cases from their pages, the catalogue and the
search, open the comparison, download its CSV; and the comparison passes the axe scan."""

import csv
import io

from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, format_violations

CASES = {
    "freiraumbuero-halle": "Freiraumbüro Halle",
    "altstadtquartier-buechel-aachen": "Stadt machen am Büchel – Altstadtquartier Büchel",
    "stadtmensch-altenburg": "STADTMENSCH Altenburg",
}


def test_add_three_cases_open_the_comparison_and_download_csv(page: Page, live_server: str) -> None:
    slugs = list(CASES)
    # From a case page.
    page.goto(f"{live_server}/cases/{slugs[0]}")
    page.get_by_role("link", name=f"zum Vergleich hinzufügen: {CASES[slugs[0]]}").click()
    expect(page.get_by_text("Zum Vergleich hinzugefügt (1 von 4).")).to_be_visible()
    # From a catalogue row.
    page.goto(f"{live_server}/cases?land=nordrhein-westfalen")
    page.get_by_role("link", name=f"zum Vergleich hinzufügen: {CASES[slugs[1]]}").click()
    expect(page.get_by_text("Zum Vergleich hinzugefügt (2 von 4).")).to_be_visible()
    # From a search hit.
    page.goto(f"{live_server}/search?q=Altenburg")
    page.get_by_role("link", name=f"zum Vergleich hinzufügen: {CASES[slugs[2]]}").click()
    expect(page.get_by_text("Zum Vergleich hinzugefügt (3 von 4).")).to_be_visible()
    # Open it from the navigation: a shareable URL with the three cases.
    page.get_by_role("link", name="Vergleich 3 Fälle ausgewählt").click()
    expect(page).to_have_url(f"{live_server}/compare?cases={'%2C'.join(slugs)}")
    headers = page.locator("table.compare").first.locator("thead th a:not(.remove)")
    expect(headers).to_have_text(list(CASES.values()))
    expect(page.locator("tr.differs").first).to_be_visible()
    # A group can be collapsed and opened again.
    summary = page.locator("details.compare-group > summary").first
    summary.click()
    expect(page.locator("details.compare-group").first).not_to_have_attribute("open", "")
    summary.click()
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows = list(csv.reader(io.StringIO(info.value.path().read_text(encoding="utf-8"))))
    assert rows[0] == ["group", "field", "label", "differs", *slugs]
    governance = next(r for r in rows if r[1] == "governance")
    assert governance[3] == "ja" and governance[4:] == ["Top-down", "Top-down", "Cross-over"]


def test_comparison_page_is_accessible(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/compare?cases={','.join(CASES)}")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
