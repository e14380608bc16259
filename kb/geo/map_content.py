"""What the map of a set of cases shows (no drawing, no URLs): per Land its case count and
choropleth class, the cases grouped into places (one point per municipality's coordinates, with
its count and governance types), and the cases without coordinates, which are listed, never
drawn at 0,0. Computed once per filter and catalogue state (kb.watermark)."""

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from kb.catalogue.browsing import CaseRow, filters_key, matching_rows
from kb.catalogue.vocabulary import Vocabulary
from kb.geo.outlines import Outline, outlines
from kb.i18n import current
from kb.unit_of_work import UnitOfWork
from kb.watermark import cached

CLASSES = 4  # choropleth classes of Länder with cases (a fifth, 0, has none)
KEPT_MAPS = 64  # maps kept per process, one per filter (each holds every case of its set)


@dataclass(frozen=True)
class CaseRef:
    slug: str
    name: str
    city: str
    governance: str


@dataclass(frozen=True)
class LandCount:
    land: str
    label: str  # in the language current when the map was built
    count: int
    level: int  # choropleth class: 0 (no case) to CLASSES
    outline: Outline


@dataclass(frozen=True)
class Place:
    city: str
    land: str
    lat: float
    lon: float
    x: float
    y: float
    cases: tuple[CaseRef, ...]
    governance: tuple[tuple[str, int], ...]  # (type, cases) in vocabulary order

    @property
    def count(self) -> int:
        return len(self.cases)

    @property
    def kind(self) -> str:
        """The governance type of all its cases, or "mixed"."""
        return self.governance[0][0] if len(self.governance) == 1 else "mixed"


@dataclass(frozen=True)
class MapContent:
    width: float
    height: float
    total: int
    lands: tuple[LandCount, ...]  # in vocabulary order
    classes: tuple[tuple[int, int], ...]  # (lowest, highest) count of each class 1..CLASSES
    places: tuple[Place, ...]  # largest first: drawn first, so smaller ones stay on top
    unplaced: tuple[CaseRef, ...]


def class_bounds(highest: int) -> tuple[tuple[int, int], ...]:
    """Up to CLASSES classes of equal width covering 1..highest (fewer when highest is small)."""
    if highest <= 0:
        return ()
    step = math.ceil(highest / CLASSES)
    return tuple((low, min(low + step - 1, highest)) for low in range(1, highest + 1, step))


def _level(count: int, classes: tuple[tuple[int, int], ...]) -> int:
    return next((i for i, (_, high) in enumerate(classes, 1) if count <= high), 0) if count else 0


def build_map(rows: list[CaseRow], vocabulary: Vocabulary) -> MapContent:
    shapes = outlines()
    per_land = Counter(r.land for r in rows)
    classes = class_bounds(max(per_land.values(), default=0))
    lands = tuple(
        LandCount(
            code,
            vocabulary.label("lands", code),
            per_land[code],
            _level(per_land[code], classes),
            shapes.lands[code],
        )
        for code in vocabulary.codes("lands")
    )
    groups: dict[tuple[float, float], list[CaseRow]] = {}
    unplaced = []
    for row in rows:
        if row.lat is None or row.lon is None:
            unplaced.append(row)
        else:
            groups.setdefault((row.lat, row.lon), []).append(row)
    order = {code: i for i, code in enumerate(vocabulary.codes("governance_types"))}
    places = []
    for (lat, lon), members in groups.items():
        x, y = shapes.frame.to_svg(lat, lon)
        kinds = Counter(r.governance for r in members)
        city = Counter(r.city for r in members).most_common(1)[0][0]
        places.append(
            Place(
                city,
                members[0].land,
                lat,
                lon,
                x,
                y,
                tuple(_ref(r) for r in members),
                tuple(sorted(kinds.items(), key=lambda kv: order.get(kv[0], len(order)))),
            )
        )
    places.sort(key=lambda p: (-p.count, p.city, p.x))
    return MapContent(
        shapes.frame.width,
        shapes.frame.height,
        len(rows),
        lands,
        classes,
        tuple(places),
        tuple(_ref(r) for r in unplaced),
    )


def _ref(row: CaseRow) -> CaseRef:
    return CaseRef(row.slug, row.name, row.city, row.governance)


def catalogue_map(
    uow: UnitOfWork, filters: Mapping[str, tuple[str, ...]], vocabulary: Vocabulary
) -> MapContent:
    """The map of the cases that pass `filters` (all cases for none), cached until the
    catalogue changes, one per language (the Länder's labels are in the current one)."""
    return cached(
        uow,
        ("catalogue_map", id(vocabulary), current(), filters_key(filters)),
        lambda: build_map(matching_rows(uow, filters, vocabulary), vocabulary),
        limit=KEPT_MAPS,
    )
