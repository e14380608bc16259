"""Reading and writing the catalogue's files: YAML, and Markdown with YAML front matter.

Reading keeps the line of every key, so that an error can name `file:line`. Writing is
deterministic (same catalogue, same bytes), so that exports can be diffed and round-tripped.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.errors import FieldError
from kb.schemas import dotted

YAML_TYPES = ("case", "series")
MARKDOWN_TYPES = ("talk", "note")
BODY_FIELD = {"talk": "summary", "note": "body"}
SKIPPED_NAMES = ("vocabularies.yaml",)
MAX_FILE_BYTES = 5_000_000

Loc = tuple[Any, ...]


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


def _load_yaml(text: str, path: str, offset: int) -> tuple[Any, dict[Loc, int], list[FieldError]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + offset if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        return None, {}, [FieldError("", f"kein gültiges YAML: {problem}", path, line)]
    return data, (_line_map(node, offset) if node is not None else {}), []


def parse_text(text: str, path: str) -> tuple[ParsedFile | None, list[FieldError]]:
    """Parse one file's text; `path` decides the format (.md, else YAML)."""
    if path.endswith(".md"):
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            return None, [
                FieldError("", "Markdown-Datei muss mit '---' (Front Matter) beginnen", path, 1)
            ]
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            return None, [FieldError("", "Front Matter wird nicht mit '---' geschlossen", path, 1)]
        data, line_map, errors = _load_yaml("\n".join(lines[1:end]), path, offset=1)
        body = "\n".join(lines[end + 1 :])
        body_line = end + 2
        allowed = MARKDOWN_TYPES
    else:
        data, line_map, errors = _load_yaml(text, path, offset=0)
        body, body_line, allowed = None, 1, YAML_TYPES
    if errors:
        return None, errors
    if not isinstance(data, dict):
        return None, [FieldError("", "erwartet Schlüssel: Wert-Paare auf oberster Ebene", path, 1)]
    kind = data.pop("type", None)
    if kind not in allowed:
        line = line_map.get(("type",), 1)
        msg = f"type muss {' oder '.join(allowed)} sein" + (f", nicht '{kind}'" if kind else "")
        return None, [FieldError("type", msg, path, line)]
    errors = []
    if body is not None:
        body_field = BODY_FIELD[kind]
        if body_field in data:
            errors.append(
                FieldError(
                    body_field,
                    "gehört als Text unter das Front Matter",
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
            errors.append(FieldError("", "Datei oder Ordner nicht gefunden", str(path)))
    return found, errors


def read_files(paths: Iterable[Path]) -> tuple[list[ParsedFile], list[FieldError]]:
    files, errors = collect_paths(paths)
    parsed: list[ParsedFile] = []
    for path in files:
        if path.suffix not in (".yaml", ".yml", ".md"):
            errors.append(FieldError("", "nur .yaml, .yml und .md werden gelesen", str(path)))
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(FieldError("", f"Datei größer als {MAX_FILE_BYTES:,} Bytes", str(path)))
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            errors.append(FieldError("", f"keine UTF-8-Datei (Byte {exc.start})", str(path)))
            continue
        item, file_errors = parse_text(text, str(path))
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


def render_file(kind: str, state: dict[str, Any]) -> str:
    """The file text of an item in its canonical state (YAML, or Markdown with front matter)."""
    data = {"type": kind, **prune(state)}
    if kind in MARKDOWN_TYPES:
        body = data.pop(BODY_FIELD[kind], "")
        return f"---\n{dump_yaml(data)}---\n{body}\n"
    return dump_yaml(data)
