"""Hosts and headers: a request for an untrusted host gets the 400 page and never sees its host
written back; absolute URLs (feeds, citations, downloads) use KB_BASE_URL whatever host was
asked for; HSTS over HTTPS only, a Permissions-Policy everywhere; the SQLite file is created
0600; a CSRF token older than its lifetime is refused and the typed input is given back."""

import dataclasses
import json
import os
import re
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from werkzeug.test import TestResponse

from kb.config import Settings
from kb.runtime import Runtime
from tests.webapp.helpers import csrf_token
from webapp import create_app
from webapp.auth import CSRF_TOKEN_LIFETIME
from webapp.headers import HSTS

CASE = "altstadtquartier-buechel-aachen"
TALK = "talk-3-altstadtquartier-buechel-aachen"
BASE = "https://kooperationsmodelle.example/"
# Everything that writes absolute URLs, plus a page, an API answer, an error and a static file.
PATHS = (
    "/",
    "/feed.atom",
    "/cases/changes.atom",
    f"/cases/{CASE}",
    f"/talks/{TALK}",
    f"/cases/{CASE}/zitieren.bib",
    f"/talks/{TALK}/zitieren.json",
    f"/compare.md?cases={CASE},freiraumbuero-halle",
    "/api/cases",
    "/gibt-es-nicht",
    "/static/site.css",
)


@pytest.fixture(scope="module")
def variant(site: Flask) -> Iterator[Callable[..., FlaskClient]]:
    """A client of the module's seeded site with some settings changed (KB_BASE_URL,
    KB_BEHIND_PROXY, KB_TRUSTED_HOSTS)."""
    apps: list[Flask] = []

    def build(**changes: object) -> FlaskClient:
        settings = dataclasses.replace(site.extensions["kb"].settings, **changes)
        app = create_app(settings, TESTING=True)
        apps.append(app)
        return app.test_client()

    yield build
    for app in apps:
        app.extensions["kb"].close()


def fetch(client: FlaskClient, path: str, **kwargs: Any) -> TestResponse:
    """GET `path`, read the body and close the response (a static file's handle with it)."""
    with client.get(path, **kwargs) as response:
        response.get_data()
        return cast(TestResponse, response)


def assert_refused(response: TestResponse, host: str) -> None:
    assert response.status_code == 400, response.text
    assert host not in response.text
    assert host not in str(response.headers)
    assert "public" not in response.headers.get("Cache-Control", "")  # never cached for others


def test_an_untrusted_host_gets_the_400_page_and_is_never_written_back(web: FlaskClient) -> None:
    for path in PATHS:
        assert_refused(fetch(web, path, headers={"Host": "evil.example"}), "evil.example")
    page = web.get("/", headers={"Host": "evil.example:8080"})
    assert_refused(page, "evil.example")
    assert "Ungültige Anfrage" in page.text  # the site's error page, not a bare one
    api = web.get("/api/cases", headers={"Host": "evil.example"})
    assert api.json is not None and api.json["error"]["status"] == 400
    # Writes too, before the CSRF check or the login could answer.
    assert_refused(web.post("/login", headers={"Host": "evil.example"}), "evil.example")
    # Characters no host name has are refused, not passed through.
    assert web.get("/", headers={"Host": "localhost<script>"}).status_code == 400


def test_local_hosts_are_trusted_by_default(web: FlaskClient) -> None:
    for host in ("localhost", "localhost:5000", "127.0.0.1:5000", "LocalHost"):
        assert web.get("/", headers={"Host": host}).status_code == 200, host


