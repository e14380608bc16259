"""The English pages in the browser: the switch leads to the same page in the other language and
back, `lang` and `hreflang` are right, German content on an English page is marked, and the English
start, catalogue and case pages pass axe."""

from playwright.sync_api import Page

from tests.e2e.axe import axe_violations, format_violations

CASE = "altstadtquartier-buechel-aachen"


def _alternates(page: Page) -> dict[str, str]:
    links = page.locator('head link[rel="alternate"][hreflang]')
    return {
        str(links.nth(i).get_attribute("hreflang")): str(links.nth(i).get_attribute("href"))
        for i in range(links.count())
    }


def test_the_switch_leads_to_the_same_case_in_english_and_back(
    page: Page, live_server: str
) -> None:
    page.goto(f"{live_server}/cases/{CASE}")
    assert page.locator("html").get_attribute("lang") == "de"
    heading = page.locator("h1").inner_text()
    assert _alternates(page) == {
        "de": f"{live_server}/cases/{CASE}",
        "x-default": f"{live_server}/cases/{CASE}",
        "en": f"{live_server}/en/cases/{CASE}",
    }

    page.locator(".language-switch").get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server}/en/cases/{CASE}")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == heading  # the case's name, as written
    assert page.locator("h1").get_attribute("lang") == "de" or page.locator("h1 [lang=de]").count()
    assert page.get_by_role("navigation", name="Main navigation").is_visible()
    assert page.locator(".content-language").first.inner_text() == "(in German)"
    assert _alternates(page)["de"] == f"{live_server}/cases/{CASE}"
    # Links on an English page stay English.
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Cases").click()
    page.wait_for_url(f"{live_server}/en/cases")
    page.go_back()

    page.locator(".language-switch").get_by_role("link", name="Deutsch").click()
    page.wait_for_url(f"{live_server}/cases/{CASE}")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator(".content-language").count() == 0


def test_the_english_start_catalogue_and_case_pages_pass_axe(page: Page, live_server: str) -> None:
    for path in ("/en/", "/en/cases", "/en/cases?governance=bottom-up", f"/en/cases/{CASE}"):
        response = page.goto(live_server + path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "en"
        violations = axe_violations(page)
        assert not violations, f"{path}: {format_violations(violations)}"


def test_a_browser_preferring_english_is_offered_the_english_page(
    page: Page, live_server: str
) -> None:
    context = page.context.browser.new_context(locale="en-GB")  # type: ignore[union-attr]
    try:
        english = context.new_page()
        english.goto(f"{live_server}/cases")
        assert english.url == f"{live_server}/cases"  # offered, never redirected
        hint = english.locator(".language-hint a")
        assert hint.inner_text() == "Read this page in English"
        hint.click()
        english.wait_for_url(f"{live_server}/en/cases")
    finally:
        context.close()
