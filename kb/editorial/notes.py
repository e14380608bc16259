"""Use cases for notes taken after a talk: read, list, save with a revision."""

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, selectinload

from kb.catalogue.files import parse_text, read_text
from kb.catalogue.schemas import NoteIn, validate
from kb.catalogue.talks import find_talk
from kb.catalogue.vocabulary import Vocabulary
from kb.editorial.users import find_user
from kb.errors import Conflict, FieldError, NotFound, ValidationError
from kb.i18n import _
from kb.revisions import begin_save, record_revision, saves_atomically
from kb.slugs import slugify
from kb.unit_of_work import UnitOfWork
from kb.watermark import cached
from models import Note, Revision, Talk, User


def find_note(uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Note | None:
    stmt = select(Note).where(Note.slug == slug).options(selectinload(Note.talk))
    if not include_deleted:
        stmt = stmt.where(Note.deleted_at.is_(None))
    return uow.session.scalars(stmt).first()


def get_note(uow: UnitOfWork, slug: str) -> Note:
    note = find_note(uow, slug)
    if note is None:
        raise NotFound(_("Keine Notiz mit dem Kürzel '%(slug)s'", slug=slug))
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


@saves_atomically
def save_note(
    uow: UnitOfWork,
    data: NoteIn,
    vocabulary: Vocabulary | None = None,
    *,
    actor: str,
    reason: str = "",
    user_id: int | None = None,
    expected_version: int | None = None,
    as_action: str | None = None,
) -> tuple[Note, bool]:
    """Create or update the note `data.slug`; its talk must exist. The parameters as in
    `save_case` (a note needs no vocabulary)."""
    talk = find_talk(uow, data.talk)
    if talk is None:
        raise ValidationError(
            [FieldError("talk", _("unbekanntes Gespräch '%(slug)s'", slug=data.talk))]
        )
    note = find_note(uow, data.slug, include_deleted=True)
    new_state = data.model_dump(mode="json")
    action = begin_save(
        note, note_state, new_state, expected_version, _("Die Notiz '%(slug)s'", slug=data.slug)
    )
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
        action=as_action or action,
        actor=actor,
        reason=reason,
        user_id=user_id,
    )
    return note, True


@dataclass(frozen=True)
class NoteEdit:
    """The last change to a note made by someone other than who wrote it."""

    editor: str  # display name (or the actor, e.g. "import")
    at: dt.datetime


def note_edits(uow: UnitOfWork, notes: list[Note]) -> dict[int, NoteEdit]:
    """For each note (by id) whose latest revision was made by someone other than the one who
    created it: who and when, so that a page never shows only the author for a text someone
    else changed ("bearbeitet von … am …"). One query for all notes."""
    if not notes:
        return {}
    rows = uow.session.execute(
        select(
            Revision.entity_id,
            Revision.number,
            Revision.actor,
            Revision.created_at,
            User.display_name,
        )
        .outerjoin(User, User.id == Revision.user_id)
        .where(Revision.entity_type == "note", Revision.entity_id.in_([n.id for n in notes]))
        .order_by(Revision.entity_id, Revision.number)
    ).all()
    first: dict[int, str] = {}
    edits: dict[int, NoteEdit] = {}
    for entity_id, _number, actor, created_at, display_name in rows:
        creator = first.setdefault(entity_id, actor)
        if actor != creator:
            edits[entity_id] = NoteEdit(display_name or actor, created_at)
        else:
            edits.pop(entity_id, None)
    return edits


def _of_talks(talks: list[Talk]) -> Any:
    """The condition "a note (not deleted) taken after one of `talks`"."""
    return and_(Note.deleted_at.is_(None), Note.talk_id.in_([t.id for t in talks]))


def notes_of_talks(uow: UnitOfWork, talks: list[Talk]) -> list[Note]:
    """Notes (not deleted) taken after any of the given talks, oldest first."""
    if not talks:
        return []
    query = select(Note).where(_of_talks(talks)).options(selectinload(Note.talk))
    return list(uow.session.scalars(query.order_by(Note.created, Note.created_at, Note.slug)))


def newest_notes_of_talks(uow: UnitOfWork, talks: list[Talk], limit: int) -> list[Note]:
    """The `limit` newest notes (not deleted) of the given talks, newest first: the order of
    `notes_of_talks` reversed, read without loading the others (a talk may have hundreds)."""
    if not talks:
        return []
    query = select(Note).where(_of_talks(talks)).options(selectinload(Note.talk))
    newest = (Note.created.desc(), Note.created_at.desc(), Note.slug.desc())
    return list(uow.session.scalars(query.order_by(*newest).limit(limit)))


