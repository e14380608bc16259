"""Use cases for cases (Kooperationsmodelle): read, list, save with a revision."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kb.catalogue.schemas import CaseIn
from kb.catalogue.vocabulary import Vocabulary
from kb.errors import NotFound
from kb.i18n import DEFAULT, _
from kb.revisions import begin_save, record_revision, saves_atomically
from kb.unit_of_work import UnitOfWork
from models import (
    Actor,
    Award,
    Case,
    CaseAlias,
    CaseInstrument,
    CaseSource,
    Funding,
    Instrument,
    KeyDate,
    Talk,
    TalkCase,
)

CASE_LOAD = (
    selectinload(Case.aliases),
    selectinload(Case.actors),
    selectinload(Case.instruments),
    selectinload(Case.funding),
    selectinload(Case.awards),
    selectinload(Case.key_dates),
    selectinload(Case.sources),
)


def find_case(uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Case | None:
    stmt = select(Case).where(Case.slug == slug).options(*CASE_LOAD)
    if not include_deleted:
        stmt = stmt.where(Case.deleted_at.is_(None))
    return uow.session.scalars(stmt).first()


def get_case(uow: UnitOfWork, slug: str) -> Case:
    case = find_case(uow, slug)
    if case is None:
        raise NotFound(_("Kein Fall mit dem Kürzel '%(slug)s'", slug=slug))
    return case


def list_cases(uow: UnitOfWork) -> list[Case]:
    """All cases that are not deleted, by name."""
    return list(
        uow.session.scalars(
            select(Case).where(Case.deleted_at.is_(None)).options(*CASE_LOAD).order_by(Case.name)
        )
    )


def case_state(case: Case) -> dict[str, Any]:
    """The case in its canonical form: the shape of `CaseIn`, as stored in revisions and files."""
    return {
        "slug": case.slug,
        "name": case.name,
        "aliases": [{"name": a.name, "note": a.note} for a in case.aliases],
        "city": case.city,
        "land": case.land,
        "municipality": {
            "population": case.population,
            "population_year": case.population_year,
            "population_source": case.population_source,
            "size_class": case.size_class,
            "size_class_rationale": case.size_class_rationale,
            "lat": case.lat,
            "lon": case.lon,
        },
        "governance": {"type": case.governance_type, "rationale": case.governance_rationale},
        "scale": {"type": case.scale, "rationale": case.scale_rationale},
        "start_year": case.start_year,
        "end_year": case.end_year,
        "status": case.status,
        "carrier": {"name": case.carrier_name, "legal_form": case.carrier_legal_form},
        "actors": [
            {"name": a.name, "kind": a.kind, "role": a.role, "source": a.source}
            for a in case.actors
        ],
        "instruments": [{"code": u.instrument.slug, "note": u.note} for u in case.instruments],
        "funding": [
            {
                "programme": f.programme,
                "funder": f.funder,
                "amount": f.amount,
                "period": f.period,
                "note": f.note,
                "source": f.source,
            }
            for f in case.funding
        ],
        "awards": [
            {"name": a.name, "year": a.year, "note": a.note, "source": a.source}
            for a in case.awards
        ],
        "key_dates": [
            {"date": k.date, "event": k.event, "source": k.source} for k in case.key_dates
        ],
        "summary": case.summary,
        "summary_en": case.summary_en,
        "description": case.description,
        "website": case.website,
        "sources": [{"url": s.url, "supports": s.supports} for s in case.sources],
    }


def sync_instruments(uow: UnitOfWork, vocabulary: Vocabulary) -> dict[str, Instrument]:
    """Make the instrument rows match the vocabulary (labels and definitions follow the file).
    The rows hold the German wording, whatever the language of the request that saves."""
    existing = {i.slug: i for i in uow.session.scalars(select(Instrument))}
    for term in vocabulary.terms["instruments"].values():
        row = existing.get(term.code)
        if row is None:
            row = existing[term.code] = Instrument(slug=term.code)
            uow.session.add(row)
        german = (term.label_in(DEFAULT), term.definition_in(DEFAULT))
        if (row.label, row.definition) != german:
            row.label, row.definition = german
    uow.session.flush()
    return existing


def _apply(uow: UnitOfWork, case: Case, data: CaseIn, instruments: dict[str, Instrument]) -> None:
    case.slug, case.name, case.city, case.land = data.slug, data.name, data.city, data.land
    m = data.municipality
    case.population, case.population_year = m.population, m.population_year
    case.population_source = m.population_source
    case.size_class, case.size_class_rationale = m.size_class, m.size_class_rationale
    case.lat, case.lon = m.lat, m.lon
    case.governance_type, case.governance_rationale = (
        data.governance.type,
        data.governance.rationale,
    )
    case.scale, case.scale_rationale = data.scale.type, data.scale.rationale
    case.start_year, case.end_year, case.status = data.start_year, data.end_year, data.status
    case.carrier_name, case.carrier_legal_form = data.carrier.name, data.carrier.legal_form
    case.summary, case.description, case.website = data.summary, data.description, data.website
    case.summary_en = data.summary_en
    # Owned lists are replaced whole: they have no identity of their own beyond their position.
    case.aliases = [CaseAlias(position=i, **a.model_dump()) for i, a in enumerate(data.aliases)]
    case.actors = [Actor(position=i, **a.model_dump()) for i, a in enumerate(data.actors)]
    case.funding = [Funding(position=i, **f.model_dump()) for i, f in enumerate(data.funding)]
    case.awards = [Award(position=i, **a.model_dump()) for i, a in enumerate(data.awards)]
    case.key_dates = [KeyDate(position=i, **k.model_dump()) for i, k in enumerate(data.key_dates)]
    case.sources = [CaseSource(position=i, **s.model_dump()) for i, s in enumerate(data.sources)]
    # Flush the removal of the old instrument links first: their composite keys may come back.
    case.instruments = []
    uow.session.flush()
    case.instruments = [
        CaseInstrument(position=i, instrument=instruments[u.code], note=u.note)
        for i, u in enumerate(data.instruments)
    ]


@saves_atomically
def save_case(
    uow: UnitOfWork,
    data: CaseIn,
    vocabulary: Vocabulary,
    *,
    actor: str,
    reason: str = "",
    user_id: int | None = None,
    expected_version: int | None = None,
    as_action: str | None = None,
) -> tuple[Case, bool]:
    """Create or update the case `data.slug`; return it and whether anything changed.

    An unchanged save writes nothing. `expected_version` guards against overwriting a change
    that the saver has not seen; `as_action` names the revision's action when it is not a
    plain create or update (a restore of an old version).
    """
    instruments = sync_instruments(uow, vocabulary)
    case = find_case(uow, data.slug, include_deleted=True)
    new_state = data.model_dump(mode="json")
    action = begin_save(
        case, case_state, new_state, expected_version, _("Der Fall '%(slug)s'", slug=data.slug)
    )
    if action is None:
        assert case is not None  # None means: it exists and nothing changed
        return case, False
    if case is None:
        case = Case(version=1)
        uow.session.add(case)
    _apply(uow, case, data, instruments)
    uow.session.flush()
    record_revision(
        uow,
        "case",
        case.id,
        case_state(case),
        action=as_action or action,
        actor=actor,
        reason=reason,
        user_id=user_id,
    )
    return case, True


def talks_presenting(uow: UnitOfWork, case: Case) -> list[Talk]:
    """The talks (not deleted) at which the case was presented, in date order."""
    return list(
        uow.session.scalars(
            select(Talk)
            .join(TalkCase)
            .where(TalkCase.case_id == case.id, Talk.deleted_at.is_(None))
            .options(selectinload(Talk.series))
            .order_by(Talk.date, Talk.slug)
        )
    )


def list_cases_by_ids(uow: UnitOfWork, ids: list[int]) -> list[Case]:
    """The given cases, fully loaded, in the order of `ids` (a filtered, sorted set)."""
    found = _load_in_chunks(uow, Case.id, ids)
    return [found[i] for i in ids if i in found]


def list_cases_by_slugs(uow: UnitOfWork, slugs: list[str]) -> list[Case]:
    """The given cases that are not deleted, fully loaded, in the order of `slugs` (search
    hits); a slug without such a case is left out."""
    found = _load_in_chunks(uow, Case.slug, slugs)
    return [found[s] for s in slugs if s in found and found[s].deleted_at is None]


def _load_in_chunks(uow: UnitOfWork, column: Any, keys: list[Any]) -> dict[Any, Case]:
    found: dict[Any, Case] = {}
    # In chunks: SQLite limits the number of bound parameters in one statement.
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        stmt = select(Case).where(column.in_(chunk)).options(*CASE_LOAD)
        for case in uow.session.scalars(stmt):
            found[getattr(case, column.key)] = case
    return found
