"""German text analysis for the index: folding (ß, umlauts, ae/oe/ue), stop words, Snowball
stemming and compound parts, so that "Buechel" finds "Büchel" and "Beteiligung" finds
"Bürgerbeteiligung".

Each analyzer is one tokenizer that does every step per word and remembers the result per
distinct word (a text repeats its words; a corpus repeats them a lot), several times faster than
Whoosh's chain of filters. The steps are Lucene's German normalisation and Whoosh's German
Snowball stemmer. The analyzer objects are pickled into the index's table of contents, so this
module path and the class names must stay stable; they hold no state.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from hashlib import blake2b
from pathlib import Path
from typing import Any

from whoosh.analysis import CommaSeparatedTokenizer, Filter, LowercaseFilter, Token, Tokenizer
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

WORDS_FILE = Path(__file__).with_name("compound_words.txt")
LINKING_ELEMENTS = ("s", "es", "n", "en", "er", "e", "ns")  # Fugenelemente
MIN_PART = 4
_WORD = re.compile(r"\w+(?:\.?\w+)*")  # Whoosh's default tokenizer pattern
_UE = re.compile(r"(?<![aeiouäöüq])ue")
_STOP = frozenset(stoplists["de"])
_FOLD = str.maketrans({k: v for k, v in accent_map.items() if isinstance(v, str)})
_stem = stemmer_for_language("de")


def german_normalize(text: str) -> str:
    """Lucene's GermanNormalizationFilter: ß→ss; ä/ö/ü→a/o/u; ae/oe→a/o; ue→u unless after a
    vowel or q (so "Buechel" and "Büchel" meet at "buchel", while "neue" stays)."""
    text = text.replace("ß", "ss").replace("ä", "a").replace("ö", "o").replace("ü", "u")
    text = text.replace("ae", "a").replace("oe", "o")
    return _UE.sub("u", text)


def fold(word: str) -> str:
    """Lowercase word -> its normalised, accent-free form (before stemming)."""
    return german_normalize(word).translate(_FOLD)


def transliterate(text: str) -> str:
    """ä→ae, ö→oe, ü→ue, ß→ss: how vocabulary codes spell German words (thueringen)."""
    return text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")


@cache
def curated_words() -> frozenset[str]:
    """The curated word list for decompounding, folded like the words it is compared to."""
    words = set()
    for line in WORDS_FILE.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.add(fold(word))
    return frozenset(words)


# The catalogue's own words (titles, vocabulary labels and definitions, see
# add_catalogue_words) join the curated list: a word the catalogue uses on its own is a
# possible part of its compounds, even when no general dictionary knows it.
_catalogue_words: frozenset[str] = frozenset()
_all_words: frozenset[str] | None = None


def compound_words() -> frozenset[str]:
    """Every known compound part: the curated list and the catalogue's own words."""
    global _all_words
    if _all_words is None:
        _all_words = curated_words() | _catalogue_words
    return _all_words


def catalogue_words(texts: Iterable[str]) -> frozenset[str]:
    """The words of `texts` that may be compound parts: folded, letters only, at least
    MIN_PART long, no stop words."""
    return frozenset(
        fold(w)
        for w in (m.lower() for text in texts for m in _WORD.findall(text))
        if len(w) >= MIN_PART and w.isalpha() and w not in _STOP
    )


def known_catalogue_words() -> frozenset[str]:
    """The catalogue words this process knows (add_catalogue_words), to hand to a process that
    does not inherit them (a rebuild worker)."""
    return _catalogue_words


def add_catalogue_words(words: frozenset[str]) -> bool:
    """Make `words` (from catalogue_words) compound parts for this process from now on; True
    if that changed anything. Words are only ever added, so a text analysed earlier is never
    split into more parts than one analysed later would be: the next rebuild makes them equal.
    """
    global _catalogue_words, _all_words
    new = words - _catalogue_words - curated_words()
    if not new:
        return False
    _catalogue_words = _catalogue_words | new
    _all_words = None
    # Cached analyses used the smaller list.
    for cached in (part_forms, _word, analyse):
        cached.cache_clear()
    return True


def split_compound(word: str, depth: int = 0) -> list[str]:
    """Known parts of a folded compound, longest known head first ("burgerbeteiligung" ->
    ["burger", "beteiligung"]); an unknown modifier still yields the head."""
    words = compound_words()
    if depth > 3 or len(word) < 2 * MIN_PART:
        return []
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[i:]
        if head not in words:
            continue
        modifier = word[:i]
        candidates = [modifier] + [
            modifier[: -len(f)]
            for f in LINKING_ELEMENTS
            if modifier.endswith(f) and len(modifier) - len(f) >= MIN_PART
        ]
        for candidate in candidates:
            if candidate in words:
                return [candidate, head]
            parts = split_compound(candidate, depth + 1)
            if parts:
                return [*parts, head]
        return [head]
    return []


@lru_cache(maxsize=500_000)
def index_form(word: str) -> str | None:
    """The indexed term of a lowercase word, or None for a stop word."""
    if word in _STOP:
        return None
    stemmed: str = _stem(fold(word))
    return stemmed


