"""The query language: plain words (AND), "phrases", OR/ODER, NOT/NICHT and -word, prefix*,
field:value filters. Any input gives a query or a QuerySyntaxError with a German message."""

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from whoosh import query as q
from whoosh.qparser import (
    BoostPlugin,
    FieldAliasPlugin,
    MultifieldParser,
    QueryParserError,
    RangePlugin,
)
from whoosh.support.charset import accent_map

from search_index.analysis import german_normalize, transliterate
from search_index.documents import FACETS, QuerySyntaxError, Synonym
from search_index.messages import (
    NOTHING_TO_SEARCH,
    SHORTENED,
    TOO_MANY_TERMS,
    UNREADABLE,
    WILDCARD_TOO_SHORT,
    Message,
)
from search_index.schema import TEXT_FIELDS, build_schema

MAX_CHARS = 500
MAX_TERMS = 32
FIELD_ALIASES = {
    "title": ["titel", "name"],
    "body": ["text"],
    "names": ["person", "personen", "akteur", "akteure", "ort", "stadt", "instrument"],
    "governance": ["typ", "governance-typ"],
    "scale": ["ebene", "massstab"],
    "size_class": ["groesse", "größe", "stadtgroesse"],
    "year": ["jahr"],
    "kind": ["art"],
}
# Question and function words a question typed into the box brings along; outside quotes they
# are dropped, so that "Welche Initiative betreibt das Bürgerbüro in Hannover?" looks for what
# its content words say. Many are stop words anyway; these are the ones that are not (or that
# Whoosh's German list lacks).
QUESTION_WORDS = frozenset(
    (
        *("wer", "wen", "wem", "wessen", "was", "wie", "wo", "woher", "wohin", "wann"),
        *("warum", "weshalb", "wieso", "weswegen", "womit", "wofür", "wozu", "wodurch"),
        *("worüber", "worin", "welche", "welcher", "welches", "welchen", "welchem"),
        *("gibt", "gab", "gebe", "es", "zusammen", "eigentlich", "bitte", "genau", "gern"),
        "gerne",
    )
)
_QUESTION_MARK = re.compile(r"(?<=\w)\?+(?=\s|$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_FOLD = str.maketrans({k: v for k, v in accent_map.items() if isinstance(v, str)})


def clean(text: str) -> tuple[str, Message | None]:
    """Remove control characters, fold whitespace, shorten, balance quotes, and turn German
    operators and `-word` into the parser's syntax. Returns the text and a note for the user."""
    note: Message | None = None
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0]
        note = Message(SHORTENED, limit=MAX_CHARS)
    if text.count('"') % 2:
        text = text.replace('"', " ")
    out = []
    for i, chunk in enumerate(text.split('"')):
        if i % 2:  # inside a phrase: leave alone
            out.append(f'"{chunk}"')
            continue
        chunk = re.sub(r"(^|\s)-(?=[\w\"(])", r"\1NOT ", chunk)
        chunk = re.sub(r"\bUND\b", "AND", chunk)
        chunk = re.sub(r"\bODER\b", "OR", chunk)
        chunk = re.sub(r"\bNICHT\b", "NOT", chunk)
        out.append(_without_question_words(chunk))
    cleaned = " ".join("".join(out).split())
    if not cleaned.strip('" '):  # only question words: keep them (the parser says why)
        cleaned = " ".join(_QUESTION_MARK.sub("", text).split())
    return cleaned, note


def _without_question_words(chunk: str) -> str:
    """A question mark after a word ends a question (it is no wildcard there), and question
    words outside quotes are dropped."""
    chunk = _QUESTION_MARK.sub("", chunk)
    return " ".join(w for w in chunk.split(" ") if w.lower() not in QUESTION_WORDS)


_WORD_GAP = r"[\s\-]+"  # between the words of a synonym's phrase: spaces or a hyphen


def _key(phrase: str) -> str:
    return " ".join(w for w in re.split(_WORD_GAP, phrase.lower()) if w)


