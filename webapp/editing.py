"""Editors create and edit cases, talks and series through forms. The forms are validated by
the same kb code as the YAML import (kb.catalogue.schemas.validate, then
save_case/save_talk/save_series); an error brings the form back with every message next to
its field and everything typed kept; a save based on an outdated version (optimistic locking)
is refused with both versions shown. The form controls and the form <-> state mapping live
in webapp/forms.py."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel.speaklater import LazyString

from kb.catalogue.browsing import case_rows, collation_key
from kb.catalogue.completeness import CHECKS, queue
from kb.catalogue.schemas import MAX_DB_INT, bounded_int, validate
from kb.catalogue.talks import list_series
from kb.editorial import kinds
from kb.editorial.history import changed_fields, diff_states
from kb.editorial.links import default_result_path, last_check
from kb.errors import Conflict, ValidationError
from kb.slugs import slugify
from webapp.auth import current_user, editor_required
from webapp.context import runtime, uow, vocabulary
from webapp.forms import (
    BLANK_ROWS,
    MORE_ROWS,
    FormSpec,
    FormValues,
    case_form,
    label_of,
    messages_by_name,
    name_of,
    series_form,
    talk_form,
    to_state,
    values_from_form,
    values_from_state,
)
from webapp.links import item_url

bp = Blueprint("editing", __name__)
MAX_REASON = 1000
RESERVED_SLUGS = {"new"}  # /cases/new and /talks/new would hide an item of that name


@dataclass(frozen=True)
class Editing:
    """How the editing views show one kind of item (what it is and how it is saved:
    kb.editorial.kinds)."""

    kind: kinds.Kind
    spec: Callable[[bool], FormSpec]
    page: Callable[[Any], str]
    edit_title: LazyString  # "Fall bearbeiten", in the page's language
    new_title: LazyString  # "Neuer Fall"
    back_text: LazyString  # breadcrumb of the list: its text and endpoint
    back_endpoint: str

    @property
    def back(self) -> tuple[str, str]:
        """The breadcrumb of the list, (text, url), in the page's language."""
        return str(self.back_text), url_for(self.back_endpoint)


def _case_spec(new: bool) -> FormSpec:
    return case_form(vocabulary(), new=new)


def _talk_spec(new: bool) -> FormSpec:
    unit = uow()
    series = tuple((s.slug, s.title) for s in list_series(unit))
    # The light rows of the catalogue, not full cases: a select needs slug, name and city only.
    rows = sorted(case_rows(unit), key=lambda r: collation_key(r.name))
    cases = tuple((r.slug, f"{r.name} ({r.city})") for r in rows)
    return talk_form(vocabulary(), series, cases, new=new)


KINDS = {
    "case": Editing(
        kinds.KINDS["case"],
        _case_spec,
        partial(item_url, "case"),
        lazy_gettext("Fall bearbeiten"),
        lazy_gettext("Neuer Fall"),
        lazy_gettext("Fälle"),
        "pages.cases",
    ),
    "talk": Editing(
        kinds.KINDS["talk"],
        _talk_spec,
        partial(item_url, "talk"),
        lazy_gettext("Gespräch bearbeiten"),
        lazy_gettext("Neues Gespräch"),
        lazy_gettext("Gespräche"),
        "pages.talks",
    ),
    "series": Editing(
        kinds.KINDS["series"],
        lambda new: series_form(new=new),
        partial(item_url, "series"),
        lazy_gettext("Reihe bearbeiten"),
        lazy_gettext("Neue Reihe"),
        lazy_gettext("Gespräche"),
        "pages.talks",
    ),
}


