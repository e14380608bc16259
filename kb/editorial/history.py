"""The history of cases, series, talks and notes as readers and editors use it: every revision
with its readable per-field differences ("Governance-Typ: Bottom-up → Cross-over"), old versions,
restoring one (itself a new revision), and soft delete with an admin's undelete. Nothing is ever
removed from the database."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from kb.catalogue.schemas import validate_or_raise
from kb.catalogue.vocabulary import Vocabulary
from kb.editorial.kinds import KINDS, Kind, deletable
from kb.errors import Conflict, NotFound
from kb.i18n import N_, _, translate
from kb.labels import Labels, label
from kb.revisions import list_revisions, record_revision
from kb.unit_of_work import UnitOfWork
from models import Revision

# What a revision did, in German (N_: shown with action_label(), in the current language).
ACTIONS = {
    "create": N_("angelegt"),
    "update": N_("geändert"),
    "restore": N_("ältere Fassung wiederhergestellt"),
    "delete": N_("gelöscht"),
    "undelete": N_("wiederhergestellt (Löschung aufgehoben)"),
}


def action_label(action: str) -> str:
    """What a revision's action did, in the current language (an unknown code as it is)."""
    return translate(ACTIONS[action]) if action in ACTIONS else action


# German labels of the fields of the canonical states (dotted paths; lists by their name): the
# table of kb.labels, read on every lookup (the version page shows a state's keys with it).
LABELS = Labels()
# Which vocabulary a coded field's values come from (shown by label).
CODED = {
    "land": "lands",
    "municipality.size_class": "size_classes",
    "governance.type": "governance_types",
    "scale.type": "scales",
    "status": "statuses",
    "format": "talk_formats",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str

    def __str__(self) -> str:
        return f"{self.label}: {self.before or '–'} → {self.after or '–'}"


@dataclass(frozen=True)
class RevisionEntry:
    revision: Revision
    action_label: str
    changes: list[FieldChange]


def _flatten(state: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in state.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _text(field: str, value: Any, vocabulary: Vocabulary) -> str:
    """A value as one readable line (list items separated by "; ")."""
    if value is None or value == "" or value == []:
        return ""
    if field in CODED:
        return vocabulary.label(CODED[field], value)
    if isinstance(value, list):
        return "; ".join(_item(v) for v in value)
    text = " ".join(str(value).split())
    return text if len(text) <= 300 else text[:299] + " …"


def _item(value: Any) -> str:
    if isinstance(value, dict):
        return " · ".join(str(v) for v in value.values() if v not in (None, ""))
    return str(value)


def diff_states(
    old: dict[str, Any] | None, new: dict[str, Any], vocabulary: Vocabulary
) -> list[FieldChange]:
    """What changed from `old` to `new`, field by field, in the order of the state."""
    before, after = _flatten(old or {}), _flatten(new)
    changes = []
    for field in [*after, *(f for f in before if f not in after)]:
        if before.get(field) != after.get(field):
            changes.append(
                FieldChange(
                    field,
                    label(field, default=field),
                    _text(field, before.get(field), vocabulary),
                    _text(field, after.get(field), vocabulary),
                )
            )
    return changes


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """German labels of the fields that differ (for short summaries: feeds, conflicts)."""
    before, after = _flatten(old or {}), _flatten(new)
    fields = [*after, *(f for f in before if f not in after)]
    return [label(f, default=f) for f in fields if before.get(f) != after.get(f)]


def kind_with_history(entity_type: str) -> Kind | None:
    """The kind, if there is one of that code: every kind's saves are revisions, so every
    item has a history to read (series too, which cannot be deleted)."""
    return KINDS.get(entity_type)


def item_of(uow: UnitOfWork, entity_type: str, slug: str) -> Any:
    """The item, deleted ones included (their history stays readable)."""
    kind = kind_with_history(entity_type)
    item = kind.find(uow, slug, include_deleted=True) if kind else None
    if item is None:
        raise NotFound(_("Kein Eintrag '%(slug)s'", slug=slug))
    return item


def history(
    uow: UnitOfWork, entity_type: str, slug: str, vocabulary: Vocabulary
) -> tuple[Any, list[RevisionEntry]]:
    """The item and its revisions, newest first, each with its changes against the one
    before."""
    item = item_of(uow, entity_type, slug)
    entries, previous = [], None
    for revision in list_revisions(uow, entity_type, item.id):
        changes = (
            []
            if revision.action in ("delete", "undelete")
            else diff_states(previous, revision.state, vocabulary)
        )
        if revision.action == "create":
            changes = [c for c in changes if c.after]  # a creation: only what it set
        entries.append(RevisionEntry(revision, action_label(revision.action), changes))
        previous = revision.state
    return item, entries[::-1]


def get_revision(uow: UnitOfWork, entity_type: str, slug: str, number: int) -> tuple[Any, Revision]:
    item = item_of(uow, entity_type, slug)
    revision = uow.session.scalars(
        select(Revision).where(
            Revision.entity_type == entity_type,
            Revision.entity_id == item.id,
            Revision.number == number,
        )
    ).first()
    if revision is None:
        raise NotFound(_("Keine Fassung %(number)s von '%(slug)s'", number=number, slug=slug))
    return item, revision


def restore_revision(
    uow: UnitOfWork,
    entity_type: str,
    slug: str,
    number: int,
    vocabulary: Vocabulary,
    *,
    actor: str,
    user_id: int | None = None,
    reason: str = "",
) -> Any:
    """Make version `number` the current one again: a new revision with that state (validated
    like any input, so an old state that no longer fits the vocabularies is refused)."""
    item, revision = get_revision(uow, entity_type, slug, number)
    kind = KINDS[entity_type]
    data = validate_or_raise(
        kind.schema, revision.state, vocabulary, _("Fassung %(number)s", number=number)
    )
    saved, changed = kind.save(
        uow,
        data,
        vocabulary,
        actor=actor,
        user_id=user_id,
        # Stored with the revision, so German like all content, whatever the page's language.
        reason=reason or f"Fassung {number} wiederhergestellt",
        expected_version=item.version,
        as_action="restore",
    )
    if not changed:
        raise Conflict(
            _("Fassung %(number)s entspricht bereits dem aktuellen Stand", number=number)
        )
    return saved


def set_deleted(
    uow: UnitOfWork,
    entity_type: str,
    slug: str,
    deleted: bool,
    *,
    actor: str,
    user_id: int | None = None,
    reason: str = "",
) -> Any:
    """Soft delete (hidden everywhere, kept with its history) or undo it; either is a
    revision."""
    item, kind = item_of(uow, entity_type, slug), KINDS[entity_type]
    if not kind.deletable:
        raise Conflict(_("%(kinds)s können nicht gelöscht werden", kinds=kind.plural))
    if (item.deleted_at is not None) == deleted:
        raise Conflict(
            _("%(kind)s '%(slug)s' ist bereits gelöscht", kind=kind.the, slug=slug)
            if deleted
            else _("%(kind)s '%(slug)s' ist nicht gelöscht", kind=kind.the, slug=slug)
        )
    item.deleted_at = dt.datetime.now(dt.UTC) if deleted else None
    item.version += 1
    uow.session.flush()
    record_revision(
        uow,
        entity_type,
        item.id,
        kind.state(item),
        action="delete" if deleted else "undelete",
        actor=actor,
        user_id=user_id,
        reason=reason,
    )
    return item


def list_deleted(uow: UnitOfWork) -> list[tuple[str, Any]]:
    """Every deleted case, talk and note, most recently deleted first."""
    found: list[tuple[str, Any]] = []
    for kind in deletable():
        rows = uow.session.scalars(select(kind.model).where(kind.model.deleted_at.is_not(None)))
        found += [(kind.code, row) for row in rows]
    return sorted(found, key=lambda pair: pair[1].deleted_at, reverse=True)
