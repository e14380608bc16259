"""The static edition: the whole public knowledge base as files (`kb export --format site`).

Frozen-Flask renders the routes into files; the app renders them as it always does, only with
`app.config[EDITION]` set to the edition's date, which the templates read through `edition()`
(no login, editing or compare links, the footer names the date, the search page is Pagefind's).

Three steps, each with a well-kept tool or one small rule:

1. Freeze. Every public page in every language, the downloads, SVGs and feeds. A catalogue
   filtered by a query string cannot be a file, so the edition's catalogue pages have paths:
   /cases/governance/bottom-up/page/2 is /cases?governance=bottom-up&page=2, which the middleware
   `EditionRequests` hands to the unchanged view. Each page is written as DIR/index.html. The
   pages: the whole list, one per value of each facet (governance type, scale, Land, size class,
   instrument, ...), one per governance type and scale (the typology matrix's cells), with their
   page numbers; a filtered page's filters lead to one value's page (no combinations).
2. Index. Pagefind (its command, from the PyPI package pagefind[bin]) indexes the detail pages
   (their <main data-pagefind-body>) per language (the <html lang>, so German words are stemmed
   as German) into pagefind/.
3. Link. Every href/src/action in the HTML, SVG and Atom files is rewritten from the site's
   address (root-absolute, or absolute on the app's host or KB_BASE_URL) to a path relative to
   the file, `index.html` included, so that the edition works from a folder, a USB stick over
   file:// or any static host; a catalogue address with a query becomes its path-style page. A
   link to what the edition does not hold (history, JSON API, the JSON and CSV of a filtered
   selection) is dropped, its text kept; the report counts them by kind.
"""

import contextvars
import datetime as dt
import html
import posixpath
import re
import subprocess
import sys
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from flask import Flask, current_app, url_for
from flask_frozen import Freezer, MissingURLGeneratorWarning

from kb.catalogue.browsing import FACETS, CatalogueQuery, browse, facet_values
from kb.config import Settings
from kb.i18n import DEFAULT, LANGUAGES
from webapp.context import uow, vocabulary

# app.config key: the date of the edition being built (absent on the live site).
EDITION = "KB_EDITION"
# A file in the edition's root: marks a folder that `kb export --format site` may replace.
MARKER = ".kb-edition"
# The page number's segment in a catalogue path (/cases/page/2).
PAGE = "page"
# Cases per catalogue page in the edition (the site's largest page size): fewer pages to build.
PER_PAGE = 100

Progress = Callable[[int, int], None]


def edition() -> dt.date | None:
    """The date of the static edition being rendered, or None on the live site."""
    value: dt.date | None = current_app.config.get(EDITION)
    return value


def install(app: Flask) -> None:
    app.jinja_env.globals["edition"] = edition


# --- catalogue pages as paths --------------------------------------------------------------------


def _language_prefix(path: str) -> tuple[str, str]:
    """("/en", "/cases") for "/en/cases"; ("", path) for a German path."""
    for lang in LANGUAGES[1:]:
        prefix = f"/{lang}"
        if path == prefix or path.startswith(prefix + "/"):
            return prefix, path[len(prefix) :] or "/"
    return "", path


def catalogue_path(pairs: Iterable[tuple[str, str]]) -> str | None:
    """The path-style address of the catalogue with these URL parameters (/cases/governance/
    bottom-up/page/2), or None when the edition has no such page: several values of one facet,
    another sort or page size, an unknown parameter."""
    facets: dict[str, str] = {}
    page = 1
    for name, value in pairs:
        if name in FACETS and name not in facets and value:
            facets[name] = value
        elif name == PAGE and value.isdigit() and int(value) >= 1 and page == 1:
            page = int(value)
        elif name == "per_page" and value == str(PER_PAGE):
            continue  # every catalogue page of the edition has this size
        else:
            return None
    path = "/cases" + "".join(f"/{f}/{quote(facets[f], safe='')}" for f in FACETS if f in facets)
    return path + (f"/{PAGE}/{page}" if page > 1 else "")


