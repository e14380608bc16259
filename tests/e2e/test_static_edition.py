"""The static edition in a real browser: built from a fresh seeded instance (webapp.edition, what
`kb export --format site` runs), opened from file:// and from a plain static server on 127.0.0.1
(Python's http.server, nothing of the app), links followed to a case, Pagefind's search UI used,
axe on the static start page."""

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from kb.config import Settings
from kb.runtime import Runtime
from tests.e2e.axe import axe_violations, format_violations
from webapp.edition import build_site

CASE = "Alte Feuerwache Weimar"
SERVER_START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("edition-instance")
    settings = Settings.from_env({"KB_INSTANCE": str(folder)})
    runtime = Runtime.from_settings(settings)
    try:
        runtime.init()
    finally:
        runtime.close()
    out = folder / "site"
    build_site(settings, out)
    return out


@pytest.fixture(scope="module")
def static_server(edition: Path) -> Iterator[str]:
    """The edition's folder served by Python's http.server (a plain static host)."""
    port = _free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--directory", str(edition)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/index.html", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("http.server did not start")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _to_a_case(page: Page) -> None:
    """From the start page through the catalogue and a governance type's page to a case."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Fälle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fälle")
    page.locator(".sidebar").get_by_role("link", name=re.compile("^Bottom-up")).first.click()
    expect(page).to_have_url(re.compile(r"/cases/governance/bottom-up/index\.html$"))
    page.locator(".case-list").get_by_role("link", name=re.compile(f"^{CASE}")).click()
    expect(page).to_have_url(re.compile(r"/cases/alte-feuerwache-weimar/index\.html$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(CASE)
    expect(page.locator(".edition-date")).to_contain_text("Statische Ausgabe vom")


def test_from_a_folder_links_lead_to_a_case(page: Page, edition: Path) -> None:
    page.goto((edition / "index.html").as_uri())
    _to_a_case(page)
    assert page.url.startswith("file://")
    # The same page in English, through the language switch.
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/cases/alte-feuerwache-weimar/index\.html$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_from_a_folder_the_search_page_says_it_needs_a_server(page: Page, edition: Path) -> None:
    page.goto((edition / "search" / "index.html").as_uri())
    expect(page.locator("#suche-datei")).to_be_visible()


def test_from_a_static_server_links_and_pagefind_search(page: Page, static_server: str) -> None:
    page.goto(f"{static_server}/index.html")
    _to_a_case(page)
    # The header's search box leads to the search page, where Pagefind's UI searches.
    page.get_by_label("Wissensbasis durchsuchen").fill("Feuerwachen")
    page.get_by_label("Wissensbasis durchsuchen").press("Enter")
    expect(page).to_have_url(re.compile(r"/search/index\.html\?q=Feuerwachen$"))
    results = page.locator(".pagefind-ui__result-link")
    expect(results.first).to_be_visible()
    page.locator(".pagefind-ui__result-link", has_text=CASE).first.click()
    expect(page).to_have_url(re.compile(r"/cases/alte-feuerwache-weimar/index\.html"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(CASE)


def test_axe_on_the_static_start_page(page: Page, static_server: str) -> None:
    page.goto(f"{static_server}/index.html")
    violations = axe_violations(page)
    assert not violations, format_violations(violations)
