"""How soon a note saved on one app server is in another server's own index: two runtimes on one
database (SQLite here, PostgreSQL with KB_BENCH_DATABASE_URL), each with its own index directory
and following the change log as `kb serve` does, four writers spread over both. The delay is
from a note's commit until the OTHER server's index holds it (searches on the other server find
it at once anyway, through the overlay; this is how long the overlay has to cover it)."""

import dataclasses
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measure import percentile
from kb.catalogue.schemas import NoteIn
from kb.config import DEFAULT_SEED_DIR, Settings
from kb.editorial.notes import save_note
from kb.runtime import Runtime

TALK = "talk-1-stadtmensch-altenburg"  # of the seed catalogue
PAUSE = 0.1  # seconds between one writer's saves: editors, not a bulk import
WAIT = 60.0  # seconds a note may take to arrive before the run counts it as lost


def _settings(folder: Path) -> Settings:
    url = os.environ.get("KB_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'kb.sqlite3'}"
    return Settings(
        instance_dir=folder,
        database_url=url,
        index_dir=folder / "index-a",
        secret_key="bench",
        seed_dir=DEFAULT_SEED_DIR,
    )


def replica_delays(writers: int = 4, saves: int = 25, pause: float = PAUSE) -> dict[str, Any]:
    """Delays in seconds of the notes saved on one server until the other's index has them."""
    folder = Path(tempfile.mkdtemp(prefix="kb-replicas-"))
    servers = [Runtime.from_settings(_settings(folder))]
    servers[0].init()
    servers.append(
        Runtime.from_settings(
            dataclasses.replace(servers[0].settings, index_dir=folder / "index-b")
        )
    )
    for server in servers:
        with server.uow() as uow:
            server.search_index.rebuild(uow, processes=1)
        server.follow_log()
    committed: dict[str, tuple[int, float]] = {}  # note slug -> (server it was saved on, time)
    lock = threading.Lock()

    def write(writer: int) -> None:
        server = writer % len(servers)
        for i in range(saves):
            slug = f"replik-{writer}-{i}"
            note = NoteIn(slug=slug, talk=TALK, title=f"Nachtrag {i}", body=f"Messnotiz {i}.")
            with servers[server].uow() as uow:
                save_note(uow, note, actor=f"bench-{writer}")
                uow.commit()
            with lock:
                committed[slug] = (server, time.monotonic())
            time.sleep(pause)

    arrived: dict[str, float] = {}

    def watch(server: int, done: Callable[[], bool]) -> None:
        engine = servers[server].search_index.engine
        while not done():
            now = time.monotonic()
            ids = engine.ids()
            with lock:
                for slug, (origin, _) in committed.items():
                    if origin != server and slug not in arrived and f"note:{slug}" in ids:
                        arrived[slug] = now
            time.sleep(0.005)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    total = writers * saves
    deadline = time.monotonic() + WAIT + writers * saves * pause
    finished = lambda: len(arrived) >= total or time.monotonic() > deadline  # noqa: E731
    watchers = [threading.Thread(target=watch, args=(s, finished)) for s in range(len(servers))]
    for thread in [*watchers, *threads]:
        thread.start()
    for thread in [*threads, *watchers]:
        thread.join()
    for server in servers:
        server.close()
    shutil.rmtree(folder, ignore_errors=True)
    delays = sorted(arrived[slug] - committed[slug][1] for slug in arrived)
    return {
        "backend": "postgresql" if os.environ.get("KB_BENCH_DATABASE_URL") else "sqlite",
        "writers": writers,
        "notes": total,
        "arrived": len(delays),
        "delays": delays,
    }


def report(result: dict[str, Any]) -> list[str]:
    delays = result["delays"]
    lines = [
        "",
        f"## From one server's save to the other server's index ({result['backend']})",
        "",
        f"{result['writers']} writers spread over two app servers (one database, an index "
        f"directory each, following the change log), {result['notes']} notes; arrived: "
        f"{result['arrived']}.",
        "",
    ]
    if delays:
        lines += [
            "| median | p95 | max |",
            "| ---: | ---: | ---: |",
            f"| {percentile(delays, 50) * 1000:.0f} ms | {percentile(delays, 95) * 1000:.0f} ms "
            f"| {max(delays) * 1000:.0f} ms |",
        ]
    return lines
