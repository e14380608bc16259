"""The timeline of the talk series as the start page and the talk list show it: every series with
its talks and the cases each presented.

Read as light rows (three plain queries, no ORM objects: with hundreds of talks, loading them
with speakers, sources and full case rows cost more than the rest of the page) and kept per
process until the catalogue changes (kb.watermark): saving, deleting or restoring a series,
talk or case writes a revision, which makes a new mark.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from kb.unit_of_work import UnitOfWork
from kb.watermark import cached
from models import Case, Series, Talk, TalkCase


@dataclass(frozen=True)
class CaseLink:
    """A case a talk presented: enough for a link."""

    slug: str
    name: str


@dataclass(frozen=True)
class TalkEntry:
    """A talk (not deleted) as the timeline shows it."""

    slug: str
    title: str
    date: dt.date
    format: str
    start_time: str
    end_time: str
    venue: str
    cases: tuple[CaseLink, ...]  # presented, not deleted, in their order


@dataclass(frozen=True)
class SeriesEntry:
    """A series with its talks in date order (none for a series just created)."""

    slug: str
    title: str
    organiser: str
    schedule: str
    description: str
    questions: tuple[str, ...]
    talks: tuple[TalkEntry, ...]


def series_timeline(uow: UnitOfWork) -> tuple[SeriesEntry, ...]:
    """Every series (by year and slug) with its talks, kept until the catalogue changes."""
    return cached(uow, "series_timeline", lambda: _read(uow))


def _read(uow: UnitOfWork) -> tuple[SeriesEntry, ...]:
    session = uow.session
    cases: dict[int, list[CaseLink]] = {}
    for talk_id, slug, name in session.execute(
        select(TalkCase.talk_id, Case.slug, Case.name)
        .join(Case, Case.id == TalkCase.case_id)
        .where(Case.deleted_at.is_(None))
        .order_by(TalkCase.talk_id, TalkCase.position)
    ):
        cases.setdefault(talk_id, []).append(CaseLink(slug, name))
    talks: dict[int, list[TalkEntry]] = {}
    for row in session.execute(
        select(
            Talk.id,
            Talk.series_id,
            Talk.slug,
            Talk.title,
            Talk.date,
            Talk.format,
            Talk.start_time,
            Talk.end_time,
            Talk.venue,
        )
        .where(Talk.deleted_at.is_(None))
        .order_by(Talk.date, Talk.slug)
    ):
        entry = TalkEntry(
            row.slug,
            row.title,
            row.date,
            row.format,
            row.start_time,
            row.end_time,
            row.venue,
            tuple(cases.get(row.id, ())),
        )
        talks.setdefault(row.series_id, []).append(entry)
    return tuple(
        SeriesEntry(
            row.slug,
            row.title,
            row.organiser,
            row.schedule,
            row.description,
            tuple(row.questions or ()),
            tuple(talks.get(row.id, ())),
        )
        for row in session.execute(
            select(
                Series.id,
                Series.slug,
                Series.title,
                Series.organiser,
                Series.schedule,
                Series.description,
                Series.questions,
            ).order_by(Series.year, Series.slug)
        )
    )