def _render(
    editing: Editing,
    spec: FormSpec,
    form: FormValues,
    item: Any,
    *,
    version: str,
    reason: str = "",
    errors: dict[str, str] | None = None,
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> Any:
    errors = errors or {}
    summary = [(name, *label_of(spec, name), message) for name, message in errors.items()]
    page = render_template(
        "editing/form.html",
        kind=editing,
        spec=spec,
        form=form,
        item=item,
        item_name=getattr(item, "name", None) or getattr(item, "title", ""),
        title=str(editing.edit_title if item is not None else editing.new_title),
        version=version,
        reason=reason,
        errors=errors,
        summary=summary,
        conflict=conflict,
    )
    return page, status


def _form_view(editing: Editing, item: Any, defaults: dict[str, Any] | None = None) -> Any:
    """GET shows the form; POST adds rows ("more"), or validates and saves."""
    spec = editing.spec(item is None)
    unit, user = uow(), current_user()
    if request.method == "GET":
        state = editing.kind.state(item) if item is not None else (defaults or {})
        form = values_from_state(spec, state).with_blank_rows(spec, BLANK_ROWS)
        return _render(editing, spec, form, item, version=str(item.version) if item else "")

    version = request.form.get("version", "")
    reason = request.form.get("reason", "")
    if "more" in request.form:
        # More empty rows without saving: the rows are kept as submitted, empty ones too.
        form = values_from_form(spec, request.form, compact=False)
        form = form.with_blank_rows(spec, MORE_ROWS, only=request.form.get("more", ""))
        return _render(editing, spec, form, item, version=version, reason=reason)

    form = values_from_form(spec, request.form, compact=True)
    state = to_state(spec, form)
    if item is not None:
        form.values["slug"] = state["slug"] = item.slug  # the slug is never renamed here
    elif not form.get("slug").strip():
        form.values["slug"] = state["slug"] = slugify(form.get(editing.kind.title_field))
    data, problems = validate(editing.kind.schema, state, vocabulary())
    errors = messages_by_name(problems)
    if not state["slug"] and editing.kind.title_field in errors:
        del errors["slug"]  # no name, no suggested slug: the name's message says it all
    slug = str(state.get("slug", ""))
    # Deleted items too: their slug stays taken.
    taken = item is None and (
        slug in RESERVED_SLUGS or editing.kind.find(unit, slug, include_deleted=True) is not None
    )
    if taken:
        errors["slug"] = _("dieses Kürzel ist schon vergeben; bitte ein anderes wählen")
    shown = form.with_blank_rows(spec, BLANK_ROWS)
    if data is None or errors:
        return _render(
            editing, spec, shown, item, version=version, reason=reason, errors=errors, status=400
        )

    # A new item expects "no version yet": if someone created the same slug meanwhile, that is
    # a conflict rather than an overwrite.
    expected = bounded_int(version, 0, MAX_DB_INT)
    try:
        saved, changed = editing.kind.save(
            unit,
            data,
            vocabulary(),
            actor=user.username,
            user_id=user.id,
            reason=reason.strip()[:MAX_REASON],
            expected_version=expected if item is not None else 0,
        )
    except ValidationError as exc:  # references checked at save time: a talk's series, cases
        unit.rollback()
        errors = {name_of(e.field): e.message for e in exc.errors}
        return _render(
            editing, spec, shown, item, version=version, reason=reason, errors=errors, status=400
        )
    except Conflict as exc:
        unit.rollback()
        if item is None:
            errors = {
                "slug": _("dieses Kürzel wurde inzwischen vergeben; bitte ein anderes wählen")
            }
            return _render(
                editing, spec, shown, item, version="", reason=reason, errors=errors, status=409
            )
        current_item = editing.kind.get(unit, item.slug)
        current, mine = editing.kind.state(current_item), data.model_dump(mode="json")
        conflict = {
            "message": str(exc),
            "fields": changed_fields(current, mine),
            "changes": diff_states(current, mine, vocabulary()),
            "current": [c for c in diff_states(None, current, vocabulary()) if c.after],
        }
        # The form keeps the user's input but now builds on the version saved meanwhile.
        return _render(
            editing,
            spec,
            shown,
            current_item,
            version=str(current_item.version),
            reason=reason,
            conflict=conflict,
            status=409,
        )
    unit.commit()
    flash(_("Gespeichert.") if changed else _("Keine Änderungen."))
    return redirect(editing.page(saved))


@bp.get("/editor/queue")
@editor_required
def editor_queue() -> str:
    """The editors' work queue: every case with what it lacks, most gaps first."""
    found = queue(uow(), vocabulary())
    return render_template(
        "editing/queue.html",
        incomplete=[c for c in found if c.gaps],
        complete=[c for c in found if not c.gaps],
        checks=len(CHECKS),
        links=last_check(default_result_path(runtime().settings.instance_dir)),
    )


@bp.route("/cases/new", methods=["GET", "POST"])
@editor_required
def new_case() -> Any:
    return _form_view(KINDS["case"], None, {"status": "unknown"})


@bp.route("/cases/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_case(slug: str) -> Any:
    return _form_view(KINDS["case"], KINDS["case"].kind.get(uow(), slug))


@bp.route("/talks/new", methods=["GET", "POST"])
@editor_required
def new_talk() -> Any:
    return _form_view(
        KINDS["talk"], None, {"format": "talk", "series": request.args.get("series", "")}
    )


@bp.route("/talks/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_talk(slug: str) -> Any:
    return _form_view(KINDS["talk"], KINDS["talk"].kind.get(uow(), slug))


@bp.route("/series/new", methods=["GET", "POST"])
@editor_required
def new_series() -> Any:
    return _form_view(KINDS["series"], None)


@bp.route("/series/<slug>/edit", methods=["GET", "POST"])
@editor_required
def edit_series(slug: str) -> Any:
    return _form_view(KINDS["series"], KINDS["series"].kind.get(uow(), slug))
