"""Comparing two to four cases field by field: which rows differ, what the cases share, and the
comparison as text, CSV, JSON and Markdown. The web view, the API and `kb compare` all build on
`compare()` here, so they show the same rows. Case links come from the caller's `url_of` (the web
app's routes); without one (`kb compare`) the cases are named by name and slug only."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.catalogue.cases import find_case, talks_presenting
from kb.catalogue.vocabulary import Vocabulary
from kb.csvcells import csv_text
from kb.editorial.notes import newest_notes_of_talks
from kb.errors import FieldError, NotFound, ValidationError
from kb.labels import label
from kb.slugs import UrlOf
from kb.unit_of_work import UnitOfWork
from models import Case

MIN_CASES = 2
MAX_CASES = 4
LATEST_NOTES = 3


@dataclass(frozen=True)
class Cell:
    """What one case has in one row: its values (one line each) and an optional explanation
    (the rationale of a classification)."""

    values: tuple[str, ...] = ()
    note: str = ""

    @property
    def text(self) -> str:
        return " | ".join(self.values)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    differs: bool
    shared: tuple[str, ...] = ()  # values every case has (in a list row)

    @property
    def empty(self) -> bool:
        return not any(c.values for c in self.cells)


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class CaseRef:
    slug: str
    name: str


@dataclass
class Comparison:
    cases: list[CaseRef]
    groups: list[Group]
    shared: dict[str, list[str]] = field(default_factory=dict)  # label -> shared values

    @property
    def rows(self) -> list[tuple[Group, Row]]:
        return [(g, r) for g in self.groups for r in g.rows]


# What the cases share, by list: the field whose label names it ("Gemeinsame Instrumente").
SHARED_FIELDS = {
    "instruments": "instruments",
    "funding": "funding@programmes",
    "awards": "awards",
}


def parse_slugs(raw: Iterable[str]) -> list[str]:
    """The case slugs of a comparison from URL or CLI arguments (repeated or comma-separated).
    Too few, too many or duplicate slugs are a ValidationError naming the problem."""
    slugs = [s.strip() for item in raw for s in item.split(",") if s.strip()]
    problems = []
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        problems.append(f"Fall doppelt angegeben: {', '.join(duplicates)}")
    count = len(set(slugs))
    if count < MIN_CASES:
        problems.append(
            f"Für einen Vergleich braucht es mindestens {MIN_CASES} verschiedene Fälle "
            f"(angegeben: {count})"
        )
    if count > MAX_CASES:
        problems.append(
            f"Es lassen sich höchstens {MAX_CASES} Fälle vergleichen (angegeben: {count})"
        )
    if problems:
        raise ValidationError([FieldError("cases", p) for p in problems])
    return slugs


def compare(uow: UnitOfWork, slugs: list[str], vocabulary: Vocabulary) -> Comparison:
    """Compare the cases `slugs` (already checked by `parse_slugs`); an unknown slug is
    NotFound."""
    cases = []
    for slug in slugs:
        case = find_case(uow, slug)
        if case is None:
            raise NotFound(f"Kein Fall mit dem Kürzel '{slug}'")
        cases.append(case)
    talks = [talks_presenting(uow, c) for c in cases]
    notes = [newest_notes_of_talks(uow, t, LATEST_NOTES) for t in talks]
    vocab = vocabulary

    def actors(side: str) -> Callable[[Case], Cell]:
        return lambda c: Cell(
            tuple(
                f"{a.name} ({vocab.label('actor_kinds', a.kind)})"
                for a in c.actors
                if vocab.side_of(a.kind) == side
            )
        )

    def one(value: object) -> tuple[str, ...]:
        return (str(value),) if value not in (None, "") else ()

    def population(c: Case) -> Cell:
        if c.population is None:
            return Cell()
        text = f"{c.population:,}".replace(",", ".")
        return Cell((f"{text} ({c.population_year})" if c.population_year else text,))

    def carrier(c: Case) -> Cell:
        if not c.carrier_name:
            # No carrier: the legal form says so and who steers instead, if anything.
            return Cell((c.carrier_legal_form,)) if c.carrier_legal_form else Cell()
        legal = f" ({c.carrier_legal_form})" if c.carrier_legal_form else ""
        return Cell((c.carrier_name + legal,))

    def period(c: Case) -> Cell:
        return Cell(one(c.start_year) + ((f"bis {c.end_year}",) if c.end_year else ()))

    # (group, its title, [(row, the field whose label (kb.labels) names the row, its cell)])
    fields: list[tuple[str, str, list[tuple[str, str, Callable[[Case], Cell]]]]] = [
        (
            "classification",
            "Einordnung",
            [
                (
                    "governance",
                    "governance.type",
                    lambda c: Cell(
                        (vocab.label("governance_types", c.governance_type),),
                        c.governance_rationale.strip(),
                    ),
                ),
                (
                    "scale",
                    "scale.type",
                    lambda c: Cell((vocab.label("scales", c.scale),), c.scale_rationale.strip()),
                ),
            ],
        ),
        (
            "place",
            "Ort und Größe",
            [
                ("city", "city", lambda c: Cell((c.city,))),
                ("land", "land", lambda c: Cell((vocab.label("lands", c.land),))),
                (
                    "size_class",
                    "municipality.size_class",
                    lambda c: Cell(
                        one(vocab.label("size_classes", c.size_class)),
                        c.size_class_rationale.strip(),
                    ),
                ),
                ("population", "municipality.population", population),
            ],
        ),
        (
            "organisation",
            "Organisation",
            [
                ("carrier", "carrier", carrier),
                ("municipal", "actors@municipal", actors("municipal")),
                ("civil_society", "actors@civil-society", actors("civil-society")),
                ("other_actors", "actors@other", actors("other")),
            ],
        ),
        (
            "means",
            "Instrumente und Förderung",
            [
                (
                    "instruments",
                    "instruments",
                    lambda c: Cell(tuple(u.instrument.label for u in c.instruments)),
                ),
                (
                    "funding",
                    "funding@programmes",
                    lambda c: Cell(tuple(f.programme for f in c.funding)),
                ),
                (
                    "awards",
                    "awards",
                    lambda c: Cell(
                        tuple(f"{a.name} {a.year}" if a.year else a.name for a in c.awards)
                    ),
                ),
            ],
        ),
        (
            "time",
            "Zeit und Stand",
            [
                ("start_year", "start_year", period),
                ("status", "status", lambda c: Cell((vocab.label("statuses", c.status),))),
            ],
        ),
    ]
    groups = [
        Group(
            key,
            title,
            tuple(_row(k, label(path), [get(c) for c in cases]) for k, path, get in rows),
        )
        for key, title, rows in fields
    ]
    series_rows = (
        _row(
            "talks",
            label("talks"),
            [Cell(tuple(f"{t.title} ({t.date.strftime('%d.%m.%Y')})" for t in ts)) for ts in talks],
        ),
        _row("notes", label("latest_notes"), [Cell(tuple(n.title for n in ns)) for ns in notes]),
    )
    groups.append(Group("series", "Gesprächsreihe", series_rows))
    groups = [Group(g.key, g.label, tuple(r for r in g.rows if not r.empty)) for g in groups]
    groups = [g for g in groups if g.rows]
    refs = [CaseRef(c.slug, c.name) for c in cases]
    return Comparison(refs, groups, _shared(cases))


def _row(key: str, label: str, cells: list[Cell]) -> Row:
    # Order does not matter for lists (same instruments in another order are the same).
    distinct = {frozenset(c.values) for c in cells}
    first, *rest = [c.values for c in cells]
    shared = tuple(v for v in first if all(v in other for other in rest))
    return Row(key, label, tuple(cells), differs=len(distinct) > 1, shared=shared)


def _shared(cases: list[Case]) -> dict[str, list[str]]:
    def common(items: list[list[str]]) -> list[str]:
        first, *rest = items
        return [v for v in dict.fromkeys(first) if all(v in other for other in rest)]

    found = {
        "instruments": common([[u.instrument.label for u in c.instruments] for c in cases]),
        "funding": common([[f.programme for f in c.funding] for c in cases]),
        "awards": common(
            [[f"{a.name} {a.year}" if a.year else a.name for a in c.awards] for c in cases]
        ),
    }
    return {f"Gemeinsame {label(SHARED_FIELDS[k])}": v for k, v in found.items() if v}


# --- formats -----------------------------------------------------------------------------


def to_json(comparison: Comparison, url_of: UrlOf | None = None) -> dict[str, Any]:
    """The comparison as JSON data; with `url_of`, each case has its page's `url`."""
    return {
        "cases": [
            {"slug": c.slug, "name": c.name, **({"url": url_of("case", c.slug)} if url_of else {})}
            for c in comparison.cases
        ],
        "groups": [
            {
                "key": g.key,
                "label": g.label,
                "rows": [
                    {
                        "key": r.key,
                        "label": r.label,
                        "differs": r.differs,
                        "shared": list(r.shared),
                        "values": [list(cell.values) for cell in r.cells],
                        "notes": [cell.note for cell in r.cells],
                    }
                    for r in g.rows
                ],
            }
            for g in comparison.groups
        ],
        "shared": comparison.shared,
    }


