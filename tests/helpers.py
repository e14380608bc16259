"""Small helpers shared by tests, and the seeded template the `seeded` fixture copies."""

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, func, select, text

from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime
from models import Base, SearchOutbox

# Where the seeded rows wait in the PostgreSQL test database, beside the tests' `public` schema.
PG_SEEDED_SCHEMA = "kb_seeded_template"


def table_counts(runtime: Runtime) -> dict[str, int]:
    """Row count of every table: equal before and after means the database is unchanged."""
    with runtime.engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements sent to `engine` inside the block."""
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def make_settings(tmp: Path, database_url: str) -> Settings:
    return Settings(
        instance_dir=tmp,
        database_url=database_url,
        index_dir=tmp / "index",
        secret_key="test-secret",
        seed_dir=DEFAULT_SEED_DIR,
    )


def truncate_all(conn: Connection) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@dataclass
class SeedTemplates:
    """The seed catalogue loaded and indexed once per session and backend (`Runtime.init()`,
    what `seeded` used to run for every test), then copied into each test's database and
    instance folder. Database and index are copied together from the same moment: the index
    has every seeded entity and the outbox is empty (checked when the template is made), the
    copied rows keep their ids and PostgreSQL's sequences their positions (so revision and
    outbox ids continue as after a real init), and the index folder's `current` link is
    relative, so the copy works in any folder."""

    root: Path
    sqlite: Path | None = None  # a folder holding kb.sqlite3 and index/
    pg_index: Path | None = None  # the index of the rows in PG_SEEDED_SCHEMA
    pg_sequences: dict[str, int] = field(default_factory=dict)

    def restore(self, settings: Settings, sqlite_template: Path) -> None:
        """Give the (not yet connected) database and index folder of `settings` the seeded
        state; the index folder must not hold an index yet."""
        if settings.index_dir.exists():
            shutil.rmtree(settings.index_dir)
        if settings.database_url.startswith("sqlite"):
            folder = self._sqlite_template(sqlite_template)
            path = Path(settings.database_url.removeprefix("sqlite:///"))
            for stale in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
            shutil.copy(folder / "kb.sqlite3", path)  # with its mode, 0600
            shutil.copytree(folder / "index", settings.index_dir, symlinks=True)
            return
        index = self._pg_template(settings.database_url)
        runtime = Runtime.from_settings(settings)
        try:
            with runtime.engine.begin() as conn:
                truncate_all(conn)
                for table in Base.metadata.sorted_tables:
                    name = f'"{table.name}"'
                    conn.execute(
                        text(f"INSERT INTO {name} SELECT * FROM {PG_SEEDED_SCHEMA}.{name}")
                    )
                for sequence, value in self.pg_sequences.items():
                    conn.execute(
                        text("SELECT setval(CAST(:s AS regclass), :v, true)"),
                        {"s": sequence, "v": value},
                    )
        finally:
            runtime.close()
        shutil.copytree(index, settings.index_dir, symlinks=True)

    def _seed(self, settings: Settings) -> None:
        runtime = Runtime.from_settings(settings)
        try:
            runtime.init()
            with runtime.uow() as uow:
                pending = uow.session.scalar(select(func.count()).select_from(SearchOutbox))
            assert pending == 0, "the seeded template's index must have every change"
            assert runtime.search_index.engine.store.check() == "ok"
        finally:
            runtime.close()

    def _sqlite_template(self, sqlite_template: Path) -> Path:
        if self.sqlite is None:
            folder = self.root / "sqlite"
            folder.mkdir()
            path = folder / "kb.sqlite3"
            shutil.copyfile(sqlite_template, path)
            self._seed(make_settings(folder, f"sqlite:///{path}"))
            # Closed, so the write-ahead log is checkpointed into the file and removed.
            assert not path.with_name(path.name + "-wal").exists()
            self.sqlite = folder
        return self.sqlite

    def _pg_template(self, url: str) -> Path:
        """Seed the (emptied) test database once, keep its rows in PG_SEEDED_SCHEMA and its
        sequences' positions; the database is left holding the seeded rows."""
        if self.pg_index is None:
            folder = self.root / "postgresql"
            folder.mkdir()
            runtime = Runtime.from_settings(make_settings(folder, url))
            with runtime.engine.begin() as conn:
                truncate_all(conn)
                conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SEEDED_SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {PG_SEEDED_SCHEMA}"))
            runtime.close()
            self._seed(make_settings(folder, url))
            runtime = Runtime.from_settings(make_settings(folder, url))
            with runtime.engine.begin() as conn:
                for table in Base.metadata.sorted_tables:
                    conn.execute(
                        text(
                            f'CREATE TABLE {PG_SEEDED_SCHEMA}."{table.name}" AS '
                            f'SELECT * FROM public."{table.name}"'
                        )
                    )
                rows = conn.execute(
                    text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = 'public' AND last_value IS NOT NULL"
                    )
                )
                self.pg_sequences = {f'public."{r[0]}"': r[1] for r in rows}
            runtime.close()
            self.pg_index = folder / "index"
        return self.pg_index


