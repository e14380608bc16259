"""The backup that README's Deployment section prescribes: `pg_dump -Fc` of the database, restored
with `pg_restore` into an empty database, then `kb init` and a rebuilt index, gives the same
knowledge base: the catalogue, its revisions, the accounts and the search."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from kb.editorial.users import add_user, authenticate
from kb.runtime import Runtime
from kb.search.service import SearchRequest
from models import Case, Note, Revision
from tests.helpers import make_settings

PASSWORD = "ein langes Passwort für die Sicherung"


def _libpq(url: str, database: str | None = None) -> str:
    """The SQLAlchemy URL as pg_dump and pg_restore take it (no driver name)."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def _counts(runtime: Runtime) -> tuple[int, int, int]:
    with runtime.uow() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(model))
            for model in (Case, Revision, Note)
        )


@pytest.mark.postgres
def test_a_pg_dump_restores_into_an_empty_database(seeded: Runtime, tmp_path: Path) -> None:
    if not seeded.settings.database_url.startswith("postgresql"):
        pytest.skip("pg_dump backs up PostgreSQL; a SQLite instance is backed up as its file")
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    assert pg_dump and pg_restore, "pg_dump and pg_restore are needed (apt install postgresql)"
    with seeded.uow() as uow:
        add_user(uow, "sicherung", PASSWORD, "editor", "Sicherung Beispiel")
        uow.commit()
    before = _counts(seeded)
    dump = tmp_path / "kb.dump"
    url = seeded.settings.database_url
    subprocess.run([pg_dump, "-Fc", "-f", str(dump), _libpq(url)], check=True, timeout=120)

    name = f"kb_restore_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    restored: Runtime | None = None
    try:
        command = [pg_restore, "--no-owner", "-d", _libpq(url, name), str(dump)]
        subprocess.run(command, check=True, timeout=120)
        restored_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        restored = Runtime.from_settings(make_settings(tmp_path / "restored", restored_url))
        restored.init()  # what `kb init` does: migrations (none left) and the seed (kept)
        with restored.uow() as uow:
            restored.search_index.rebuild(uow, processes=1)  # `kb reindex`
        assert _counts(restored) == before
        with restored.uow() as uow:
            assert authenticate(uow, "sicherung", PASSWORD) is not None
            hits = restored.search_index.search(uow, SearchRequest("Feuerwache Weimar")).hits
        assert "case:alte-feuerwache-weimar" in {h.id for h in hits}
    finally:
        if restored is not None:
            restored.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
