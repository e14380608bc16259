"""The search page: results with highlighted snippets, facet counts, filters as chips, sort,
paging and suggestions. Empty and broken queries get a page that helps, never an error."""

from flask import Blueprint, render_template, request

from kb.search import FACETS, SORTS, QuerySyntaxError
from webapp.context import runtime, uow, vocabulary
from webapp.params import args_of, search_args, search_request, url_with

bp = Blueprint("search", __name__)

FACET_LABELS = {
    "kind": "Art",
    "governance": "Governance-Typ",
    "scale": "Maßstab",
    "land": "Bundesland",
    "size_class": "Stadtgröße",
    "year": "Jahr",
}
KIND_LABELS = {"case": "Fall", "talk": "Gespräch", "note": "Notiz"}
SORT_LABELS = {"relevance": "Relevanz", "date": "Datum (neueste zuerst)", "name": "Name (A–Z)"}
FACET_VOCABULARIES = {
    "governance": "governance_types",
    "scale": "scales",
    "land": "lands",
    "size_class": "size_classes",
}


def value_label(facet: str, value: str) -> str:
    if facet == "kind":
        return KIND_LABELS.get(value, value)
    if facet in FACET_VOCABULARIES:
        return vocabulary().label(FACET_VOCABULARIES[facet], value)
    return value


@bp.get("/search")
def search() -> str:
    req, problems = search_request(args_of(request.args))
    results, error = None, None
    if req.query.strip() or req.filters:
        try:
            results = runtime().search_index.search(uow(), req)
        except QuerySyntaxError as exc:
            error = str(exc)
        if results is not None and req.page > 1 and not results.hits and results.total:
            problems.append(f"Seite {req.page} (page): so viele Seiten gibt es nicht")
            req = type(req)(req.query, req.filters, req.sort, 1, req.per_page)
            results = runtime().search_index.search(uow(), req)

    def toggle(facet: str, value: str) -> str:
        current = req.filters.get(facet, ())
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return url_with("/search", search_args(req, **{facet: values}))

    chips = [
        (facet, value, url_with("/search", search_args(req, **{facet: _without(vals, value)})))
        for facet, vals in req.filters.items()
        for value in vals
    ]
    pages = max(1, -(-results.total // req.per_page)) if results else 1
    return render_template(
        "search.html",
        req=req,
        results=results,
        error=error,
        problems=problems,
        chips=chips,
        facets=FACETS,
        facet_labels=FACET_LABELS,
        value_label=value_label,
        kind_labels=KIND_LABELS,
        sorts=SORTS,
        sort_labels=SORT_LABELS,
        pages=pages,
        toggle=toggle,
        page_url=lambda n: url_with("/search", search_args(req, page=n)),
        download=lambda ext: url_with(f"/search.{ext}", search_args(req)),
        suggestion_url=lambda q: url_with(
            "/search", search_args(type(req)(q, req.filters, req.sort, 1, req.per_page))
        ),
    )


def _without(values: tuple[str, ...], value: str) -> tuple[str, ...]:
    return tuple(v for v in values if v != value)
