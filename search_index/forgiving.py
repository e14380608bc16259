"""Forgiving search: what happens when the words as typed find fewer than a few hits.

The query as typed always runs first and its hits always come first, unchanged (tier 0). Only
when it finds fewer than `FEW_HITS`, and only for a plain query (words, "phrases" and
field:value filters, joined by AND: no OR, NOT, parentheses or wildcards), the engine widens it
in two steps, each ranked below the one before:

1. every word, each also matching its close spellings from the index's own vocabulary (a typo:
   edit distance 1 for words of 4–7 letters, 2 for longer ones, two swapped letters counting as
   one; 1 for a word found once) when the word finds at most one document and the German
   dictionary does not know it, and the
   other forms of its word family (vermitteln/Vermittlung, see
   search_index.families), each alternative weighted below the word as typed (tier 1);
2. most of the words: hits that match at least half of the clauses, more clauses first (tier 2
   for all but one missing, 3 for all but two, …), each hit naming the words it lacks.

Phrases and filters are never widened; filters are never dropped. This module builds the
clauses (`plan`) and combines their matches into tiers (`combine`); the engine runs them.
"""

import math
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein
from whoosh import query as wq
from whoosh.qparser import MultifieldParser
from whoosh.searching import Searcher

from search_index.analysis import index_form
from search_index.documents import QuerySyntaxError
from search_index.executor import Matches
from search_index.families import family_terms, family_words, known_word
from search_index.query import parse
from search_index.schema import TEXT_FIELDS

FEW_HITS = 3  # fewer hits than this with every word as typed: widen the query
TYPO_MAX_HITS = 1  # a word found in at most this many documents may be misspelt
MIN_TYPO_LETTERS = 4
TYPO_ALTERNATIVES = 3  # close spellings searched per word, the most used first
TYPO_BOOST = 0.3  # a close spelling counts less than the word as typed
FAMILY_BOOST = 0.5  # another form of the word's family, too

UnitKind = Literal["word", "phrase", "filter"]
_TOKEN = re.compile(r'[\w-]+:"[^"]*"|"[^"]*"|\S+')
_EXPERT = re.compile(r"^(AND|OR|NOT)$|[()*?]")
_FILTER = re.compile(r"^[\w-]+:")


@dataclass(frozen=True)
class Unit:
    """One part of a plain query, as typed."""

    text: str
    kind: UnitKind


@dataclass
class Clause:
    """A unit's query as typed (`strict`) and widened (`loose`), and for a word that looked
    misspelt, its likeliest correct spelling (readable, for "Ergebnisse für …")."""

    unit: Unit
    strict: wq.Query
    loose: wq.Query
    correction: str | None = None


@dataclass
class Tiers:
    """Hits of one searcher with their tier (0: as typed, 1: widened words, 2+: some words)
    and, per clause, the documents it matched (to name the words a hit lacks)."""

    ids: NDArray[np.int64]
    scores: NDArray[np.float64]
    tiers: NDArray[np.int64]
    clause_ids: list[NDArray[np.int64]] = field(default_factory=list)
    searcher: Any = None  # the searcher and DocTable the ids belong to (set by the engine)
    table: Any = None

    def missing(self, docnum: int, clauses: list["Clause"] | None) -> tuple[str, ...]:
        """The words (units as typed) a hit of tier 2 or more does not match."""
        if not clauses or not self.clause_ids:
            return ()
        return tuple(
            c.unit.text
            for c, ids in zip(clauses, self.clause_ids, strict=True)
            if not _contains(ids, docnum)
        )


def _contains(ids: NDArray[np.int64], docnum: int) -> bool:
    """Whether sorted `ids` hold `docnum` (a binary search: the arrays can be the whole index)."""
    at = int(np.searchsorted(ids, docnum))
    return at < len(ids) and int(ids[at]) == docnum


def units(text: str) -> list[Unit] | None:
    """The units of a cleaned query, or None if it is not plain (it uses OR, NOT, parentheses
    or wildcards: its author is precise, and gets exactly what was asked for)."""
    found: list[Unit] = []
    for token in _TOKEN.findall(text):
        if token.startswith('"'):
            found.append(Unit(token, "phrase"))
        elif _FILTER.match(token):
            found.append(Unit(token, "filter"))
        elif _EXPERT.search(token):
            return None
        else:
            found.append(Unit(token, "word"))
    return found


def max_distance(word: str) -> int:
    """How many edits a misspelt word may be away from the word meant: none for short words."""
    letters = len(word)
    if letters < MIN_TYPO_LETTERS:
        return 0
    return 1 if letters <= 7 else 2


def _any_field(term: str, boost: float) -> wq.Query:
    return wq.Or([wq.Term(f, term) for f in TEXT_FIELDS], boost=boost)


