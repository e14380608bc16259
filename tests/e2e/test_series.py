"""The series pages in a real browser: what the series learned, with notes that answer the
questions (one with a long word and a table) and one without sections, at phone and desktop
width: readable without horizontal scrolling, no serious or critical axe violations, and the
way from the series page to a note."""

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, format_violations
from tests.e2e.conftest import KbCli

SERIES = "governance-des-stadtmachens-2022"
TALK = "talk-4-alte-feuerwache-weimar"
OTHER = "talk-6-pankow-beteiligt-berlin"
PASSWORD = "ein-langes-passwort"
NOTE = """---
title: Weimar im Rückblick
slug: e2e-weimar-rueckblick
---
## Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune?

Stadt und Verein sprechen **regelmäßig**: Kooperationsvereinbarungsfortschreibungsrunde.

| Jahr | Schritt |
| --- | --- |
| 2019 | Erbbaurecht |

## Welche Lernprozesse sind in Verwaltung und Politik zu beobachten?

## Was hat die Initiative selbst dabei gelernt?

Geduld.

## Weitere Beobachtungen
"""
OLD_NOTE = """---
title: Pankow, frühe Notiz
slug: e2e-pankow-frueh
---
Eine Notiz aus der Zeit vor der Vorlage.
"""


def test_what_the_series_learned_at_phone_width(
    page: Page, live_server: str, kb_cli: KbCli, tmp_path: Path
) -> None:
    kb_cli("user", "add", "reihe", "--role", "editor", input=f"{PASSWORD}\n")
    for talk, text, name in ((TALK, NOTE, "weimar.md"), (OTHER, OLD_NOTE, "pankow.md")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        kb_cli("note", "add", talk, str(path), "--author", "reihe")

    page.goto(f"{live_server}/series/{SERIES}")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
    page.get_by_role("link", name="Was die Reihe gelernt hat").click()
    expect(page).to_have_url(f"{live_server}/series/{SERIES}/questions")

    answer = page.locator(".answer", has_text="Weimar im Rückblick").first
    expect(answer.locator("strong")).to_have_text("regelmäßig")
    expect(page.get_by_text("Ohne Abschnitt zu dieser Frage").first).to_be_visible()
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.reload()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, (width, scroll)
        violations = axe_violations(page)
        assert not violations, format_violations(violations)

    page.locator(".answer").get_by_role("link", name="Notiz „Weimar im Rückblick“").first.click()
    expect(page).to_have_url(f"{live_server}/talks/{TALK}#notiz-e2e-weimar-rueckblick")
    expect(page.locator("#notiz-e2e-weimar-rueckblick")).to_be_visible()