@lru_cache(maxsize=500_000)
def part_forms(word: str) -> tuple[str, ...]:
    """The indexed terms of the known parts of a lowercase compound word."""
    if word in _STOP:
        return ()
    folded = fold(word)
    return tuple(_stem(p) for p in split_compound(folded) if p != folded)


# "Verfügungs- und Quartiersfonds": a compound whose head is left out (Ergänzungsstrich) and
# must be read from the last word of the list. Each "X-" before "und/oder/sowie/bzw." (also in
# "A-, B- und C") is completed with the head of that word.
_ELIDED = re.compile(
    r"(\w+)-(?=(?:\s*,\s*\w+-)*\s*(?:und|oder|sowie|bzw\.?)\s+(\w+))", re.IGNORECASE
)


def elided_parts(text: str) -> tuple[str, ...]:
    """The indexed terms of compounds written with an Ergänzungsstrich ("Verfügungs- und
    Quartiersfonds" -> the term of "Verfügungsfonds"), indexed as parts, so that the full word
    finds the text (ranked below a text that writes it out)."""
    if "-" not in text:
        return ()
    found = []
    for m in _ELIDED.finditer(text):
        parts = split_compound(fold(m[2].lower()))
        if parts:
            found.append(_stem(fold(m[1].lower()) + parts[-1]))
    return tuple(found)


def spelling_words(text: str) -> set[str]:
    """The readable words of a text that "Meinten Sie …?" may suggest: lowercase, umlauts
    kept, no stop words, no numbers, at least three letters."""
    return {
        w
        for w in (m.lower() for m in _WORD.findall(text))
        if len(w) > 2 and w.isalpha() and w not in _STOP
    }


@dataclass(frozen=True)
class Analysed:
    """A text analysed once for every field of a rebuild: what GermanTokenizer,
    GermanPartsTokenizer and spelling_words make of it."""

    forms: tuple[str, ...]  # indexed terms of the words kept, in order (one per position)
    parts: tuple[str, ...]  # indexed terms of their compound parts, in order
    spelling: frozenset[str]


@lru_cache(maxsize=500_000)
def _word(word: str) -> tuple[str | None, tuple[str, ...], bool]:
    """A lowercase word's indexed term, its parts' terms and whether it is a spelling word."""
    return (
        index_form(word),
        part_forms(word),
        len(word) > 2 and word.isalpha() and word not in _STOP,
    )


@lru_cache(maxsize=4096)  # names, places and a note's context repeat; bodies rarely do
def analyse(text: str) -> Analysed:
    forms: list[str] = []
    parts: list[str] = []
    spelling = set()
    for m in _WORD.finditer(text):
        word = m.group().lower()
        form, word_parts, spellable = _word(word)
        if form is not None:
            forms.append(form)
        parts += word_parts
        if spellable:
            spelling.add(word)
    parts += elided_parts(text)
    return Analysed(tuple(forms), tuple(parts), frozenset(spelling))


class GermanTokenizer(Tokenizer):
    """Words as written: stemmed, folded terms; for the spelling field (no_morph) the lowercase
    words themselves, umlauts kept, so that suggestions are readable. Positions count kept
    words only (like StopFilter's renumbering); subclasses change `forms`."""

    is_morph = True  # its terms are transformed words (Whoosh asks, e.g. for spelling)

    def forms(self, word: str, mode: str, no_morph: bool) -> tuple[str, ...]:
        if no_morph:
            return () if word in _STOP else (word,)
        form = index_form(word)
        return () if form is None else (form,)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Any:
        value = self.prepare(value, mode, tokenize)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        matches = _WORD.finditer(value) if tokenize else [None]
        pos = start_pos
        for m in matches:
            raw = value if m is None else m.group()
            word = raw.lower()
            forms = self.forms(word, mode, no_morph)
            t.boost = 1.0
            if keeporiginal:
                t.original = raw
            if chars:
                t.startchar = start_char + (0 if m is None else m.start())
                t.endchar = start_char + (len(value) if m is None else m.end())
            if not forms:
                if not removestops and word in _STOP:
                    t.text, t.stopped = word, True
                    if positions:
                        t.pos = pos
                    yield t
                continue
            t.stopped = False
            for form in forms:  # parts share the compound's position and characters
                t.text = form
                if positions:
                    t.pos = pos
                yield t
            pos += 1
        for form in self.extra_forms(value, mode, tokenize):
            t.text, t.stopped, t.boost = form, False, 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar = t.endchar = start_char
            yield t

    def spans(self, value: str) -> list[tuple[int, int, str]]:
        """(startchar, endchar, text) of each token that
        `self(value, chars=True, mode="index", removestops=False)` yields, in the same order,
        without making tokens (highlighting reads every word of a text). Characters count in
        the prepared text, as __call__'s do."""
        value = self.prepare(value, "index", True)
        out: list[tuple[int, int, str]] = []
        if type(self).forms is GermanTokenizer.forms:  # one term per word: the quick way
            for m in _WORD.finditer(value):
                word = m.group().lower()
                form = index_form(word)
                if form is not None:
                    start, end = m.span()
                    out.append((start, end, form))
                elif word in _STOP:  # kept as a stopped token (removestops=False)
                    start, end = m.span()
                    out.append((start, end, word))
        else:
            forms_of = self.forms
            for m in _WORD.finditer(value):
                word = m.group().lower()
                forms = forms_of(word, "index", False)
                if forms:
                    start, end = m.span()
                    out += [(start, end, form) for form in forms]
                elif word in _STOP:
                    start, end = m.span()
                    out.append((start, end, word))
        out += [(0, 0, form) for form in self.extra_forms(value, "index", True)]
        return out

    def prepare(self, value: str, mode: str, tokenize: bool) -> str:
        """The text whose words are read (a subclass may leave parts out)."""
        return value

    def extra_forms(self, value: str, mode: str, tokenize: bool) -> tuple[str, ...]:
        """Terms of the whole value beyond its words' own (a subclass's business)."""
        return ()


