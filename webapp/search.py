"""The search page: results with highlighted snippets, facet counts, filters as chips, sort,
paging and suggestions. Empty and broken queries get a page that helps, never an error."""

from dataclasses import replace

from flask import Blueprint, render_template, request

from kb.catalogue.browsing import FACET_LABELS as CATALOGUE_LABELS
from kb.catalogue.browsing import FACET_VOCABULARIES, case_rows_by_slug
from kb.editorial.kinds import noun, nouns
from kb.search.service import FACETS, SORTS, QuerySyntaxError
from webapp.context import runtime, uow, vocabulary
from webapp.i18n import language
from webapp.params import (
    args_of,
    chips,
    search_args,
    search_request,
    set_current_path,
    toggle_link,
    url_with,
)

bp = Blueprint("search", __name__)

FACET_LABELS = {"kind": "Art", **CATALOGUE_LABELS, "year": "Jahr"}
SORT_LABELS = {"relevance": "Relevanz", "date": "Datum (neueste zuerst)", "name": "Name (A–Z)"}


def value_label(facet: str, value: str) -> str:
    if facet == "kind":
        return noun(value)
    if facet in FACET_VOCABULARIES:
        return vocabulary().label(FACET_VOCABULARIES[facet], value)
    return value


@bp.get("/search")
def search() -> str:
    req, problems = search_request(args_of(request.args))
    results, error = None, None
    if req.query.strip() or req.filters:
        try:
            results = runtime().search_index.search(uow(), req, lang=language())
        except QuerySyntaxError as exc:
            error = str(exc)
        if results is not None and req.page > 1 and not results.hits and results.total:
            problems.append(f"Seite {req.page} (page): so viele Seiten gibt es nicht")
            req = replace(req, page=1)
            results = runtime().search_index.search(uow(), req, lang=language())

    set_current_path(url_with("/search", search_args(req, page=req.page)))

    def link(facet: str, values: tuple[str, ...]) -> str:
        return url_with("/search", search_args(req, **{facet: values}))

    pages = max(1, -(-results.total // req.per_page)) if results else 1
    return render_template(
        "search.html",
        req=req,
        results=results,
        error=error,
        problems=problems,
        chips=chips(req.filters, link),
        facets=FACETS,
        facet_labels=FACET_LABELS,
        value_label=value_label,
        kind_labels=nouns(),
        # City, Land and badges of the case hits, from the catalogue's cached table.
        case_rows=case_rows_by_slug(uow(), vocabulary()) if results and results.hits else {},
        sorts=SORTS,
        sort_labels=SORT_LABELS,
        pages=pages,
        toggle=toggle_link(req.filters, link),
        page_url=lambda n: url_with("/search", search_args(req, page=n)),
        download=lambda ext: url_with(f"/search.{ext}", search_args(req)),
        suggestion_url=lambda q: url_with(
            "/search", search_args(replace(req, query=q, page=1, exact=False))
        ),
        # "Stattdessen nach … suchen": the words as typed, without corrections.
        exact_url=url_with("/search", search_args(replace(req, page=1, exact=True))),
    )
