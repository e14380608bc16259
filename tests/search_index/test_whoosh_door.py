"""Whoosh's private API is used behind one door (search_index.whoosh_internals): the source of
search_index, kb and webapp is scanned for private names used anywhere else; the door refuses
another Whoosh version; importing the package leaves Whoosh unpatched until install(); rebuild
workers are not forked from the caller."""

import ast
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import whoosh

from search_index import store, whoosh_internals
from search_index.documents import SearchDocument

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("search_index", "kb", "webapp")
PROJECT = (*SCANNED, "models")  # where the project's own private names may be defined
DOOR = ROOT / "search_index" / "whoosh_internals.py"
SELF = ("self", "cls")
# Names other libraries document as public although they start with an underscore (never a
# Whoosh name): SQLAlchemy's Row keeps its own API out of the columns' way, namedtuples too,
# Flask's url_for takes its options beside the route's arguments.
PUBLIC = {
    "_mapping": "sqlalchemy Row",
    "_asdict": "namedtuple, sqlalchemy Row",
    "_fields": "namedtuple, sqlalchemy Row",
    "_replace": "namedtuple",
    "_external": "flask.url_for",
    "_scheme": "flask.url_for",
    "_anchor": "flask.url_for",
    "_method": "flask.url_for",
}


def private(name: str) -> bool:
    """A single-underscore name (dunders such as __init__ are public protocol)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def project_modules(packages: tuple[str, ...]) -> Iterator[Path]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts and path != DOOR:
                yield path


@dataclass
class Definitions:
    """The private names a module defines: at module level, in its classes' bodies, as
    attributes of self or cls, and as function parameters."""

    names: set[str]
    parameters: set[str]

    @classmethod
    def of(cls, tree: ast.AST) -> "Definitions":
        names: set[str] = set()
        parameters: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                args = node.args
                every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
                parameters |= {a.arg for a in every}
            if isinstance(node, ast.Module | ast.ClassDef):
                for statement in node.body:
                    targets: list[ast.expr] = []
                    if isinstance(statement, ast.Assign):
                        targets = statement.targets
                    elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
                        targets = [statement.target]
                    names |= {t.id for t in targets if isinstance(t, ast.Name)}
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id in SELF
            ):
                names.add(node.attr)
        return cls({n for n in names if private(n)}, {p for p in parameters if private(p)})


def external_imports(tree: ast.Module) -> set[str]:
    """Names this module binds to modules outside the project (`import whoosh.codec` binds
    `whoosh`)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in PROJECT:
                    bound.add(alias.asname or alias.name.split(".")[0])
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module
            and node.module.split(".")[0] not in PROJECT
        ):
            bound |= {a.asname or a.name for a in node.names}
    return bound


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def offences(source: str, filename: str, project: Definitions) -> list[str]:
    """Private names of something that is not this project's, as "file:line: what".

    `x._a` is allowed when x is self or cls and the project defines `_a` (a subclass of a
    Whoosh class may not use its base's privates), or when x is any other object and this
    module defines `_a` (an object of the module's own classes); never on a module imported
    from outside the project. Also refused: `from outside import _a`, getattr/setattr/hasattr
    with such a name, and keyword arguments `_a=` that no project function takes."""
    tree = ast.parse(source, filename)
    own = Definitions.of(tree)
    imported = external_imports(tree)
    found: list[str] = []

    def check(line: int, base: ast.expr, attr: str, text: str) -> None:
        if not private(attr) or attr in PUBLIC:
            return
        name = root_name(base)
        if name in imported:
            ok = False
        elif isinstance(base, ast.Name) and base.id in SELF:
            ok = attr in project.names
        else:
            ok = attr in own.names
        if not ok:
            found.append(f"{filename}:{line}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            check(node.lineno, node.value, node.attr, ast.unparse(node))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] not in PROJECT:
                for alias in node.names:
                    if private(alias.name) or any(private(p) for p in node.module.split(".")):
                        found.append(f"{filename}:{node.lineno}: {node.module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] not in PROJECT and any(private(p) for p in parts):
                    found.append(f"{filename}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Name)
                and func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)
            ):
                check(node.lineno, node.args[0], node.args[1].value, ast.unparse(node))
            for keyword in node.keywords:
                if (
                    keyword.arg
                    and private(keyword.arg)
                    and keyword.arg not in project.parameters | own.parameters
                    and keyword.arg not in PUBLIC
                ):
                    found.append(f"{filename}:{node.lineno}: {keyword.arg}= in {ast.unparse(func)}")
    return found


def project_definitions() -> Definitions:
    names: set[str] = set()
    parameters: set[str] = set()
    for path in project_modules(PROJECT):
        d = Definitions.of(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        names |= d.names
        parameters |= d.parameters
    return Definitions(names, parameters)


def test_only_the_door_uses_private_names_of_others() -> None:
    project = project_definitions()
    found = [
        offence
        for path in project_modules(SCANNED)
        for offence in offences(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)), project
        )
    ]
    assert not found, "private names outside search_index/whoosh_internals.py:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "def f(searcher):\n    return searcher._segments\n",
        "import whoosh.codec.whoosh3\nx = whoosh.codec.whoosh3._something\n",
        "from whoosh.codec import whoosh3 as w3\nx = w3._lenfield('body')\n",
        "from whoosh.util.numeric import _length_byte_cache\n",
        "from whoosh.writing import SegmentWriter\nclass W(SegmentWriter):\n"
        "    def f(self):\n        self._close_segment()\n",
        "def f(ix):\n    return ix.writer(_lk=False)\n",
        "def f(m):\n    return getattr(m, '_data')\n",
        "def f(words, x):\n    words._cache = x\n",
    ],
)
def test_the_scan_finds_private_names_of_others(source: str) -> None:
    found = offences(source, "example.py", project_definitions())
    assert found and all(f.startswith("example.py:") for f in found)


