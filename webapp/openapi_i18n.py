"""The OpenAPI description in the page's language: its prose (every `summary`, `description`
and `title` whose value is text) is German in webapp/openapi.yaml and goes into the web app's
catalogue through `extract`, a Babel extractor registered in webapp/translations/babel.cfg;
`translated` puts the current language's words in at serve time. Everything else (paths,
parameter names, schemas, codes) is the same in every language.

The messages are the values stripped of the trailing newline a YAML block scalar keeps; a value
without a translation is served exactly as written, so the German document stays as it was."""

from collections.abc import Callable, Iterator
from typing import IO, Any

import yaml

# The keys whose text values are prose. A schema's *property* named "title" or "description"
# has a mapping as its value and is left alone.
PROSE_KEYS = frozenset({"summary", "description", "title"})


def _prose(node: yaml.Node) -> Iterator[tuple[int, str]]:
    """(line, text) of every prose value under `node`, in document order."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value in PROSE_KEYS
                and isinstance(value, yaml.ScalarNode)
                and value.value.strip()
            ):
                yield value.start_mark.line + 1, value.value.strip()
            else:
                yield from _prose(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _prose(item)


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extractor interface: (line, function name, message, comments) per message."""
    node = yaml.compose(fileobj.read().decode(options.get("encoding", "utf-8")))
    if node is not None:
        for line, text in _prose(node):
            yield line, None, text, []


def translated(document: Any, gettext: Callable[[str], str]) -> Any:
    """A copy of the (parsed) document with its prose passed through `gettext`."""
    if isinstance(document, dict):
        out = {}
        for key, value in document.items():
            if key in PROSE_KEYS and isinstance(value, str) and value.strip():
                words = gettext(value.strip())
                out[key] = value if words == value.strip() else words
            else:
                out[key] = translated(value, gettext)
        return out
    if isinstance(document, list):
        return [translated(item, gettext) for item in document]
    return document
