"""Revisions: every change to a case, talk, series or note is stored with its full new state."""

from typing import Any

from sqlalchemy import func, select

from kb.unit_of_work import UnitOfWork
from models import Revision


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
