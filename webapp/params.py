"""Request parameters to kb queries and back: every view's state is its query string, so each
view is a URL that can be shared or cited. Links the site builds carry only the parameters a
view knows (its canonical URL, `current_path`), and a `next` target is followed only when it is
a plain local path (`safe_next`)."""

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import g, request
from flask_babel import gettext as _

from kb.catalogue.browsing import CatalogueQuery
from kb.catalogue.schemas import bounded_int
from kb.search.service import FACETS, SORTS, SearchRequest

MAX_QUERY_CHARS = 2000  # longer input is cut; the engine shortens further and says so
MAX_VALUES = 20  # filter values per facet
MAX_PER_PAGE = 100
MAX_PAGE_NUMBER = 1_000_000
SEARCH_PER_PAGE = 20


def args_of(multidict: object) -> dict[str, list[str]]:
    """A werkzeug MultiDict as a plain mapping of lists (kb knows nothing of werkzeug)."""
    return multidict.to_dict(flat=False)  # type: ignore[attr-defined,no-any-return]


def filter_values(filters: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """The catalogue's filters as url_for's values (a facet with several values: a list; Any,
    as url_for's typed keywords would refuse a list)."""
    values: dict[str, list[str]] = {}
    for name, value in CatalogueQuery(filters).args():
        values.setdefault(name, []).append(value)
    return values


def url_with(path: str, pairs: Sequence[tuple[str, str]]) -> str:
    """A route's path with parameters: what a view declares as its canonical URL
    (`set_current_path`); links on a page use `link_with`."""
    return f"{path}?{urlencode(pairs)}" if pairs else path


def link_with(path: str, pairs: Sequence[tuple[str, str]]) -> str:
    """A link to a route's path with parameters, below the script root, which holds the
    page's language prefix (/en): a link on an English page stays English."""
    return request.script_root + url_with(path, pairs)


def _int(raw: str | None, default: int, problems: list[str], name: str) -> int:
    if not raw:
        return default
    value = bounded_int(raw, 1, MAX_PAGE_NUMBER)
    if value is not None:
        return value
    problems.append(_("„%(value)s“ ist keine gültige Zahl (%(name)s)", value=raw[:20], name=name))
    return default


def search_request(args: Mapping[str, Sequence[str]]) -> tuple[SearchRequest, list[str]]:
    """The search request in the URL (`q`, one parameter per facet, `sort`, `page`,
    `per_page`, `exact=1` for the words as typed only), and messages about parameters that had
    to be corrected."""
    problems: list[str] = []
    query = (args.get("q") or [""])[0][:MAX_QUERY_CHARS]
    filters = {}
    for facet in FACETS:
        values = [v[:100] for v in args.get(facet, ()) if v.strip()]
        if values:
            filters[facet] = tuple(dict.fromkeys(values))[:MAX_VALUES]
    sort = (args.get("sort") or ["relevance"])[0]
    if sort not in SORTS:
        problems.append(_("Unbekannte Sortierung „%(sort)s“ (sort)", sort=sort[:40]))
        sort = "relevance"
    page = _int((args.get("page") or [""])[0], 1, problems, "page")
    per_page = min(
        MAX_PER_PAGE,
        _int((args.get("per_page") or [""])[0], SEARCH_PER_PAGE, problems, "per_page"),
    )
    exact = (args.get("exact") or [""])[0] in ("1", "true", "ja")
    return SearchRequest(query, filters, sort, page, per_page, exact), problems


def search_args(request: SearchRequest, **changes: object) -> list[tuple[str, str]]:
    """The request as URL parameters with `changes` applied (facet=[values], sort, page)."""
    filters = dict(request.filters)
    for facet in FACETS:
        if facet in changes:
            filters[facet] = tuple(changes.pop(facet))  # type: ignore[arg-type]
    pairs = [("q", request.query)] if request.query else []
    pairs += [(f, v) for f in FACETS for v in filters.get(f, ())]
    sort = changes.get("sort", request.sort)
    if sort != "relevance":
        pairs.append(("sort", str(sort)))
    per_page = changes.get("per_page", request.per_page)
    if per_page != SEARCH_PER_PAGE:
        pairs.append(("per_page", str(per_page)))
    page = changes.get("page", 1)
    if page != 1:
        pairs.append(("page", str(page)))
    if changes.get("exact", request.exact):
        pairs.append(("exact", "1"))
    return pairs


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: no open redirect ("//host",
    "/\\host"), and no control character, which would split the Location header (CR/LF) or
    be read differently by a browser (tab, NUL)."""
    target = target or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and not any(unicodedata.category(c) == "Cc" for c in target)
        and not urlsplit(target).netloc
    ):
        return target
    return default


def set_current_path(url: str) -> None:
    """Declare the canonical URL of the page being built: its path with only the parameters the
    view understood, normalised. Links back to the page (`next` of "zum Vergleich hinzufügen",
    of the login) use it instead of whatever the request carried."""
    g.current_path = url


def current_path() -> str:
    """This page's URL for links back to it: the canonical URL a view declared, else the path
    alone, so that an unknown or oversized parameter is never repeated in every link."""
    # The script root holds the language prefix (/en): links back stay in the page's language.
    return request.script_root + str(g.get("current_path") or request.path)


FilterLink = Callable[[str, tuple[str, ...]], str]  # (facet, its new values) -> URL


def toggle_link(filters: Mapping[str, tuple[str, ...]], link: FilterLink) -> Callable[..., str]:
    """For a facet value: the URL with that value added to its facet's filter, or taken out
    when it is already in it (facet links work as check boxes, without JavaScript)."""

    def toggle(facet: str, value: str) -> str:
        current = filters.get(facet, ())
        kept = tuple(v for v in current if v != value)
        return link(facet, kept if value in current else (*current, value))

    return toggle


def chips(filters: Mapping[str, tuple[str, ...]], link: FilterLink) -> list[tuple[str, str, str]]:
    """The applied filters as (facet, value, URL without that value): removable chips."""
    return [
        (facet, value, link(facet, tuple(v for v in values if v != value)))
        for facet, values in filters.items()
        for value in values
    ]