class GermanPartsTokenizer(GermanTokenizer):
    """Only the known parts of compounds, for the separate, lower-weighted `parts` field, so
    that a document with the word itself ranks above one that has it inside a compound. A query
    is not split: "Beteiligung" looks for the part `beteil`."""

    is_morph = False

    def forms(self, word: str, mode: str, no_morph: bool) -> tuple[str, ...]:
        if mode == "query":
            form = index_form(word)
            return () if form is None else (form,)
        return part_forms(word)

    def extra_forms(self, value: str, mode: str, tokenize: bool) -> tuple[str, ...]:
        if mode == "query" or not tokenize:
            return ()
        return elided_parts(value)


# A line of the `details` field: "Label: text" ("Akteur: Stadt Halle – Trägerin"). The label
# (up to the line's first colon) is shown in snippets but not searched: "Beleg" or "Akteur"
# would otherwise find every case.
DETAIL_LABEL = re.compile(r"^[^\S\n]*([^:\n]{1,40}):(?:[^\S\n]+|$)", re.MULTILINE)


def detail_line(line: str) -> tuple[str, str]:
    """A details line's label (without the colon; "" if it has none) and its text."""
    m = DETAIL_LABEL.match(line)
    return (m[1], line[m.end() :]) if m else ("", line)


def without_labels(text: str) -> str:
    """Details text with each line's label blanked out (same length: characters stay put)."""
    if ":" not in text:
        return text
    return DETAIL_LABEL.sub(lambda m: " " * len(m[0]), text)


class GermanDetailsTokenizer(GermanTokenizer):
    """The `details` field: like GermanTokenizer, but each line's label is not indexed."""

    def prepare(self, value: str, mode: str, tokenize: bool) -> str:
        return without_labels(value) if mode != "query" and tokenize else value


PAIR_BREAK = "\x1e"  # between fields: no word pair spans it


def pair_terms(value: str) -> Iterator[str]:
    """Each two neighbouring words of a text (as indexed terms, stop words left out like for
    positions), joined by a space; no pair spans a PAIR_BREAK."""
    for part in value.split(PAIR_BREAK):
        previous = None
        for m in _WORD.finditer(part):
            form = index_form(m.group().lower())
            if form is None:
                continue
            if previous is not None:
                yield pair_term(previous, form)
            previous = form


def pair_term(first: str, second: str) -> str:
    return f"{first} {second}"


def pair_hash(term: str) -> int:
    """A pair term as a 64-bit number, the same in every process (for the pair arrays of a
    rebuild). Two different pairs share a number with a chance of about 1 in 10^19 per pair."""
    return int.from_bytes(blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


class GermanPairsTokenizer(Tokenizer):
    """Each two neighbouring words (pair_terms): a phrase of two words is then one term lookup
    instead of a position check in every document that has both words."""

    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __call__(self, value: str, mode: str = "", **kwargs: Any) -> Any:
        t = Token(mode=mode, **{k: v for k, v in kwargs.items() if k in ("removestops",)})
        for term in pair_terms(value):
            t.text = term
            t.boost = 1.0
            t.stopped = False
            yield t


class TransliterationFilter(Filter):
    def __eq__(self, other: object) -> bool:
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens: Any) -> Any:
        for t in tokens:
            t.text = transliterate(t.text)
            yield t


def german_analyzer() -> GermanTokenizer:
    return GermanTokenizer()


def details_analyzer() -> GermanDetailsTokenizer:
    return GermanDetailsTokenizer()


def parts_analyzer() -> GermanPartsTokenizer:
    return GermanPartsTokenizer()


def pairs_analyzer() -> GermanPairsTokenizer:
    return GermanPairsTokenizer()


def keyword_analyzer() -> Any:
    """Facet values: comma separated codes; "Thüringen" in a query finds the code thueringen."""
    return CommaSeparatedTokenizer() | LowercaseFilter() | TransliterationFilter()