def test_behind_a_proxy_the_forwarded_host_is_checked(variant: Callable[..., FlaskClient]) -> None:
    client = variant(behind_proxy=True, base_url=BASE)
    evil = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert_refused(client.get("/feed.atom", headers=evil), "evil.example")
    public = {"X-Forwarded-Host": "kooperationsmodelle.example", "X-Forwarded-Proto": "https"}
    response = client.get("/", headers=public)
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_kb_trusted_hosts_replaces_the_local_default(variant: Callable[..., FlaskClient]) -> None:
    client = variant(trusted_hosts=("kb.example", ".stadt.example"), base_url=BASE)
    for host in ("kb.example", "www.stadt.example", "kooperationsmodelle.example"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    for host in ("localhost", "stadt.example.evil", "evil.example"):
        assert_refused(client.get("/", headers={"Host": host}), host)


def test_with_kb_base_url_every_absolute_url_uses_it(variant: Callable[..., FlaskClient]) -> None:
    client = variant(base_url=BASE)
    for host in ("127.0.0.1:5000", "localhost"):
        for path in PATHS[:8]:
            response = fetch(client, path, headers={"Host": host})
            assert response.status_code == 200, (host, path)
            assert host not in response.text, (host, path)
        feed = client.get("/feed.atom", headers={"Host": host}).text
        assert f'<link rel="self" type="application/atom+xml" href="{BASE}feed.atom" />' in feed
        assert f'<link rel="alternate" type="text/html" href="{BASE}" />' in feed
        changes = client.get("/cases/changes.atom", headers={"Host": host}).text
        assert f"<id>{BASE}cases/changes.atom#revision-" in changes
        # The newest revisions, whichever cases they are of: each links to its history.
        assert re.search(rf'href="{re.escape(BASE)}cases/[a-z0-9-]+/history"', changes)
        bib = client.get(f"/cases/{CASE}/zitieren.bib", headers={"Host": host}).text
        assert f"url = {{{BASE}cases/{CASE}}}" in bib
        csl = json.loads(client.get(f"/talks/{TALK}/zitieren.json", headers={"Host": host}).text)
        assert csl[0]["URL"] == f"{BASE}talks/{TALK}"
        page = client.get(f"/cases/{CASE}", headers={"Host": host}).text
        assert f"URL: {BASE}cases/{CASE} (abgerufen am " in page
        markdown = client.get(f"/compare.md?cases={CASE},freiraumbuero-halle").text
        assert f"]({BASE}cases/{CASE})" in markdown


def test_kb_base_url_with_a_path_prefix(variant: Callable[..., FlaskClient]) -> None:
    client = variant(base_url="https://stadt.example/wissensbasis/")
    feed = client.get("/feed.atom").text
    assert 'href="https://stadt.example/wissensbasis/feed.atom"' in feed
    bib = client.get(f"/cases/{CASE}/zitieren.bib").text
    assert f"url = {{https://stadt.example/wissensbasis/cases/{CASE}}}" in bib


def test_hsts_only_over_https(web: FlaskClient) -> None:
    for path in ("/", "/feed.atom", "/static/site.css", "/gibt-es-nicht"):
        secure = fetch(web, path, base_url="https://localhost").headers
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "Strict-Transport-Security" not in fetch(web, path).headers, path


def test_permissions_policy_on_every_response(web: FlaskClient) -> None:
    for path in PATHS:
        policy = fetch(web, path).headers["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, (path, feature)
        assert "browsing-topics=()" in policy
    assert "Permissions-Policy" in web.get("/", headers={"Host": "evil.example"}).headers


def test_a_new_sqlite_database_is_created_0600(tmp_path: Path) -> None:
    env = {"KB_INSTANCE": str(tmp_path / "instance"), "KB_SECRET_KEY": "x"}
    runtime = Runtime.from_settings(Settings.from_env(env))
    try:
        runtime.upgrade_schema()
        database = tmp_path / "instance" / "kb.sqlite3"
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        # The WAL file SQLite creates next to it takes the database's mode.
        for companion in tmp_path.glob("instance/kb.sqlite3-*"):
            assert stat.S_IMODE(companion.stat().st_mode) == 0o600, companion
    finally:
        runtime.close()


def test_an_existing_database_keeps_its_mode(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "kb.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    os.chmod(path, 0o640)  # e.g. readable by a backup group, chosen by the operator
    runtime = Runtime.from_settings(Settings.from_env({"KB_INSTANCE": str(tmp_path)}))
    try:
        assert runtime.has_schema()
    finally:
        runtime.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_csrf_token_older_than_its_lifetime_is_refused_and_the_input_kept(
    editor: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/talks/{TALK}/notes/new"
    start = int(time.time())
    token = csrf_token(editor, url)  # the form is shown now
    limit = int(CSRF_TOKEN_LIFETIME.total_seconds())

    def clock(offset: int) -> None:
        # itsdangerous dates (and checks) both the session cookie and the CSRF token.
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: start + offset)

    def post(title: str) -> TestResponse:
        body = "Ein langer Text, der nicht verloren gehen darf."
        return editor.post(
            url, data={"title": title, "body": body, "created": "2022-04-14", "csrf_token": token}
        )

    # Just inside the lifetime (the editor kept working, so the session lives on): saved.
    clock(limit - 60)
    assert post("Rechtzeitig").status_code == 302
    # Past it: refused, nothing saved, and everything typed comes back.
    clock(limit + 60)
    response = post("Zu spät")
    text = response.text
    assert response.status_code == 400
    assert "Sicherheits-Token ist abgelaufen" in text
    assert "Zu spät" in text and "Ein langer Text, der nicht verloren gehen darf." in text
    assert "Zu spät" not in editor.get(f"/talks/{TALK}").text
    # A freshly shown form works again.
    token = csrf_token(editor, url)
    assert post("Neu geladen").status_code == 302
