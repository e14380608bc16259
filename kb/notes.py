"""Use cases for notes taken after a talk: read, list, save with a revision."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from kb.errors import FieldError, NotFound, ValidationError
from kb.revisions import begin_save, record_revision
from kb.schemas import NoteIn
from kb.talks import find_talk
from kb.unit_of_work import UnitOfWork
from models import Note, Talk


def find_note(uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Note | None:
    stmt = select(Note).where(Note.slug == slug).options(selectinload(Note.talk))
    if not include_deleted:
        stmt = stmt.where(Note.deleted_at.is_(None))
    return uow.session.scalars(stmt).first()


def get_note(uow: UnitOfWork, slug: str) -> Note:
    note = find_note(uow, slug)
    if note is None:
        raise NotFound(f"Keine Notiz mit dem Kürzel '{slug}'")
    return note


def list_notes(uow: UnitOfWork, talk: Talk | None = None) -> list[Note]:
    """Notes that are not deleted, oldest first (of one talk, or all)."""
    stmt = select(Note).where(Note.deleted_at.is_(None)).options(selectinload(Note.talk))
    if talk is not None:
        stmt = stmt.where(Note.talk_id == talk.id)
    return list(uow.session.scalars(stmt.order_by(Note.created, Note.created_at, Note.slug)))


def note_state(note: Note) -> dict[str, Any]:
    return {
        "slug": note.slug,
        "talk": note.talk.slug,
        "title": note.title,
        "author": note.author,
        "created": note.created.isoformat() if note.created else None,
        "body": note.body,
    }


def save_note(
    uow: UnitOfWork,
    data: NoteIn,
    *,
    actor: str,
    reason: str = "",
    user_id: int | None = None,
    expected_version: int | None = None,
) -> tuple[Note, bool]:
    talk = find_talk(uow, data.talk)
    if talk is None:
        raise ValidationError([FieldError("talk", f"unbekanntes Gespräch '{data.talk}'")])
    note = find_note(uow, data.slug, include_deleted=True)
    new_state = data.model_dump(mode="json")
    action = begin_save(note, note_state, new_state, expected_version, f"Die Notiz '{data.slug}'")
    if action is None:
        assert note is not None  # None means: it exists and nothing changed
        return note, False
    if note is None:
        note = Note(version=1)
        uow.session.add(note)
    for key, value in data.model_dump(exclude={"talk"}).items():
        setattr(note, key, value)
    note.talk = talk
    uow.session.flush()
    record_revision(
        uow,
        "note",
        note.id,
        note_state(note),
        action=action,
        actor=actor,
        reason=reason,
        user_id=user_id,
    )
    return note, True


def notes_of_talks(uow: UnitOfWork, talks: list[Talk]) -> list[Note]:
    """Notes (not deleted) taken after any of the given talks, oldest first."""
    if not talks:
        return []
    return list(
        uow.session.scalars(
            select(Note)
            .where(Note.deleted_at.is_(None), Note.talk_id.in_([t.id for t in talks]))
            .options(selectinload(Note.talk))
            .order_by(Note.created, Note.created_at, Note.slug)
        )
    )


def latest_notes(uow: UnitOfWork, limit: int = 5) -> list[Note]:
    """The most recently written notes (not deleted), newest first."""
    return list(
        uow.session.scalars(
            select(Note)
            .where(Note.deleted_at.is_(None))
            .options(selectinload(Note.talk))
            .order_by(Note.id.desc())  # ids grow with each new note; the key is indexed
            .limit(limit)
        )
    )


def count_notes(uow: UnitOfWork) -> int:
    return (
        uow.session.scalar(select(func.count()).select_from(Note).where(Note.deleted_at.is_(None)))
        or 0
    )
