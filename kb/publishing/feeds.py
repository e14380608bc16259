"""What the Atom feeds hold, as plain data: the newest notes (with their Markdown already
rendered and sanitised, so no feed can carry unsanitised HTML) and the latest changes to
cases from the revision table, its words (the action's label, the changed fields' labels) in
the current language. The XML is the web app's business."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from kb.editorial.history import action_label, changed_fields
from kb.markup import render_html
from kb.unit_of_work import UnitOfWork
from models import Note, Revision

FEED_LIMIT = 50


@dataclass(frozen=True)
class NoteEntry:
    slug: str
    title: str
    author: str
    talk_slug: str
    talk_title: str
    updated: dt.datetime
    html: str  # rendered and sanitised by kb.markup.render_html


@dataclass(frozen=True)
class CaseChange:
    revision_id: int
    number: int
    slug: str
    name: str  # the name the case had after this change
    action: str
    action_label: str
    actor: str
    reason: str
    updated: dt.datetime
    fields: list[str]  # top-level fields changed against the previous revision

    @property
    def title(self) -> str:
        return f"{self.name}: {self.action_label}"


def newest_notes(uow: UnitOfWork, limit: int = FEED_LIMIT) -> list[NoteEntry]:
    """The most recently changed notes (not deleted, of talks not deleted), newest first."""
    notes = uow.session.scalars(
        select(Note)
        .where(Note.deleted_at.is_(None))
        .options(selectinload(Note.talk))
        .order_by(Note.updated_at.desc(), Note.id.desc())
        .limit(limit)
    )
    return [
        NoteEntry(
            slug=n.slug,
            title=n.title,
            author=n.author,
            talk_slug=n.talk.slug,
            talk_title=n.talk.title,
            updated=n.updated_at,
            html=render_html(n.body),
        )
        for n in notes
        if n.talk.deleted_at is None
    ]


def case_changes(uow: UnitOfWork, limit: int = FEED_LIMIT) -> list[CaseChange]:
    """The newest revisions of cases, newest first, each with the fields it changed."""
    revisions = list(
        uow.session.scalars(
            select(Revision)
            .where(Revision.entity_type == "case")
            .order_by(Revision.created_at.desc(), Revision.id.desc())
            .limit(limit)
        )
    )
    # The previous revision of each, in one query rather than one per entry.
    wanted = [
        and_(Revision.entity_id == r.entity_id, Revision.number == r.number - 1)
        for r in revisions
        if r.number > 1
    ]
    previous: dict[tuple[int, int], Revision] = {}
    if wanted:
        rows = uow.session.scalars(
            select(Revision).where(Revision.entity_type == "case", or_(*wanted))
        )
        previous = {(r.entity_id, r.number): r for r in rows}
    changes = []
    for r in revisions:
        before = previous.get((r.entity_id, r.number - 1))
        changes.append(
            CaseChange(
                revision_id=r.id,
                number=r.number,
                slug=str(r.state.get("slug", "")),
                name=str(r.state.get("name", "")),
                action=r.action,
                action_label=action_label(r.action),
                actor=r.actor,
                reason=r.reason,
                updated=r.created_at,
                fields=changed_fields(before.state, r.state) if before else [],
            )
        )
    return changes


def last_change(uow: UnitOfWork) -> dt.datetime | None:
    """When anything in the knowledge base last changed: a feed without entries still needs
    an `updated` date, and this one only moves when the content does."""
    return uow.session.scalar(select(func.max(Revision.created_at)))
