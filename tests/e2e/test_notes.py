"""The editors' main job in a real browser: log in, add a note to a talk from the template of
the series' questions, see it on the talk page, find it with the search, edit it, open the
history and see the difference."""

from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, format_violations
from tests.e2e.conftest import KbCli

TALK = "talk-5-politik-zum-anfassen-hannover"
PASSWORD = "ein-langes-passwort"


def test_note_from_template_to_history(page: Page, live_server: str, kb_cli: KbCli) -> None:
    kb_cli("user", "add", "notizen", "--role", "editor", input=f"{PASSWORD}\n")
    page.goto(f"{live_server}/talks/{TALK}")
    page.get_by_role("link", name="Anmelden").click()
    page.get_by_label("Benutzername").fill("notizen")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{live_server}/talks/{TALK}")  # back where the editor was

    page.get_by_role("link", name="Notiz hinzufügen").click()
    body = page.get_by_label("Text (Markdown)")
    template = body.input_value()
    assert "## Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune?" in (
        template
    )
    assert "## Weitere Beobachtungen" in template
    violations = axe_violations(page)
    assert not violations, format_violations(violations)

    page.get_by_label("Titel").fill("Planspiel und Verwaltung")
    text = template.replace(
        "## Weitere Beobachtungen\n",
        "## Weitere Beobachtungen\n\nDas **Planspielformat** überzeugt.\n",
    )
    body.fill(text)
    page.get_by_role("button", name="Vorschau").click()
    expect(page.locator(".preview strong")).to_have_text("Planspielformat")
    expect(page.get_by_label("Text (Markdown)")).to_have_value(text)  # nothing lost
    page.get_by_role("button", name="Speichern").click()

    note = page.locator("article.note", has_text="Planspiel und Verwaltung")
    expect(note).to_be_visible()
    expect(note.locator("strong")).to_have_text("Planspielformat")

    page.goto(f"{live_server}/search?q=Planspielformat")
    hit = page.locator(".hit h3 a").first
    expect(hit).to_have_text("Planspiel und Verwaltung")
    hit.click()
    expect(page).to_have_url(f"{live_server}/talks/{TALK}#notiz-{TALK}-planspiel-und-verwaltung")

    page.get_by_role("link", name="Bearbeiten: Planspiel und Verwaltung").click()
    page.get_by_label("Titel").fill("Planspiel, Verwaltung und Politik")
    page.get_by_label("Grund der Änderung (optional)").fill("Titel präzisiert")
    page.get_by_role("button", name="Speichern").click()
    expect(
        page.locator("article.note h3", has_text="Planspiel, Verwaltung und Politik")
    ).to_be_visible()

    page.get_by_role("link", name="Verlauf: Planspiel, Verwaltung und Politik").click()
    change = page.locator(".changes li", has_text="Titel:").first
    expect(change.locator("del")).to_have_text("Planspiel und Verwaltung")
    expect(change.locator("ins")).to_have_text("Planspiel, Verwaltung und Politik")
    expect(page.get_by_text("Titel präzisiert")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
