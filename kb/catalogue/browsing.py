"""The catalogue of cases as readers browse it: filters by facet (OR within a facet, AND across
facets), counts per facet value, sorting and paging.

It works on a light table of every case (a few columns, the instruments and the talks that
presented it) and filters and counts in Python, which keeps the rules in one place for the pages,
the API and the downloads, which all return exactly the same set. The table is read with three
plain queries and kept per process until the catalogue changes (kb.watermark).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select

from kb.catalogue.schemas import MAX_YEAR, MIN_YEAR, bounded_int
from kb.catalogue.vocabulary import Vocabulary
from kb.i18n import LANGUAGES, N_, _, current, translate
from kb.labels import Labels
from kb.markup import plain_text
from kb.unit_of_work import UnitOfWork
from kb.watermark import cached
from models import Case, CaseInstrument, Instrument, Talk, TalkCase

# Facet -> the vocabulary its values come from ("presented" has its own two values).
FACET_VOCABULARIES = {
    "governance": "governance_types",
    "scale": "scales",
    "land": "lands",
    "size_class": "size_classes",
    "instrument": "instruments",
}
# "start_year" takes any year a case can have (kb.catalogue.schemas.Year), not a vocabulary.
FACETS = (*FACET_VOCABULARIES, "presented", "start_year")
# The facets listed with their counts beside the catalogue: the start year is a filter the
# timeline's bars link to, but decades of years as a list would bury the other facets.
LISTED_FACETS = tuple(f for f in FACETS if f != "start_year")
# Facet -> the field it filters by (its label is the field's, from kb.labels).
FACET_FIELDS = {
    "governance": "governance.type",
    "scale": "scale.type",
    "land": "land",
    "size_class": "municipality.size_class",
    "instrument": "instruments.code",
    "presented": "presented",
    "start_year": "start_year",
}
FACET_LABELS = Labels(FACET_FIELDS)
# Shown translated (kb.i18n.translate): `facet_values`, `sort_labels`.
PRESENTED_LABELS = {
    "yes": N_("in der Reihe vorgestellt"),
    "no": N_("nicht in der Reihe vorgestellt"),
}
SORTS = {
    "name": N_("Name (A–Z)"),
    "city": N_("Ort (A–Z)"),
    "start": N_("Beginn (neueste zuerst)"),
    "land": N_("Bundesland"),
}
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE_NUMBER = 1_000_000  # page and per_page above this are reported, not used
MAX_PROBLEMS = 20  # messages about ignored parameters shown; the rest are counted
SUMMARY_CHARS = 280

# DIN 5007-1 ordering: umlauts sort with their base letter, ß as ss.
_COLLATE = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def collation_key(text: str) -> str:
    return text.casefold().translate(_COLLATE)


@dataclass(frozen=True)
class CatalogueQuery:
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "name"
    page: int = 1
    per_page: int = PER_PAGE

    def args(self, **changes: Any) -> list[tuple[str, str]]:
        """This query as URL parameters (for links), with `changes` applied; defaults are
        left out so that URLs stay short and stable."""
        filters = dict(self.filters)
        for facet in FACETS:
            if facet in changes:
                filters[facet] = tuple(changes.pop(facet))
        sort = changes.pop("sort", self.sort)
        page = changes.pop("page", self.page)
        per_page = changes.pop("per_page", self.per_page)
        pairs = [(f, v) for f in FACETS for v in filters.get(f, ())]
        if sort != "name":
            pairs.append(("sort", sort))
        if per_page != PER_PAGE:
            pairs.append(("per_page", str(per_page)))
        if page != 1:
            pairs.append(("page", str(page)))
        return pairs


@dataclass(frozen=True)
class CaseRow:
    id: int
    slug: str
    name: str
    city: str
    land: str
    governance: str
    scale: str
    size_class: str | None
    start_year: int | None
    status: str
    instruments: tuple[str, ...]
    talks: tuple[str, ...]  # slugs of the talks that presented the case, in date order
    lat: float | None = None  # the municipality's coordinates (the map), both or neither
    lon: float | None = None

    def values(self, facet: str) -> tuple[str, ...]:
        if facet == "instrument":
            return self.instruments
        if facet == "presented":
            return ("yes",) if self.talks else ("no",)
        if facet == "start_year":
            return (str(self.start_year),) if self.start_year else ()
        value = getattr(self, facet)
        return (value,) if value else ()


@dataclass
class CataloguePage:
    query: CatalogueQuery
    matching: list[CaseRow]  # every case that passes the filters, sorted
    facets: dict[str, dict[str, int]]  # facet -> value -> hits that value would leave
    summaries: dict[str, str]  # slug -> plain-text summary, for the rows of this page
    # slug -> English summary, for the rows of this page that have one, on English pages
    summaries_en: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.matching)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    @property
    def rows(self) -> list[CaseRow]:
        start = (self.query.page - 1) * self.query.per_page
        return self.matching[start : start + self.query.per_page]


def sort_labels() -> dict[str, str]:
    """The catalogue's sort orders, code -> name in the current language."""
    return {code: translate(text) for code, text in SORTS.items()}


