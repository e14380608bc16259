"""The search change log (table `search_outbox`): which entities changed, appended in the
transaction of the change, in commit order; which search indexes follow it and how far; and
how far it has been pruned.

Position. An entry's position is its id. Ids are taken at the commit, after the transaction
has raised the catalogue's version (models.revisions), whose row lock a second writer waits
for until the first one has committed: so ids are handed out in commit order, and on
PostgreSQL too a reader that sees an entry sees every entry with a lower id (a transaction
that took ids and then failed leaves a gap, never a later entry below a seen one). An index
that has applied every entry up to position P therefore never has to look below P again.
Entries are never changed; they are deleted (pruned) only once every known index has passed
them, or when they are older than the configured age (kb.search.changelog).

On PostgreSQL the writer also sends a notification on CHANNEL with the commit, which wakes the
followers of other processes (kb.search.follow).
"""

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, insert, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime, utcnow

CHANNEL = "kb_search_log"  # PostgreSQL LISTEN/NOTIFY channel: an entry was committed
_PENDING = "models.outbox.pending"  # key in Session.info: changes to log at the commit


class SearchOutbox(Base):
    """One entry of the change log: an entity changed (its index documents must be written
    again). Kept under its old name: it began as the outbox of a single index."""

    __tablename__ = "search_outbox"
    # Ids must never be reused (SQLite reuses the highest rowid after a delete): they are the
    # positions indexes remember.
    __table_args__ = (
        Index("ix_search_outbox_created_at", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchReplica(Base):
    """A search index that follows the log (one per index directory): the position it has
    applied and when it was last seen. Pruning keeps every entry past the lowest position."""

    __tablename__ = "search_replica"

    index_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SearchLogHorizon(Base):
    """One row: every entry up to `pruned_through` is gone (or was never written). An index
    whose position lies below it has missed changes and must be rebuilt."""

    __tablename__ = "search_log_horizon"

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0)


def log_change(session: Session, entity_type: str, entity_id: int) -> None:
    """Log that an entity changed, at the commit of `session`'s transaction."""
    pending: dict[tuple[str, int], None] = session.info.setdefault(_PENDING, {})
    pending[(entity_type, entity_id)] = None


def unlogged(session: Session) -> list[tuple[str, int]]:
    """The changes `session` will log at its commit (its own, not yet visible to others)."""
    return list(session.info.get(_PENDING, ()))


def forget_unlogged(session: Session) -> None:
    session.info.pop(_PENDING, None)


def append_logged(session: Session) -> None:
    """Insert the session's pending entries (called by the commit hook in models.revisions
    after the version's row lock is taken, so that their ids follow commit order)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    now = utcnow()
    session.execute(
        insert(SearchOutbox),
        [{"entity_type": t, "entity_id": i, "created_at": now} for t, i in pending],
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
