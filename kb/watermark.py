"""Per-process caches of derived data that stay valid until the next revision: every change to
a case, talk or note writes one, so the newest revision (with the row counts, which also catch
bulk loads that bypass revisions) marks the state of the catalogue."""

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select

from kb.unit_of_work import UnitOfWork
from models import Case, Note, Revision

T = TypeVar("T")
_cache: dict[tuple[str, Hashable], tuple[tuple[Any, ...], Any]] = {}
_lock = threading.Lock()


def watermark(uow: UnitOfWork) -> tuple[Any, ...]:
    session = uow.session
    newest = session.execute(
        select(Revision.id, Revision.created_at).order_by(Revision.id.desc()).limit(1)
    ).first()
    # max(id) reads one index entry; count(*) would read every row of the note table.
    cases = session.scalar(select(func.max(Case.id)))
    notes = session.scalar(select(func.max(Note.id)))
    return (tuple(newest) if newest else None, cases, notes)


def cached(uow: UnitOfWork, key: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, reused in this process until the catalogue changes."""
    full_key = (str(uow.session.get_bind().engine.url), key)
    mark = watermark(uow)
    with _lock:
        hit = _cache.get(full_key)
    if hit is not None and hit[0] == mark:
        return hit[1]  # type: ignore[no-any-return]
    value = compute()
    with _lock:
        _cache[full_key] = (mark, value)
    return value
