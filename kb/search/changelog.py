"""The search change log as the indexes use it: the entries past an index's position, the
registry of indexes and their positions, and pruning (the log itself: models.outbox).

An index's position is the id of the last log entry it has applied (recorded in its own
commit, search_index.store). Ids follow commit order (models.outbox), so every entry an index
still needs lies above its position. Entries are deleted only when every registered index has
passed them, or when they are older than the configured age (Settings.log_keep_days); the
horizon remembers how far, and an index whose position lies below the horizon has missed
changes and rebuilds itself (SearchIndexService.catch_up).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from kb.unit_of_work import Change, UnitOfWork
from models import SearchLogHorizon, SearchOutbox, SearchReplica
from models.base import utcnow
from models.outbox import unlogged


@dataclass(frozen=True)
class Entries:
    """Log entries past a position: the entities they name (each once, in log order), the
    highest id among them (None when there were none) and how many entries there were."""

    changes: list[Change]
    last: int | None
    rows: int


def entries_after(uow: UnitOfWork, position: int | None, limit: int | None = None) -> Entries:
    """The entries past `position` (None: every entry; an index written before positions
    were kept counts as having applied everything the log no longer holds), at most `limit`."""
    query = (
        select(SearchOutbox.id, SearchOutbox.entity_type, SearchOutbox.entity_id)
        .where(SearchOutbox.id > (position or 0))
        .order_by(SearchOutbox.id)
    )
    if limit is not None:
        query = query.limit(limit)
    rows = uow.session.execute(query).all()
    changes = list(dict.fromkeys((r.entity_type, r.entity_id) for r in rows))
    return Entries(changes, rows[-1].id if rows else None, len(rows))


def own_changes(uow: UnitOfWork) -> list[Change]:
    """What `uow` has changed and will log at its commit (visible only to itself)."""
    return unlogged(uow.session)


def newest(uow: UnitOfWork) -> int | None:
    """The highest position in the log (None: the log is empty)."""
    return uow.session.scalar(select(func.max(SearchOutbox.id)))


def horizon(uow: UnitOfWork) -> int:
    """Every entry up to this position has been pruned (or never existed)."""
    return uow.session.scalar(select(SearchLogHorizon.pruned_through).limit(1)) or 0


def lagging(uow: UnitOfWork, position: int | None) -> bool:
    """Whether an index at `position` has missed entries that were pruned."""
    return (position or 0) < horizon(uow)


def register(uow: UnitOfWork, index_id: str, position: int | None) -> None:
    """Record (in the caller's unit of work) that index `index_id` has applied `position`."""
    values = {"index_id": index_id, "position": position or 0, "last_seen": utcnow()}
    dialect = uow.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(SearchReplica).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[SearchReplica.index_id],
        set_={"position": statement.excluded.position, "last_seen": statement.excluded.last_seen},
    )
    uow.session.execute(statement)


def prune(uow: UnitOfWork, keep_days: float, now: datetime | None = None) -> int:
    """Delete (in the caller's unit of work) the entries every registered index has passed,
    and those older than `keep_days` (0: kept until every index has passed them); indexes not
    seen for that long are forgotten. Raises the horizon; returns it."""
    session = uow.session
    through = horizon(uow)
    start = through
    if keep_days > 0:
        cutoff = (now or utcnow()) - timedelta(days=keep_days)
        session.execute(delete(SearchReplica).where(SearchReplica.last_seen < cutoff))
        oldest = session.scalar(select(SearchOutbox.created_at).order_by(SearchOutbox.id).limit(1))
        if oldest is not None and oldest < cutoff:
            aged = session.scalar(
                select(func.max(SearchOutbox.id)).where(SearchOutbox.created_at < cutoff)
            )
            through = max(through, aged or 0)
    lowest = session.scalar(select(func.min(SearchReplica.position)))
    if lowest is not None:
        through = max(through, lowest)
    if through > start:
        session.execute(delete(SearchOutbox).where(SearchOutbox.id <= through))
        raised = session.execute(
            update(SearchLogHorizon)
            .where(SearchLogHorizon.pruned_through < through)
            .values(pruned_through=through)
        ).rowcount  # type: ignore[attr-defined]
        if not raised and session.scalar(select(func.count()).select_from(SearchLogHorizon)) == 0:
            session.execute(insert(SearchLogHorizon).values(id=1, pruned_through=through))
    return through
