"""Writing notes after a talk: the form (with a template built from the series' three
questions, a preview, and every typed character kept on errors), and editing a note with
optimistic locking."""

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _

from kb.catalogue.schemas import MAX_BODY, MAX_DB_INT, NoteIn, bounded_int, validate
from kb.catalogue.talks import get_talk
from kb.editorial.history import changed_fields
from kb.editorial.notes import get_note, new_note_slug, note_state, note_template, save_note
from kb.errors import Conflict
from kb.markup import render_html
from webapp.auth import current_user, editor_required
from webapp.context import uow, vocabulary
from webapp.links import url_of

bp = Blueprint("notes", __name__)
FIELDS = ("title", "created", "body")


def _form() -> dict[str, str]:
    form = request.form
    return {k: form.get(k, "") for k in (*FIELDS, "reason", "version")}


def _render(talk: Any, values: dict[str, str], status: int = 200, **extra: Any) -> Any:
    page = render_template(
        "notes/form.html",
        talk=talk,
        values=values,
        errors=extra.pop("errors", {}),
        # A text over the limit is refused with a message at the field and not rendered.
        preview=render_html(values["body"])
        if extra.pop("show_preview", False) and len(values["body"]) <= MAX_BODY
        else None,
        **extra,
    )
    return page, status


def _validate(data: dict[str, Any]) -> tuple[NoteIn | None, dict[str, str]]:
    note, errors = validate(NoteIn, data, vocabulary())
    messages: dict[str, str] = {}
    for loc, error in errors:
        field = str(loc[0]) if loc else "body"
        messages.setdefault(field if field in FIELDS else "body", error.message)
    return note, messages


@bp.route("/talks/<slug>/notes/new", methods=["GET", "POST"])
@editor_required
def create(slug: str) -> Any:
    unit = uow()
    talk = get_talk(unit, slug)
    user = current_user()
    if request.method == "GET":
        values = {
            "title": "",
            "created": dt.date.today().isoformat(),
            "body": note_template(list(talk.series.questions or [])),
            "reason": "",
            "version": "",
        }
        return _render(talk, values)
    values = _form()
    data = {
        "slug": new_note_slug(unit, talk.slug, values["title"] or "notiz"),
        "talk": talk.slug,
        "title": values["title"].strip(),
        "author": user.display_name or user.username,
        "created": values["created"] or None,
        "body": values["body"],
    }
    note, errors = _validate(data)
    if "preview" in request.form or note is None:
        return _render(talk, values, 400 if errors else 200, errors=errors, show_preview=True)
    saved, _changed = save_note(unit, note, actor=user.username, user_id=user.id)
    unit.commit()
    flash(_("Notiz gespeichert."))
    return redirect(url_of("note", talk.slug, saved.slug))


@bp.route("/notes/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit(slug: str) -> Any:
    unit = uow()
    note = get_note(unit, slug)
    talk = note.talk
    user = current_user()
    if request.method == "GET":
        state = note_state(note)
        values = {
            "title": state["title"],
            "created": state["created"] or "",
            "body": state["body"],
            "reason": "",
            "version": str(note.version),
        }
        return _render(talk, values, note=note)
    values = _form()
    data = {**note_state(note), "title": values["title"].strip(), "body": values["body"]}
    data["created"] = values["created"] or None
    parsed, errors = _validate(data)
    if "preview" in request.form or parsed is None:
        status = 400 if errors else 200
        return _render(talk, values, status, note=note, errors=errors, show_preview=True)
    version = values["version"]
    expected = bounded_int(version, 0, MAX_DB_INT)
    try:
        _saved, changed = save_note(
            unit,
            parsed,
            actor=user.username,
            user_id=user.id,
            reason=values["reason"].strip()[:1000],
            expected_version=expected,
        )
    except Conflict as exc:
        unit.rollback()
        current = note_state(get_note(unit, slug))
        conflict = {
            "message": str(exc),
            "current": current,
            "fields": changed_fields(current, {**current, **parsed.model_dump(mode="json")}),
        }
        values["version"] = str(get_note(unit, slug).version)  # a re-submit builds on it
        return _render(talk, values, 409, note=note, conflict=conflict)
    unit.commit()
    flash(_("Notiz gespeichert.") if changed else _("Keine Änderungen."))
    return redirect(url_of("note", talk.slug, slug))