class EditionRequests:
    """WSGI middleware of the edition's app: /cases/<facet>/<value>[/page/<n>] (after an optional
    language prefix) is the catalogue view with that query string; and each request runs in a
    context of its own, as on a server. Frozen-Flask requests every page inside the one request
    context in which it runs the URL generators, so Flask would reuse that app context and its
    `g` for all of them: the first page's language (Flask-Babel keeps it there) and unit of work
    would serve every page."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        prefix, path = _language_prefix(environ.get("PATH_INFO", ""))
        parts = path.split("/")[2:] if path.startswith("/cases/") else []
        pairs = list(zip(parts[::2], parts[1::2], strict=True)) if len(parts) % 2 == 0 else []
        catalogue = path == "/cases" or (
            bool(pairs) and all(name in FACETS or name == PAGE for name, _value in pairs)
        )
        if catalogue:
            pairs.append(("per_page", str(PER_PAGE)))
            environ["PATH_INFO"] = prefix + "/cases"
            environ["QUERY_STRING"] = "&".join(f"{n}={quote(v, safe='')}" for n, v in pairs)
        return contextvars.Context().run(self.app, environ, start_response)


def file_of(path: str) -> str:
    """The file (relative to the edition's root) that holds the page at `path`: a page is its
    folder's index.html (/cases/x -> cases/x/index.html), a download keeps its name."""
    if path.endswith("/"):
        return path[1:] + "index.html"
    if "." in path.rsplit("/", 1)[-1]:
        return path[1:]
    return path[1:] + "/index.html"


def edition_file(url: str) -> str | None:
    """The file of the edition that a root-absolute address of the site is, or None if no file
    can be (a query string other than the catalogue's path-style filters)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.query:
        prefix, rest = _language_prefix(path)
        styled = catalogue_path(parse_qsl(parts.query, keep_blank_values=True))
        if rest != "/cases" or styled is None:
            return None
        path = prefix + styled
    return file_of(path)


class _EditionFreezer(Freezer):  # type: ignore[misc]  # Frozen-Flask has no type information
    def urlpath_to_filepath(self, path: str) -> str:
        return file_of(path)


# --- what the edition holds ----------------------------------------------------------------------


def _pages() -> Iterator[str]:
    """The addresses of the edition in German (the English ones are these under /en), built with
    url_for inside Frozen-Flask's request context."""
    from kb.catalogue.instruments import list_instruments
    from kb.catalogue.timeline import series_timeline

    unit, vocab = uow(), vocabulary()
    yield from (url_for(e) for e in STATIC_ENDPOINTS)
    everything = browse(unit, CatalogueQuery(per_page=PER_PAGE), vocab)
    yield from _catalogue_pages({}, everything.pages)
    # Every value a facet can take (the map links each Land, with cases or not) and every one
    # the cases have (the years).
    values = {f: [*facet_values(vocab, f), *everything.facets.get(f, {})] for f in FACETS}
    for facet in FACETS:
        for value in dict.fromkeys(values[facet]):
            query = CatalogueQuery({facet: (value,)}, per_page=PER_PAGE)
            yield from _catalogue_pages(query.filters, browse(unit, query, vocab).pages)
    # The typology matrix's cells (start page, typology page): governance type and scale.
    for governance in dict.fromkeys(values["governance"]):
        for scale in dict.fromkeys(values["scale"]):
            query = CatalogueQuery(
                {"governance": (governance,), "scale": (scale,)}, per_page=PER_PAGE
            )
            yield from _catalogue_pages(query.filters, browse(unit, query, vocab).pages)
    per_page = CatalogueQuery(per_page=100)
    for number in range(1, browse(unit, per_page, vocab).pages + 1):
        rows = browse(unit, CatalogueQuery(page=number, per_page=100), vocab).rows
        for row in rows:
            yield url_for("pages.case", slug=row.slug)
            for endpoint in ("citation.bibtex_file", "citation.csl_file"):
                yield url_for(endpoint, section="cases", slug=row.slug)
    for series in series_timeline(unit):
        yield url_for("series.show", slug=series.slug)
        for endpoint in ("series.questions", "series.questions_csv", "series.questions_json"):
            yield url_for(endpoint, slug=series.slug)
        for talk in series.talks:
            yield url_for("pages.talk", slug=talk.slug)
            for endpoint in ("citation.bibtex_file", "citation.csl_file"):
                yield url_for(endpoint, section="talks", slug=talk.slug)
    for instrument, _count in list_instruments(unit):
        yield url_for("pages.instrument", slug=instrument.slug)


def _catalogue_pages(filters: Any, pages: int) -> Iterator[str]:
    for number in range(1, max(pages, 1) + 1):
        path = catalogue_path(CatalogueQuery(filters, page=number, per_page=PER_PAGE).args())
        assert path is not None  # one value per facet: always a page of the edition
        yield path


# Pages and files without parameters.
STATIC_ENDPOINTS = (
    "pages.start",
    "pages.talks",
    "pages.instruments",
    "pages.accessibility",
    "search.search",
    "typology.typology",
    "typology.matrix_svg",
    "typology.matrix_csv",
    "typology.matrix_json",
    "typology.timeline_svg",
    "typology.timeline_csv",
    "typology.timeline_json",
    "maps.map_page",
    "maps.map_svg",
    "downloads.cases_csv",
    "downloads.cases_long_csv",
    "downloads.cases_json",
    "downloads.codebook",
    "downloads.codebook_csv_download",
    "downloads.codebook_json_download",
    "feeds.notes",
    "feeds.case_changes_feed",
)


# --- the build -----------------------------------------------------------------------------------


@dataclass
class EditionReport:
    """What a build wrote; `kb export --format site` says it (kb.cli, in kb's catalogue)."""

    out: Path
    date: dt.date
    files: int = 0
    pages: int = 0
    indexed: int = 0
    dropped: Counter[str] = field(default_factory=Counter)  # links to what is not in it

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "date": self.date.isoformat(),
            "files": self.files,
            "pages": self.pages,
            "indexed": self.indexed,
            "dropped": self.dropped.most_common(),
        }


