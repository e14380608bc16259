"""The map of the cases (/map, its SVG download /map.svg, and the map panel of the catalogue
/cases): the content comes from kb.geo.map_content; here it is drawn as SVG on the server, with
the links, shapes and colours of the site. The drawn panel is kept until the catalogue changes."""

import math
from collections.abc import Callable, Mapping

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import lazy_gettext, ngettext
from markupsafe import Markup

from kb.catalogue.browsing import filters_key, parse_query
from kb.geo.map_content import MapContent, Place, catalogue_map
from kb.watermark import cached
from webapp.context import uow, vocabulary
from webapp.downloads import filename, svg_file
from webapp.figures import OTHER_COLOUR, governance_colour
from webapp.hosts import external_url
from webapp.i18n import language
from webapp.links import url_of
from webapp.params import args_of, filter_values

bp = Blueprint("maps", __name__)

# Fill of a Land by its choropleth class (0: no case), a light-to-dark scale under the points.
LEVEL_FILLS = ("#f4f5f6", "#fde9c9", "#fbd08f", "#f5a85c", "#e07b39")
# Each governance type has a shape and a colour (the site's badge colours), so that neither
# alone tells them apart; "mixed" is a place whose cases are of several types.
SHAPES = {
    "bottom-up": ("circle", governance_colour("bottom-up")),
    "top-down": ("triangle", governance_colour("top-down")),
    "cross-over": ("square", governance_colour("cross-over")),
    "mixed": ("diamond", OTHER_COLOUR),
}
SHAPE_NAMES = {
    "circle": lazy_gettext("Kreis"),
    "triangle": lazy_gettext("Dreieck"),
    "square": lazy_gettext("Quadrat"),
    "diamond": lazy_gettext("Raute"),
}
LEGEND_HEIGHT = 150.0  # below the map in the standalone SVG: legend and credits
# Drawn panels kept per process (one per filter, newest used kept): over 10,000 cases a panel
# is a few hundred kilobytes, and every combination of filters would be one more.
KEPT_PANELS = 64
# Cases listed per place under the map; a place with more says how many and links onwards.
LISTED_PER_PLACE = 20


def marker(kind: str, x: float, y: float, count: int = 1) -> Markup:
    """The point of a place: its governance type's shape and colour, larger for more cases."""
    shape, colour = SHAPES.get(kind, SHAPES["mixed"])
    s = min(16.0, 5.5 + 2.5 * math.sqrt(count - 1))
    style = f'fill="{colour}" stroke="#fff" stroke-width="1.5"'
    if shape == "circle":
        return Markup(f'<circle cx="{x:g}" cy="{y:g}" r="{s:.1f}" {style}/>')
    if shape == "square":
        h = s * 0.9
        return Markup(
            f'<rect x="{x - h:.1f}" y="{y - h:.1f}" width="{2 * h:.1f}" height="{2 * h:.1f}" '
            f"{style}/>"
        )
    if shape == "triangle":
        corners = [(x, y - s * 1.2), (x + s * 1.05, y + s * 0.8), (x - s * 1.05, y + s * 0.8)]
    else:
        d = s * 1.25
        corners = [(x, y - d), (x + d, y), (x, y + d), (x - d, y)]
    points = " ".join(f"{px:.1f},{py:.1f}" for px, py in corners)
    return Markup(f'<polygon points="{points}" {style}/>')


def count_text(count: int) -> str:
    return str(ngettext("%(num)d Fall", "%(num)d Fälle", count))


def place_name(place: Place) -> str:
    """The accessible name of a place's point: the case, or the place with its cases by type."""
    if place.count == 1:
        case = place.cases[0]
        return (
            f"{case.name} ({place.city}, {vocabulary().label('governance_types', case.governance)})"
        )
    kinds = ", ".join(
        f"{vocabulary().label('governance_types', k)} {n}" for k, n in place.governance
    )
    return f"{place.city}: {count_text(place.count)} ({kinds})"


def place_anchor(place: Place) -> str:
    return f"ort-{place.lat:.4f}-{place.lon:.4f}".replace(".", "_")


def _links(
    filters: Mapping[str, tuple[str, ...]], external: bool
) -> tuple[Callable[[str], str], Callable[[Place], str]]:
    """Where a Land and a point lead: the catalogue of the Land; the case, or the place's entry
    in the list under the map of the same cases."""
    build = external_url if external else url_for
    args = filter_values(filters)

    def land_url(code: str) -> str:
        return build("pages.cases", land=code)

    def place_url(place: Place) -> str:
        if place.count == 1:
            return url_of("case", place.cases[0].slug, external=external)
        return build("maps.map_page", _anchor=place_anchor(place), **args)

    return land_url, place_url


def map_panel(filters: Mapping[str, tuple[str, ...]]) -> Markup:
    """The map of the cases that pass `filters` with its legend, its table and lists: kept
    until the catalogue changes. The key holds the page's language (the words drawn) and the
    addresses its links get (as the talk timeline's does), so that an app routed otherwise
    never gets another's links."""
    unit = uow()
    probes = (url_of("case", "-"), url_for("pages.cases"), url_for("maps.map_page"))

    def render() -> Markup:
        content = catalogue_map(unit, filters, vocabulary())
        land_url, place_url = _links(filters, external=False)
        return Markup(
            _render(
                "maps/_panel.html",
                map=content,
                land_url=land_url,
                place_url=place_url,
                svg_url=url_for("maps.map_svg", **filter_values(filters)),
                filtered=bool(filters_key(filters)),
            )
        )

    key = ("map_panel", language(), *probes, filters_key(filters))
    return cached(unit, key, render, limit=KEPT_PANELS)


def _render(template: str, **context: object) -> str:
    """A map template with the drawing helpers."""
    return render_template(
        template,
        marker=marker,
        count_text=count_text,
        place_name=place_name,
        place_anchor=place_anchor,
        level_fills=LEVEL_FILLS,
        shapes=SHAPES,
        shape_names=SHAPE_NAMES,
        legend_height=LEGEND_HEIGHT,
        listed_per_place=LISTED_PER_PLACE,
        **context,
    )


@bp.get("/map")
def map_page() -> str:
    query, problems = parse_query(args_of(request.args), vocabulary())
    return render_template(
        "maps/page.html",
        panel=map_panel(query.filters),
        problems=problems,
        filtered=bool(filters_key(query.filters)),
        catalogue_url=url_for("pages.cases", **filter_values(query.filters)),
    )


@bp.get("/map.svg")
def map_svg() -> Response:
    """The map as a standalone SVG file: its own title, description, legend and credits, links
    with absolute addresses."""
    query, _ = parse_query(args_of(request.args), vocabulary())
    content: MapContent = catalogue_map(uow(), query.filters, vocabulary())
    land_url, place_url = _links(query.filters, external=True)
    body = _render("maps/standalone.svg", map=content, land_url=land_url, place_url=place_url)
    parts = [f"{f}-{'-'.join(v)}" for f, v in query.filters.items()]
    return svg_file(body, filename("karte-kooperationsmodelle", parts, "svg"))
