"""Engine and session factories; the only place that knows how to connect."""

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers go on while one process writes (web workers plus a CLI import).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; SQLite gets foreign keys, WAL and a busy timeout.

    Every engine pings a pooled connection before handing it out: after a database restart
    (or a dropped network path) the pool still holds connections to the old server, and
    without the ping the first request after recovery would fail on one of them. On SQLite the
    ping is an in-process `SELECT 1`, too cheap to be worth a backend switch.
    """
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
