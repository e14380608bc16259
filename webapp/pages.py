"""The public pages: start page, catalogue, case, talk and instrument pages, and the
accessibility statement. The catalogue's downloads are in webapp.downloads."""

from collections import defaultdict
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup

from kb.catalogue.browsing import (
    FACET_LABELS,
    FACETS,
    LISTED_FACETS,
    CatalogueQuery,
    browse,
    collation_key,
    facet_values,
    overview,
    parse_query,
    sort_labels,
)
from kb.catalogue.cases import case_state, get_case, talks_presenting
from kb.catalogue.completeness import assess
from kb.catalogue.instruments import (
    get_instrument,
    instrument_definition,
    instrument_label,
    instrument_uses,
    list_instruments,
)
from kb.catalogue.provenance import same_address, source_numbers
from kb.catalogue.talks import get_talk
from kb.catalogue.timeline import SeriesEntry, series_timeline
from kb.catalogue.typology import typology_matrix
from kb.editorial.notes import (
    count_notes,
    count_notes_of_talks,
    latest_notes,
    list_notes,
    newest_notes_of_talks,
    note_edits,
)
from kb.i18n import DEFAULT
from kb.watermark import cached
from webapp.auth import current_user
from webapp.context import runtime, uow, vocabulary
from webapp.edition import edition
from webapp.i18n import language
from webapp.links import url_of
from webapp.maps import map_panel
from webapp.params import args_of, chips, link_with, set_current_path, toggle_link, url_with
from webapp.typology import cell_link

bp = Blueprint("pages", __name__)
# A case page shows the newest notes about it; all of them stay on the talk pages (and the API).
CASE_PAGE_NOTES = 10


