"""Migration 0009 turns the search outbox into the change log: entries waiting at the upgrade
stay (an index written before positions were kept applies them as the outbox promised), the
horizon starts at 0 and no index is registered yet."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, inspect, text

from models import make_engine


def _upgrade(engine: Engine, to: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", "models:migrations")
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, to)


def test_entries_waiting_in_the_outbox_stay_in_the_log(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    _upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO search_outbox (entity_type, entity_id, created_at) "
                "VALUES ('note', 7, '2026-11-30 10:00:00.000000')"
            )
        )
    _upgrade(engine, "head")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT entity_type, entity_id FROM search_outbox")).all() == [
            ("note", 7)
        ]
        assert conn.execute(text("SELECT pruned_through FROM search_log_horizon")).all() == [(0,)]
        assert conn.execute(text("SELECT count(*) FROM search_replica")).scalar() == 0
    assert "ix_search_outbox_created_at" in {
        i["name"] for i in inspect(engine).get_indexes("search_outbox")
    }
    engine.dispose()
