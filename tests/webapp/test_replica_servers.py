"""Two real `kb serve` processes on one database, each with an index directory of its own (two
app servers behind a load balancer): notes saved on either are found by search on both, and
each server's own index gets them by following the change log (kb.search.follow). The HTTP
client and the server handling are the load test's (bench/loadtest.py)."""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.loadtest import Client, Server, free_port
from kb.runtime import Runtime
from search_index.documents import SearchRequest
from search_index.engine import SearchEngine
from tests.webapp.live import KB, add_editors, login, save_note, total

DEADLINE = 120.0  # seconds any loop below may run at most
TALK = "talk-2-freiraumbuero-halle"


@pytest.fixture
def servers(seeded: Runtime, cli_env: dict[str, str], tmp_path: Path) -> Iterator[list[Server]]:
    add_editors(seeded)
    started: list[Server] = []
    try:
        # Server 0 keeps the seeded index; server 1 starts with none and builds its own.
        for i, index in enumerate([cli_env["KB_INDEX_DIR"], str(tmp_path / "index-b")]):
            env = {**os.environ, **cli_env, "KB_INDEX_DIR": index}
            server = Server(KB, env, free_port(), tmp_path / f"server-{i}.log")
            server.start()
            started.append(server)
        for server in started:
            assert server.wait_ready(DEADLINE) is not None, server.log.read_text()[-3000:]
        yield started
    finally:
        for server in started:
            server.cleanup()


def _indexed(engine: SearchEngine, word: str) -> bool:
    """Whether a server's own index (read from its files, without the database) has it."""
    return engine.search(SearchRequest(word, exact=True)).total == 1


def test_two_servers_with_their_own_indexes_find_each_others_notes(
    servers: list[Server],
) -> None:
    saved: list[tuple[int, str]] = []  # the server that saved it, the note's word
    errors: list[str] = []
    lock = threading.Lock()

    def editor(n: int, name: str) -> None:
        client = Client(servers[n].port)
        login(client, name)
        for i in range(5):
            word = f"replikawort{'ab'[n]}{i}x{n * 7 + i}"
            status = save_note(client, TALK, word)
            with lock:
                if status in (302, 303):
                    saved.append((n, word))
                else:
                    errors.append(f"{word}: {status}")

    threads = [
        threading.Thread(target=editor, args=(n, name)) for n, name in enumerate(["anna", "ben"])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DEADLINE)
    assert errors == [] and len(saved) == 10
    # Each note is found on the other server at once (its overlay of the log).
    for n, word in saved:
        assert total(Client(servers[1 - n].port), word) == 1, (word, n)
    # And each server's own index gets what the other saved, by following the log.
    deadline = time.monotonic() + DEADLINE
    engines = [SearchEngine(Path(server.env["KB_INDEX_DIR"])) for server in servers]
    try:
        for n, word in saved:
            other = engines[1 - n]
            while not _indexed(other, word) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _indexed(other, word), (word, servers[1 - n].log.read_text()[-3000:])
    finally:
        for engine in engines:
            engine.close()
    assert all(server.alive() for server in servers)
