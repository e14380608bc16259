"""Every address of an item's page, built here with Flask's url_for from the item's kind and slug.

kb and the search index name items by kind and slug only (a note also by its talk: the note is
shown on its talk's page), so a route can move without touching kb or rebuilding the index. Pages,
the JSON API, the downloads, feeds and citations all take their item links from `url_of` (kb's
JSON and Markdown builders take it as a parameter, `kb.slugs.UrlOf`); templates have `url_of`
and `note_anchor` as globals.
"""

from typing import Any

from flask import Flask, url_for

from kb.search.service import SearchHit
from webapp.hosts import external_url

# The endpoint of each kind's page; a note's page is its talk's.
ENDPOINTS = {
    "case": "pages.case",
    "series": "series.show",
    "talk": "pages.talk",
    "instrument": "pages.instrument",
    "note": "pages.talk",
}


def note_anchor(slug: str) -> str:
    """The id of a note's element on its talk's page (templates/talks/detail.html)."""
    return f"notiz-{slug}"


def url_of(kind: str, slug: str, anchor: str | None = None, external: bool = False) -> str:
    """The address of an item's page: a path on this site, or with `external` an absolute URL
    (KB_BASE_URL, else the request's trusted host) for what leaves the site. For a note, `slug`
    is its talk's and `anchor` the note's own slug; other kinds take `anchor` as the fragment."""
    if kind not in ENDPOINTS:
        raise ValueError(f"no page for items of kind {kind!r}")
    values: dict[str, Any] = {"slug": slug}
    if anchor:
        values["_anchor"] = note_anchor(anchor) if kind == "note" else anchor
    if external:
        return external_url(ENDPOINTS[kind], **values)
    return url_for(ENDPOINTS[kind], **values)


def item_url(kind: str, item: Any) -> str:
    """The page of a stored item of `kind` (a note's: its talk's page at the note)."""
    if kind == "note":
        return url_of("note", item.talk.slug, item.slug)
    return url_of(kind, item.slug)


def external_url_of(kind: str, slug: str, anchor: str | None = None) -> str:
    """`url_of` with `external`: the absolute address (downloads that leave the site)."""
    return url_of(kind, slug, anchor, external=True)


def hit_url(hit: SearchHit) -> str:
    """The page of a search hit (a note's hit: its talk's page at the note)."""
    return url_of(hit.kind, hit.slug, hit.anchor or None)


def install(app: Flask) -> None:
    app.jinja_env.globals["url_of"] = url_of
    app.jinja_env.globals["hit_url"] = hit_url
    app.jinja_env.globals["note_anchor"] = note_anchor