def build_site(
    settings: Settings,
    out: Path,
    progress: Progress | None = None,
    date: dt.date | None = None,
) -> EditionReport:
    """Write the static edition of the knowledge base in `settings` into `out`."""
    from webapp.app import create_app

    out = out.resolve()
    if out.exists() and any(out.iterdir()):
        # kb.cli replaces a previous edition and refuses any other folder, with a message.
        raise ValueError(f"not an empty folder: {out}")
    out.mkdir(parents=True, exist_ok=True)
    date = date or dt.datetime.now(dt.UTC).date()
    app = create_app(settings, **{EDITION: date})
    try:
        app.wsgi_app = EditionRequests(app.wsgi_app)  # type: ignore[method-assign]
        app.config.update(
            FREEZER_DESTINATION=str(out),
            FREEZER_REMOVE_EXTRA_FILES=False,
            # A host the app answers to (webapp.hosts); no path, so that addresses start at /.
            FREEZER_BASE_URL=f"http://{_host(settings)}/",
            # Pages are DIR/index.html (text/html); the data files keep the names of the site,
            # whose extensions a static host maps to near types (zitieren.bib as text/x-bibtex
            # rather than application/x-bibtex): not a mistake worth a warning.
            FREEZER_IGNORE_MIMETYPE_WARNINGS=True,
        )
        freezer = _EditionFreezer(
            app, with_static_files=False, with_no_argument_rules=False, log_url_for=False
        )

        def every_page() -> Iterator[str]:
            german = list(_pages())
            static = [url_for("static", filename=p.name) for p in _static_files(app)]
            for prefix in ("", *(f"/{lang}" for lang in LANGUAGES if lang != DEFAULT)):
                yield from (prefix + url for url in [*german, *static])

        freezer.register_generator(every_page)

        report = EditionReport(out, date)
        with warnings.catch_warnings():
            # The endpoints left out on purpose (editing, login, history, API) are not missing.
            warnings.simplefilter("ignore", MissingURLGeneratorWarning)
            urls = list(freezer.all_urls())  # once: the catalogue's pages are counted
            freezer.url_generators = [lambda: urls]
            total = len(urls)
            for done, _page in enumerate(freezer.freeze_yield(), 1):
                if progress:
                    progress(done, total)
    finally:
        app.extensions["kb"].close()
    (out / MARKER).write_text(date.isoformat() + "\n", encoding="utf-8")
    report.indexed = _index(out)
    roots: tuple[str, ...] = (f"http://{_host(settings)}/",)
    if settings.base_url:
        roots += (settings.base_url.rstrip("/") + "/",)
    report.pages, report.files = _link(out, roots, report.dropped)
    return report


def _host(settings: Settings) -> str:
    """A plain host name the app trusts (not a pattern such as .example.org)."""
    return next((h for h in settings.allowed_hosts if h and h[0] not in ".*"), "localhost")


def _static_files(app: Flask) -> list[Path]:
    folder = Path(app.static_folder or "")
    return sorted(p for p in folder.iterdir() if p.is_file())