def plan(
    text: str,
    parser: MultifieldParser,
    searcher: Searcher,
    words: Searcher,
    count: Callable[[wq.Query], int],
) -> list[Clause] | None:
    """The clauses of a plain query, each word widened by its close spellings (if it finds at
    most TYPO_MAX_HITS documents: `count` says how many a query finds) and its family; None for
    a query that is not plain or has nothing to widen."""
    found = units(text)
    if not found:
        return None
    clauses: list[Clause] = []
    for unit in found:
        try:
            strict = parse(parser, unit.text)
        except QuerySyntaxError:
            continue  # a stop word on its own: nothing to match, nothing to miss
        clause = Clause(unit, strict, strict)
        if unit.kind == "word" and unit.text.isalpha():
            alternatives: list[wq.Query] = []
            own = index_form(unit.text.lower())
            family = [t for t in family_terms(unit.text) if t != own and _occurs(searcher, t)]
            distance = max_distance(unit.text)
            found_in = count(strict) if distance else 0
            if found_in:  # the index has the word as typed: only one edit away, if at all
                distance = 1
            # A word the German dictionary knows is spelt right, even where the catalogue
            # lacks it: its family and the fallback to some words deal with it.
            if distance and found_in <= TYPO_MAX_HITS and not known_word(unit.text):
                word = unit.text.lower()
                close = _close_spellings(words, searcher, word, distance, own)
                # Another form of the same word is no misspelling: its family covers it.
                close = [
                    w
                    for w in close
                    if index_form(w) not in family
                    and w not in family_words(word)
                    and word not in family_words(w)
                ]
                if close:
                    clause.correction = close[0]
                    terms = dict.fromkeys(index_form(w) for w in close)
                    alternatives += [_any_field(t, TYPO_BOOST) for t in terms if t]
            alternatives += [_any_field(t, FAMILY_BOOST) for t in family]
            if alternatives:
                clause.loose = wq.Or([strict, *alternatives])
        clauses.append(clause)
    if not clauses:
        return None
    return clauses


def _occurs(searcher: Searcher, term: str) -> bool:
    return any(searcher.doc_frequency(f, term) for f in TEXT_FIELDS)


def _close_spellings(
    words: Searcher, searcher: Searcher, word: str, distance: int, own: str | None
) -> list[str]:
    """Readable words of the index within `distance` edits (Damerau-Levenshtein: two swapped
    letters are one edit) with the same first letter, the most used first, that are not just
    another spelling of the word itself."""
    choices = _words_by_letter(words).get(word[:1], [])
    close = [
        found
        for found, _, _ in process.extract(
            word, choices, scorer=DamerauLevenshtein.distance, score_cutoff=distance, limit=None
        )
        if found != word
    ]

    def used(candidate: str) -> int:
        term = index_form(candidate)
        return sum(searcher.doc_frequency(f, term) for f in TEXT_FIELDS) if term else 0

    fresh = [c for c in close if index_form(c) not in (own, None)]
    fresh.sort(key=lambda c: (-used(c), c))
    return [c for c in fresh if used(c)][:TYPO_ALTERNATIVES]


def _words_by_letter(words: Searcher) -> dict[str, list[str]]:
    """The readable words of the index by first letter, read once per words searcher (each
    commit has its own). rapidfuzz compares a word with all of one letter in C in about a
    millisecond, where Whoosh's word graph took ten or more (and counts a swap as two edits)."""
    cached = _WORDS_BY_LETTER.get(words)
    if cached is None:
        cached = {}
        for text in words.reader().lexicon("word"):
            word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            cached.setdefault(word[:1], []).append(word)
        _WORDS_BY_LETTER[words] = cached
    return cached


# _words_by_letter's tables, gone with their searcher.
_WORDS_BY_LETTER: "weakref.WeakKeyDictionary[Searcher, dict[str, list[str]]]" = (
    weakref.WeakKeyDictionary()
)


def corrected_text(text: str, clauses: list[Clause]) -> str | None:
    """The query with every misspelt word replaced by its correction, or None if none was."""
    changes = {c.unit.text: c.correction for c in clauses if c.correction}
    if not changes:
        return None
    return " ".join(changes.get(token, token) for token in _TOKEN.findall(text))


def combine(strict: Matches, loose: list[Matches], required: list[bool]) -> Tiers:
    """The hits as typed (tier 0), then every clause widened (tier 1), then, if these are still
    fewer than FEW_HITS, at least half of the clauses that may be dropped (filters may not),
    more clauses first (tier 1 + the number missing).

    Widened clauses can match most of the index, so this works on tables of every document
    number (linear) rather than on sorted sets (n log n)."""
    if not loose:
        return Tiers(strict.ids, strict.scores, np.zeros(len(strict.ids), dtype=np.int64))
    size = 1 + max((int(m.ids[-1]) for m in (strict, *loose) if len(m.ids)), default=-1)
    none = np.iinfo(np.int64).max
    tier = np.full(size, none, dtype=np.int64)
    score = np.zeros(size, dtype=np.float64)
    tier[strict.ids] = 0
    score[strict.ids] = strict.scores
    counts = np.zeros(size, dtype=np.int64)  # droppable clauses matched
    summed = np.zeros(size, dtype=np.float64)
    allowed = np.ones(size, dtype=np.bool_)  # every filter matched
    every = np.zeros(size, dtype=np.float64)  # every clause's score
    for m, req in zip(loose, required, strict=True):
        every += np.bincount(m.ids, weights=m.scores, minlength=size)
        if req:
            matched = np.zeros(size, dtype=np.bool_)
            matched[m.ids] = True
            allowed &= matched
        else:
            counts[m.ids] += 1
            summed[m.ids] += m.scores
    droppable = len(loose) - sum(required)
    widened = allowed & (counts == droppable) & (tier == none)
    tier[widened] = 1
    score[widened] = every[widened]
    if droppable >= 2 and int((tier != none).sum()) < FEW_HITS:
        need = math.ceil(droppable / 2)
        some = allowed & (counts >= need) & (tier == none)
        tier[some] = 1 + droppable - counts[some]
        score[some] = summed[some]
    ids = np.flatnonzero(tier != none)
    return Tiers(ids, score[ids], tier[ids], [m.ids for m in loose])
