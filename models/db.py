"""Engine and session factories; the only place that knows how to connect (and, for SQLite,
creates the database file readable by its owner only)."""

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one process writes (web workers plus a CLI import).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_sqlite_file(url: str) -> None:
    """Create the file of a SQLite URL with mode 0600 if it does not exist yet: it holds the
    password hashes, and SQLite itself would create it world-readable (0644 under the usual
    umask); its -wal and -shm files take the database file's mode. An existing file keeps its
    mode (the operator may have chosen a group for backups). Memory databases, `uri=true` URLs
    and a folder that does not exist (SQLite reports that) are left alone."""
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return
    # O_EXCL: never touch a file another process has just created; an empty file is a valid
    # empty SQLite database.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; SQLite gets its file created 0600 (see
    `create_sqlite_file`), foreign keys, WAL and a busy timeout.

    Every engine pings a pooled connection before handing it out: after a database restart
    (or a dropped network path) the pool still holds connections to the old server, and
    without the ping the first request after recovery would fail on one of them. On SQLite the
    ping is an in-process `SELECT 1`, too cheap to be worth a backend switch.
    """
    kwargs.setdefault("pool_pre_ping", True)
    create_sqlite_file(url)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


class Listener:
    """A connection of its own that LISTENs on a PostgreSQL channel (psycopg 3, autocommit):
    `wait(timeout)` returns True once a notification arrived (all waiting ones are taken)."""

    def __init__(self, engine: Engine, channel: str) -> None:
        import psycopg  # only on PostgreSQL; a dependency of the project anyway

        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection = psycopg.connect(conninfo, autocommit=True)
        self._connection.execute(f'LISTEN "{channel}"')

    def wait(self, timeout: float) -> bool:
        notified = False
        for _ in self._connection.notifies(timeout=timeout, stop_after=1):
            notified = True
        if notified:  # take the others that came meanwhile, without waiting
            for _ in self._connection.notifies(timeout=0):
                pass
        return notified

    def close(self) -> None:
        self._connection.close()


def listener(engine: Engine, channel: str) -> Listener | None:
    """A Listener on `channel` for a PostgreSQL engine; None for other backends (SQLite has no
    notifications: its readers poll)."""
    if engine.dialect.name != "postgresql":
        return None
    return Listener(engine, channel)
