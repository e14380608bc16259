"""The running knowledge base: settings, database engine, vocabulary, and units of work.

Built once per process by a boundary (CLI, web app, test); never at import time.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import Settings
from kb.unit_of_work import Change, CommitListener, UnitOfWork
from models import make_engine, make_session_factory

# Imported where used, so that a command loads only what it needs (`kb --help` and `kb search`
# start fast): migrations, importing and the search engine each cost a tenth of a second or more.
if TYPE_CHECKING:
    from kb.exchange.importing import ImportReport
    from kb.search.follow import LogFollower
    from kb.search.service import BackgroundIndexer, SearchIndexService

Progress = Callable[[int, int], None]  # done, total


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    listeners: list[CommitListener] = field(default_factory=list)
    # A long-running process (the web app) sets it: a search that finds changes pending in the
    # outbox wakes the background indexer (SearchIndexService.on_pending). A command does not:
    # it would wait for the catch-up when it closes.
    wake_on_pending: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "Runtime":
        engine = make_engine(settings.database_url)
        runtime = cls(settings, engine, make_session_factory(engine))
        runtime.listeners.append(runtime.index_changes)
        return runtime

    @cached_property
    def search_index(self) -> "SearchIndexService":
        from kb.search.service import SearchIndexService
        from search_index.engine import SearchEngine

        service = SearchIndexService(
            SearchEngine(self.settings.index_dir),
            self.vocabulary,
            self.uow,
            keep_days=self.settings.log_keep_days,
        )
        if self.wake_on_pending:
            service.on_pending = lambda: self.indexer.notify()
        return service

    @cached_property
    def indexer(self) -> "BackgroundIndexer":
        from kb.search.service import BackgroundIndexer

        return BackgroundIndexer(self.search_index, self.uow)

    @cached_property
    def follower(self) -> "LogFollower":
        from kb.search.follow import LogFollower

        return LogFollower(
            self.search_index, self.indexer, self.uow, self.engine, self.settings.log_poll_seconds
        )

    def follow_log(self) -> None:
        """Follow the change log in the background (long-running processes: `kb serve`), so
        that what other processes save is indexed here within about a second; close() ends
        it. Without it, searches still see their changes at once (the overlay)."""
        self.follower.start()

    def index_changes(self, changes: list[Change]) -> None:
        """After a commit: let the background indexer bring the index up to date. Searches see
        the change at once anyway (it is in the outbox, committed with it)."""
        if changes:
            self.indexer.notify()

    def flush_index(self, timeout: float = 30.0) -> bool:
        """Wait until the index has every change committed so far by this process."""
        return self.indexer.flush(timeout) if "indexer" in self.__dict__ else True

    @cached_property
    def vocabulary(self) -> Vocabulary:
        # The file changes only with a deploy; templates ask for a label many times per page.
        return load_vocabulary(self.settings.vocabulary_file)

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.listeners)

    def upgrade_schema(self) -> None:
        """Create or upgrade the database schema to the newest migration."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", "models:migrations")
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    def init(self, progress: Progress | None = None) -> "ImportReport":
        """Upgrade the schema and load the seed catalogue. Running it again changes nothing, and
        an item edited since it was loaded is kept as edited. `progress(done, total)` follows
        the index build, when there is one."""
        from kb.exchange.importing import import_paths

        self.upgrade_schema()
        if self.search_index.engine.store.check() != "ok":
            with self.uow() as uow:  # before any save starts the background indexer's thread
                self.search_index.rebuild(uow, progress=progress)
        with self.uow() as uow:
            report = import_paths(
                uow, [self.settings.seed_dir], self.vocabulary, actor="seed", policy="seed"
            )
            uow.commit()
        self.flush_index(timeout=600)
        with self.uow() as uow:
            self.search_index.catch_up(uow, timeout=10)
            uow.commit()
        return report

    def import_files(
        self, paths: list[Path], actor: str = "import", progress: Progress | None = None
    ) -> "ImportReport":
        """Import files in one unit of work; `progress(done, total)` counts the items written."""
        from kb.exchange.importing import import_paths

        with self.uow() as uow:
            report = import_paths(uow, paths, self.vocabulary, actor=actor, progress=progress)
            uow.commit()
        return report

    def close(self) -> None:
        """Finish writing the index (a process that stops earlier leaves it to the next one),
        then let go of files and connections."""
        if "follower" in self.__dict__:
            self.follower.stop()
        if "indexer" in self.__dict__:
            self.indexer.stop()
        if "search_index" in self.__dict__:
            self.search_index.repair.wait(timeout=30)
            self.search_index.engine.close()
        self.engine.dispose()

    def database_ok(self) -> bool:
        """Whether the database answers (for /healthz)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table("case")