CASE = """\
type: case
slug: testfall
name: Testfall
city: Teststadt
land: sachsen
governance:
  type: bottom-up
  rationale: Von einer Initiative gegründet.
scale:
  type: project
  rationale: Ein einzelnes Haus.
summary: Ein Fall für Tests.
sources:
  - url: https://example.org/testfall
    supports: alles
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


LONG = "Eine Begründung, die lang genug ist, um als ausführliche Einordnung zu gelten. " * 2


def complete_state() -> dict[str, Any]:
    return {
        "slug": "voll",
        "name": "Voller Fall",
        "summary": "Worum es geht.",
        "carrier": {"name": "Verein", "legal_form": "e.V."},
        "actors": [
            {"name": "Stadt", "kind": "administration", "role": ""},
            {"name": "Initiative", "kind": "initiative", "role": ""},
        ],
        "instruments": [{"code": "konzeptvergabe", "note": ""}],
        "start_year": 2019,
        "municipality": {"size_class": "mittelstadt", "size_class_rationale": LONG},
        "governance": {"type": "bottom-up", "rationale": LONG},
        "scale": {"type": "project", "rationale": LONG},
        "funding": [{"programme": "P", "source": "https://example.org/f"}],
        "awards": [{"name": "Preis", "source": "https://example.org/a"}],
        "key_dates": [{"date": "2019", "event": "Start", "source": "https://example.org/k"}],
        "sources": [{"url": "https://example.org/1"}, {"url": "https://example.org/2"}],
    }


TRICKY = r"Kosten & Nutzen: 100 % für_alle {Quartier} #1 $5 ~x ^y \z"


def bibtex_fields(entry: str) -> tuple[str, str, dict[str, str]]:
    """A tiny BibTeX reader for one entry with braced values: (type, key, {field: raw value}).
    Fails on unbalanced braces, which is what an unescaped { or } would cause."""
    head = re.match(r"@(\w+)\{([^,\s]+),\s*", entry)
    assert head, entry
    fields: dict[str, str] = {}
    pos = head.end()
    while True:
        field = re.compile(r"(\w+)\s*=\s*\{").match(entry, pos)
        if field is None:
            break
        depth, i = 1, field.end()
        while depth:
            char = entry[i]
            if char == "\\":
                i += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            i += 1
        fields[field[1]] = entry[field.end() : i - 1]
        pos = re.compile(r"\s*,?\s*").match(entry, i).end()  # type: ignore[union-attr]
    assert entry[pos:].strip() == "}", entry[pos:]
    return head[1], head[2], fields


def unescape(value: str) -> str:
    """What LaTeX prints for an escaped value (the inverse of bibtex_escape)."""
    value = value.replace(r"\textbackslash{}", "\\").replace(r"\textasciitilde{}", "~")
    value = value.replace(r"\textasciicircum{}", "^")
    return re.sub(r"\\([{}%&$#_])", r"\1", value)


HOSTILE = [
    '"unbalanced',
    'a "b" "c',
    "AND",
    "OR OR OR",
    "NOT",
    "-",
    "((((",
    "))",
    "title:",
    ":::",
    "*",
    "\x00\x01\x02 Büchel \x1b[31m",
    "Büchel\u200b\u202e",
    "x" * 2000,
    " ".join(["wort"] * 20),
    "^5 ~2 [a TO z] {x}",
    "<script>alert(1)</script>",
    "Büchel AND AND OR Aachen",
    "\\",
    "'",
    "land:",
    "jahr:2022",
    "%",
]
