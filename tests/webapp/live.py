"""What the tests with real `kb serve` processes do through HTTP: editors on a seeded instance,
their login, saving a note and asking the search API (tests/webapp/test_live_servers.py,
test_replica_servers.py)."""

import json
import sys
import urllib.parse
from pathlib import Path

from bench.loadtest import Client, csrf_token
from kb.editorial.users import add_user
from kb.runtime import Runtime

KB = Path(sys.executable).parent / "kb"
PASSWORD = "ein-langes-passwort"
EDITORS = ("anna", "ben")


def add_editors(seeded: Runtime) -> None:
    """The editors, then the runtime closed: the servers are the instance's only users."""
    with seeded.uow() as uow:
        for name in EDITORS:
            add_user(uow, name, PASSWORD, "editor")
        uow.commit()
    seeded.close()


def login(client: Client, name: str) -> None:
    token = csrf_token(client.request("/login").body)
    assert token is not None
    form = {"csrf_token": token, "next": "/", "username": name, "password": PASSWORD}
    assert client.request("/login", form).status in (302, 303)


def save_note(client: Client, talk: str, word: str) -> int | None:
    """The save's status (None: no answer)."""
    path = f"/talks/{talk}/notes/new"
    token = csrf_token(client.request(path).body)
    assert token is not None
    form = {
        "csrf_token": token,
        "version": "",
        "title": f"Notiz {word}",
        "created": "2022-06-01",
        "body": f"## Weitere Beobachtungen\n\nBeobachtet mit dem Merkwort {word}.\n",
        "save": "1",
    }
    return client.request(path, form).status


def total(client: Client, query: str) -> int | None:
    # exact: the note's own made-up word, not close spellings of the other notes' words.
    answer = client.request("/api/search?" + urllib.parse.urlencode({"q": query, "exact": "1"}))
    return json.loads(answer.body)["total"] if answer.status == 200 else None
