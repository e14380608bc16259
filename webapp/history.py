"""History pages of cases, series, talks and notes (public: readers see who changed what), old
versions, restoring one, soft delete (editors) and undelete (admins)."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.catalogue.schemas import MAX_DB_INT
from kb.editorial.history import (
    CODED,
    LABELS,
    action_label,
    get_revision,
    history,
    list_deleted,
    restore_revision,
    set_deleted,
)
from kb.editorial.kinds import KINDS, deletable, noun
from kb.errors import Conflict
from kb.i18n import translate
from webapp.auth import admin_required, current_user, editor_required
from webapp.context import uow, vocabulary
from webapp.links import item_url, url_of

bp = Blueprint("history", __name__)
# A revision number above the database's integer range matches no route (404) instead of
# reaching the query, where PostgreSQL would refuse it with an error (a 500).
NUMBER = f"<int(min=1, max={MAX_DB_INT}):number>"


def kind_label(entity_type: str) -> str:
    """A kind's name in the page's language (kb.editorial.kinds names the kinds)."""
    return translate(noun(entity_type))


def _entity(kind: str, *, deleting: bool = False) -> str:
    """The kind whose history the path's `/cases/`, `/series/`, `/talks/`, `/notes/` names
    (with `deleting`, only a kind whose items can be deleted: not series)."""
    for found in deletable() if deleting else KINDS.values():
        if found.plural_en == kind:
            return found.code
    abort(404)


def page_of(entity_type: str, item: Any) -> str | None:
    """The public page of an item (None while it is deleted)."""
    return None if getattr(item, "deleted_at", None) is not None else item_url(entity_type, item)


def title_of(item: Any) -> str:
    return str(getattr(item, "name", None) or getattr(item, "title", ""))


@bp.get("/<kind>/<slug>/history")
def show(kind: str, slug: str) -> str:
    entity_type = _entity(kind)
    item, entries = history(uow(), entity_type, slug, vocabulary())
    return render_template(
        "history/list.html",
        kind=kind,
        kind_label=kind_label(entity_type),
        item=item,
        title=title_of(item),
        page=page_of(entity_type, item),
        entries=entries,
        coded=CODED,
        deletable=KINDS[entity_type].deletable,
    )


@bp.get(f"/<kind>/<slug>/history/{NUMBER}")
def version(kind: str, slug: str, number: int) -> str:
    entity_type = _entity(kind)
    item, revision = get_revision(uow(), entity_type, slug, number)
    return render_template(
        "history/version.html",
        kind=kind,
        kind_label=kind_label(entity_type),
        item=item,
        title=title_of(item),
        page=page_of(entity_type, item),
        revision=revision,
        action_label=action_label(revision.action),
        labels=LABELS,
    )


@bp.post(f"/<kind>/<slug>/history/{NUMBER}/restore")
@editor_required
def restore(kind: str, slug: str, number: int) -> Any:
    entity_type = _entity(kind)
    unit, user = uow(), current_user()
    try:
        restore_revision(
            unit,
            entity_type,
            slug,
            number,
            vocabulary(),
            actor=user.username,
            user_id=user.id,
            reason=request.form.get("reason", "").strip()[:1000],
        )
    except Conflict as exc:
        unit.rollback()
        flash(str(exc))
        return redirect(url_for("history.show", kind=kind, slug=slug))
    unit.commit()
    flash(_("Fassung %(number)s wiederhergestellt (als neue Fassung).", number=number))
    return redirect(url_for("history.show", kind=kind, slug=slug))


@bp.post("/<kind>/<slug>/delete")
@editor_required
def delete(kind: str, slug: str) -> Any:
    entity_type = _entity(kind, deleting=True)
    unit, user = uow(), current_user()
    item = set_deleted(
        unit,
        entity_type,
        slug,
        True,
        actor=user.username,
        user_id=user.id,
        reason=request.form.get("reason", "").strip()[:1000],
    )
    unit.commit()
    flash(
        _(
            "„%(title)s“ gelöscht. Eine Administratorin kann es wiederherstellen.",
            title=title_of(item),
        )
    )
    if entity_type == "note":
        return redirect(url_of("talk", item.talk.slug))
    return redirect(url_for("pages.cases" if entity_type == "case" else "pages.talks"))


@bp.get("/admin/deleted")
@admin_required
def deleted() -> str:
    return render_template(
        "history/deleted.html",
        items=list_deleted(uow()),
        kinds={k.code: k.plural_en for k in deletable()},
        kind_labels={k.code: kind_label(k.code) for k in deletable()},
        title_of=title_of,
    )


@bp.post("/admin/deleted/<kind>/<slug>/restore")
@admin_required
def undelete(kind: str, slug: str) -> Any:
    entity_type = _entity(kind, deleting=True)
    unit, user = uow(), current_user()
    item = set_deleted(unit, entity_type, slug, False, actor=user.username, user_id=user.id)
    unit.commit()
    flash(_("„%(title)s“ ist wieder sichtbar.", title=title_of(item)))
    return redirect(url_for("history.deleted"))
