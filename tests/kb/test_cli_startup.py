"""`kb --help` and `kb search` start quickly: each command imports only what it needs (the
database, the search engine, the importer and exporter, migrations and the web app load only
for the commands that use them)."""

import json
import os
import subprocess
import sys

from click.testing import CliRunner

from kb.cli import COMPARE_FORMATS, HISTORY_KINDS, SEARCH_KINDS, main
from kb.editorial.kinds import deletable
from kb.publishing.compare import FORMATS
from kb.runtime import Runtime
from search_index.documents import KINDS as INDEXED_KINDS

SHOW_MODULES = (
    "import json, sys\n"
    "from kb.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:], prog_name='kb')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)


def loaded_by(args: list[str], env: dict[str, str] | None = None) -> set[str]:
    """The modules a `kb` command has imported when it ends, in a fresh interpreter."""
    process = subprocess.run(
        [sys.executable, "-c", SHOW_MODULES, *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(process.stderr.strip().splitlines()[-1]))


def packages(modules: set[str], *names: str) -> set[str]:
    return {m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names)}


def test_help_imports_neither_the_database_nor_the_search_engine_nor_the_web_app() -> None:
    modules = loaded_by(["--help"])
    heavy = ("sqlalchemy", "whoosh", "alembic", "flask", "webapp", "models", "search_index")
    assert packages(modules, *heavy) == set()
    assert packages(modules, "kb") <= {"kb", "kb.cli", "kb.errors", "kb.i18n"}


def test_search_imports_only_what_it_needs(seeded: Runtime, cli_env: dict[str, str]) -> None:
    modules = loaded_by(["search", "Büchel", "--json"], cli_env)
    assert "whoosh" in modules and "search_index.engine" in modules
    unneeded = [
        "kb.exchange",
        "kb.editorial",
        "kb.publishing",
        "kb.search.indexing",  # only to build documents: nothing is pending here
        "kb.catalogue",
        "alembic",
        "flask",
        "webapp",
        "asyncio",  # Whoosh's imports it never uses (search_index.whoosh_loading)
        "urllib.request",
    ]
    if seeded.settings.database_url.startswith("sqlite"):
        # Nothing pending: the index alone answers (kb.search.direct), without the database
        # layer, the models, the vocabulary and the schemas.
        unneeded += ["sqlalchemy", "models", "kb.runtime", "yaml", "pydantic"]
    else:
        assert "sqlalchemy" in modules  # PostgreSQL: the full way, through SQLAlchemy
        unneeded.remove("kb.catalogue")  # the vocabulary is part of the full way
        unneeded.remove("asyncio")  # psycopg's own import
    assert packages(modules, *unneeded) == set()


def test_a_plugin_command_still_runs_and_shows_its_help() -> None:
    listing = CliRunner().invoke(main, ["--help"])
    assert listing.exit_code == 0 and "serve" in listing.output
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "--port" in result.output


def test_the_compare_formats_named_in_the_cli_are_the_compare_modules() -> None:
    assert tuple(sorted(FORMATS)) == COMPARE_FORMATS


def test_the_kinds_named_in_the_cli_are_the_registry_s_and_the_index_s() -> None:
    assert tuple(kind.code for kind in deletable()) == HISTORY_KINDS
    assert SEARCH_KINDS == INDEXED_KINDS
