"""What every page with a figure must pass in the browser at desktop and phone width: it opens,
its full-page screenshot is saved, nothing scrolls sideways, and axe finds no serious or
critical violation."""

from pathlib import Path

from playwright.sync_api import Page

from tests.e2e.axe import axe_violations, format_violations

WIDTHS = {"desktop": 1280, "phone": 375}


def open_at(page: Page, url: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(url)
    assert response is not None and response.status == 200, url


def check_screen(page: Page, shot: Path, width: int) -> None:
    """Screenshot the page as it is now to `shot`, then check its width and scan it."""
    page.screenshot(path=shot, full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "no sideways scroll"
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
