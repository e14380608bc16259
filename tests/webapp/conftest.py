"""A seeded site shared by the read-only web tests of a module (seeding per test would triple
the suite's time); tests that write use the function-scoped `client` of tests/conftest.py."""

from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.config import DEFAULT_SEED_DIR, Settings
from kb.editorial.users import add_user
from kb.runtime import Runtime
from webapp import create_app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("site")
    settings = Settings(
        instance_dir=folder,
        database_url=f"sqlite:///{folder / 'kb.sqlite3'}",
        index_dir=folder / "index",
        secret_key="test-secret",
        seed_dir=DEFAULT_SEED_DIR,
    )
    runtime = Runtime.from_settings(settings)
    runtime.init()
    runtime.close()
    app = create_app(settings, TESTING=True)
    yield app
    app.extensions["kb"].close()


@pytest.fixture
def web(site: Flask) -> FlaskClient:
    return site.test_client()


@pytest.fixture
def editor(make_app: Callable[..., Flask], seeded: Runtime) -> FlaskClient:
    """A client logged in as the editor "anna" on a seeded app of its own (for writes)."""
    from tests.webapp.test_auth import PASSWORD, login

    with seeded.uow() as uow:
        add_user(uow, "anna", PASSWORD, "editor", "Anna Beispiel")
        uow.commit()
    client = make_app(seeded.settings).test_client()
    login(client, "anna")
    return client


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: elements with their attributes, texts of
    headings and links, and the labels' `for` targets."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.headings: list[tuple[str, str]] = []  # (tag, text)
        self._open: list[tuple[str, dict[str, str], list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag in ("a", "h1", "h2", "h3", "h4", "label"):
            self._open.append((tag, attributes, []))

    def handle_data(self, data: str) -> None:
        for _, _, texts in self._open:
            texts.append(data)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                _, attributes, texts = self._open.pop(i)
                text = " ".join("".join(texts).replace("\xad", "").split())
                if tag == "a":
                    self.links.append((attributes.get("href", ""), text))
                elif tag != "label":
                    self.headings.append((tag, text))
                break

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag]

    def hrefs(self) -> list[str]:
        return [href for href, _ in self.links]

    def link_to(self, text: str) -> str:
        """The href of the first link whose text contains `text`."""
        for href, label in self.links:
            if text in label:
                return href
        raise AssertionError(f"no link with text {text!r}")
