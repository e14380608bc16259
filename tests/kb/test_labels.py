"""One table of field labels (kb.labels): every field of the schemas has a label there, the five
places that name fields (history diffs, facets, compare rows, the codebook, the edit forms) all read
it, and none of them keeps a table of its own."""

import ast
import re
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from kb import labels
from kb.catalogue import browsing
from kb.catalogue.schemas import CaseIn, NoteIn, SeriesIn, TalkIn
from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import DEFAULT_SEED_DIR
from kb.editorial.history import LABELS, diff_states
from kb.exchange.codebook import LONG_COLUMNS, WIDE_COLUMNS, build_codebook
from kb.labels import FIELDS, Label, item_label, label
from kb.publishing.compare import compare
from kb.runtime import Runtime
from webapp.forms import case_form, series_form, talk_form

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS: dict[str, type[BaseModel]] = {
    "case": CaseIn,
    "talk": TalkIn,
    "series": SeriesIn,
    "note": NoteIn,
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The schema model an annotation holds (`X`, `X | None`), or None for a plain value."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        found = [m for a in typing.get_args(annotation) if (m := _model_in(a))]
        return found[0] if found else None
    return None


def _schema_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str]]:
    """Every field of a schema as (dotted path, shape): "value", "list" of plain values or
    "rows" (a list of sub-models, whose fields follow as "rows.field")."""
    found = []
    for name, info in model.model_fields.items():
        path, annotation = f"{prefix}{name}", info.annotation
        nested = _model_in(annotation)
        if nested is not None:
            found += _schema_fields(nested, f"{path}.")
        elif typing.get_origin(annotation) is list:
            row = _model_in(typing.get_args(annotation)[0])
            found.append((path, "rows" if row else "list"))
            if row is not None:
                found += [(f"{path}.{sub}", "value") for sub in row.model_fields]
        else:
            found.append((path, "value"))
    return found


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_every_field_of_the_schemas_has_a_label(kind: str) -> None:
    fields = _schema_fields(SCHEMAS[kind])
    assert len(fields) > 5
    for path, shape in fields:
        assert label(path, kind=kind).strip(), path
        assert label(path, "form", kind=kind).strip(), path
        if shape in ("list", "rows"):
            # A list's entries have a name of their own: "Akteur 2" in the forms.
            assert item_label(path, kind=kind).strip(), path


def test_the_table_is_well_formed() -> None:
    kinds, paths = set(SCHEMAS), {p for model in SCHEMAS.values() for p, _ in _schema_fields(model)}
    for key, record in FIELDS.items():
        assert record.de.strip(), key
        kind, _, path = key.rpartition(":")
        assert not kind or kind in kinds, key
        base = path.split("@")[0]
        # A kind's own wording or a derived view is of a field the schemas have.
        if kind or "@" in path:
            assert base in paths, key
    # The places that name fields name them by keys the table has.
    for path in browsing.FACET_FIELDS.values():
        assert path in FIELDS
    for path, _, _ in (*WIDE_COLUMNS.values(), *LONG_COLUMNS.values()):
        assert not path or path in FIELDS, path
    # A wording differs from the name only where a place needs more than the name.
    assert label("start_year") == "Beginn" and label("start_year", "form") == "Beginn (Jahr)"
    assert label("summary") == "Kurzfassung"
    assert label("summary", "form", kind="talk") == "Zusammenfassung (Markdown)"
    assert label("unknown", default="unknown") == "unknown"
    with pytest.raises(KeyError):
        label("unknown")
    # The version page looks a state's keys up in history's view of the table.
    assert LABELS.get("not-a-field", "not-a-field") == "not-a-field"
    assert LABELS["carrier.name"] == "Träger"


def test_one_entry_of_the_table_renames_the_field_everywhere(
    seeded: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        FIELDS, "governance.type", Label("Steuerungsform", about="Steuerungsform laut Redaktion")
    )
    vocab = seeded.vocabulary
    # A history diff.
    old = {"governance": {"type": "top-down", "rationale": "r"}}
    new = {"governance": {"type": "cross-over", "rationale": "r"}}
    assert [str(c) for c in diff_states(old, new, vocab)] == [
        "Steuerungsform: Top-down → Cross-over"
    ]
    # A facet: its label and the message about an unknown value.
    assert browsing.FACET_LABELS["governance"] == "Steuerungsform"
    _, problems = browsing.parse_query({"governance": ["sideways"]}, vocab)
    assert problems == ["Unbekannter Wert „sideways“ für Steuerungsform (governance)"]
    # A compare row.
    with seeded.uow() as uow:
        comparison = compare(uow, ["freiraumbuero-halle", "altstadtquartier-buechel-aachen"], vocab)
    rows = {r.key: r for _, r in comparison.rows}
    assert rows["governance"].label == "Steuerungsform"
    # The codebook.
    columns = {c.name: c for c in build_codebook(vocab).columns if c.file == "cases.csv"}
    assert columns["governance_type"].meaning == "Steuerungsform laut Redaktion"
    # A form label.
    form = {f.key: f for f in case_form(vocab, new=True).fields()}
    assert form["governance.type"].label == "Steuerungsform"


