"""Shared fixtures: settings, a migrated database per test (SQLite always, PostgreSQL when
KB_TEST_DATABASE_URL is set), a kb runtime, units of work, the Flask app and CLI runner.

The seed catalogue is loaded and indexed once per session and backend (`seed_templates`); every
test that asks for `seeded` gets a copy of that database and of its index folder of its own."""

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.pool import QueuePool

from kb.config import Settings
from kb.runtime import Runtime
from kb.unit_of_work import UnitOfWork
from tests.helpers import SeedTemplates, make_settings, truncate_all
from webapp import create_app

PG_URL = os.environ.get("KB_TEST_DATABASE_URL", "")
# The kb command follows the machine's language (kb.i18n.from_environment); the suite expects
# the default, German, wherever it runs. Tests of the English CLI set these themselves.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
    os.environ.pop(_variable, None)
BACKENDS = ["sqlite", "postgresql"]
# The threads a runtime starts (kb.search.service, kb.editorial.links); Runtime.close() ends them.
BACKGROUND_THREADS = ("kb-search-indexer", "kb-index-repair", "kb-log-follower", "link-check-")


def assert_no_background_threads(test: str) -> None:
    """A runtime's thread still working when the test's database is emptied would write into
    (or deadlock with) the next test: fail the test that left it instead."""
    alive = [t.name for t in threading.enumerate() if t.name.startswith(BACKGROUND_THREADS)]
    assert not alive, f"{test}: background threads outlive the test's runtimes: {alive}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once; each test gets a copy (migrating per test would be slow)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    runtime = Runtime.from_settings(make_settings(folder, f"sqlite:///{path}"))
    runtime.upgrade_schema()
    runtime.close()
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> Iterator[str]:
    """The PostgreSQL test database, emptied and migrated once per session."""
    runtime = Runtime.from_settings(make_settings(Path("/tmp"), PG_URL))
    with runtime.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    runtime.upgrade_schema()
    runtime.close()
    yield PG_URL


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "kb.sqlite3"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        assert_no_background_threads(request.node.nodeid)
        return
    if not PG_URL:
        if os.environ.get("KB_REQUIRE_POSTGRES"):
            pytest.fail("KB_REQUIRE_POSTGRES ist gesetzt, aber KB_TEST_DATABASE_URL fehlt")
        pytest.skip("PostgreSQL-Tests: KB_TEST_DATABASE_URL setzen (apt install postgresql)")
    url = request.getfixturevalue("pg_migrated")
    yield url
    assert_no_background_threads(request.node.nodeid)
    runtime = Runtime.from_settings(make_settings(tmp_path, url))
    with runtime.engine.begin() as conn:
        truncate_all(conn)
    runtime.close()


@pytest.fixture(scope="session")
def seed_templates(tmp_path_factory: pytest.TempPathFactory) -> SeedTemplates:
    return SeedTemplates(tmp_path_factory.mktemp("seeded"))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime on an empty, migrated database."""
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def seeded(
    settings: Settings, seed_templates: SeedTemplates, sqlite_template: Path, runtime: Runtime
) -> Runtime:
    """A runtime whose database holds the seed catalogue, indexed: a copy of the session's
    seeded template (database and index folder), so that the test may change it freely."""
    # The runtime has not connected or opened the index yet: its files can be replaced.
    pool = runtime.engine.pool
    assert not isinstance(pool, QueuePool) or pool.checkedout() == 0
    assert "search_index" not in runtime.__dict__
    runtime.engine.dispose()
    seed_templates.restore(settings, sqlite_template)
    return runtime


@pytest.fixture
def uow(runtime: Runtime) -> Iterator[UnitOfWork]:
    with runtime.uow() as unit:
        yield unit


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """Environment for CLI tests: the same database and instance as `settings`."""
    return {
        "KB_INSTANCE": str(settings.instance_dir),
        "KB_DATABASE_URL": settings.database_url,
        "KB_INDEX_DIR": str(settings.index_dir),
        "KB_SECRET_KEY": settings.secret_key,
    }


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build apps for tests and close them (their threads and connections) afterwards, before
    the test's database is emptied: hence the dependency on `database_url`."""
    apps: list[Flask] = []

    def build(settings: Settings, **config: object) -> Flask:
        app = create_app(settings, TESTING=True, **config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.extensions["kb"].close()


@pytest.fixture
def app(make_app: Callable[..., Flask], seeded: Runtime) -> Flask:
    """The web app on the seed catalogue."""
    return make_app(seeded.settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
