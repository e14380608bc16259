"""Whether the database is reachable: which exceptions mean "the database is away" rather than
a bug (the only module that knows SQLAlchemy's connection-failure exceptions, so boundaries need
not), and a process's memory of an ongoing outage, so that a boundary reports each incident once
instead of once per failing request."""

import threading

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

# OperationalError: the server refused, went away or cannot open the file (SQLite);
# InterfaceError: the driver lost its connection; PoolTimeout: no connection freed up in time;
# DisconnectionError: a pooled connection turned out to be dead.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout, DisconnectionError)


def unavailable_error(exc: BaseException) -> BaseException | None:
    """The exception in `exc`'s chain (itself, then its causes and contexts) that says the
    database cannot be reached, or None. The chain matters because a caller may have wrapped
    the database's error in its own."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, UNAVAILABLE) or (
            isinstance(current, DBAPIError) and current.connection_invalidated
        ):
            return current
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return None


def describe(exc: BaseException) -> str:
    """One line for a log: the driver's error class and the first line of its message
    (SQLAlchemy's own text adds the statement and a link over several lines)."""
    original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0] if lines else ''}"


class Outage:
    """Whether the database is away, as one process has seen it. `failed()` is true only for
    the first failure of an incident and `recovered()` only for the first success after one.
    Thread-safe (waitress serves requests in threads); while the database is up, `recovered()`
    reads one attribute and takes no lock, so calling it on every request costs nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down = False

    @property
    def down(self) -> bool:
        return self._down

    def failed(self) -> bool:
        with self._lock:
            first, self._down = not self._down, True
        return first

    def recovered(self) -> bool:
        if not self._down:
            return False
        with self._lock:
            was_down, self._down = self._down, False
        return was_down