def test_list_entries_and_sub_fields_come_from_the_table(
    vocabulary: Vocabulary, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(FIELDS, "actors", Label("Beteiligte", item=Label("Beteiligte Stelle")))
    monkeypatch.setitem(FIELDS, "actors.role", Label("Aufgabe"))
    monkeypatch.setitem(FIELDS, "speakers.side", Label("Seite der Kooperation"))
    monkeypatch.setitem(FIELDS, "questions", Label("Fragen", item=Label("Frage")))
    actors = next(g for g in case_form(vocabulary, new=True).groups() if g.key == "actors")
    assert (actors.legend, actors.item) == ("Beteiligte", "Beteiligte Stelle")
    assert [f.label for f in actors.fields if f.key == "role"] == ["Aufgabe"]
    talk = talk_form(vocabulary, (), (), new=True)
    speakers = next(g for g in talk.groups() if g.key == "speakers")
    assert [f.label for f in speakers.fields if f.key == "side"] == ["Seite der Kooperation"]
    questions = next(g for g in series_form(new=True).groups() if g.key == "questions")
    assert (questions.legend, questions.item, questions.fields[0].label) == (
        "Fragen",
        "Frage",
        "Frage",
    )
    # The codebook names the long CSV's item types like the entries of their lists.
    values = {v.code: v for v in build_codebook(vocabulary).values if v.vocabulary == "item_types"}
    assert values["actor"].label == "Beteiligte Stelle"


# --- no label tables outside kb.labels -------------------------------------------------------

CONSUMERS = (
    "kb/editorial/history.py",
    "kb/catalogue/browsing.py",
    "kb/publishing/compare.py",
    "kb/exchange/codebook.py",
    "webapp/forms.py",
)
# Dicts in the consumers whose keys happen to be spelled like fields but are something else.
OTHER_DICTS = {
    ("kb/catalogue/browsing.py", "SORTS"): "the sort orders (“Ort (A–Z)”), not fields",
    ("kb/exchange/codebook.py", "VOCABULARY_TITLES"): "titles of vocabularies, not fields",
}
# Groups of the comparison whose keys happen to be spelled like fields.
OTHER_PAIRS = {
    ("kb/publishing/compare.py", "series"): "the group “Gesprächsreihe”",
    ("kb/publishing/compare.py", "organisation"): "the group “Organisation”",
}
FIELD_NAMES = {
    part
    for key in FIELDS
    for part in (key.rpartition(":")[2].split("@")[0], key.rpartition(":")[2].split(".")[-1])
}


def _german(node: ast.AST | None) -> bool:
    """A string literal that reads as German words (codes and paths are lower-case ASCII
    without spaces), or a tuple or list that starts with one."""
    if isinstance(node, ast.Tuple | ast.List) and node.elts:
        return _german(node.elts[0])
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(r"[A-ZÄÖÜ]|[äöüß]|\s", node.value) is not None
    )


def _field_name(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and node.value in FIELD_NAMES:
        return str(node.value)
    return None


def label_pairs(source: str, module: str = "") -> list[str]:
    """Where `source` pairs a field's name with a German literal: a dict item
    (`"city": "Stadt"`) or the first two elements of a tuple or call (`("city", "Stadt", ...)`,
    `Field("city", "Stadt")`), which is how each consumer used to keep its own labels."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and (module, t.id) in OTHER_DICTS for t in targets):
                skip |= {id(n) for n in ast.walk(node)}
    # A tuple that is a dict's value is judged with its key (`"city": ("city", "Text", "")`
    # maps a column to the field it holds and its type).
    values = {id(v) for n in ast.walk(tree) if isinstance(n, ast.Dict) for v in n.values}
    found = []
    for node in ast.walk(tree):
        pairs: list[tuple[ast.AST | None, ast.AST | None]] = []
        if isinstance(node, ast.Dict):
            pairs = list(zip(node.keys, node.values, strict=True))
        elif isinstance(node, ast.Tuple) and len(node.elts) >= 2 and id(node) not in values:
            pairs = [(node.elts[0], node.elts[1])]
        elif isinstance(node, ast.Call) and len(node.args) >= 2:
            pairs = [(node.args[0], node.args[1])]
        for key, value in pairs:
            name = _field_name(key)
            allowed = (module, name) in OTHER_PAIRS or id(key) in skip
            if name and _german(value) and not allowed:
                found.append(f"{module}:{getattr(key, 'lineno', '?')}: {name}")
    return found


def test_the_scan_finds_a_label_table() -> None:
    """The scan below is not blind: each way the consumers used to hold labels is found."""
    assert label_pairs('LABELS = {"governance.type": "Governance-Typ", "slug": "Kürzel"}')
    assert label_pairs('FACETS = {"land": "Bundesland"}')
    assert label_pairs('COLUMNS = {"city": ("Stadt oder Gemeinde", "Text", "")}')
    assert label_pairs('ROWS = [("city", "Stadt", lambda c: c.city)]')
    assert label_pairs('Field("role", "Rolle", "textarea")')
    assert label_pairs('Group("actors", "Akteure", "Akteur", ())')
    # Paths, codes and calls of the table are not labels.
    assert not label_pairs('FACETS = {"land": "land", "size_class": "municipality.size_class"}')
    assert not label_pairs('Field("role", _label("actors.role"), "textarea")')
    assert not label_pairs('WIDE = {"city": ("city", "Text", "")}')


@pytest.mark.parametrize("module", CONSUMERS)
def test_the_consumers_keep_no_labels_of_their_own(module: str) -> None:
    source = (ROOT / module).read_text(encoding="utf-8")
    assert "kb.labels" in source  # it reads the table
    assert label_pairs(source, module) == []
    # The allowances still exist (so that an outdated one is noticed and removed).
    for mod, name in OTHER_DICTS:
        if mod == module:
            assert re.search(rf"^{name}\b", source, re.M), name
    for mod, key in OTHER_PAIRS:
        if mod == module:
            assert f'"{key}"' in source, key


def test_labels_is_pure_data_for_every_layer() -> None:
    """kb.labels imports nothing of the project but kb.i18n (the layer below every other, which
    translates its wordings), so every layer may read it."""
    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)] + [
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    ]
    allowed = ("collections", "dataclasses", "typing")
    assert all(m == "kb.i18n" or m.split(".")[0] in allowed for m in imported)
