"""Comparing two to four cases field by field: which rows differ, what the cases share, and the
comparison as text, CSV, JSON and Markdown. The web view, the API and `kb compare` all build on
`compare()` here, so they show the same rows. Case links come from the caller's `url_of` (the web
app's routes); without one (`kb compare`) the cases are named by name and slug only."""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.catalogue.cases import find_case, talks_presenting
from kb.catalogue.instruments import instrument_label
from kb.catalogue.vocabulary import Vocabulary
from kb.csvcells import csv_text
from kb.editorial.notes import newest_notes_of_talks
from kb.errors import FieldError, NotFound, ValidationError
from kb.i18n import DEFAULT, _, current
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
    # The values are content as written (names, places, titles: German), not labels in the
    # current language; pages mark them with their language.
    written: bool = False

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
    # The labels in `shared` whose values are written content (see Row.written).
    shared_written: frozenset[str] = frozenset()

    @property
    def rows(self) -> list[tuple[Group, Row]]:
        return [(g, r) for g in self.groups for r in g.rows]


# The rows whose values are written content (see Row.written); the actors' rows name each
# actor with its kind's label in parentheses, but are mostly names.
WRITTEN_ROWS = frozenset(
    {"city", "carrier", "municipal", "civil_society", "other_actors", "funding", "awards", "talks"}
    | {"notes"}
)
# What the cases share, by list (its row): the field whose label names it ("Gemeinsame
# Instrumente").
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
        problems.append(_("Fall doppelt angegeben: %(slugs)s", slugs=", ".join(duplicates)))
    count = len(set(slugs))
    if count < MIN_CASES:
        problems.append(
            _(
                "Für einen Vergleich braucht es mindestens %(min)s verschiedene Fälle "
                "(angegeben: %(count)s)",
                min=MIN_CASES,
                count=count,
            )
        )
    if count > MAX_CASES:
        problems.append(
            _(
                "Es lassen sich höchstens %(max)s Fälle vergleichen (angegeben: %(count)s)",
                max=MAX_CASES,
                count=count,
            )
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
            raise NotFound(_("Kein Fall mit dem Kürzel '%(slug)s'", slug=slug))
        cases.append(case)
    talks = [talks_presenting(uow, c) for c in cases]
    notes = [newest_notes_of_talks(uow, t, LATEST_NOTES) for t in talks]
    vocab = vocabulary
    german = current() == DEFAULT

    def instrument(c: Case) -> Cell:
        return Cell(tuple(instrument_label(u.instrument, vocab) for u in c.instruments))

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
        text = f"{c.population:,}".replace(",", ".") if german else f"{c.population:,}"
        return Cell((f"{text} ({c.population_year})" if c.population_year else text,))

    def carrier(c: Case) -> Cell:
        if not c.carrier_name:
            # No carrier: the legal form says so and who steers instead, if anything.
            return Cell((c.carrier_legal_form,)) if c.carrier_legal_form else Cell()
        legal = f" ({c.carrier_legal_form})" if c.carrier_legal_form else ""
        return Cell((c.carrier_name + legal,))

    def period(c: Case) -> Cell:
        return Cell(
            one(c.start_year) + ((_("bis %(year)s", year=c.end_year),) if c.end_year else ())
        )

    # (group, its title, [(row, the field whose label (kb.labels) names the row, its cell)])
    fields: list[tuple[str, str, list[tuple[str, str, Callable[[Case], Cell]]]]] = [
        (
            "classification",
            _("Einordnung"),
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
            _("Ort und Größe"),
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
            _("Organisation"),
            [
                ("carrier", "carrier", carrier),
                ("municipal", "actors@municipal", actors("municipal")),
                ("civil_society", "actors@civil-society", actors("civil-society")),
                ("other_actors", "actors@other", actors("other")),
            ],
        ),
        (
            "means",
            _("Instrumente und Förderung"),
            [
                ("instruments", "instruments", instrument),
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
            _("Zeit und Stand"),
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
            [Cell(tuple(f"{t.title} ({_talk_date(t.date, german)})" for t in ts)) for ts in talks],
        ),
        _row("notes", label("latest_notes"), [Cell(tuple(n.title for n in ns)) for ns in notes]),
    )
    groups.append(Group("series", _("Gesprächsreihe"), series_rows))
    groups = [Group(g.key, g.label, tuple(r for r in g.rows if not r.empty)) for g in groups]
    groups = [g for g in groups if g.rows]
    refs = [CaseRef(c.slug, c.name) for c in cases]
    written = frozenset(shared_label(k) for k in SHARED_FIELDS if k in WRITTEN_ROWS)
    return Comparison(refs, groups, _shared(cases, vocab), written)


def _talk_date(date: Any, german: bool) -> str:
    # German as the pages write it; otherwise ISO 8601, which no reader misreads.
    return str(date.strftime("%d.%m.%Y") if german else date.isoformat())


def _row(key: str, label: str, cells: list[Cell]) -> Row:
    # Order does not matter for lists (same instruments in another order are the same).
    distinct = {frozenset(c.values) for c in cells}
    first, *rest = [c.values for c in cells]
    shared = tuple(v for v in first if all(v in other for other in rest))
    differs = len(distinct) > 1
    return Row(key, label, tuple(cells), differs, shared, written=key in WRITTEN_ROWS)


def _shared(cases: list[Case], vocab: Vocabulary) -> dict[str, list[str]]:
    def common(items: list[list[str]]) -> list[str]:
        first, *rest = items
        return [v for v in dict.fromkeys(first) if all(v in other for other in rest)]

    found = {
        "instruments": common(
            [[instrument_label(u.instrument, vocab) for u in c.instruments] for c in cases]
        ),
        "funding": common([[f.programme for f in c.funding] for c in cases]),
        "awards": common(
            [[f"{a.name} {a.year}" if a.year else a.name for a in c.awards] for c in cases]
        ),
    }
    return {shared_label(k): v for k, v in found.items() if v}


def shared_label(key: str) -> str:
    """What the cases share of a list ("Gemeinsame Instrumente")."""
    return _("Gemeinsame %(what)s", what=label(SHARED_FIELDS[key]))


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
            [group.label, row.key, row.label, _("ja") if row.differs else _("nein")]
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
    title = _("Vergleich: %(cases)s", cases=" · ".join(_md(c.name) for c in comparison.cases))
    lines = [f"# {title}", ""]
    field = _("Feld")
    for group in comparison.groups:
        lines += [f"## {_md(group.label)}", "", f"| {field} | {' | '.join(names)} |"]
        lines.append("| --- " * (len(names) + 1) + "|")
        for row in group.rows:
            mark = " (≠)" if row.differs else ""
            cells = [_md("; ".join(c.values)) or "–" for c in row.cells]
            lines.append(f"| {_md(row.label)}{mark} | {' | '.join(cells)} |")
        lines.append("")
    if comparison.shared:
        lines += ["## " + _("Was sie gemeinsam haben"), ""]
        lines += [f"- {_md(label)}: {_md('; '.join(v))}" for label, v in comparison.shared.items()]
        lines.append("")
    lines.append(_("≠: Die Fälle unterscheiden sich in dieser Zeile."))
    return "\n".join(lines) + "\n"


def to_text(comparison: Comparison) -> str:
    lines = [_("Vergleich: %(cases)s", cases=" · ".join(c.name for c in comparison.cases))]
    differs = " (" + _("unterschiedlich") + ")"
    for group in comparison.groups:
        lines += ["", group.label.upper()]
        for row in group.rows:
            lines.append(f"  {row.label}{differs if row.differs else ''}")
            for case, cell in zip(comparison.cases, row.cells, strict=True):
                lines.append(f"    {case.name}: {'; '.join(cell.values) or '–'}")
    if comparison.shared:
        lines += ["", _("GEMEINSAM")]
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