def count_notes_of_talks(uow: UnitOfWork, talks: list[Talk]) -> int:
    """How many notes (not deleted) the given talks have."""
    if not talks:
        return 0
    query = select(func.count()).select_from(Note).where(_of_talks(talks))
    return uow.session.scalar(query) or 0


def latest_notes(uow: UnitOfWork, limit: int = 5) -> list[Note]:
    """The most recently written notes (not deleted, nor their talk), newest first."""
    return list(
        uow.session.scalars(
            select(Note)
            .join(Talk, Talk.id == Note.talk_id)
            .where(Note.deleted_at.is_(None), Talk.deleted_at.is_(None))
            .options(contains_eager(Note.talk))  # the talk from the join: no second query
            .order_by(Note.id.desc())  # ids grow with each new note; the key is indexed
            .limit(limit)
        )
    )


def count_notes(uow: UnitOfWork) -> int:
    """Notes that are not deleted (counting reads every note row, so it is cached)."""
    return cached(uow, "note_count", lambda: _count_notes(uow))


def _count_notes(uow: UnitOfWork) -> int:
    return (
        uow.session.scalar(
            select(func.count())
            .select_from(Note)
            .join(Talk, Talk.id == Note.talk_id)
            .where(Note.deleted_at.is_(None), Talk.deleted_at.is_(None))
        )
        or 0
    )


def note_template(questions: list[str]) -> str:
    """The body a new note starts from: one section per question of the series, then free
    text, so that notes of different talks can be read side by side."""
    sections = [f"## {q}\n\n" for q in questions]
    sections.append("## Weitere Beobachtungen\n\n")
    return "\n".join(sections)


def new_note_slug(uow: UnitOfWork, talk_slug: str, title: str) -> str:
    """A free slug for a new note of the talk, readable from its title."""
    base = slugify(f"{talk_slug}-{slugify(title, 60) or 'notiz'}", 150)
    slug, n = base, 2
    while find_note(uow, slug, include_deleted=True) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def add_note_file(
    uow: UnitOfWork,
    talk_slug: str,
    path: Path,
    username: str,
    vocabulary: Vocabulary,
    *,
    reason: str = "",
) -> Note:
    """Add the note in `path` (Markdown with front matter: title, optionally slug and created;
    `type: note` and `talk` may be left out) to the talk, written by the user `username`.
    Errors name the file, line and field."""
    user = find_user(uow, username)
    if user is None or not user.active:
        raise ValidationError(
            [FieldError("author", _("kein aktives Konto '%(name)s'", name=username))]
        )
    talk = find_talk(uow, talk_slug)
    if talk is None:
        raise NotFound(_("Kein Gespräch mit dem Kürzel '%(slug)s'", slug=talk_slug))
    text = read_text(path)  # bounded like every imported file
    if isinstance(text, FieldError):
        raise ValidationError([text])
    shift = 0
    front = re.match(r"---\r?\n(.*?)\r?\n---", text, re.S)
    if front and not re.search(r"^type\s*:", front[1], re.M):
        # The command says what it adds, a note: the file need not repeat it. The line goes
        # in front of the first key, and messages subtract it again.
        text, shift = "---\ntype: note\n" + text[text.index("\n") + 1 :], 1
    from kb.editorial.kinds import file_types  # the registry builds on this module

    parsed, errors = parse_text(text, str(path), file_types())
    if parsed is None:
        raise ValidationError(
            FieldError(e.field, e.message, e.source, e.line - shift if e.line else e.line)
            for e in errors
        )
    data = dict(parsed.data)
    if data.get("talk", talk.slug) != talk.slug:
        raise ValidationError(
            [
                FieldError(
                    "talk",
                    _(
                        "Die Datei gehört zu '%(file_talk)s', nicht zu '%(talk)s'",
                        file_talk=data["talk"],
                        talk=talk.slug,
                    ),
                    str(path),
                )
            ]
        )
    data["talk"] = talk.slug
    data.setdefault("author", user.display_name or user.username)
    data.setdefault("created", dt.date.today().isoformat())
    data.setdefault("slug", new_note_slug(uow, talk.slug, str(data.get("title") or "notiz")))
    if find_note(uow, str(data["slug"]), include_deleted=True) is not None:
        raise Conflict(_("Eine Notiz mit dem Kürzel '%(slug)s' gibt es schon", slug=data["slug"]))
    note, problems = validate(NoteIn, data, vocabulary, str(path))
    if note is None:
        raise ValidationError(
            FieldError(e.field, e.message, str(path), parsed.line_for(loc) - shift)
            for loc, e in problems
        )
    saved, _changed = save_note(uow, note, actor=user.username, user_id=user.id, reason=reason)
    return saved
