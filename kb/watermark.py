"""Per-process caches of derived data that stay valid until the catalogue changes.

The mark of the catalogue's state is its version (models.CatalogueVersion, which
models.revisions raises at the commit of every transaction that wrote a revision, in commit
order), the newest revision (a unit of work that wrote one sees its own, uncommitted, under a
mark of its own), and the highest case and note ids (bulk loads that bypass revisions).
Revision ids alone would not do: on PostgreSQL a revision with a lower id can be committed
after one with a higher id, and a cache would keep a state that misses it.

The mark is read from the database, never kept in memory, so that a process notices what
another process (a second web server, the CLI) committed. It is one statement, read at most
once per unit of work: a request that asks for several cached values pays for it once. A
unit of work forgets its mark when it writes, commits or rolls back (session events below), so
that what it computes after its own change is never filed under the mark from before.

Values taken from the search index (`cached_from_index`) are kept only while the index has
every committed change (no entry of the change log past the position it has applied), and
only answers the index really gave.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from kb.unit_of_work import UnitOfWork
from models import Case, CatalogueVersion, Note, Revision, SearchOutbox
from models.outbox import unlogged

T = TypeVar("T")
_MEMO = "kb.watermark"  # key of the mark in Session.info
# A family of values (e.g. the similar cases of each case) keeps at most this many, least
# recently used going first; single values (the case table) are a family of one.
FAMILY_SIZE = 4096


@dataclass(frozen=True)
class Stamp:
    """The state of the catalogue (`catalogue`) and the newest entry of the search change log
    (`pending`, None when it is empty): an index that has applied it has everything."""

    catalogue: tuple[Any, ...]
    pending: int | None


def _newest_revision(column: Any) -> Any:
    return select(column).order_by(Revision.id.desc()).limit(1).scalar_subquery()


# One round trip: max(id) reads one index entry each, where count(*) would read every row.
_STAMP = select(
    select(func.max(CatalogueVersion.value)).scalar_subquery(),
    _newest_revision(Revision.id),
    _newest_revision(Revision.created_at),
    select(func.max(Case.id)).scalar_subquery(),
    select(func.max(Note.id)).scalar_subquery(),
    select(func.max(SearchOutbox.id)).scalar_subquery(),
)


def stamp(uow: UnitOfWork) -> Stamp:
    """The catalogue's stamp, read once per unit of work (until it writes or ends)."""
    session = uow.session
    memo: Stamp | None = session.info.get(_MEMO)
    # Unflushed changes would be flushed by the next query, so the mark is read again (its
    # query flushes them first): a value computed with them is never filed under the old mark.
    if memo is None or session.new or session.dirty or session.deleted:
        version, revision, created_at, cases, notes, pending = session.execute(_STAMP).one()
        memo = Stamp((version, revision, created_at, cases, notes), pending)
        session.info[_MEMO] = memo
    return memo


def watermark(uow: UnitOfWork) -> tuple[Any, ...]:
    """The state of the catalogue: equal marks, equal catalogue."""
    return stamp(uow).catalogue


def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_MEMO, None)


# Registered on the Session class: every session of every runtime forgets its mark once it has
# written (after_flush) or its transaction ended (commit, rollback, close).
for _name in ("after_flush", "after_transaction_end"):
    event.listen(Session, _name, _forget)


@dataclass
class _Family:
    mark: Hashable
    values: "OrderedDict[Hashable, Any]"


_cache: dict[tuple[str, Hashable], _Family] = {}
_lock = threading.Lock()


def _lookup(family: tuple[str, Hashable], mark: Hashable, key: Hashable) -> tuple[bool, Any]:
    with _lock:
        found = _cache.get(family)
        if found is None or found.mark != mark or key not in found.values:
            return False, None
        found.values.move_to_end(key)
        return True, found.values[key]


def _store(
    family: tuple[str, Hashable], mark: Hashable, key: Hashable, value: Any, limit: int
) -> None:
    with _lock:
        found = _cache.get(family)
        if found is None or found.mark != mark:
            # Another catalogue state replaces the whole family: values of older states are
            # never asked for again (lookups compare the mark).
            found = _cache[family] = _Family(mark, OrderedDict())
        found.values[key] = value
        while len(found.values) > limit:
            found.values.popitem(last=False)


def _family(uow: UnitOfWork, key: Hashable) -> tuple[str, Hashable]:
    # One database's values never answer for another's (tests run many in one process).
    name = key[0] if isinstance(key, tuple) and key else key
    return (str(uow.session.get_bind().engine.url), name)


def cached(
    uow: UnitOfWork, key: Hashable, compute: Callable[[], T], *, limit: int = FAMILY_SIZE
) -> T:
    """`compute()`, reused in this process until the catalogue changes. Keys that are tuples
    form a family by their first element (e.g. one value per case), bounded by `limit` (large
    values, such as a drawn map per filter, keep fewer)."""
    mark = watermark(uow)  # read before computing: a change meanwhile makes a new mark
    family = _family(uow, key)
    hit, value = _lookup(family, mark, key)
    if hit:
        return value  # type: ignore[no-any-return]
    value = compute()
    _store(family, mark, key, value, limit)
    return value


def cached_from_index(
    uow: UnitOfWork, key: Hashable, compute: Callable[[], T | None], applied: int | None = None
) -> T | None:
    """Like `cached`, for answers of the search index whose commit has applied the change
    log up to `applied`: kept only while that is every committed change (otherwise it may
    still answer for the catalogue before the change) and the unit of work has no change of
    its own, and only real answers (`compute()` returns None when the index could not
    answer)."""
    current = stamp(uow)
    behind = current.pending is not None and (applied is None or applied < current.pending)
    if behind or unlogged(uow.session):
        return compute()
    family = _family(uow, key)
    hit, value = _lookup(family, current.catalogue, key)
    if hit:
        return value  # type: ignore[no-any-return]
    value = compute()
    if value is not None:
        _store(family, current.catalogue, key, value, FAMILY_SIZE)
    return value