def _index(out: Path) -> int:
    """Pagefind's index of the edition's pages (those marked data-pagefind-body) in pagefind/.

    Its command (the binary of the PyPI package pagefind-bin, through `python -m pagefind`)
    rather than its Python API: the API ends its service right after the answer to "write the
    files", and files still being written came out cut off (pagefind.js at 32 KiB)."""
    command = [sys.executable, "-m", "pagefind", "--site", str(out), "--keep-index-url"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"pagefind failed ({done.returncode}): {done.stderr or done.stdout}")
    # One fragment per page in the index (Pagefind counts every page it read).
    return sum(1 for _file in (out / "pagefind" / "fragment").iterdir())


# --- links ---------------------------------------------------------------------------------------

_ATTRIBUTE = re.compile(r'(?P<name>\s(?:href|src|action))="(?P<url>[^"]*)"')
# Elements whose link leads to nothing in the edition: a link keeps its text, the rest goes.
_LINK_ELEMENT = re.compile(r"<a\s[^>]*>(?P<text>.*?)</a>", re.S)
_HEAD_LINK = re.compile(r"<link\s[^>]*>")
_FORM = re.compile(r"<form\s[^>]*>.*?</form>", re.S)


def _site_path(url: str, roots: tuple[str, ...]) -> str | None:
    """The root-absolute path of an address of the site: a path as the pages link, or an
    absolute URL below one of `roots` (the SVG downloads and the feeds link absolutely)."""
    if url.startswith("/") and not url.startswith("//"):
        return url
    for root in roots:
        if url.startswith(root):
            return "/" + url[len(root) :]
    return None


def _link(out: Path, roots: tuple[str, ...], dropped: Counter[str]) -> tuple[int, int]:
    """Rewrite the links of every HTML, SVG and Atom file to relative ones; return (pages,
    files)."""
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    pages = 0
    for name in sorted(files):
        if not name.endswith((".html", ".svg", ".atom")) or name.startswith("pagefind/"):
            continue
        pages += name.endswith(".html")
        path = out / name
        text = path.read_text(encoding="utf-8")
        path.write_text(_relative(text, name, files, roots, dropped), encoding="utf-8")
    return pages, len(files)


def _target(url: str, files: set[str]) -> str | None:
    """The edition's file for an internal address, if the edition holds it."""
    found = edition_file(url)
    return found if found in files else None


def _relative(
    text: str, name: str, files: set[str], roots: tuple[str, ...], dropped: Counter[str]
) -> str:
    def missing(tag: str) -> str | None:
        for match in _ATTRIBUTE.finditer(tag):
            path = _site_path(html.unescape(match["url"]), roots)
            if path is not None and _target(path, files) is None:
                return path
        return None

    def drop(pattern: re.Pattern[str], keep_text: bool) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            opening = match[0].split(">", 1)[0]
            url = missing(opening)
            if url is None:
                return match[0]
            dropped[_kind(url)] += 1
            return match["text"] if keep_text else ""

        return replace

    text = _FORM.sub(drop(_FORM, False), text)
    text = _HEAD_LINK.sub(drop(_HEAD_LINK, False), text)
    text = _LINK_ELEMENT.sub(drop(_LINK_ELEMENT, True), text)
    here = posixpath.dirname(name) or "."

    def rewrite(match: re.Match[str]) -> str:
        path = _site_path(html.unescape(match["url"]), roots)
        if path is None:
            return match[0]
        target = _target(path, files)
        if target is None:  # in an element kept on purpose (none today): left as it was
            return match[0]
        fragment = urlsplit(path).fragment
        relative = quote(posixpath.relpath(target, here)) + (f"#{fragment}" if fragment else "")
        return f'{match["name"]}="{html.escape(relative)}"'

    return _ATTRIBUTE.sub(rewrite, text)


def _kind(url: str) -> str:
    """A dropped link's kind for the report: its path with slugs and values left out."""
    _prefix, path = _language_prefix(urlsplit(url).path)
    parts = path.strip("/").split("/")
    if (
        parts
        and parts[0] in ("cases", "talks", "series", "notes", "instruments")
        and len(parts) > 2
    ):
        return f"/{parts[0]}/…/{parts[-1]}"
    return "/" + parts[0] + ("?…" if urlsplit(url).query else "")


def export_site(settings: Settings, out: Path, progress: Progress | None = None) -> dict[str, Any]:
    """`kb export --format site` (entry point kb.exporters, name site): the build's report as
    plain values, which kb.cli says."""
    return build_site(settings, out, progress).to_json()
