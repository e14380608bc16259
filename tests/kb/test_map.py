"""The map: the projection's maths, the packaged outlines (what the build writes; known cities
inside their Land), and the map's content (counts per Land, points grouped by place, cases
without coordinates)."""

import math

import pytest

from kb.catalogue.browsing import CaseRow, CatalogueQuery, browse
from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import DEFAULT_SEED_DIR
from kb.geo.build import TARGET, build
from kb.geo.lands import LANDS
from kb.geo.map_content import build_map, catalogue_map, class_bounds
from kb.geo.outlines import outlines
from kb.geo.projection import EARTH_RADIUS_M, LAMBERT, STANDARD_PARALLELS
from kb.geo.shapes import contains, simplify
from kb.runtime import Runtime
from tests.kb.gazetteer import distance_km

# GeoNames coordinates (cities1000) of cities and the Land they lie in.
CITIES = {
    "Aachen": (50.77664, 6.08342, "nordrhein-westfalen"),
    "Weimar": (50.9803, 11.32903, "thueringen"),
    "Halle (Saale)": (51.48158, 11.97947, "sachsen-anhalt"),
    "Altenburg": (50.98763, 12.43684, "thueringen"),
    "Hannover": (52.37052, 9.73322, "niedersachsen"),
    "Berlin": (52.52437, 13.41053, "berlin"),
    "München": (48.13743, 11.57549, "bayern"),
    "Kiel": (54.32133, 10.13489, "schleswig-holstein"),
    "Rostock": (54.0887, 12.14049, "mecklenburg-vorpommern"),
    "Bremen": (53.07582, 8.80717, "bremen"),
    "Potsdam": (52.39886, 13.06566, "brandenburg"),  # beside Berlin, the hole in Brandenburg
    "Saarbrücken": (49.23262, 7.00982, "saarland"),
    "Görlitz": (51.15518, 14.98853, "sachsen"),
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")


# --- projection ------------------------------------------------------------------------------


def test_the_origin_is_zero_and_the_central_meridian_is_straight() -> None:
    assert LAMBERT.project(51.0, 10.5) == pytest.approx((0.0, 0.0), abs=1e-6)
    for lat in (47.5, 51.0, 55.0):
        assert LAMBERT.project(lat, 10.5)[0] == pytest.approx(0.0, abs=1e-6)
    assert LAMBERT.project(54.0, 10.5)[1] > LAMBERT.project(48.0, 10.5)[1]  # north is up
    assert LAMBERT.project(51.0, 14.0)[0] > 0  # east is right


@pytest.mark.parametrize("lat", STANDARD_PARALLELS)
def test_the_scale_is_true_on_the_standard_parallels(lat: float) -> None:
    assert LAMBERT.scale_factor(lat) == pytest.approx(1.0, abs=1e-12)
    # ... measured, too: a small step along the parallel keeps its length on the sphere.
    step = 0.01
    (x1, y1), (x2, y2) = LAMBERT.project(lat, 10.0), LAMBERT.project(lat, 10.0 + step)
    on_sphere = EARTH_RADIUS_M * math.cos(math.radians(lat)) * math.radians(step)
    assert math.hypot(x2 - x1, y2 - y1) == pytest.approx(on_sphere, rel=1e-6)


def test_the_scale_error_stays_small_over_germany() -> None:
    for lat in (47.2, 50.0, 51.0, 55.1):
        assert abs(LAMBERT.scale_factor(lat) - 1) < 0.006


def test_conformal_the_scale_along_the_meridian_equals_the_parallels() -> None:
    lat, step = 50.0, 0.001
    (x1, y1), (x2, y2) = LAMBERT.project(lat, 12.0), LAMBERT.project(lat + step, 12.0)
    along_meridian = math.hypot(x2 - x1, y2 - y1) / (EARTH_RADIUS_M * math.radians(step))
    assert along_meridian == pytest.approx(LAMBERT.scale_factor(lat + step / 2), rel=1e-5)


def test_projected_distances_match_the_great_circle() -> None:
    (bx, by), (mx, my) = LAMBERT.project(52.52437, 13.41053), LAMBERT.project(48.13743, 11.57549)
    great_circle = distance_km(52.52437, 13.41053, 48.13743, 11.57549)
    assert math.hypot(mx - bx, my - by) / 1000 == pytest.approx(great_circle, rel=0.006)


# --- outlines --------------------------------------------------------------------------------


def test_the_committed_outlines_are_what_the_build_writes() -> None:
    assert TARGET.read_text(encoding="utf-8") == build(), "python -m kb.geo.build"


def test_every_land_has_an_outline() -> None:
    assert set(outlines().lands) == set(LANDS)


@pytest.mark.parametrize("city", sorted(CITIES))
def test_known_cities_lie_inside_their_land_and_no_other(city: str) -> None:
    lat, lon, land = CITIES[city]
    shapes = outlines()
    point = shapes.frame.to_svg(lat, lon)
    inside = [
        code for code, outline in shapes.lands.items() if contains(list(outline.rings), point)
    ]
    assert inside == [land]


def test_counts_are_written_inside_their_land_or_beside_a_city_state() -> None:
    beside = set()
    for code, outline in outlines().lands.items():
        if outline.leader is None:
            assert contains(list(outline.rings), outline.label), code
        else:  # the line starts on the outline and the number stands outside it
            beside.add(code)
            assert any(outline.leader in ring for ring in outline.rings)
            assert not contains(list(outline.rings), outline.label)
    assert beside == {"berlin", "bremen", "hamburg"}


def test_simplify_keeps_corners_and_drops_what_is_within_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.0), (3.0, 3.0)]
    assert simplify(line, 0.5) == [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0)]
    assert simplify(line, 0.05) == line


