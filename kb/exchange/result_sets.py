"""The sets of cases readers filtered, as full canonical states: a catalogue view's filtered set
and a search's case hits (all pages). The downloads of both are built from these, so that a
download always holds exactly the set the reader was looking at, in the same order."""

from dataclasses import dataclass, replace
from typing import Any

from kb.catalogue.browsing import CataloguePage, CatalogueQuery, browse
from kb.catalogue.cases import case_state, list_cases_by_ids, list_cases_by_slugs
from kb.catalogue.vocabulary import Vocabulary
from kb.search.service import SearchIndexService, SearchRequest
from kb.unit_of_work import UnitOfWork


@dataclass
class CatalogueSet:
    page: CataloguePage  # the filtered set (`page.matching`) with its facet counts
    states: list[dict[str, Any]]  # the canonical state of each case of the set, in its order


@dataclass
class SearchCaseSet:
    request: SearchRequest
    states: list[dict[str, Any]]  # the case hits' canonical states, in the request's order
    left_out: dict[str, int]  # hits of other kinds (talk, note): not cases, so not in the set


def catalogue_set(uow: UnitOfWork, query: CatalogueQuery, vocabulary: Vocabulary) -> CatalogueSet:
    page = browse(uow, query, vocabulary)
    cases = list_cases_by_ids(uow, [row.id for row in page.matching])
    return CatalogueSet(page, [case_state(c) for c in cases])


def search_case_set(
    service: SearchIndexService, uow: UnitOfWork, request: SearchRequest
) -> SearchCaseSet:
    """Every case hit of `request` (all pages). Talks and notes are not cases: they are counted
    in `left_out` but not part of the set. A `kind` filter without "case" leaves nothing.
    Raises QuerySyntaxError like a search."""
    kinds = request.filters.get("kind", ())
    only_cases = replace(request, filters={**request.filters, "kind": ("case",)})
    results = service.search(uow, only_cases, every_hit=True)
    # A facet's counts leave out its own filter: the kind counts are those of the whole search.
    counts = results.facets.get("kind", {})
    left_out = {k: counts.get(k, 0) for k in ("talk", "note") if not kinds or k in kinds}
    if kinds and "case" not in kinds:
        return SearchCaseSet(request, [], left_out)
    slugs = [hit.slug for hit in results.hits if hit.kind == "case"]
    return SearchCaseSet(
        request, [case_state(c) for c in list_cases_by_slugs(uow, slugs)], left_out
    )


def search_set_json(found: SearchCaseSet, url: str, warnings: list[str]) -> dict[str, Any]:
    """The search's case set with the query that produced it (`url` is the search page's)."""
    request = found.request
    return {
        "query": {
            "q": request.query,
            "filters": {f: list(v) for f, v in request.filters.items()},
            "sort": request.sort,
            "url": url,
        },
        "total": len(found.states),
        "left_out": found.left_out,
        "warnings": warnings,
        "states": found.states,
    }
