from kb.config import Settings
from webapp import create_app


def test_healthz_reports_a_reachable_database(settings: Settings) -> None:
    app = create_app(settings)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": True}


def test_healthz_reports_an_unreachable_database(settings: Settings, tmp_path) -> None:
    broken = Settings(
        settings.instance_dir,
        f"sqlite:///{tmp_path}/missing-dir/none.sqlite3",
        settings.index_dir,
        "x",
        settings.seed_dir,
    )
    response = create_app(broken).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] is False
