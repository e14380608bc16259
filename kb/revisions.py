"""Revisions: every change to a case, talk, series or note is stored with its full new state."""

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from kb.errors import Conflict
from kb.i18n import _
from kb.unit_of_work import UnitOfWork
from models import Revision
from models.outbox import log_change


def latest_revision(uow: UnitOfWork, entity_type: str, entity_id: int) -> Revision | None:
    return uow.session.scalars(
        select(Revision)
        .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
        .order_by(Revision.number.desc())
        .limit(1)
    ).first()


def record_revision(
    uow: UnitOfWork,
    entity_type: str,
    entity_id: int,
    state: dict[str, Any],
    *,
    action: str,
    actor: str,
    reason: str = "",
    user_id: int | None = None,
) -> Revision:
    number = (
        uow.session.scalar(
            select(func.max(Revision.number)).where(
                Revision.entity_type == entity_type, Revision.entity_id == entity_id
            )
        )
        or 0
    ) + 1
    revision = Revision(
        entity_type=entity_type,
        entity_id=entity_id,
        number=number,
        action=action,
        actor=actor,
        user_id=user_id,
        reason=reason,
        state=state,
    )
    uow.session.add(revision)
    # Logged at the commit of the same transaction (models.outbox): every search index
    # learns of it, even if this process dies right after the commit.
    log_change(uow.session, entity_type, entity_id)
    uow.changed(entity_type, entity_id)
    return revision


def list_revisions(uow: UnitOfWork, entity_type: str, entity_id: int) -> list[Revision]:
    return list(
        uow.session.scalars(
            select(Revision)
            .where(Revision.entity_type == entity_type, Revision.entity_id == entity_id)
            .order_by(Revision.number)
        )
    )


class Versioned(Protocol):
    version: int


V = TypeVar("V", bound=Versioned)


def begin_save(
    existing: V | None,
    state_of: Callable[[V], dict[str, Any]],
    new_state: dict[str, Any],
    expected_version: int | None,
    label: str,
) -> str | None:
    """Decide what a save does: "create", "update" (and bump the version), or None when the new
    state equals the stored one. A save based on an outdated version raises Conflict."""
    if existing is None:
        return "create"
    if expected_version is not None and existing.version != expected_version:
        raise Conflict(
            _(
                "%(item)s wurde inzwischen geändert "
                "(Version %(current)s, bearbeitet wurde Version %(edited)s)",
                item=label,
                current=existing.version,
                edited=expected_version,
            )
        )
    if state_of(existing) == new_state:
        return None
    existing.version += 1
    return "update"


F = TypeVar("F", bound=Callable[..., Any])


def saves_atomically(save: F) -> F:
    """A save that loses a race (another process inserted the same slug between our check and
    our insert) raises Conflict like any outdated save, instead of a database error. The
    session then needs a rollback, which every caller of a Conflict does."""

    @wraps(save)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return save(*args, **kwargs)
        except IntegrityError as exc:
            raise Conflict(
                _(
                    "Gleichzeitig wurde ein Eintrag mit demselben Kürzel gespeichert (oder die "
                    "Datenbank hat die Änderung aus einem anderen Grund abgelehnt); nichts wurde "
                    "überschrieben, bitte neu laden und prüfen"
                )
            ) from exc

    return guarded  # type: ignore[return-value]