def to_csv(comparison: Comparison) -> str:
    """One row per field, one column per case (by slug); lists joined with " | "."""
    header = ["group", "field", "label", "differs", *(c.slug for c in comparison.cases)]
    return csv_text(
        header,
        (
            [group.label, row.key, row.label, "ja" if row.differs else "nein"]
            + [c.text for c in row.cells]
            for group, row in comparison.rows
        ),
    )


# Characters with a meaning in Markdown inline text (GFM tables included): escaped with a
# backslash, which CommonMark and Python-Markdown both honour (`~` is left alone: Python-Markdown
# would show its backslash, and strikethrough cannot inject anything). Block markers (-, >, 1.)
# only act at the start of a line, and no value starts a line here; `#` is escaped because a
# trailing run of them would close the heading of the title.
_MD_SPECIAL = "\\`*_[]|#"
# HTML is written as entities: a backslash does not stop a tag in every renderer.
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def _md(text: str) -> str:
    """`text` (a name or value from the catalogue) as literal Markdown inline text on one line:
    no markup, no HTML, no table cell boundary of its own."""
    out = []
    for char in " ".join(text.splitlines()):
        if char in _HTML:
            out.append(_HTML[char])
        elif char in _MD_SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def to_markdown(comparison: Comparison, url_of: UrlOf | None = None) -> str:
    """A Markdown document; with `url_of`, the case names link to their pages (absolute
    addresses, from the web app: a downloaded file leaves the site)."""
    names = [
        f"[{_md(c.name)}]({url_of('case', c.slug)})" if url_of else _md(c.name)
        for c in comparison.cases
    ]
    lines = ["# Vergleich: " + " · ".join(_md(c.name) for c in comparison.cases), ""]
    for group in comparison.groups:
        lines += [f"## {_md(group.label)}", "", f"| Feld | {' | '.join(names)} |"]
        lines.append("| --- " * (len(names) + 1) + "|")
        for row in group.rows:
            mark = " (≠)" if row.differs else ""
            cells = [_md("; ".join(c.values)) or "–" for c in row.cells]
            lines.append(f"| {_md(row.label)}{mark} | {' | '.join(cells)} |")
        lines.append("")
    if comparison.shared:
        lines += ["## Was sie gemeinsam haben", ""]
        lines += [f"- {_md(label)}: {_md('; '.join(v))}" for label, v in comparison.shared.items()]
        lines.append("")
    lines.append("≠: Die Fälle unterscheiden sich in dieser Zeile.")
    return "\n".join(lines) + "\n"


def to_text(comparison: Comparison) -> str:
    lines = ["Vergleich: " + " · ".join(c.name for c in comparison.cases)]
    for group in comparison.groups:
        lines += ["", group.label.upper()]
        for row in group.rows:
            lines.append(f"  {row.label}{' (unterschiedlich)' if row.differs else ''}")
            for case, cell in zip(comparison.cases, row.cells, strict=True):
                lines.append(f"    {case.name}: {'; '.join(cell.values) or '–'}")
    if comparison.shared:
        lines += ["", "GEMEINSAM"]
        lines += [f"  {label}: {'; '.join(v)}" for label, v in comparison.shared.items()]
    return "\n".join(lines) + "\n"


def to_json_text(comparison: Comparison, url_of: UrlOf | None = None) -> str:
    return json.dumps(to_json(comparison, url_of), ensure_ascii=False, indent=2) + "\n"


FORMATS: dict[str, Callable[[Comparison], str]] = {
    "text": to_text,
    "csv": to_csv,
    "json": to_json_text,
    "markdown": to_markdown,
}