def facet_values(vocabulary: Vocabulary, facet: str) -> dict[str, str]:
    """The values a facet can take, code -> label in the current language, in vocabulary
    order."""
    if facet == "presented":
        return {code: translate(text) for code, text in PRESENTED_LABELS.items()}
    if facet == "start_year":
        return {}  # any year (`is_year`); the table adds the years cases have
    name = FACET_VOCABULARIES[facet]
    return {code: vocabulary.label(name, code) for code in vocabulary.codes(name)}


def filters_key(
    filters: Mapping[str, tuple[str, ...]], skip: tuple[str, ...] = ()
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A set of filters as a cache key: the same for the same filters in any order; facets in
    `skip` (which a figure ignores) and empty ones are left out."""
    return tuple(sorted((f, tuple(sorted(v))) for f, v in filters.items() if v and f not in skip))


def is_year(value: str) -> bool:
    """A year as the start-year filter takes it: four digits within the years a case may have."""
    return len(value) == 4 and bounded_int(value, MIN_YEAR, MAX_YEAR) is not None


def parse_query(
    args: Mapping[str, Sequence[str]], vocabulary: Vocabulary
) -> tuple[CatalogueQuery, list[str]]:
    """Read a query from URL parameters. Unknown values are left out and reported (messages in
    the current language naming the parameter): pages show the rest and say what they ignored,
    so that an outdated shared link still shows something; the API refuses the request."""
    problems: list[str] = []
    filters: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        allowed = facet_values(vocabulary, facet)
        wanted: list[str] = []
        for raw in args.get(facet, ()):
            for value in (v.strip() for v in raw.split(",")):
                if not value or value in wanted:
                    continue
                if value in allowed or (facet == "start_year" and is_year(value)):
                    wanted.append(value)
                else:
                    problems.append(
                        _(
                            "Unbekannter Wert „%(value)s“ für %(field)s (%(facet)s)",
                            value=value[:60],
                            field=FACET_LABELS[facet],
                            facet=facet,
                        )
                    )
        if wanted:
            filters[facet] = tuple(wanted)
    sort = (args.get("sort") or ["name"])[0]
    if sort not in SORTS:
        problems.append(_("Unbekannte Sortierung „%(sort)s“ (sort)", sort=sort[:60]))
        sort = "name"
    page = _positive_int(args, "page", 1, problems)
    per_page = min(MAX_PER_PAGE, _positive_int(args, "per_page", PER_PAGE, problems))
    if len(problems) > MAX_PROBLEMS:
        # A page lists what it ignored; thousands of made-up values must not make it huge.
        rest = len(problems) - MAX_PROBLEMS
        problems = [
            *problems[:MAX_PROBLEMS],
            _("… und %(rest)s weitere ungültige Angaben", rest=rest),
        ]
    return CatalogueQuery(filters, sort, page, per_page), problems


def _positive_int(
    args: Mapping[str, Sequence[str]], name: str, default: int, problems: list[str]
) -> int:
    raw = (args.get(name) or [""])[0]
    if not raw:
        return default
    value = bounded_int(raw, 1, MAX_PAGE_NUMBER)
    if value is not None:
        return value
    problems.append(_("„%(value)s“ ist keine gültige Zahl (%(name)s)", value=raw[:20], name=name))
    return default


@dataclass(frozen=True)
class CaseTable:
    """The light table with what filtering needs precomputed: per facet a boolean matrix (case x
    value), and per sort order the row positions. Filtering and counting are then a few numpy
    operations, whatever the number of cases."""

    rows: list[CaseRow]
    values: dict[str, list[str]]  # facet -> its values (vocabulary order, then unknown ones)
    matrices: dict[str, np.ndarray]  # facet -> bool[len(rows), len(values)]
    # sort -> row positions in that order ("land@de", "land@en": by the Länder's names in each)
    orders: dict[str, np.ndarray]
    totals: dict[str, dict[str, int]]  # facet -> value -> cases, over the whole catalogue

    @classmethod
    def build(cls, rows: list[CaseRow], vocabulary: Vocabulary) -> "CaseTable":
        values: dict[str, list[str]] = {}
        matrices: dict[str, np.ndarray] = {}
        for facet in FACETS:
            known = list(facet_values(vocabulary, facet))
            known += sorted({v for r in rows for v in r.values(facet)} - set(known))
            column = {v: i for i, v in enumerate(known)}
            matrix = np.zeros((len(rows), len(known)), dtype=bool)
            for i, row in enumerate(rows):
                for value in row.values(facet):
                    matrix[i, column[value]] = True
            values[facet], matrices[facet] = known, matrix
        name = [(collation_key(r.name), r.slug) for r in rows]
        by_name = sorted(range(len(rows)), key=name.__getitem__)
        keys: dict[str, Any] = {
            "city": lambda i: collation_key(rows[i].city),
            "start": lambda i: -(rows[i].start_year or 0),  # newest first, unknown last
        }
        for lang in LANGUAGES:
            lands = {r.land: collation_key(vocabulary.label("lands", r.land, lang)) for r in rows}
            keys[f"land@{lang}"] = lambda i, lands=lands: lands[rows[i].land]
        orders = {"name": np.array(by_name, dtype=np.int64)}
        for sort, key in keys.items():  # stable: ties stay in name order
            orders[sort] = np.array(sorted(by_name, key=key), dtype=np.int64)
        totals = {
            facet: dict(zip(values[facet], matrices[facet].sum(axis=0).tolist(), strict=True))
            for facet in FACETS
        }
        return cls(rows, values, matrices, orders, totals)

    def order(self, sort: str) -> np.ndarray:
        """The row positions in the order `sort`; "land" sorts by the names of the current
        language (one table serves the pages of every language)."""
        return self.orders[f"land@{current()}" if sort == "land" else sort]

    def mask(self, facet: str, wanted: tuple[str, ...]) -> np.ndarray:
        columns = [i for i, v in enumerate(self.values[facet]) if v in wanted]
        return np.asarray(self.matrices[facet][:, columns].any(axis=1), dtype=bool)

    def masks(self, filters: Mapping[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
        """Per filtered facet, the rows that have one of its wanted values."""
        return {f: self.mask(f, wanted) for f, wanted in filters.items() if wanted}

    def select(self, masks: Mapping[str, np.ndarray], skip: tuple[str, ...] = ()) -> np.ndarray:
        """The rows that pass every mask (AND across facets) but those of the facets in `skip`."""
        selected = np.ones(len(self.rows), dtype=bool)
        for facet, mask in masks.items():
            if facet not in skip:
                selected &= mask
        return selected


def matching_rows(
    uow: UnitOfWork, filters: Mapping[str, tuple[str, ...]], vocabulary: Vocabulary
) -> list[CaseRow]:
    """The cases that pass `filters`, in name order: what `browse` shows, without its facet
    counts, paging and summaries (for figures of the filtered set)."""
    table = case_table(uow, vocabulary)
    order = table.orders["name"]
    return [table.rows[i] for i in order[table.select(table.masks(filters))[order]]]


def case_table(uow: UnitOfWork, vocabulary: Vocabulary) -> CaseTable:
    """The table of every case that is not deleted, cached per process until the next revision."""
    return cached(
        uow, ("case_table", id(vocabulary)), lambda: CaseTable.build(case_rows(uow), vocabulary)
    )


def case_rows_by_slug(uow: UnitOfWork, vocabulary: Vocabulary) -> Mapping[str, CaseRow]:
    """The table's rows by slug, kept with it: search hits of cases show a case's city, Land
    and badges like the catalogue's rows, without a query per hit."""
    return cached(
        uow,
        ("case_rows_by_slug", id(vocabulary)),
        lambda: {r.slug: r for r in case_table(uow, vocabulary).rows},
    )


def case_rows(uow: UnitOfWork) -> list[CaseRow]:
    """The light table of every case that is not deleted, read from the database."""
    session = uow.session
    instruments: dict[int, list[str]] = {}
    for case_id, slug in session.execute(
        select(CaseInstrument.case_id, Instrument.slug)
        .join(Instrument)
        .order_by(CaseInstrument.case_id, CaseInstrument.position)
    ):
        instruments.setdefault(case_id, []).append(slug)
    talks: dict[int, list[str]] = {}
    for case_id, slug in session.execute(
        select(TalkCase.case_id, Talk.slug)
        .join(Talk)
        .where(Talk.deleted_at.is_(None))
        .order_by(Talk.date, Talk.slug)
    ):
        talks.setdefault(case_id, []).append(slug)
    rows = session.execute(
        select(
            Case.id,
            Case.slug,
            Case.name,
            Case.city,
            Case.land,
            Case.governance_type.label("governance"),
            Case.scale,
            Case.size_class,
            Case.start_year,
            Case.status,
            Case.lat,
            Case.lon,
        ).where(Case.deleted_at.is_(None))
    )
    return [
        CaseRow(
            **row._mapping,
            instruments=tuple(instruments.get(row.id, ())),
            talks=tuple(talks.get(row.id, ())),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Overview:
    """The whole catalogue in numbers: cases, and cases per facet value."""

    total: int
    facets: Mapping[str, Mapping[str, int]]  # facet -> value -> cases


def overview(uow: UnitOfWork, vocabulary: Vocabulary) -> Overview:
    """The numbers of the unfiltered catalogue (the start page), counted once per catalogue
    state with the table: no filtering, sorting or summaries."""
    table = case_table(uow, vocabulary)
    return Overview(len(table.rows), table.totals)


def browse(uow: UnitOfWork, query: CatalogueQuery, vocabulary: Vocabulary) -> CataloguePage:
    """Filter, count and sort the catalogue. A facet's counts ignore that facet's own filter,
    so each count says how many cases choosing that value (too) would show."""
    table = case_table(uow, vocabulary)
    masks = table.masks(query.filters)
    facets: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        if not set(masks) - {facet}:  # no other facet filters: the counts of the whole catalogue
            facets[facet] = dict(table.totals[facet])
            continue
        counts = table.matrices[facet][table.select(masks, skip=(facet,))].sum(axis=0)
        facets[facet] = {v: int(n) for v, n in zip(table.values[facet], counts, strict=True)}
    selected = table.select(masks)
    order = table.order(query.sort)
    matching = [table.rows[i] for i in order[selected[order]]]
    page = CataloguePage(query, matching, facets, {})
    page.summaries = summaries(uow, [r.id for r in page.rows])
    if current() == "en":
        page.summaries_en = summaries(uow, [r.id for r in page.rows], english=True)
    return page


def summaries(uow: UnitOfWork, case_ids: list[int], english: bool = False) -> dict[str, str]:
    """Plain-text summaries (shortened) of the given cases, by slug; with `english` their
    English summaries (`summary_en`), of the cases that have one."""
    column = Case.summary_en if english else Case.summary
    rows: list[Any] = []
    for start in range(0, len(case_ids), 900):  # SQLite limits bound parameters
        chunk = case_ids[start : start + 900]
        found = select(Case.slug, column).where(Case.id.in_(chunk), column.is_not(None))
        rows += uow.session.execute(found)
    result = {}
    for slug, summary in rows:
        text = " ".join(plain_text(summary).split())
        if len(text) > SUMMARY_CHARS:
            text = text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + " …"
        result[slug] = text
    return result