@bp.get("/")
def start() -> str:
    unit = uow()
    numbers = overview(unit, vocabulary())
    return render_template(
        "start.html",
        overview=numbers,
        timeline=timeline_of([s for s in series_timeline(unit) if s.talks]),
        notes=latest_notes(unit, 5),
        instrument_count=len(numbers.facets["instrument"]),
        note_count=count_notes(unit),
        matrix=typology_matrix(unit, {}, vocabulary()),
        cell_link=cell_link({}),
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
        return link_with("/cases", page.query.args(page=1, **{facet: values}))

    toggle, facet_counts = toggle_link(page.query.filters, link), page.facets
    # The static edition shows the typology and map panels on the whole list only (their links
    # keep the page's filters, and it has no page for such combinations).
    whole = not edition() or not page.query.filters
    if edition():
        # The static edition has a page per facet value, not per combination of them: its
        # filters lead from the whole catalogue (their counts) to one value's page and back.
        toggle, facet_counts = _edition_toggle(page.query.filters), _whole_catalogue_facets()
    return render_template(
        "cases/list.html",
        page=page,
        problems=problems,
        chips=chips(page.query.filters, link),
        facets=LISTED_FACETS,
        facet_labels=FACET_LABELS,
        label_of=lambda facet, value: labels[facet].get(value, value),
        sorts=sort_labels(),
        toggle=toggle,
        facet_counts=facet_counts,
        page_url=lambda n: link_with("/cases", page.query.args(page=n)),
        # (The edition offers the whole catalogue's files, on its unfiltered list only.)
        download=lambda ext: link_with(
            f"/cases.{ext}", [] if edition() else page.query.args(page=1)
        ),
        whole=whole,
        # The typology matrix of this selection (its cells keep the other filters).
        matrix=typology_matrix(uow(), page.query.filters, vocabulary()) if whole else None,
        cell_link=cell_link(page.query.filters),
        typology_url=link_with("/typology", CatalogueQuery(page.query.filters).args()),
        map_panel=map_panel(page.query.filters) if whole else None,
    )


def _whole_catalogue_facets() -> Any:
    unit, vocab = uow(), vocabulary()
    return cached(unit, ("edition_facets",), lambda: browse(unit, CatalogueQuery(), vocab).facets)


def _edition_toggle(filters: Any) -> Callable[[str, str], str]:
    def toggle(facet: str, value: str) -> str:
        chosen = value in filters.get(facet, ())
        return link_with("/cases", CatalogueQuery({} if chosen else {facet: (value,)}).args())

    return toggle


@bp.get("/cases/<slug>")
def case(slug: str) -> str:
    unit, vocab = uow(), vocabulary()
    item = get_case(unit, slug)
    talks = talks_presenting(unit, item)
    # Only the notes shown are read: the talks may have hundreds.
    notes = newest_notes_of_talks(unit, talks, CASE_PAGE_NOTES)
    notes_total = count_notes_of_talks(unit, talks)
    sides: dict[str, list[Any]] = defaultdict(list)
    for actor in item.actors:
        sides[vocab.side_of(actor.kind)].append(actor)
    return render_template(
        "cases/detail.html",
        case=item,
        sides=[(side, sides[side]) for side in vocab.codes("actor_sides") if sides[side]],
        talks=talks,
        notes=notes,
        notes_total=notes_total,
        note_edits=note_edits(unit, notes),
        similar=runtime().search_index.similar_cases(slug, limit=5, uow=unit),
        key_dates=sorted(item.key_dates, key=lambda k: k.date),
        # A fact's source marker shows the source's number in the list below
        # (kb.catalogue.provenance).
        source_no=_numbering(source_numbers(item.sources)),
        # What the case lacks, for editors only (kb.catalogue.completeness).
        completeness=assess(case_state(item), vocab, notes_total) if current_user() else None,
        **instrument_words(),
    )


def _numbering(numbers: dict[str, int]) -> Callable[[str], int | None]:
    return lambda url: numbers.get(same_address(url))


@bp.get("/talks")
def talks() -> str:
    series = series_timeline(uow())
    # Editors reach a series without talks yet (e.g. one just created) to add its first talk.
    return render_template(
        "talks/list.html",
        timeline=timeline_of([s for s in series if s.talks]),
        empty_series=[s for s in series if not s.talks],
    )


def timeline_of(series: list[SeriesEntry]) -> list[tuple[SeriesEntry, Markup]]:
    """Each series with its talks rendered as a timeline. The HTML is kept until the catalogue
    changes (kb.watermark): hundreds of talks with their cases are hundreds of links, which
    cost more to build than the rest of the start page. It holds nothing of the visitor (no
    editor links). Besides the catalogue, its links depend on the routes and the script root:
    the key holds the addresses they give, so that an app mounted or routed otherwise (on the
    same database, in the same process) never gets another's links."""
    unit, links = uow(), (url_of("talk", "-"), url_of("case", "-"))
    return [
        (s, cached(unit, ("timeline_html", *links, s.slug), partial(_render_timeline, s)))
        for s in series
    ]


def _render_timeline(series: SeriesEntry) -> Markup:
    return Markup(render_template("talks/_timeline.html", talks=series.talks))


@bp.get("/talks/<slug>")
def talk(slug: str) -> str:
    unit = uow()
    item = get_talk(unit, slug)
    notes = list_notes(unit, item)
    return render_template(
        "talks/detail.html", talk=item, notes=notes, note_edits=note_edits(unit, notes)
    )


def instrument_words() -> dict[str, Callable[[Any], str]]:
    """An instrument's name and definition in the page's language, for the templates
    (kb.catalogue.instruments)."""
    vocab = vocabulary()
    return {
        "instrument_label": lambda item: instrument_label(item, vocab),
        "instrument_definition": lambda item: instrument_definition(item, vocab),
    }


@bp.get("/instruments")
def instruments() -> str:
    listed = list_instruments(uow())  # by the German name
    if language() != DEFAULT:
        vocab = vocabulary()
        listed.sort(key=lambda pair: collation_key(instrument_label(pair[0], vocab)))
    return render_template("instruments/list.html", instruments=listed, **instrument_words())


@bp.get("/instruments/<slug>")
def instrument(slug: str) -> str:
    unit = uow()
    item = get_instrument(unit, slug)
    return render_template(
        "instruments/detail.html",
        instrument=item,
        uses=instrument_uses(unit, item),
        **instrument_words(),
    )


@bp.get("/barrierefreiheit")
def accessibility() -> str:
    return render_template("accessibility.html")
