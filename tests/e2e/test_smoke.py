"""First browser tests: the start page is German, titled and accessible; the live server and
the browser fixtures work (/healthz); the axe helper really finds a violation."""

import json

from playwright.sync_api import Page

from tests.e2e.axe import axe_violations, format_violations

# A 1x1 transparent PNG, so the image loads and only its missing alt text is wrong.
PIXEL = (
    "data:image/png;base64,"
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _static_page(body: str) -> str:
    return (
        '<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Prüfseite</title>'
        f"</head><body><main><h1>Prüfseite</h1>{body}</main></body></html>"
    )


def test_start_page_is_german_titled_and_accessible(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/")
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.title().strip()
    assert page.locator("h1").count() >= 1
    violations = axe_violations(page)
    assert not violations, format_violations(violations)


def test_live_server_answers_healthz_in_the_browser(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/healthz")
    assert response is not None and response.status == 200
    # What the browser shows, not only what came over the wire: Chromium puts JSON in a <pre>.
    shown = page.locator("pre").first.inner_text()
    assert json.loads(shown) == {"status": "ok", "database": True, "index": "ok"}


def test_axe_helper_finds_an_image_without_alt(page: Page) -> None:
    page.set_content(_static_page(f'<img src="{PIXEL}">'))
    violations = axe_violations(page)
    assert [v["id"] for v in violations] == ["image-alt"], format_violations(violations)
    message = format_violations(violations)
    assert "image-alt [critical]" in message and "img" in message


def test_axe_helper_passes_the_same_page_with_alt_text(page: Page) -> None:
    page.set_content(_static_page(f'<img src="{PIXEL}" alt="Ein leeres Bild">'))
    violations = axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
    assert violations == [], format_violations(violations)
