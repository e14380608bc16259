"""A database that goes away and comes back, for real, on every backend: PostgreSQL behind a
TCP proxy that is stopped (which drops every pooled connection, as a restart of the server
does), SQLite by moving its folder out of reach. Pages answer 503 with Retry-After and never
500, the log gets one warning per incident and no traceback, and the first request after the
database is back succeeds."""

import dataclasses
import logging
import selectors
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from kb.config import Settings
from tests.helpers import SeedTemplates

PAGES = ["/cases", "/cases/freiraumbuero-halle", "/search?q=Halle", "/api/cases"]
TITLE = "Datenbank vorübergehend nicht erreichbar"


class Proxy:
    """A TCP proxy on 127.0.0.1 in one thread. `stop()` closes every connection through it and
    refuses new ones, as a stopped database server does; `start()` listens again on the same
    port. Bounded: at most MAX_CONNECTIONS at a time, the rest are closed at once."""

    MAX_CONNECTIONS = 32

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # The port stays the same across a restart (the app's URL names it), although the
        # connections closed by the last stop are still in TIME_WAIT.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, args=(listener,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._stopping.set()
            self._thread.join(timeout=10)
            assert not self._thread.is_alive()
            self._thread = None

    def _serve(self, listener: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(listener, selectors.EVENT_READ)
        peers: dict[socket.socket, socket.socket] = {}
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.05):
                    sock: socket.socket = key.fileobj  # type: ignore[assignment]
                    if sock is listener:
                        self._accept(listener, selector, peers)
                    elif sock in peers:  # not closed earlier in this round
                        self._pump(sock, selector, peers)
        finally:
            for sock in peers:
                sock.close()
            listener.close()
            selector.close()

    def _accept(
        self,
        listener: socket.socket,
        selector: selectors.BaseSelector,
        peers: dict[socket.socket, socket.socket],
    ) -> None:
        client, _ = listener.accept()
        if len(peers) >= 2 * self.MAX_CONNECTIONS:
            client.close()
            return
        try:
            server = socket.create_connection(self.upstream, timeout=10)
        except OSError:
            client.close()
            return
        peers[client], peers[server] = server, client
        selector.register(client, selectors.EVENT_READ)
        selector.register(server, selectors.EVENT_READ)

    def _pump(
        self,
        sock: socket.socket,
        selector: selectors.BaseSelector,
        peers: dict[socket.socket, socket.socket],
    ) -> None:
        try:
            data = sock.recv(65536)
            if data:
                peers[sock].sendall(data)
                return
        except OSError:
            pass
        other = peers.pop(sock)
        peers.pop(other, None)
        for end in (sock, other):
            selector.unregister(end)
            end.close()


@dataclasses.dataclass
class Site:
    """The web app on a seeded database that a test can take away and give back."""

    app: Flask
    down: Callable[[], None]
    up: Callable[[], None]

    @property
    def client(self) -> FlaskClient:
        return self.app.test_client()


@pytest.fixture
def site(
    settings: Settings,
    tmp_path: Path,
    make_app: Callable[..., Flask],
    seed_templates: SeedTemplates,
    sqlite_template: Path,
) -> Iterator[Site]:
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        # The database in a folder of its own, so that moving it away leaves the search index.
        assert url.database
        folder, away = tmp_path / "db", tmp_path / "db-away"
        folder.mkdir()
        shutil.move(url.database, folder / "kb.sqlite3")
        settings = dataclasses.replace(settings, database_url=f"sqlite:///{folder}/kb.sqlite3")

        def down() -> None:
            folder.rename(away)
            # An open SQLite connection keeps its file open through a rename; a server that
            # stops takes its connections with it, so the pool has to let go of them here.
            app.extensions["kb"].engine.dispose()

        def up() -> None:
            away.rename(folder)

        def restore() -> None:
            if away.exists():
                up()

    else:
        assert url.host and url.port
        proxy = Proxy(url.host, url.port)
        proxy.start()
        proxied = url.set(host="127.0.0.1", port=proxy.port)
        settings = dataclasses.replace(
            settings, database_url=proxied.render_as_string(hide_password=False)
        )
        down, up, restore = proxy.stop, proxy.start, proxy.stop
    seed_templates.restore(settings, sqlite_template)  # the seed catalogue, indexed
    app = make_app(settings)
    try:
        yield Site(app, down, up)
    finally:
        restore()


def assert_unavailable(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 503, (path, response.status_code)
    assert response.headers["Retry-After"] == "10"
    assert response.headers["Cache-Control"] == "no-store"
    if path.startswith("/api/"):
        assert response.get_json()["error"]["status"] == 503
        assert response.get_json()["error"]["title"] == TITLE
    else:
        assert response.mimetype == "text/html"
        assert f"<h1>{TITLE}" in response.get_data(as_text=True)


def test_a_database_away_answers_503_logs_one_line_and_recovers(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    client = site.client
    assert client.get("/cases").status_code == 200  # the pool now holds a connection
    caplog.set_level(logging.INFO)
    site.down()
    for _ in range(3):
        for path in PAGES:
            assert_unavailable(client, path)
    # A logged-in editor's page too: its header would look the user up in the database.
    with client.session_transaction() as session:
        session["user_id"] = 1
    assert_unavailable(client, "/cases")

    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING
    assert "Datenbank nicht erreichbar" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert [r for r in caplog.records if r.exc_info] == []

    caplog.clear()
    site.up()
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/cases/freiraumbuero-halle").status_code == 200
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO] == [
        "Datenbank wieder erreichbar"
    ]


def test_the_first_request_after_a_restart_succeeds(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    client = site.client
    assert client.get("/cases").status_code == 200  # the pool now holds a connection
    # Away and back between two requests: the pooled connection is dead, the database is not.
    site.down()
    site.up()
    for path in PAGES:
        assert client.get(path).status_code == 200, path
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
