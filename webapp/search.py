"""The search page: results with highlighted snippets, facet counts, filters as chips, sort,
paging and suggestions. Empty and broken queries get a page that helps, never an error."""

from dataclasses import replace

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from kb.catalogue.browsing import FACET_LABELS as CATALOGUE_LABELS
from kb.catalogue.browsing import FACET_VOCABULARIES, case_rows_by_slug
from kb.editorial.kinds import KINDS
from kb.i18n import DEFAULT
from kb.search.service import FACETS, SORTS, QuerySyntaxError
from webapp.context import runtime, uow, vocabulary
from webapp.edition import edition
from webapp.i18n import language
from webapp.params import (
    args_of,
    chips,
    link_with,
    search_args,
    search_request,
    set_current_path,
    toggle_link,
    url_with,
)

bp = Blueprint("search", __name__)

SORT_LABELS = {
    "relevance": lazy_gettext("Relevanz"),
    "date": lazy_gettext("Datum (neueste zuerst)"),
    "name": lazy_gettext("Name (A–Z)"),
}


def facet_labels() -> dict[str, str]:
    """The search's facets by name, in the page's language (the catalogue's, with the kind of
    item and the year)."""
    return {"kind": _("Art"), **CATALOGUE_LABELS, "year": _("Jahr")}


def kind_label(code: str) -> str:
    """What a kind of item is called on the page: "Fall" or "Case" (an unknown code as it is)."""
    kind = KINDS.get(code)
    if kind is None:
        return code
    return kind.noun if language() == DEFAULT else kind.noun_en.capitalize()


def value_label(facet: str, value: str) -> str:
    if facet == "kind":
        return kind_label(value)
    if facet in FACET_VOCABULARIES:
        return vocabulary().label(FACET_VOCABULARIES[facet], value)
    return value


@bp.get("/search")
def search() -> str:
    if edition():
        # The static edition's search runs in the browser (Pagefind), over the files.
        return render_template("edition/search.html")
    req, problems = search_request(args_of(request.args))
    results, error = None, None
    if req.query.strip() or req.filters:
        try:
            results = runtime().search_index.search(uow(), req, lang=language())
        except QuerySyntaxError as exc:
            error = str(exc)
        if results is not None and req.page > 1 and not results.hits and results.total:
            problems.append(
                _("Seite %(page)s (page): so viele Seiten gibt es nicht", page=req.page)
            )
            req = replace(req, page=1)
            results = runtime().search_index.search(uow(), req, lang=language())

    set_current_path(url_with("/search", search_args(req, page=req.page)))

    def link(facet: str, values: tuple[str, ...]) -> str:
        return link_with("/search", search_args(req, **{facet: values}))

    pages = max(1, -(-results.total // req.per_page)) if results else 1
    return render_template(
        "search.html",
        req=req,
        results=results,
        error=error,
        problems=problems,
        chips=chips(req.filters, link),
        facets=FACETS,
        facet_labels=facet_labels(),
        value_label=value_label,
        kind_labels={code: kind_label(code) for code in KINDS},
        # City, Land and badges of the case hits, from the catalogue's cached table.
        case_rows=case_rows_by_slug(uow(), vocabulary()) if results and results.hits else {},
        sorts=SORTS,
        sort_labels=SORT_LABELS,
        pages=pages,
        toggle=toggle_link(req.filters, link),
        page_url=lambda n: link_with("/search", search_args(req, page=n)),
        download=lambda ext: link_with(f"/search.{ext}", search_args(req)),
        suggestion_url=lambda q: link_with(
            "/search", search_args(replace(req, query=q, page=1, exact=False))
        ),
        # "Stattdessen nach … suchen": the words as typed, without corrections.
        exact_url=link_with("/search", search_args(replace(req, page=1, exact=True))),
    )
