"""Use cases for talk series and their talks: read, list, save with a revision."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kb.catalogue.schemas import SeriesIn, TalkIn
from kb.catalogue.vocabulary import Vocabulary
from kb.errors import FieldError, NotFound, ValidationError
from kb.i18n import _
from kb.revisions import begin_save, record_revision, saves_atomically
from kb.unit_of_work import UnitOfWork
from models import Case, Series, SeriesSource, Speaker, Talk, TalkCase, TalkSource


def find_series(uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Series | None:
    """The series `slug` (series are never deleted: `include_deleted` changes nothing)."""
    return uow.session.scalars(
        select(Series).where(Series.slug == slug).options(selectinload(Series.sources))
    ).first()


def get_series(uow: UnitOfWork, slug: str) -> Series:
    series = find_series(uow, slug)
    if series is None:
        raise NotFound(_("Keine Reihe mit dem Kürzel '%(slug)s'", slug=slug))
    return series


def list_series(uow: UnitOfWork) -> list[Series]:
    return list(
        uow.session.scalars(
            select(Series).options(selectinload(Series.sources)).order_by(Series.year, Series.slug)
        )
    )


def series_state(series: Series) -> dict[str, Any]:
    return {
        "slug": series.slug,
        "title": series.title,
        "organiser": series.organiser,
        "year": series.year,
        "schedule": series.schedule,
        "venue": series.venue,
        "questions": list(series.questions),
        "description": series.description,
        "sources": [{"url": s.url, "supports": s.supports} for s in series.sources],
    }


@saves_atomically
def save_series(
    uow: UnitOfWork,
    data: SeriesIn,
    vocabulary: Vocabulary | None = None,
    *,
    actor: str,
    reason: str = "",
    user_id: int | None = None,
    expected_version: int | None = None,
    as_action: str | None = None,
) -> tuple[Series, bool]:
    """Create or update the series `data.slug`; the parameters as in `save_case` (a series
    needs no vocabulary)."""
    series = find_series(uow, data.slug)
    new_state = data.model_dump(mode="json")
    # Translators: the subject of "… wurde inzwischen geändert (Version 3, …)" (kb.revisions).
    label = _("Die Reihe '%(slug)s'", slug=data.slug)
    action = begin_save(series, series_state, new_state, expected_version, label)
    if action is None:
        assert series is not None  # None means: it exists and nothing changed
        return series, False
    if series is None:
        series = Series(version=1)
        uow.session.add(series)
    fields = data.model_dump(exclude={"sources"})
    for key, value in fields.items():
        setattr(series, key, value)
    series.sources = [
        SeriesSource(position=i, **s.model_dump()) for i, s in enumerate(data.sources)
    ]
    uow.session.flush()
    record_revision(
        uow,
        "series",
        series.id,
        series_state(series),
        action=as_action or action,
        actor=actor,
        reason=reason,
        user_id=user_id,
    )
    return series, True


_TALK_LOAD = (
    selectinload(Talk.speakers),
    selectinload(Talk.presented),
    selectinload(Talk.sources),
    selectinload(Talk.series),
)


def find_talk(uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Talk | None:
    stmt = select(Talk).where(Talk.slug == slug).options(*_TALK_LOAD)
    if not include_deleted:
        stmt = stmt.where(Talk.deleted_at.is_(None))
    return uow.session.scalars(stmt).first()


def get_talk(uow: UnitOfWork, slug: str) -> Talk:
    talk = find_talk(uow, slug)
    if talk is None:
        raise NotFound(_("Kein Gespräch mit dem Kürzel '%(slug)s'", slug=slug))
    return talk


def list_talks(uow: UnitOfWork) -> list[Talk]:
    """All talks that are not deleted, in the order they took place."""
    return list(
        uow.session.scalars(
            select(Talk)
            .where(Talk.deleted_at.is_(None))
            .options(*_TALK_LOAD)
            .order_by(Talk.date, Talk.slug)
        )
    )


def presented_cases(talk: Talk) -> list[Case]:
    """The cases (not deleted) presented at the talk, in their order."""
    return [p.case for p in talk.presented if p.case.deleted_at is None]


def talk_state(talk: Talk) -> dict[str, Any]:
    return {
        "slug": talk.slug,
        "series": talk.series.slug,
        "number": talk.number,
        "format": talk.format,
        "title": talk.title,
        "date": talk.date.isoformat(),
        "announced_date": talk.announced_date.isoformat() if talk.announced_date else None,
        "start_time": talk.start_time,
        "end_time": talk.end_time,
        "venue": talk.venue,
        "announced_as": talk.announced_as,
        "cases": [p.case.slug for p in talk.presented],
        "speakers": [
            {"name": s.name, "side": s.side, "organisation": s.organisation, "role": s.role}
            for s in talk.speakers
        ],
        "sources": [{"url": s.url, "supports": s.supports} for s in talk.sources],
        "summary": talk.summary,
    }


@saves_atomically
def save_talk(
    uow: UnitOfWork,
    data: TalkIn,
    vocabulary: Vocabulary | None = None,
    *,
    actor: str,
    reason: str = "",
    user_id: int | None = None,
    expected_version: int | None = None,
    as_action: str | None = None,
) -> tuple[Talk, bool]:
    """Create or update the talk `data.slug`; its series and cases must exist. The parameters
    as in `save_case` (a talk needs no vocabulary)."""
    series = find_series(uow, data.series)
    cases = {c.slug: c for c in uow.session.scalars(select(Case).where(Case.slug.in_(data.cases)))}
    errors = []
    if series is None:
        errors.append(FieldError("series", _("unbekannte Reihe '%(slug)s'", slug=data.series)))
    for i, slug in enumerate(data.cases):
        if slug not in cases:
            errors.append(FieldError(f"cases[{i}]", _("unbekannter Fall '%(slug)s'", slug=slug)))
    if errors:
        raise ValidationError(errors)
    assert series is not None

    talk = find_talk(uow, data.slug, include_deleted=True)
    new_state = data.model_dump(mode="json")
    # Translators: the subject of "… wurde inzwischen geändert (Version 3, …)" (kb.revisions).
    label = _("Das Gespräch '%(slug)s'", slug=data.slug)
    action = begin_save(talk, talk_state, new_state, expected_version, label)
    if action is None:
        assert talk is not None  # None means: it exists and nothing changed
        return talk, False
    if talk is None:
        talk = Talk(version=1)
        uow.session.add(talk)
    for key, value in data.model_dump(exclude={"series", "cases", "speakers", "sources"}).items():
        setattr(talk, key, value)
    talk.series = series
    talk.speakers = [Speaker(position=i, **s.model_dump()) for i, s in enumerate(data.speakers)]
    talk.sources = [TalkSource(position=i, **s.model_dump()) for i, s in enumerate(data.sources)]
    talk.presented = []
    uow.session.flush()
    talk.presented = [TalkCase(position=i, case=cases[s]) for i, s in enumerate(data.cases)]
    uow.session.flush()
    record_revision(
        uow,
        "talk",
        talk.id,
        talk_state(talk),
        action=as_action or action,
        actor=actor,
        reason=reason,
        user_id=user_id,
    )
    return talk, True
