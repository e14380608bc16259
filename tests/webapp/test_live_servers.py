"""Real `kb serve` processes on 127.0.0.1: two servers sharing one instance (database and index
folder) with editors saving notes on both, and a server whose open index file is cut under it.
The HTTP client and the server handling are the load test's (bench/loadtest.py)."""

import os
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.loadtest import Client, Server, free_port
from kb.runtime import Runtime
from tests.webapp.live import KB, add_editors, login, save_note, total

DEADLINE = 120.0  # seconds any loop below may run at most


@pytest.fixture
def env(seeded: Runtime, cli_env: dict[str, str]) -> dict[str, str]:
    add_editors(seeded)
    return {**os.environ, **cli_env}


@pytest.fixture
def servers(env: dict[str, str], tmp_path: Path) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for i in range(2):
            server = Server(KB, env, free_port(), tmp_path / f"server-{i}.log")
            server.start()
            started.append(server)
        for server in started:
            assert server.wait_ready(60) is not None, server.log.read_text()[-3000:]
        yield started
    finally:
        for server in started:
            server.cleanup()


def test_two_servers_on_one_instance_find_each_others_notes(servers: list[Server]) -> None:
    statuses: list[tuple[str, int | None]] = []
    words: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.monotonic() + DEADLINE

    def editor(server: Server, name: str, seed: int) -> None:
        rng = random.Random(seed)
        client = Client(server.port)
        login(client, name)
        for _ in range(12):
            if time.monotonic() > deadline:
                return
            word = "merkwort" + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
            status = save_note(client, "talk-2-freiraumbuero-halle", word)
            with lock:
                statuses.append(("save", status))
                if status in (302, 303):
                    words.append(word)

    def reader(server: Server, seed: int) -> None:
        rng = random.Random(seed)
        client = Client(server.port)
        for _ in range(400):
            if stop.is_set() or time.monotonic() > deadline:
                return
            path = rng.choice(["/search?q=Beteiligung", "/api/search?q=Halle", "/"])
            status = client.request(path).status
            with lock:
                statuses.append((path, status))

    writers = [
        threading.Thread(target=editor, args=(servers[i], name, i))
        for i, name in enumerate(("anna", "ben"))
    ]
    readers = [threading.Thread(target=reader, args=(s, 10 + i)) for i, s in enumerate(servers)]
    for t in [*writers, *readers]:
        t.start()
    for t in writers:
        t.join(DEADLINE)
    stop.set()
    for t in readers:
        t.join(DEADLINE)

    failures = [(what, status) for what, status in statuses if status is None or status >= 500]
    assert failures == [], failures
    assert len(words) == 24
    # Every note, saved on either server, is found exactly once on both within 2 seconds.
    for word in words:
        for server in servers:
            client = Client(server.port)
            found_by = time.monotonic() + 2.0
            found = total(client, word)
            while found != 1 and time.monotonic() < found_by:
                time.sleep(0.05)
                found = total(client, word)
            assert found == 1, (word, server.port, found)
    assert all(server.alive() for server in servers)


def test_a_segment_cut_under_a_running_server_does_not_kill_it(servers: list[Server]) -> None:
    server = servers[0]
    client = Client(server.port)
    assert client.request("/search?q=Beteiligung").status == 200  # its index files are open
    current = Path(server.env["KB_INDEX_DIR"]) / "current"
    segment = max(current.glob("*.seg"), key=lambda p: p.stat().st_size)
    with segment.open("r+b") as f:
        f.truncate(segment.stat().st_size // 2)

    statuses = [client.request(p).status for p in ("/search?q=Beteiligung", "/search?q=Halle")]
    assert server.alive(), server.exit_reason()
    assert set(statuses) <= {200, 503}, statuses
    assert client.request("/cases/freiraumbuero-halle").status == 200
    # Rebuilt in the background: search answers again, and /healthz says so.
    deadline = time.monotonic() + DEADLINE
    while client.request("/healthz").status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.request("/search?q=Beteiligung").status == 200
    assert server.alive()
