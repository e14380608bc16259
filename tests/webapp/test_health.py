from collections.abc import Callable
from pathlib import Path

from flask import Flask

from kb.config import Settings
from kb.runtime import Runtime


def test_healthz_reports_a_reachable_database_and_a_whole_index(
    make_app: Callable[..., Flask], seeded: Runtime
) -> None:
    response = make_app(seeded.settings).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True, "index": "ok"}


def test_healthz_reports_an_unreachable_database(
    make_app: Callable[..., Flask], settings: Settings, tmp_path: Path
) -> None:
    broken = Settings(
        settings.instance_dir,
        f"sqlite:///{tmp_path}/missing-dir/none.sqlite3",
        settings.index_dir,
        "x",
        settings.seed_dir,
    )
    response = make_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] is False
