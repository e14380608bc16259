"""The log follower: keeps a long-running process's index following the change log that every
process appends to, so that a save in another process (another app server with its own index
directory) is indexed here within about a second.

A thread compares the position the index has applied with the log's newest entry and wakes
the background indexer (BackgroundIndexer, which catches up and registers the position) when
the index is behind or has missed pruned entries. On PostgreSQL it waits for the writers'
notifications (LISTEN, models.outbox.CHANNEL) and looks at least every LISTEN_CHECK seconds
anyway (a notification sent while its connection was down is not lost for long); on SQLite it
looks every `poll` seconds (Settings.log_poll_seconds): one read of an index entry. Every
HEARTBEAT seconds it registers the index's position (last seen) and prunes the log, also when
nothing happens.
"""

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine

from kb.search import changelog
from kb.search.service import BackgroundIndexer, SearchIndexService
from kb.unit_of_work import UnitOfWork
from models.db import Listener, listener
from models.outbox import CHANNEL
from search_index.documents import IndexUnavailable

log = logging.getLogger(__name__)
LISTEN_CHECK = 5.0  # seconds: the longest a PostgreSQL follower waits without looking
HEARTBEAT = 60.0  # seconds between registrations of the index's position
# Seconds the index must have had nothing to write before the follower joins the small segments
# that fast commits left (search_index.pairs.merge_when_many): a merge holds the writer for a
# second or more, which is better spent when no save waits.
MERGE_WHEN_IDLE = 2.0
RETRY = 5.0  # seconds before a lost database or listening connection is tried again


class LogFollower:
    def __init__(
        self,
        service: SearchIndexService,
        indexer: BackgroundIndexer,
        make_uow: Callable[[], UnitOfWork],
        engine: Engine,
        poll: float,
    ) -> None:
        self._service = service
        self._indexer = indexer
        self._make_uow = make_uow
        self._engine = engine
        self._poll = poll
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._beat = 0.0
        self._busy = time.monotonic()  # when the index last had something to write
        self.wakes = 0  # how often it woke the indexer, for tests and the log

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kb-log-follower", daemon=True)
        self._thread.start()

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        listening: Listener | None = None
        postgres = self._engine.dialect.name == "postgresql"
        while not self._stop.is_set():
            if postgres and listening is None:
                try:
                    listening = listener(self._engine, CHANNEL)
                except Exception:
                    log.warning("listening for search log entries failed; polling meanwhile")
            try:
                self.check()
            except Exception:
                log.exception("following the search log failed; trying again")
                self._stop.wait(RETRY)
                continue
            if listening is None:
                self._stop.wait(self._poll if not postgres else min(self._poll * 2, RETRY))
                continue
            try:
                # Short waits, so that stop() is heeded within a second.
                deadline = time.monotonic() + LISTEN_CHECK
                while not self._stop.is_set() and time.monotonic() < deadline:
                    if listening.wait(min(1.0, LISTEN_CHECK)):
                        break
            except Exception:
                log.warning("the connection listening for search log entries was lost")
                listening.close()
                listening = None
        if listening is not None:
            listening.close()

    def _idle_merge(self) -> bool:
        return self._service.engine.store.merge()

    def check(self) -> bool:
        """Wake the indexer if the index lacks log entries (or missed pruned ones); register
        the index's position every HEARTBEAT seconds. Returns whether it woke the indexer.
        An index that is missing or cannot be read is rebuilt instead (IndexRepair, which
        waits a minute after a failure before it tries again): a catch-up could not write it."""
        try:
            applied = self._service.engine.store.applied_position()
        except IndexUnavailable:
            self._service.repair.start()
            return False
        with self._make_uow() as uow:
            newest = changelog.newest(uow)
            behind = (newest is not None and newest > (applied or 0)) or changelog.lagging(
                uow, applied
            )
            if not behind and time.monotonic() - self._beat >= HEARTBEAT:
                if applied is not None:
                    changelog.register(uow, self._service.engine.store.replica_id(), applied)
                changelog.prune(uow, self._service.keep_days)
                uow.commit()
                self._beat = time.monotonic()
        if behind:
            self._busy = time.monotonic()
            self.wakes += 1
            self._indexer.notify()
        elif (
            time.monotonic() - self._busy >= MERGE_WHEN_IDLE and self._service.engine.store.merge()
        ):
            self._busy = time.monotonic()  # a merge is a change too: wait before the next
        return behind