@lru_cache(maxsize=8)
def _synonym_table(synonyms: tuple[Synonym, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every phrase (longest first, so that "large city" wins over "city"),
    and the queries of each phrase OR-ed, by the phrase's key."""
    queries: dict[str, list[str]] = {}
    for s in synonyms:
        if _key(s.phrase):
            queries.setdefault(_key(s.phrase), []).append(s.query)
    phrases = sorted(queries, key=lambda k: (-len(k.split()), -len(k)))
    body = "|".join(_WORD_GAP.join(map(re.escape, k.split())) for k in phrases)
    # Whole words only, never a field's value ("titel:bottom-up") or a prefix ("bottom*").
    pattern = re.compile(rf"(?<![\w:*\-])(?:{body})(?![\w:*\-])", re.IGNORECASE)
    return pattern, {k: " OR ".join(dict.fromkeys(q)) for k, q in queries.items()}


def expand(text: str, synonyms: Sequence[Synonym]) -> tuple[str, frozenset[str]]:
    """Cleaned text with every synonym's phrase OR-ed with its query ("bottom-up" becomes
    "((bottom-up) OR governance:bottom-up)"): outside quotes wherever the phrase stands, a
    quoted phrase if it is the synonym's phrase as a whole. Also returns the words so expanded
    (in lower case), which no spelling suggestion should change."""
    if not synonyms or not text:
        return text, frozenset()
    pattern, queries = _synonym_table(tuple(synonyms))
    if not queries:
        return text, frozenset()
    covered: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        covered.update(_key(match[0]).split())
        return f"(({match[0]}) OR {queries[_key(match[0])]})"

    out = []
    for i, chunk in enumerate(text.split('"')):
        if i % 2 == 0:
            out.append(pattern.sub(replace, chunk))
        elif _key(chunk) in queries:
            covered.update(_key(chunk).split())
            out.append(f'("{chunk}" OR {queries[_key(chunk)]})')
        else:
            out.append(f'"{chunk}"')
    return "".join(out), frozenset(covered)


def make_parser() -> MultifieldParser:
    schema = build_schema()
    parser = MultifieldParser(list(TEXT_FIELDS), schema)
    parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
    # Ranges and boosts are not part of the language: "2020 TO 2022" and "^" stay text.
    parser.remove_plugin_class(RangePlugin)
    parser.remove_plugin_class(BoostPlugin)
    return parser


def _normalize_pattern(text: str) -> str:
    return german_normalize(text.lower()).translate(_FOLD)


_POSITIONAL = frozenset(
    name
    for name, field in build_schema().items()
    if field.format is not None and field.format.supports("positions")
)


def _rewrite(node: q.Query) -> q.Query:
    """Make wildcards safe and German-aware; phrases only where positions are indexed."""
    if isinstance(node, q.Phrase) and node.fieldname not in _POSITIONAL:
        return q.NullQuery
    if isinstance(node, q.Wildcard | q.Prefix):
        text = node.text
        field = node.fieldname
        text = transliterate(text.lower()) if field in FACETS else _normalize_pattern(text)
        if text.startswith(("*", "?")) or len(text.strip("*?")) < 2:
            raise QuerySyntaxError(Message(WILDCARD_TOO_SHORT))
        if isinstance(node, q.Prefix):
            return q.Prefix(field, text, boost=node.boost)
        return q.Wildcard(field, text, boost=node.boost)
    if node.is_leaf():
        return node
    return node.apply(_rewrite)


def parse(parser: MultifieldParser, text: str, synonyms: Sequence[Synonym] = ()) -> q.Query:
    """Parse cleaned text, with `synonyms` matched too (see `expand`); an empty query matches
    everything."""
    if not text or text == "*":
        return q.Every()
    try:
        parsed = parser.parse(expand(text, synonyms)[0])
    except (QueryParserError, ValueError, RecursionError) as exc:
        raise QuerySyntaxError(Message(UNREADABLE, error=str(exc))) from exc
    # The words as typed count, not what the synonyms add.
    words = [w for w in re.findall(r"\w+", text) if w not in ("AND", "OR", "NOT")]
    if len(words) > MAX_TERMS:
        raise QuerySyntaxError(Message(TOO_MANY_TERMS, limit=MAX_TERMS))
    normalized = _rewrite(parsed).normalize()
    if normalized is q.NullQuery or isinstance(normalized, q.NullQuery.__class__):
        raise QuerySyntaxError(Message(NOTHING_TO_SEARCH))
    return normalized