def test_the_scan_allows_the_modules_own_private_names() -> None:
    source = textwrap.dedent(
        """
        from dataclasses import dataclass

        _CACHE = {}

        @dataclass
        class Reading:
            _closer: object = None

            def __init__(self):
                self._lock = None

            def copy(self, other):
                other._closer = self._closer
                return _CACHE, other._lock, cls_helper(_private=1)

        def cls_helper(_private):
            return _private
        """
    )
    assert offences(source, "example.py", project_definitions()) == []


def test_the_door_refuses_another_whoosh_version(monkeypatch: pytest.MonkeyPatch) -> None:
    whoosh_internals.check_version()  # the installed, pinned one
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    with pytest.raises(whoosh_internals.WhooshVersionError) as failure:
        whoosh_internals.check_version()
    assert "2.7.6" in str(failure.value) and "2.7.5" in str(failure.value)
    with pytest.raises(ImportError, match=r"found 3\.0\.0"):
        whoosh_internals.check_version((3, 0, 0))


def test_the_pin_is_the_doors_version() -> None:
    expected = ".".join(map(str, whoosh_internals.WHOOSH_VERSION))
    assert f"whoosh-reloaded=={expected}" in (ROOT / "setup.cfg").read_text()
    assert f"whoosh-reloaded=={expected}".lower() in (ROOT / "constraints.txt").read_text().lower()


def test_importing_the_package_patches_nothing_until_install(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import search_index, search_index.engine, search_index.store, search_index.bulk
        from search_index import whoosh_internals
        assert not whoosh_internals.installed(), "patched on import"
        whoosh_internals.install()
        whoosh_internals.install()
        assert whoosh_internals.installed()
        """
    )
    engine_script = textwrap.dedent(
        f"""
        from search_index import whoosh_internals
        from search_index.engine import SearchEngine
        assert not whoosh_internals.installed()
        SearchEngine({str(tmp_path)!r})
        assert whoosh_internals.installed(), "the engine did not install the patch"
        """
    )
    for code in (script, engine_script):
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr


# Set in the test process only: a forked worker would see it, a worker from a fork server or
# a spawned one imports this module afresh.
PARENT_STATE: dict[str, str] = {}


@dataclass(frozen=True)
class WhereBuilt:
    """A DocumentSource whose documents tell the process that read them."""

    def __call__(self, part: int, parts: int) -> Iterator[SearchDocument]:
        state = PARENT_STATE.get("state", "fresh")
        yield SearchDocument(
            kind="note",
            slug=f"part-{part}",
            title=f"{state} {os.getpid()}",
            body=f"Teil {part}",
        )


def test_rebuild_workers_are_not_forked_from_the_caller(tmp_path: Path) -> None:
    assert store.WORKER_START_METHOD in ("forkserver", "spawn")
    PARENT_STATE["state"] = "inherited"
    try:
        target, count = store.IndexStore(tmp_path).build(WhereBuilt(), 2)
    finally:
        PARENT_STATE.clear()
    assert count == 2
    with store.open_index(str(target)).searcher() as searcher:
        bodies = [fields["title"].split() for fields in searcher.all_stored_fields()]
    assert sorted(state for state, _ in bodies) == ["fresh", "fresh"]
    assert all(int(pid) != os.getpid() for _, pid in bodies)


def test_build_processes_are_the_usable_cores() -> None:
    assert store.usable_cores() == len(os.sched_getaffinity(0))
    assert store.usable_cores() == store.BUILD_PROCESSES
