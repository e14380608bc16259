"""The edit form in a real browser: an editor logs in, adds rows with "Weitere Zeilen" (no
JavaScript, nothing saved), submits an error and finds the message next to the field and in the
summary; the form passes the axe scan in both states. Nothing is saved, so the shared instance
stays as the other browser tests expect it."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, format_violations
from tests.e2e.conftest import KbCli

CASE = "alte-feuerwache-weimar"
PASSWORD = "ein-langes-passwort"


@pytest.fixture(scope="module")
def editor_account(kb_cli: KbCli, live_server: str) -> str:
    kb_cli("user", "add", "formular", "--role", "editor", input=f"{PASSWORD}\n")
    return "formular"


def login(page: Page, live_server: str, username: str) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_text(f"Angemeldet: {username}")).to_be_visible()


def test_edit_form_rows_errors_and_accessibility(
    page: Page, live_server: str, editor_account: str
) -> None:
    login(page, live_server, editor_account)
    page.goto(f"{live_server}/cases/{CASE}")
    page.get_by_role("link", name="Bearbeiten").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fall bearbeiten")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    rows = page.locator("input[name^='aliases-'][name$='-name']")
    before = rows.count()
    page.locator("#f-aliases").get_by_role("button", name="Weitere Zeilen").click()
    expect(rows).to_have_count(before + 3)

    page.get_by_label("Beginn (Jahr)").fill("19x9")
    page.get_by_role("button", name="Speichern").last.click()
    field = page.get_by_label("Beginn (Jahr)")
    expect(field).to_have_value("19x9")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-start_year-error")).to_have_text("muss eine ganze Zahl sein")
    page.get_by_role("link", name="Beginn (Jahr): muss eine ganze Zahl sein").click()
    expect(field).to_be_focused()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
