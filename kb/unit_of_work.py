"""The unit of work: one database transaction, owned by the boundary (request, CLI command, test).

kb functions take it first, may add and flush, and never commit. `commit()` commits the database
first and then tells the listeners (the search index) what changed: the database is the truth.
"""

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

Change = tuple[str, int]  # (entity type, entity id), e.g. ("case", 3)
CommitListener = Callable[[list[Change]], None]


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        listeners: list[CommitListener] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._listeners = listeners or []
        self._session: Session | None = None
        self.changes: list[Change] = []

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it as a context manager")
        return self._session

    def __enter__(self) -> "UnitOfWork":
        self._session = self._session_factory()
        self.changes = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed; unlike rollback() it leaves the loaded
        # objects readable, so a caller may still render what it read.
        self.session.close()
        self._session = None
        self.changes = []

    def changed(self, entity_type: str, entity_id: int) -> None:
        """Record that an entity changed, so that listeners learn of it after the commit."""
        if (entity_type, entity_id) not in self.changes:
            self.changes.append((entity_type, entity_id))

    def commit(self) -> None:
        self.session.commit()
        changes, self.changes = self.changes, []
        for listener in self._listeners:
            listener(changes)

    def rollback(self) -> None:
        self.session.rollback()
        self.changes = []
