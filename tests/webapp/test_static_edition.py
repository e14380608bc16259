"""The static edition (webapp.edition, `kb export --format site`) of the seed catalogue, built once
for the module on SQLite: a page for every case in both languages, the catalogue's path-style
pages per governance type, scale and Land, links that stay inside the edition and resolve to its
files (external ones only to the content's own addresses), the edition's date on every page, no
editing, login, compare or server search, and Pagefind's own search finding a case by a German
word (its JavaScript run in Node over the files)."""

import configparser
import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

import kb.cli
from kb.catalogue.browsing import FACET_VOCABULARIES
from kb.catalogue.cases import list_cases
from kb.config import Settings
from kb.runtime import Runtime
from tests.helpers import DEFAULT_SEED_DIR, SeedTemplates, make_settings
from webapp import edition
from webapp.edition import EditionReport, build_site, catalogue_path, edition_file

DATE = dt.date(2026, 5, 4)
WEB = Path(__file__).resolve().parents[2] / "webapp"
URL = re.compile(r"https?://[^\s\"'<>\\]+")  # ends at a quote, escaped ones too (.po)


class _Links(HTMLParser):
    """Every href, src and action of a page, and whether it has a <form>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.links += [v for k, v in attrs if k in ("href", "src", "action") and v is not None]
        if tag == "form":
            self.forms.append(values)
        if tag == "script":
            self.scripts.append(values)


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def seeded_settings(
    tmp_path_factory: pytest.TempPathFactory, seed_templates: SeedTemplates, sqlite_template: Path
) -> Settings:
    folder = tmp_path_factory.mktemp("edition-db")
    settings = make_settings(folder, f"sqlite:///{folder / 'kb.sqlite3'}")
    seed_templates.restore(settings, sqlite_template)
    return settings


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, seeded_settings: Settings
) -> tuple[Path, EditionReport]:
    out = tmp_path_factory.mktemp("edition") / "site"
    return out, build_site(seeded_settings, out, date=DATE)


@pytest.fixture(scope="module")
def site(built: tuple[Path, EditionReport]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def case_slugs(seeded_settings: Settings) -> list[str]:
    runtime = Runtime.from_settings(seeded_settings)
    try:
        with runtime.uow() as uow:
            return [case.slug for case in list_cases(uow)]
    finally:
        runtime.close()


def _pages(site: Path) -> Iterator[Path]:
    for path in sorted(site.rglob("*.html")):
        if not path.relative_to(site).as_posix().startswith("pagefind/"):
            yield path


def _content_urls() -> set[str]:
    """Every address the catalogue's content names (sources, websites, links in texts and
    notes) and those the templates and their translations write (credits of the map's data)."""
    found: set[str] = set()
    sources = (
        (DEFAULT_SEED_DIR, "*"),
        (WEB / "templates", "*.htm*"),
        (WEB / "translations", "*.po"),
    )
    for folder, pattern in sources:
        for path in folder.rglob(pattern):
            if path.is_file():
                found.update(_trimmed(u) for u in URL.findall(path.read_text("utf-8")))
    return found


def _trimmed(url: str) -> str:
    """An address as written in text: without the punctuation or bracket that follows it."""
    url = url.rstrip(".,;:")
    for opening, closing in ("()", "[]"):
        while url.endswith(closing) and url.count(closing) > url.count(opening):
            url = url[:-1].rstrip(".,;:")
    return url


def test_every_case_has_its_page_in_both_languages(site: Path, case_slugs: list[str]) -> None:
    assert len(case_slugs) > 20
    for slug in case_slugs:
        for prefix in ("", "en/"):
            page = site / f"{prefix}cases/{slug}/index.html"
            assert page.is_file(), page
    text = (site / f"cases/{case_slugs[0]}/index.html").read_text("utf-8")
    assert '<html lang="de">' in text
    assert '<html lang="en">' in (site / f"en/cases/{case_slugs[0]}/index.html").read_text()


def test_the_report_counts_what_the_edition_leaves_out(built: tuple[Path, EditionReport]) -> None:
    # Only the JSON links in the <head> of case and talk pages (the JSON API is the live site's).
    assert set(built[1].dropped) == {"/api"}


def test_the_edition_holds_the_site_s_pages_and_downloads(site: Path) -> None:
    for name in (
        "index.html",
        "cases/index.html",
        "talks/index.html",
        "instruments/index.html",
        "typology/index.html",
        "typology.svg",
        "timeline.svg",
        "map/index.html",
        "map.svg",
        "codebook/index.html",
        "codebook.csv",
        "codebook.json",
        "cases.csv",
        "cases.long.csv",
        "cases.json",
        "feed.atom",
        "cases/changes.atom",
        "search/index.html",
        "static/site.css",
        "en/index.html",
        "en/cases.csv",
    ):
        assert (site / name).is_file(), name
    series = [p for p in (site / "series").iterdir() if p.is_dir()]
    assert series and all((s / "questions" / "index.html").is_file() for s in series)
    assert len(json.loads((site / "cases.json").read_text("utf-8"))["cases"]) > 20


def test_catalogue_pages_per_governance_type_scale_and_land(
    site: Path, seeded_settings: Settings
) -> None:
    runtime = Runtime.from_settings(seeded_settings)
    try:
        with runtime.uow() as uow:
            cases = list_cases(uow)
    finally:
        runtime.close()
    cases_folder = (site / "cases").resolve()
    for facet, attribute in (
        ("governance", "governance_type"),
        ("scale", "scale"),
        ("land", "land"),
    ):
        values = {getattr(c, attribute) for c in cases}
        for value in values:
            folder = site / "cases" / facet / value
            listed: set[str] = set()
            for page in [folder / "index.html", *sorted(folder.glob("page/*/index.html"))]:
                for link in _parse(page).links:
                    target = (page.parent / link).resolve()
                    if target.name == "index.html" and target.parent.parent == cases_folder:
                        listed.add(target.parent.name)  # a case's page (only rows link to one)
            expected = {c.slug for c in cases if getattr(c, attribute) == value}
            assert listed == expected, (facet, value)


def test_every_value_of_the_vocabularies_has_its_page(
    site: Path, seeded_settings: Settings
) -> None:
    """Even a value without cases (the map links every Land): an empty catalogue page."""
    runtime = Runtime.from_settings(seeded_settings)
    try:
        vocabulary = runtime.vocabulary
    finally:
        runtime.close()
    for facet, name in FACET_VOCABULARIES.items():
        for code in vocabulary.codes(name):
            assert (site / "cases" / facet / code / "index.html").is_file(), (facet, code)


def test_links_stay_inside_the_edition_and_resolve(site: Path) -> None:
    allowed = _content_urls()
    checked = 0
    for page in [*_pages(site), *site.rglob("*.svg"), *site.rglob("*.atom")]:
        for link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                assert link in allowed, f"{page}: {link}"
                continue
            assert not parts.scheme and not parts.netloc, f"{page}: {link}"
            assert not link.startswith("/"), f"{page}: {link} (root-absolute)"
            assert not parts.query, f"{page}: {link} (a query string has no file)"
            if not parts.path:  # a fragment on the same page
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{page}: {link}"
            assert site in target.parents, f"{page}: {link} (outside the edition)"
            checked += 1
    assert checked > 10_000


def test_the_feeds_link_into_the_edition(site: Path) -> None:
    changes = _parse(site / "cases" / "changes.atom").links
    # Each change links to its case's page (the edition holds no histories), relative to the
    # feed's own address (the links test resolves them).
    pages = [link for link in changes if re.fullmatch(r"[a-z0-9-]+/index\.html", link)]
    assert len(pages) > 10
    assert not [link for link in changes if "history" in link or "://" in link]
    assert "feed.atom" in _parse(site / "en" / "feed.atom").links  # the English feed's own


def test_every_page_names_the_date_of_the_edition(site: Path) -> None:
    pages = list(_pages(site))
    assert len(pages) > 300
    for page in pages:
        text = page.read_text("utf-8")
        english = page.relative_to(site).parts[0] == "en"
        date = "Static edition of 4 May 2026" if english else "Statische Ausgabe vom 4. Mai 2026"
        assert date in text, page


def test_no_editing_login_compare_or_server_search(site: Path) -> None:
    for page in _pages(site):
        parsed = _parse(page)
        for link in parsed.links:
            if urlsplit(link).scheme:  # a source's address may say anything
                continue
            segments = set(urlsplit(link).path.split("/"))
            for word in ("login", "compare", "edit", "history", "new", "api", "account", "admin"):
                assert word not in segments, f"{page}: {link}"
        text = page.read_text("utf-8")
        assert "Anmelden" not in text and "zum Vergleich" not in text, page
        for form in parsed.forms:  # only the header's search box, which leads to Pagefind's page
            assert form.get("method") == "get", page
            assert (form.get("action") or "").endswith("search/index.html"), page
        for script in parsed.scripts:  # no inline script; Pagefind's UI and its starter only
            assert script.get("src", "").endswith(  # type: ignore[union-attr]
                ("pagefind/pagefind-ui.js", "static/edition-search.js")
            ), page


def test_the_catalogue_needs_no_javascript(site: Path) -> None:
    assert not _parse(site / "cases" / "index.html").scripts
    search = _parse(site / "search" / "index.html")
    assert {s["src"] for s in search.scripts} == {
        "../pagefind/pagefind-ui.js",
        "../static/edition-search.js",
    }


@pytest.mark.skipif(shutil.which("node") is None, reason="Node runs Pagefind's search")
def test_pagefind_finds_a_case_by_a_german_word(site: Path) -> None:
    # "Feuerwachen" is not in the text ("Feuerwache" is): found through German stemming.
    urls = _pagefind(site, "Feuerwachen", "de")
    assert "/cases/alte-feuerwache-weimar/index.html" in urls
    # Only the detail pages are indexed (data-pagefind-body), not the catalogue's lists; the
    # German index holds the German pages.
    assert all(url.startswith(("/cases/", "/talks/", "/instruments/", "/series/")) for url in urls)
    assert not any(url.startswith("/cases/governance") for url in urls)
    assert "/en/cases/alte-feuerwache-weimar/index.html" in _pagefind(site, "Feuerwache", "en")


def _pagefind(site: Path, words: str, lang: str) -> list[str]:
    script = Path(__file__).with_name("pagefind_search.mjs")
    result = subprocess.run(
        ["node", str(script), str(site), words, lang],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [hit["url"] for hit in json.loads(result.stdout)]


def test_pagefind_indexes_the_detail_pages_per_language(
    built: tuple[Path, EditionReport], case_slugs: list[str]
) -> None:
    site, report = built
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert set(entry["languages"]) == {"de", "en"}
    # The detail pages of both languages, not the catalogue's lists.
    others = [d for kind in ("talks", "instruments", "series") for d in (site / kind).iterdir()]
    assert report.indexed == 2 * (len(case_slugs) + sum(d.is_dir() for d in others))


def test_catalogue_addresses_and_files() -> None:
    assert catalogue_path([("governance", "bottom-up"), ("page", "2")]) == (
        "/cases/governance/bottom-up/page/2"
    )
    assert catalogue_path([("land", "berlin"), ("land", "bayern")]) is None
    assert catalogue_path([("sort", "city")]) is None
    assert edition_file("/en/cases?scale=city&governance=top-down") == (
        "en/cases/governance/top-down/scale/city/index.html"
    )
    assert edition_file("/cases/x") == "cases/x/index.html"
    assert edition_file("/cases.long.csv") == "cases.long.csv"
    assert edition_file("/") == "index.html"
    assert edition_file("/search?q=x") is None


def test_the_live_site_is_unchanged(site: Path, seeded_settings: Settings) -> None:
    from webapp import create_app

    app = create_app(seeded_settings, TESTING=True)
    try:
        page = app.test_client().get("/").get_data(as_text=True)
    finally:
        app.extensions["kb"].close()
    assert "Statische Ausgabe" not in page
    assert "Anmelden" in page and "/compare" in page


def test_cli_replaces_an_edition_and_refuses_other_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def fake_export(settings: Settings, out: Path, progress: object) -> dict[str, object]:
        calls.append(out)
        out.mkdir()
        (out / edition.MARKER).write_text("2026-05-04\n")
        report = EditionReport(out, DATE, files=3, pages=2, indexed=1)
        report.dropped["/api"] = 4
        return report.to_json()

    plugin = SimpleNamespace(name="site", load=lambda: fake_export)
    monkeypatch.setattr(kb.cli, "_exporters", lambda: [plugin])
    monkeypatch.setenv("KB_INSTANCE", str(tmp_path / "instance"))
    out = tmp_path / "site"
    runner = CliRunner()
    first = runner.invoke(kb.cli.main, ["export", "--format", "site", "--out", str(out), "-q"])
    assert first.exit_code == 0, first.output
    assert "Statische Ausgabe vom 2026-05-04: 2 Seiten, 3 Dateien" in first.output
    assert "/api (4)" in first.output
    again = runner.invoke(kb.cli.main, ["export", "--format", "site", "--out", str(out), "-q"])
    assert again.exit_code == 0, again.output  # a previous edition is replaced
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    refused = runner.invoke(kb.cli.main, ["export", "--format", "site", "--out", str(other)])
    assert refused.exit_code == 1
    assert "nicht leer und keine statische Ausgabe" in refused.output
    assert (other / "keep.txt").read_text() == "mine"
    assert calls == [out, out]


def test_the_marker_is_named_alike_in_kb_and_the_web_app() -> None:
    assert kb.cli.EDITION_MARKER == edition.MARKER


def test_setup_cfg_registers_the_site_exporter() -> None:
    """kb finds the edition through this entry point (kb never imports the web app)."""
    config = configparser.ConfigParser()
    config.read(WEB.parent / "setup.cfg", encoding="utf-8")
    lines = config["options.entry_points"]["kb.exporters"].strip().splitlines()
    assert [line.replace(" ", "") for line in lines] == ["site=webapp.edition:export_site"]


def test_build_refuses_a_folder_that_is_not_empty(
    tmp_path: Path, seeded_settings: Settings
) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="not an empty folder"):
        build_site(seeded_settings, tmp_path, date=DATE)
    assert (tmp_path / "keep.txt").read_text() == "mine"
