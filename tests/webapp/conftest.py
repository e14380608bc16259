"""A seeded site shared by the read-only web tests of a module (a copy of the session's seeded
template, like `seeded`); tests that write use the function-scoped `client` of
tests/conftest.py."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.editorial.users import add_user
from kb.runtime import Runtime
from tests.helpers import SeedTemplates, make_settings
from tests.webapp.helpers import PASSWORD, login
from webapp import create_app


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, seed_templates: SeedTemplates, sqlite_template: Path
) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("site")
    settings = make_settings(folder, f"sqlite:///{folder / 'kb.sqlite3'}")
    seed_templates.restore(settings, sqlite_template)
    app = create_app(settings, TESTING=True)
    yield app
    app.extensions["kb"].close()


@pytest.fixture
def web(site: Flask) -> FlaskClient:
    return site.test_client()


@pytest.fixture
def editor(make_app: Callable[..., Flask], seeded: Runtime) -> FlaskClient:
    """A client logged in as the editor "anna" on a seeded app of its own (for writes)."""
    with seeded.uow() as uow:
        add_user(uow, "anna", PASSWORD, "editor", "Anna Beispiel")
        uow.commit()
    client = make_app(seeded.settings).test_client()
    login(client, "anna")
    return client


@pytest.fixture
def editors_app(make_app: Callable[..., Flask], seeded: Runtime) -> Flask:
    """A seeded app of its own with the editors anna and bert and the admin root."""
    with seeded.uow() as uow:
        add_user(uow, "anna", PASSWORD, "editor", "Anna Beispiel")
        add_user(uow, "bert", PASSWORD, "editor", "Bert Muster")
        add_user(uow, "root", PASSWORD, "admin")
        uow.commit()
    return make_app(seeded.settings)
