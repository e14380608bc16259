"""German text analysis for the index: folding (ß, umlauts, ae/oe/ue), stop words, Snowball
stemming and index-time decompounding, so that "Buechel" finds "Büchel" and "Beteiligung" finds
"Bürgerbeteiligung".

The analyzer objects are pickled into the index's table of contents, so this module path and the
class names must stay stable; the compound word set is loaded lazily and never pickled.
"""

import re
from functools import cache
from pathlib import Path
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    CommaSeparatedTokenizer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

WORDS_FILE = Path(__file__).with_name("compound_words.txt")
LINKING_ELEMENTS = ("s", "es", "n", "en", "er", "e", "ns")  # Fugenelemente
_UE = re.compile(r"(?<![aeiouäöüq])ue")


def german_normalize(text: str) -> str:
    """Lucene's GermanNormalizationFilter: ß→ss; ä/ö/ü→a/o/u; ae/oe→a/o; ue→u unless after a
    vowel or q (so "Buechel" and "Büchel" meet at "buchel", while "neue" stays)."""
    text = text.replace("ß", "ss").replace("ä", "a").replace("ö", "o").replace("ü", "u")
    text = text.replace("ae", "a").replace("oe", "o")
    return _UE.sub("u", text)


def transliterate(text: str) -> str:
    """ä→ae, ö→oe, ü→ue, ß→ss: how vocabulary codes spell German words (thueringen)."""
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


class GermanNormalizationFilter(Filter):
    # Marked as morphological so that the spelling field keeps the real word with its umlauts.
    is_morph = True

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens: Any) -> Any:
        for t in tokens:
            t.text = german_normalize(t.text)
            yield t


class AccentFoldingFilter(CharsetFilter):
    is_morph = True


class TransliterationFilter(Filter):
    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens: Any) -> Any:
        for t in tokens:
            t.text = transliterate(t.text)
            yield t


@cache
def compound_words() -> frozenset[str]:
    """The curated word list for decompounding, normalised like the tokens it is compared to."""
    words = set()
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(german_normalize(word).translate(_ACCENT_TABLE))
    return frozenset(words)


_ACCENT_TABLE = str.maketrans({k: v for k, v in accent_map.items() if isinstance(v, str)})


class GermanDecompoundFilter(Filter):
    """Index-time dictionary decompounder: emits the token and its known parts at the same
    position and character span, so that a part finds the compound, phrases still work and the
    highlighter marks the whole compound. Queries pass through unchanged."""

    is_morph = True

    def __init__(self, minpart: int = 4, parts_only: bool = False) -> None:
        self.minpart = minpart
        # parts_only: emit only the parts (for the separate, lower-weighted `parts` field), so
        # that a document that has the word itself ranks above one that has it in a compound.
        self.parts_only = parts_only

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, GermanDecompoundFilter)
            and self.__class__ is other.__class__
            and (self.minpart, self.parts_only) == (other.minpart, other.parts_only)
        )

    def split(self, word: str, depth: int = 0) -> list[str]:
        words, m = compound_words(), self.minpart
        if depth > 3 or len(word) < 2 * m:
            return []
        for i in range(m, len(word) - m + 1):  # the longest known head first
            head = word[i:]
            if head not in words:
                continue
            modifier = word[:i]
            candidates = [modifier] + [
                modifier[: -len(f)]
                for f in LINKING_ELEMENTS
                if modifier.endswith(f) and len(modifier) - len(f) >= m
            ]
            for candidate in candidates:
                if candidate in words:
                    return [candidate, head]
                parts = self.split(candidate, depth + 1)
                if parts:
                    return [*parts, head]
            return [head]  # an unknown modifier: the head alone still helps
        return []

    def __call__(self, tokens: Any) -> Any:
        for t in tokens:
            if t.mode == "query":
                yield t
                continue
            original = t.text
            parts = self.split(original)
            if not self.parts_only:
                yield t
            for part in parts:
                if part != original:
                    t.text = part
                    yield t


def _chain(*middle: Filter) -> Analyzer:
    # Stop words go before folding: the German stop list is spelled with umlauts (für, über).
    chain = (
        RegexTokenizer()
        | LowercaseFilter()
        | StopFilter(lang="de")
        | GermanNormalizationFilter()
        | AccentFoldingFilter(accent_map)
    )
    for f in middle:
        chain = chain | f
    return chain | StemFilter(lang="de", cachesize=50000)


def german_analyzer() -> Analyzer:
    """Words as written: tokenize, lowercase, drop stop words, fold, stem."""
    return _chain()


def parts_analyzer() -> Analyzer:
    """Only the known parts of compounds ("Bürgerbeteiligung" -> bürger, beteiligung), stemmed."""
    return _chain(GermanDecompoundFilter(parts_only=True))


def keyword_analyzer() -> Analyzer:
    """Facet values: comma separated codes; "Thüringen" in a query finds the code thueringen."""
    return CommaSeparatedTokenizer() | LowercaseFilter() | TransliterationFilter()
