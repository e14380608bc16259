"""kb, models and search_index build no address on the site: only the web app knows its routes
(webapp.links), so a route can change without editing kb or rebuilding the search index.

The scan reads every string the code holds (plain literals and the literal text of f-strings)
and looks for a path of an item's page ("/cases/…", "/talks/…", the list pages "/cases" …).
Docstrings are prose about the site, not addresses the code builds, and are left out."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kb", "models", "search_index")
# A path starts the string, follows a space or a replacement field ("{}/cases/{}"), not a word:
# "seed_data/cases" is a folder.
SITE_PATH = re.compile(r"(?<![\w.-])/(cases|talks|notes|series|instruments)\b")


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of the module, its classes and functions."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def site_paths(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string in `source` that holds a site path; an f-string's
    replacement fields count as "{}"."""
    tree = ast.parse(source)
    skip = _docstrings(tree)  # and the pieces of f-strings, read with their f-string:
    skip |= {id(v) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for v in n.values}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in skip:
                continue
            text = node.value
        else:
            continue
        if SITE_PATH.search(text):
            found.append((node.lineno, text))
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_builds_a_site_path(package: str) -> None:
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in modules
        for line, text in site_paths(path.read_text(encoding="utf-8"))
    ]
    assert not offending, "site paths outside webapp (use webapp.links):\n" + "\n".join(offending)


@pytest.mark.parametrize(
    "source",
    [
        'url = f"/cases/{slug}"',
        'url = f"/talks/{talk}#notiz-{note}"',
        'PAGE = "/instruments/"',
        'link = base + "/series"',
        'x = f"{base}/notes/{slug}"',
    ],
)
def test_the_scan_finds_paths_in_literals_and_f_strings(source: str) -> None:
    assert site_paths(source)


@pytest.mark.parametrize(
    "source",
    [
        '"""A module about /cases/<slug> pages."""',
        'def f() -> None:\n    """Shown at /talks/<slug>."""',
        'path = "seed_data/cases.yaml"',
        'key = "casestudies/talkshow"',
        'query = f"{kind}:{slug}"',
    ],
)
def test_the_scan_leaves_docstrings_and_other_strings_alone(source: str) -> None:
    assert not site_paths(source)
