"""The public pages: start page, catalogue, case, talk and instrument pages, and the
accessibility statement. The catalogue's downloads are in webapp.downloads."""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, render_template, request

from kb.catalogue.browsing import (
    FACET_LABELS,
    FACETS,
    SORTS,
    CatalogueQuery,
    browse,
    facet_values,
    parse_query,
)
from kb.catalogue.cases import case_state, get_case, talks_presenting
from kb.catalogue.completeness import assess
from kb.catalogue.instruments import get_instrument, instrument_uses, list_instruments
from kb.catalogue.provenance import same_address, source_numbers
from kb.catalogue.talks import get_talk, list_series, list_talks
from kb.editorial.notes import count_notes, latest_notes, list_notes, note_edits, notes_of_talks
from webapp.auth import current_user
from webapp.context import runtime, uow, vocabulary
from webapp.params import args_of, chips, set_current_path, toggle_link, url_with

bp = Blueprint("pages", __name__)
# A case page shows the newest notes about it; all of them stay on the talk pages (and the API).
CASE_PAGE_NOTES = 10


@bp.get("/")
def start() -> str:
    unit, vocab = uow(), vocabulary()
    overview = browse(unit, CatalogueQuery(), vocab)
    return render_template(
        "start.html",
        overview=overview,
        timeline=_timeline(),
        notes=latest_notes(unit, 5),
        instrument_count=len(overview.facets["instrument"]),
        note_count=count_notes(unit),
    )


def _catalogue() -> tuple[Any, list[str]]:
    query, problems = parse_query(args_of(request.args), vocabulary())
    return browse(uow(), query, vocabulary()), problems


@bp.get("/cases")
def cases() -> str:
    page, problems = _catalogue()
    if page.query.page > page.pages:
        abort(404)
    set_current_path(url_with("/cases", page.query.args()))
    labels = {f: facet_values(vocabulary(), f) for f in FACETS}

    def link(facet: str, values: tuple[str, ...]) -> str:
        return url_with("/cases", page.query.args(page=1, **{facet: values}))

    return render_template(
        "cases/list.html",
        page=page,
        problems=problems,
        chips=chips(page.query.filters, link),
        facets=FACETS,
        facet_labels=FACET_LABELS,
        label_of=lambda facet, value: labels[facet].get(value, value),
        sorts=SORTS,
        toggle=toggle_link(page.query.filters, link),
        page_url=lambda n: url_with("/cases", page.query.args(page=n)),
        download=lambda ext: url_with(f"/cases.{ext}", page.query.args(page=1)),
    )


@bp.get("/cases/<slug>")
def case(slug: str) -> str:
    unit, vocab = uow(), vocabulary()
    item = get_case(unit, slug)
    talks = talks_presenting(unit, item)
    notes = notes_of_talks(unit, talks)
    sides: dict[str, list[Any]] = defaultdict(list)
    for actor in item.actors:
        sides[vocab.side_of(actor.kind)].append(actor)
    return render_template(
        "cases/detail.html",
        case=item,
        sides=[(side, sides[side]) for side in vocab.codes("actor_sides") if sides[side]],
        talks=talks,
        notes=notes[-CASE_PAGE_NOTES:][::-1],
        notes_total=len(notes),
        note_edits=note_edits(unit, notes[-CASE_PAGE_NOTES:]),
        similar=runtime().search_index.similar_cases(slug, limit=5),
        key_dates=sorted(item.key_dates, key=lambda k: k.date),
        # A fact's source marker shows the source's number in the list below
        # (kb.catalogue.provenance).
        source_no=_numbering(source_numbers(item.sources)),
        # What the case lacks, for editors only (kb.catalogue.completeness).
        completeness=assess(case_state(item), vocab, len(notes)) if current_user() else None,
    )


def _numbering(numbers: dict[str, int]) -> Callable[[str], int | None]:
    return lambda url: numbers.get(same_address(url))


@bp.get("/talks")
def talks() -> str:
    timeline = _timeline()
    shown = {s.id for s, _ in timeline}
    # Editors reach a series without talks yet (e.g. one just created) to add its first talk.
    empty = [s for s in list_series(uow()) if s.id not in shown]
    return render_template("talks/list.html", timeline=timeline, empty_series=empty)


def _timeline() -> list[tuple[Any, list[Any]]]:
    """Each series with its talks (not deleted) in date order."""
    by_series: dict[int, list[Any]] = defaultdict(list)
    for item in list_talks(uow()):
        by_series[item.series_id].append(item)
    return [(s, by_series[s.id]) for s in list_series(uow()) if by_series[s.id]]


@bp.get("/talks/<slug>")
def talk(slug: str) -> str:
    unit = uow()
    item = get_talk(unit, slug)
    notes = list_notes(unit, item)
    return render_template(
        "talks/detail.html", talk=item, notes=notes, note_edits=note_edits(unit, notes)
    )


@bp.get("/instruments")
def instruments() -> str:
    return render_template("instruments/list.html", instruments=list_instruments(uow()))


@bp.get("/instruments/<slug>")
def instrument(slug: str) -> str:
    unit = uow()
    item = get_instrument(unit, slug)
    return render_template(
        "instruments/detail.html", instrument=item, uses=instrument_uses(unit, item)
    )


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    return render_template("accessibility.html")
