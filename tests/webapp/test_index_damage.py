"""A search index that is deleted or damaged under a running app: the app keeps answering
(search with 503 and a clear message, pages without their search-derived parts), rebuilds the
index once in the background, and /healthz tells the truth meanwhile."""

import logging
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from kb.runtime import Runtime

SEARCH = "/search?q=B%C3%BCchel"


def _wait_for_repair(app: Flask) -> None:
    runtime: Runtime = app.extensions["kb"]
    assert runtime.search_index.repair.wait(timeout=120), "the background rebuild did not end"


def _truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _rebuild_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "rebuilding it from" in r.getMessage()]


def test_a_deleted_index_is_rebuilt_once_while_searches_answer_503(
    make_app: Callable[..., Flask], seeded: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(seeded.settings)
    before = app.test_client().get(SEARCH)
    assert before.status_code == 200
    shutil.rmtree(seeded.settings.index_dir)

    statuses: list[int] = []
    lock = threading.Lock()

    def search() -> None:
        status = app.test_client().get(SEARCH).status_code
        with lock:
            statuses.append(status)

    with caplog.at_level(logging.WARNING):
        threads = [threading.Thread(target=search) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        during = app.test_client().get(SEARCH)
        health = app.test_client().get("/healthz")
        case_page = app.test_client().get("/cases/freiraumbuero-halle")
        _wait_for_repair(app)

    assert sorted(set(statuses)) in ([503], [200, 503], [200]) and len(statuses) == 4
    assert during.status_code in (200, 503)
    if during.status_code == 503:
        text = during.get_data(as_text=True)
        assert "Suche wird neu aufgebaut" in text and during.headers["Retry-After"] == "30"
    assert health.get_json()["index"] in ("rebuilding", "ok")
    assert case_page.status_code == 200  # pages render without their similar cases
    assert len(_rebuild_lines(caplog)) == 1, _rebuild_lines(caplog)

    after = app.test_client().get(SEARCH)
    assert after.status_code == 200
    assert after.get_data(as_text=True).count('class="hit') == before.get_data(as_text=True).count(
        'class="hit'
    )
    assert app.test_client().get("/healthz").get_json() == {
        "status": "ok",
        "database": True,
        "index": "ok",
    }
    assert len(list(Path(seeded.settings.index_dir).glob("gen-*"))) <= 2


@pytest.mark.parametrize("opened_before", [True, False], ids=["open", "fresh"])
def test_a_truncated_segment_is_reported_and_repaired(
    make_app: Callable[..., Flask], seeded: Runtime, opened_before: bool
) -> None:
    app = make_app(seeded.settings)
    web = app.test_client()
    if opened_before:  # the files are open in this process when they are cut
        assert web.get(SEARCH).status_code == 200
    current = Path(seeded.settings.index_dir) / "current"
    segment = max(current.glob("*.seg"), key=lambda p: p.stat().st_size)
    _truncate(segment)

    search = web.get(SEARCH)
    api = web.get("/api/search?q=Halle")
    health = web.get("/healthz")
    assert search.status_code == 503, search.get_data(as_text=True)[:500]
    assert "Suche wird neu aufgebaut" in search.get_data(as_text=True)
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503
    assert health.status_code == 503
    assert health.get_json()["index"] in ("rebuilding", "damaged")
    assert web.get("/cases/freiraumbuero-halle").status_code == 200
    assert web.get("/").status_code == 200

    _wait_for_repair(app)
    assert web.get(SEARCH).status_code == 200
    assert web.get("/healthz").get_json()["index"] == "ok"


def test_a_truncated_pair_array_is_damage_too(
    make_app: Callable[..., Flask], seeded: Runtime
) -> None:
    with seeded.uow() as uow:
        seeded.search_index.rebuild(uow)  # a rebuilt index has pair arrays
    current = Path(seeded.settings.index_dir) / "current"
    arrays = sorted(current.glob("pairs-*.hashes.npy"))
    assert arrays, "a rebuild writes pair arrays"
    _truncate(arrays[0])
    app = make_app(seeded.settings)
    web = app.test_client()
    assert web.get('/search?q="Stadt+Halle"').status_code == 503
    _wait_for_repair(app)
    assert web.get('/search?q="Stadt+Halle"').status_code == 200
