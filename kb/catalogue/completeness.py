"""How complete a case is: the editors' work queue.

`assess(state, vocabulary, notes)` looks at a case's canonical state (kb.catalogue.cases.case_state)
and the number of notes taken after talks at which the case was presented, and returns the gaps
and a score 0–100, the share of these checks that pass (rounded):

Each check, its code, when it passes and the edit form control (`/cases/<slug>/edit#<id>`)
that fills it:

- `summary`: the summary is not empty (`f-summary`).
- `carrier`: a carrier is named, or its legal form says how the case is carried or that no
  carrier exists, e.g. "kein eigener Träger" (`f-carrier-name`).
- `actors-municipal`, `actors-civil-society`: at least one actor of that side (`f-actors`).
- `instruments`: at least one instrument (`f-instruments`).
- `start-year`: a start year (`f-start_year`).
- `size-class`: a size class of the municipality (`f-municipality-size_class`).
- `sources`: at least `MIN_SOURCES` (2) sources (`f-sources`).
- `fact-sources`: every fact names its source (kb.catalogue.provenance: actors with a role, the
  population, funding, awards, key dates); the control of the first fact without one
  (`f-municipality-population_source`, `f-actors`, `f-funding`, `f-awards`, `f-key_dates`).
- `rationales`: the governance and scale rationales, and with a size class its rationale,
  have at least `MIN_RATIONALE` (80) characters each (the first one too short).
- `notes`: at least one note from a talk at which the case was presented (no form field:
  notes are written on the talk's page).

The checks are equally weighted; a case with nothing missing scores 100.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from kb.catalogue.cases import case_state, list_cases
from kb.catalogue.provenance import unsourced_facts
from kb.catalogue.vocabulary import Vocabulary
from kb.i18n import _, ngettext
from kb.unit_of_work import UnitOfWork
from models import Case, Note, Talk, TalkCase

MIN_RATIONALE = 80  # characters: about one sentence
MIN_SOURCES = 2


@dataclass(frozen=True)
class Gap:
    code: str
    label: str  # for editors, in the language current when the case was assessed
    field: str | None  # the id of the edit form's control that fills it (without "#")


@dataclass(frozen=True)
class Completeness:
    slug: str
    name: str
    score: int
    gaps: tuple[Gap, ...]

    def as_json(self) -> dict[str, Any]:
        return {"score": self.score, "gaps": [g.code for g in self.gaps]}


CHECKS = (
    "summary",
    "carrier",
    "actors-municipal",
    "actors-civil-society",
    "instruments",
    "start-year",
    "size-class",
    "sources",
    "fact-sources",
    "rationales",
    "notes",
)


def assess(state: Mapping[str, Any], vocabulary: Vocabulary, notes: int) -> Completeness:
    """The gaps of one case (in the order of `CHECKS`) and its score."""
    gaps: list[Gap] = []

    def gap(code: str, label: str, field: str | None) -> None:
        gaps.append(Gap(code, label, field))

    if not (state.get("summary") or "").strip():
        gap("summary", _("Kurzfassung fehlt"), "f-summary")
    carrier = state.get("carrier") or {}
    if not ((carrier.get("name") or "").strip() or (carrier.get("legal_form") or "").strip()):
        gap("carrier", _("Träger fehlt (oder die Angabe, dass es keinen gibt)"), "f-carrier-name")
    sides = set()
    for actor in state.get("actors") or []:
        term = vocabulary.terms["actor_kinds"].get(actor.get("kind"))
        if term is not None:
            sides.add(term.extra.get("side"))
    if "municipal" not in sides:
        gap("actors-municipal", _("Kein Akteur der kommunalen Seite"), "f-actors")
    if "civil-society" not in sides:
        gap("actors-civil-society", _("Kein Akteur der zivilgesellschaftlichen Seite"), "f-actors")
    if not state.get("instruments"):
        gap("instruments", _("Kein Instrument"), "f-instruments")
    if not state.get("start_year"):
        gap("start-year", _("Beginn (Jahr) fehlt"), "f-start_year")
    municipality = state.get("municipality") or {}
    if not municipality.get("size_class"):
        gap("size-class", _("Stadtgröße fehlt"), "f-municipality-size_class")
    if len(state.get("sources") or []) < MIN_SOURCES:
        gap("sources", _("Weniger als %(min)s Belege", min=MIN_SOURCES), "f-sources")
    unsourced = unsourced_facts(state)
    if unsourced:
        first = unsourced[0].loc
        gap(
            "fact-sources",
            # The German says singular and plural at once (as it always has); English chooses.
            ngettext(
                "%(num)d Angabe(n) ohne Quelle, zuerst: %(first)s",
                "%(num)d Angabe(n) ohne Quelle, zuerst: %(first)s",
                len(unsourced),
                first=unsourced[0].label,
            ),
            "f-municipality-population_source" if first[0] == "municipality" else f"f-{first[0]}",
        )
    short = [
        field
        for field, text in (
            ("f-governance-rationale", (state.get("governance") or {}).get("rationale")),
            ("f-scale-rationale", (state.get("scale") or {}).get("rationale")),
            (
                "f-municipality-size_class_rationale",
                municipality.get("size_class_rationale")
                if municipality.get("size_class")
                else None,
            ),
        )
        if text is not None and len(text.strip()) < MIN_RATIONALE
    ]
    if short:
        gap("rationales", _("Begründung kürzer als %(min)s Zeichen", min=MIN_RATIONALE), short[0])
    if notes <= 0:
        gap("notes", _("Keine Notiz aus einem Gespräch, in dem der Fall vorgestellt wurde"), None)
    score = round(100 * (len(CHECKS) - len(gaps)) / len(CHECKS))
    return Completeness(state["slug"], state.get("name", state["slug"]), score, tuple(gaps))


def notes_per_case(uow: UnitOfWork) -> dict[str, int]:
    """For every case slug with any: the number of notes (not deleted) taken after talks (not
    deleted) at which the case was presented."""
    rows = uow.session.execute(
        select(Case.slug, func.count(Note.id))
        .join(TalkCase, TalkCase.case_id == Case.id)
        .join(Talk, Talk.id == TalkCase.talk_id)
        .join(Note, Note.talk_id == Talk.id)
        .where(Talk.deleted_at.is_(None), Note.deleted_at.is_(None))
        .group_by(Case.slug)
    )
    return {slug: count for slug, count in rows}


def assess_all(
    uow: UnitOfWork, states: Iterable[Mapping[str, Any]], vocabulary: Vocabulary
) -> list[Completeness]:
    """Every given case assessed, most gaps first, then by name."""
    notes = notes_per_case(uow)
    found = [assess(s, vocabulary, notes.get(s["slug"], 0)) for s in states]
    return sorted(found, key=lambda c: (-len(c.gaps), c.name.casefold(), c.slug))


def completeness_json(
    uow: UnitOfWork, states: Iterable[Mapping[str, Any]], vocabulary: Vocabulary
) -> dict[str, dict[str, Any]]:
    """`{slug: {"score", "gaps": [codes]}}` for the given cases, in their order: what the JSON
    export and the /cases.json download carry."""
    notes = notes_per_case(uow)
    return {s["slug"]: assess(s, vocabulary, notes.get(s["slug"], 0)).as_json() for s in states}


def queue(uow: UnitOfWork, vocabulary: Vocabulary) -> list[Completeness]:
    """Every case that is not deleted, most gaps first (the editors' work queue)."""
    return assess_all(uow, (case_state(c) for c in list_cases(uow)), vocabulary)
