"""Revisions: the full state of a case, talk, series or note after each change, who and why;
and the catalogue's version, raised at the commit of every transaction that wrote one (or
logged a change for the search indexes: models.outbox, whose entries are inserted right
after the version is raised, so that their ids follow commit order)."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
    update,
)
from sqlalchemy.orm import Mapped, Session, SessionTransaction, UOWTransaction, mapped_column

from models.base import Base, UTCDateTime, utcnow
from models.outbox import append_logged, forget_unlogged, unlogged


class Revision(Base):
    __tablename__ = "revision"
    __table_args__ = (
        UniqueConstraint("entity_type", "entity_id", "number", name="uq_revision_entity_number"),
        Index("ix_revision_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    # Who: a user name, or "seed" / "import" for changes that came from files.
    actor: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class CatalogueVersion(Base):
    """One row: a number raised by every transaction that writes a revision, at its commit.
    Unlike revision ids (taken when a row is inserted, so on PostgreSQL two writers can commit
    them out of order), it grows in commit order: the row lock makes a second writer wait for
    the first one's commit. kb.watermark compares it to tell whether the catalogue changed."""

    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# Kept with the models, so that every process that writes revisions raises the version,
# whichever part of kb it runs.
_WROTE = "models.revisions.wrote"  # key in Session.info: this transaction flushed a revision


@event.listens_for(Session, "after_flush")
def _note_revisions(session: Session, _: UOWTransaction) -> None:
    # In after_flush, `new` still lists what this flush inserted.
    if any(isinstance(item, Revision) for item in session.new):
        session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _raise_version(session: Session) -> None:
    """The last statement before a writing transaction commits: its row lock is held only for
    the commit, and a second writer's increment waits for it, so versions follow commits."""
    session.flush()  # commit flushes after this event: its revisions must count too
    if not session.info.pop(_WROTE, False) and not unlogged(session):
        return
    raised = session.execute(
        update(CatalogueVersion).values(value=CatalogueVersion.value + 1)
    ).rowcount  # type: ignore[attr-defined]
    if not raised:  # the row is missing (a database emptied by hand): start counting again
        session.execute(insert(CatalogueVersion).values(id=1, value=1))
    # Under the version's row lock, held until the commit: the log's ids follow commit order.
    append_logged(session)


@event.listens_for(Session, "after_rollback")
def _forget_revisions(session: Session) -> None:
    session.info.pop(_WROTE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_unlogged(session: Session, transaction: SessionTransaction) -> None:
    # Only when the outermost transaction ends (committed, rolled back, or its session closed,
    # as UnitOfWork.__exit__ does): what it meant to log must not be logged by the session's
    # next transaction. A savepoint rolled back inside it keeps them: its caller goes on, and
    # a change logged that did not happen only costs a document written again.
    if transaction.parent is None:
        forget_unlogged(session)
