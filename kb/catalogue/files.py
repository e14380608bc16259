"""Reading and writing the catalogue's files: YAML, and Markdown with YAML front matter.

Reading keeps the line of every key, so that an error can name `file:line`, and bounds what a
file may cost: its size, and (while the YAML is composed, before any Python object is built)
no anchors or aliases, a limited number of nodes and a limited depth. Writing is deterministic
(same catalogue, same bytes), so that exports can be diffed and round-tripped.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import Any

import yaml

from kb.catalogue.schemas import MAX_BODY, dotted
from kb.errors import FieldError
from kb.i18n import N_, _, number, translate

SKIPPED_NAMES = ("vocabularies.yaml",)
# The largest legitimate file is an item with one text of MAX_BODY characters (a case's
# description, a talk's summary, a note's body): at most 4 bytes a character in UTF-8, about
# 1 byte in German prose. Five times MAX_BODY (1 MB at 200,000 characters) holds that worst case
# and a fifth more for the other fields; the seed's largest file has 15 KB.
MAX_FILE_BYTES = 5 * MAX_BODY
# Even without aliases, a megabyte of tiny nodes ("[0,0,0,...]") costs seconds and hundreds of
# megabytes to compose (5 MB of them peaked at 1.4 GB); the seed's largest file has about 400
# nodes, 4 levels deep.
MAX_NODES = 20_000
MAX_DEPTH = 20  # also keeps the recursive composer far from Python's recursion limit
ANCHOR_MESSAGE = N_("YAML-Anker und -Verweise (&, *) sind in Importdateien nicht erlaubt")

Loc = tuple[Any, ...]
# The types of item a file may hold, each with the field a Markdown file keeps as its text
# below the front matter (None: the type is written as YAML). kb.editorial.kinds.file_types().
FileTypes = Mapping[str, str | None]


@dataclass
class ParsedFile:
    path: str
    type: str
    data: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)
    first_line: int = 1

    def line_for(self, loc: Loc) -> int:
        """The line of the deepest known key on the way to `loc` (a missing key: its parent)."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return self.first_line

    def error(self, loc: Loc, message: str, field_name: str | None = None) -> FieldError:
        return FieldError(field_name or dotted(loc), message, self.path, self.line_for(loc))


