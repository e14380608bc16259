"""Instruments of cooperation (Konzeptvergabe, Verfügungsfonds, ...) and the cases that use
them. The rows mirror the `instruments` vocabulary; `kb init` keeps them in step."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from kb.catalogue.vocabulary import Vocabulary
from kb.errors import NotFound
from kb.i18n import _
from kb.unit_of_work import UnitOfWork
from models import Case, CaseInstrument, Instrument


def list_instruments(uow: UnitOfWork) -> list[tuple[Instrument, int]]:
    """Every instrument with the number of cases (not deleted) that use it, by label."""
    used = (
        select(CaseInstrument.instrument_id, func.count().label("n"))
        .join(Case)
        .where(Case.deleted_at.is_(None))
        .group_by(CaseInstrument.instrument_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(Instrument, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.instrument_id == Instrument.id)
        .order_by(Instrument.label)
    )
    return [(instrument, int(n)) for instrument, n in rows]


def get_instrument(uow: UnitOfWork, slug: str) -> Instrument:
    instrument = uow.session.scalars(select(Instrument).where(Instrument.slug == slug)).first()
    if instrument is None:
        raise NotFound(_("Kein Instrument mit dem Kürzel '%(slug)s'", slug=slug))
    return instrument


def instrument_uses(uow: UnitOfWork, instrument: Instrument) -> list[CaseInstrument]:
    """How each case (not deleted) uses the instrument, by case name."""
    return list(
        uow.session.scalars(
            select(CaseInstrument)
            .join(Case)
            .where(CaseInstrument.instrument_id == instrument.id, Case.deleted_at.is_(None))
            .options(joinedload(CaseInstrument.case))
            .order_by(Case.name)
        )
    )


def instrument_label(instrument: Instrument, vocabulary: Vocabulary) -> str:
    """An instrument's name in the current language: its vocabulary term's (the row mirrors
    it); the stored German name of a row the vocabulary no longer has."""
    if vocabulary.has("instruments", instrument.slug):
        return vocabulary.term("instruments", instrument.slug).label
    return instrument.label


def instrument_definition(instrument: Instrument, vocabulary: Vocabulary) -> str:
    """An instrument's definition in the current language, like `instrument_label`."""
    if vocabulary.has("instruments", instrument.slug):
        return vocabulary.term("instruments", instrument.slug).definition
    return instrument.definition