# --- content ---------------------------------------------------------------------------------


def _row(
    slug: str, city: str, land: str, governance: str, lat: float | None, lon: float | None
) -> CaseRow:
    return CaseRow(
        0,
        slug,
        slug.title(),
        city,
        land,
        governance,
        "project",
        None,
        None,
        "active",
        (),
        (),
        lat,
        lon,
    )


def test_points_are_grouped_by_place_with_their_types(vocabulary: Vocabulary) -> None:
    rows = [
        _row("a", "Leipzig", "sachsen", "bottom-up", 51.3396, 12.3713),
        _row("b", "Leipzig", "sachsen", "top-down", 51.3396, 12.3713),
        _row("c", "Leipzig", "sachsen", "bottom-up", 51.3396, 12.3713),
        _row("d", "Görlitz", "sachsen", "cross-over", 51.1552, 14.9885),
        _row("e", "Weimar", "thueringen", "top-down", None, None),
    ]
    content = build_map(rows, vocabulary)
    assert content.total == 5
    leipzig, goerlitz = content.places  # the larger group first
    assert (leipzig.city, leipzig.count, leipzig.kind) == ("Leipzig", 3, "mixed")
    assert leipzig.governance == (("top-down", 1), ("bottom-up", 2))  # vocabulary order
    assert (goerlitz.count, goerlitz.kind) == (1, "cross-over")
    assert [c.slug for c in content.unplaced] == ["e"]  # listed, not drawn
    counts = {land.land: land.count for land in content.lands}
    assert counts["sachsen"] == 4 and counts["thueringen"] == 1 and counts["bayern"] == 0
    assert [land.land for land in content.lands] == vocabulary.codes("lands")
    levels = {land.land: land.level for land in content.lands}
    assert levels["bayern"] == 0 and levels["sachsen"] == len(content.classes)
    assert 0 < levels["thueringen"] < levels["sachsen"]


def test_class_bounds_cover_every_count() -> None:
    assert class_bounds(0) == ()
    assert class_bounds(3) == ((1, 1), (2, 2), (3, 3))
    assert class_bounds(13) == ((1, 4), (5, 8), (9, 12), (13, 13))
    bounds = class_bounds(10_000)
    assert bounds[0][0] == 1 and bounds[-1][1] == 10_000 and len(bounds) == 4


@pytest.mark.parametrize(
    "filters",
    [{}, {"land": ("berlin",)}, {"governance": ("bottom-up",), "scale": ("city", "project")}],
)
def test_the_map_of_a_filter_counts_what_the_catalogue_shows(
    seeded: Runtime, filters: dict[str, tuple[str, ...]]
) -> None:
    vocab = seeded.vocabulary
    with seeded.uow() as uow:
        content = catalogue_map(uow, filters, vocab)
        page = browse(uow, CatalogueQuery(filters), vocab)
    assert content.total == page.total
    shown = sorted(
        [c.slug for p in content.places for c in p.cases] + [c.slug for c in content.unplaced]
    )
    assert shown == sorted(r.slug for r in page.matching)
    per_land = {land.land: land.count for land in content.lands}
    for land in vocab.codes("lands"):
        assert per_land[land] == sum(1 for r in page.matching if r.land == land)
    assert not content.unplaced  # every seed case has coordinates


def test_several_berlin_cases_are_one_point_with_their_count(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        content = catalogue_map(uow, {"land": ("berlin",)}, seeded.vocabulary)
        page = browse(uow, CatalogueQuery({"land": ("berlin",)}), seeded.vocabulary)
    berlin = [p for p in content.places if p.city == "Berlin"]
    in_berlin = sorted(r.slug for r in page.matching if r.city == "Berlin")
    assert len(berlin) == 1 and sorted(c.slug for c in berlin[0].cases) == in_berlin
    assert berlin[0].count == len(in_berlin) > 5
    districts = {p.city for p in content.places} - {"Berlin"}
    assert districts == {
        "Berlin (Bezirk Lichtenberg)",
        "Berlin (Bezirk Mitte)",
        "Berlin (Bezirk Pankow)",
    }