def _line_map(node: yaml.Node, offset: int, prefix: Loc = ()) -> dict[Loc, int]:
    lines: dict[Loc, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            loc = (*prefix, key_node.value)
            lines[loc] = key_node.start_mark.line + 1 + offset
            lines.update(_line_map(value_node, offset, loc))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            loc = (*prefix, i)
            lines[loc] = item.start_mark.line + 1 + offset
            lines.update(_line_map(item, offset, loc))
    return lines


class _Refused(Exception):
    """A YAML document that is well-formed but too costly to accept; raised while composing."""

    def __init__(self, message: str, event: yaml.Event) -> None:
        super().__init__(message)
        self.message = message
        self.line = event.start_mark.line if event.start_mark is not None else None  # from 0


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses, node by node while composing and so before anything
    is constructed, anchors and aliases (a few nested aliases expand to billions of nodes:
    "billion laughs"), more than MAX_NODES nodes and nesting deeper than MAX_DEPTH."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._nodes = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(translate(ANCHOR_MESSAGE), event)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            message = _("zu viele YAML-Einträge (höchstens %(max)s)", max=number(MAX_NODES))
            raise _Refused(message, event)
        if self._depth >= MAX_DEPTH:
            message = _("YAML zu tief verschachtelt (höchstens %(max)s Ebenen)", max=MAX_DEPTH)
            raise _Refused(message, event)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _load_yaml(text: str, path: str, offset: int) -> tuple[Any, dict[Loc, int], list[FieldError]]:
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except _Refused as exc:
        line = exc.line + 1 + offset if exc.line is not None else None
        return None, {}, [FieldError("", exc.message, path, line)]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        message = _("kein gültiges YAML: %(error)s", error=problem)
        return None, {}, [FieldError("", message, path, line)]
    finally:
        loader.dispose()
    return data, (_line_map(node, offset) if node is not None else {}), []


def parse_text(
    text: str, path: str, types: FileTypes
) -> tuple[ParsedFile | None, list[FieldError]]:
    """Parse one file's text; `path` decides the format (.md, else YAML)."""
    markdown = path.endswith(".md")
    allowed = tuple(t for t, body_field in types.items() if (body_field is not None) == markdown)
    if markdown:
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            return None, [
                FieldError("", _("Markdown-Datei muss mit '---' (Front Matter) beginnen"), path, 1)
            ]
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            message = _("Front Matter wird nicht mit '---' geschlossen")
            return None, [FieldError("", message, path, 1)]
        data, line_map, errors = _load_yaml("\n".join(lines[1:end]), path, offset=1)
        body = "\n".join(lines[end + 1 :])
        body_line = end + 2
    else:
        data, line_map, errors = _load_yaml(text, path, offset=0)
        body, body_line = None, 1
    if errors:
        return None, errors
    if not isinstance(data, dict):
        message = _("erwartet Schlüssel: Wert-Paare auf oberster Ebene")
        return None, [FieldError("", message, path, 1)]
    kind = data.pop("type", None)
    if kind not in allowed:
        line = line_map.get(("type",), 1)
        types_ = reduce(lambda a, b: _("%(a)s oder %(b)s", a=a, b=b), allowed) if allowed else ""
        if kind:
            msg = _("type muss %(types)s sein, nicht '%(kind)s'", types=types_, kind=kind)
        else:
            msg = _("type muss %(types)s sein", types=types_)
        return None, [FieldError("type", msg, path, line)]
    errors = []
    if body is not None:
        body_field = str(types[kind])
        if body_field in data:
            errors.append(
                FieldError(
                    body_field,
                    _("gehört als Text unter das Front Matter"),
                    path,
                    line_map.get((body_field,)),
                )
            )
        data[body_field] = body
        line_map[(body_field,)] = body_line
    return ParsedFile(path, kind, data, line_map), errors


def collect_paths(paths: Iterable[Path]) -> tuple[list[Path], list[FieldError]]:
    """Expand folders into their .yaml/.yml/.md files (sorted); report paths that do not exist."""
    found: list[Path] = []
    errors: list[FieldError] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix in (".yaml", ".yml", ".md")
                and p.name not in SKIPPED_NAMES
                and not p.name.upper().startswith("README")
            )
        elif path.is_file():
            found.append(path)
        else:
            errors.append(FieldError("", _("Datei oder Ordner nicht gefunden"), str(path)))
    return found, errors


def read_text(path: Path) -> str | FieldError:
    """The text of an imported file, or why it cannot be read: larger than MAX_FILE_BYTES
    (checked before reading, so that a huge file is never loaded) or not UTF-8."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        message = _(
            "Datei zu groß (%(size)s Bytes, höchstens %(limit)s)",
            size=number(size),
            limit=number(MAX_FILE_BYTES),
        )
        return FieldError("", message, str(path))
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return FieldError("", _("keine UTF-8-Datei (Byte %(byte)s)", byte=exc.start), str(path))


def read_files(
    paths: Iterable[Path], types: FileTypes
) -> tuple[list[ParsedFile], list[FieldError]]:
    files, errors = collect_paths(paths)
    parsed: list[ParsedFile] = []
    for path in files:
        if path.suffix not in (".yaml", ".yml", ".md"):
            errors.append(FieldError("", _("nur .yaml, .yml und .md werden gelesen"), str(path)))
            continue
        text = read_text(path)
        if isinstance(text, FieldError):
            errors.append(text)
            continue
        item, file_errors = parse_text(text, str(path), types)
        errors.extend(file_errors)
        if item is not None:
            parsed.append(item)
    return parsed, errors


# --- writing -----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def prune(value: Any) -> Any:
    """Drop empty values (None, "", [], {}) so that files show only what is known."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def render_file(kind: str, state: dict[str, Any], body_field: str | None) -> str:
    """The file text of an item in its canonical state: YAML, or Markdown with front matter
    and `body_field` as the text below it."""
    data = {"type": kind, **prune(state)}
    if body_field is not None:
        body = data.pop(body_field, "")
        return f"---\n{dump_yaml(data)}---\n{body}\n"
    return dump_yaml(data)
