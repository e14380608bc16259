"""Word families for the query: "vermitteln" finds "Vermittlung", "Betrieb" finds "betreiben".

Snowball stemming (analysis.py) joins the inflections of one word only where they share a
stem; a verb and the nouns derived from it ("fördern", "Förderung", "Förderer") keep different
terms. This module owns the step from a query word to the other words of its family:

- its lemma, from simplemma's German dictionary (a maintained, MIT-licensed package; no list of
  the catalogue's own words to keep up to date): "betreibt" -> "betreiben";
- the forms that a small set of derivation rules makes from the family's verb, and the verb
  that the same rules, undone, find for a noun:

  1. verb -> action noun, stem + ung: beteiligen -> Beteiligung
  2. verb -> agent noun, stem + er, feminine + erin: betreiben -> Betreiber, Betreiberin
  3. -eln verbs drop the stem's e: vermitteln -> Vermittlung, Vermittler
  4. -ern verbs keep it, and their feminine agent is stem + in: fördern -> Förderer, Förderin
  5. ablaut, the stem's last ei -> ie gives a bare noun: betreiben -> Betrieb
  6. undone: a noun in -ung, -er, -erin or -in -> its verb (Förderung -> fördern), a noun
     whose last vowel is ie -> the verb with ei (Betrieb -> betreiben)
  7. the verb's form in -t (third person, participle; -et after d, t and a consonant before
     m or n), with ge- where the verb has no inseparable prefix: vermitteln -> vermittelt,
     fördern -> fördert, gefördert; gestalten -> gestaltet. Snowball gives "vermittelt",
     "vermittelte" and "vermittelten" one term, so this one form reaches the texts that
     report what someone did.

A derived form is kept only if the dictionary lists it as a lemma of its own (a conjugated
form: as a known word), so the rules cannot invent words ("beteiliger") and a name ending in
"-er" ("Hannover") gets no verb. The
dictionary costs about a second and 30 MB to load, so it is loaded on the first family asked
for, never on import.
"""

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Protocol

from search_index.analysis import index_form

LANG = "de"
MIN_LETTERS = 4  # shorter words are mostly function words; their families would be noise
MAX_FORMS = 12  # a bound on the query's growth: each form is one more term to look up

_VOWELS = "aeiouäöüy"
# The last vowel group of a stem is "ei" (betreib-, but not beteilig-): the ablaut rule's place.
_EI_LAST = re.compile(rf"ei(?=[^{_VOWELS}]+$)")
_IE_LAST = re.compile(rf"ie(?=[^{_VOWELS}]+$)")


class _Dictionary(Protocol):
    """The two questions this module asks simplemma."""

    def lemma(self, word: str) -> str: ...

    def is_lemma(self, word: str) -> bool: ...

    def is_known(self, word: str) -> bool: ...


class _Simplemma:
    """simplemma behind the two questions; imported only when first constructed."""

    def __init__(self) -> None:
        # Imported here, not at the top: only a search that asks for a family pays for the
        # package and its dictionary. low_memory: about 30 MB instead of 120 MB per process, at
        # some microseconds per lookup, which a query with a handful of words does not notice.
        import simplemma
        from simplemma.strategies import LOW_MEMORY_DICTIONARY_FACTORY, DictionaryLookupStrategy

        self._lemmatize = simplemma.lemmatize
        self._lookup = DictionaryLookupStrategy(LOW_MEMORY_DICTIONARY_FACTORY)

    def lemma(self, word: str) -> str:
        return self._lemmatize(word, lang=LANG, low_memory=True)

    def is_known(self, word: str) -> bool:
        return self._lookup.get_lemma(word, LANG) is not None

    def is_lemma(self, word: str) -> bool:
        # Case-sensitive: "Betrieb" (noun) and "blieb" (a form of "bleiben") are told apart by
        # their capital, which the lenient lookup behind lemmatize() ignores.
        return self._lookup.exact_lemma(word, LANG) == word


@cache
def _dictionary() -> _Dictionary:
    return _Simplemma()


def _stem(verb: str) -> str | None:
    """The stem of a lowercase infinitive that -ung and -er attach to."""
    if verb.endswith("eln"):
        return verb[:-3] + "l"  # e-elision: vermitteln -> vermittl-ung
    if verb.endswith("ern"):
        return verb[:-1]  # förder-ung, förder-er
    if verb.endswith("en"):
        return verb[:-2]  # beteilig-ung, betreib-er
    return None


def _nouns_of(verb: str) -> Iterator[str]:
    """Candidate nouns (capitalised) derived from a lowercase infinitive, in rule order."""
    stem = _stem(verb)
    if stem is None:
        return
    noun = stem.capitalize()
    yield noun + "ung"  # action noun
    yield noun + "er"  # agent noun
    # feminine agent noun; on an -er stem plain -in (Förderin, not Fördererin)
    yield noun + ("in" if noun.endswith("er") else "erin")
    if _EI_LAST.search(stem):
        yield _EI_LAST.sub("ie", stem).capitalize()  # ablaut: betreib- -> Betrieb


# Inseparable prefixes: their verbs form the participle without ge- (vermittelt, beteiligt).
_INSEPARABLE = ("be", "ge", "er", "ver", "zer", "ent", "emp", "miss")


def _conjugated(verb: str) -> Iterator[str]:
    """The -t form of a lowercase infinitive, and its ge- participle where one is formed."""
    if verb.endswith(("eln", "ern")):
        stem = verb[:-1]  # vermittel-t, förder-t
    elif verb.endswith("en"):
        stem = verb[:-2]
        if stem.endswith(("d", "t")) or re.search(r"[^aeiouäöülrh][mn]$", stem):
            stem += "e"  # gestalt-e-t, widm-e-t
    else:
        return
    yield stem + "t"
    if not verb.startswith(_INSEPARABLE) and not verb.endswith("ieren"):
        yield "ge" + stem + "t"


def _verb_candidates(base: str) -> Iterator[str]:
    """Infinitives that a noun's base (the noun minus its suffix) may come from."""
    base = base.lower()
    yield base + "en"  # betreib -> betreiben, beteilig -> beteiligen
    if base.endswith("er"):
        yield base + "n"  # förder -> fördern
    if base.endswith("l") and not base.endswith("el"):
        yield base[:-1] + "eln"  # vermittl -> vermitteln (e-elision undone)


def _verbs_of(noun: str, dictionary: _Dictionary) -> Iterator[str]:
    """The infinitives (lowercase) a noun is derived from, by the rules undone."""
    for suffix in ("ung", "erin", "in", "er"):
        if noun.endswith(suffix) and len(noun) - len(suffix) >= 3:
            yield from filter(dictionary.is_lemma, _verb_candidates(noun[: -len(suffix)]))
    # ablaut undone: Betrieb -> betreiben; not for a noun that is its own verb's stem
    # ("Sieg" belongs to "siegen", not to "seigen")
    if _IE_LAST.search(noun) and not dictionary.is_lemma(noun.lower() + "en"):
        verb = _IE_LAST.sub("ei", noun).lower() + "en"
        if dictionary.is_lemma(verb):
            yield verb


def _is_verb(word: str) -> bool:
    # An infinitive: lowercase (simplemma capitalises nouns) and in -n. Adjectives in -en pass
    # too ("offen"); their candidate nouns are not in the dictionary, so nothing follows.
    return word.islower() and word.endswith("n")


def _family(word: str, dictionary: _Dictionary) -> Iterator[str]:
    """The family's words in a stable order: lemmas, verbs, then the verbs' nouns."""
    lemmas = [dictionary.lemma(word)]
    if word.islower() and not dictionary.is_lemma(word):
        # A noun typed in lowercase may read as another word's form ("genossen": "genießen"),
        # so its capitalised reading counts too ("Genosse"); not for a word that is a lemma as
        # typed ("tragen" is the verb, not the noun "Trage").
        lemmas.append(dictionary.lemma(word.capitalize()))
    yield from lemmas
    verbs: list[str] = []
    for lemma in lemmas:
        if _is_verb(lemma):
            verbs.append(lemma)
        elif _is_verb(lemma.lower()) and dictionary.is_lemma(lemma.lower()):
            verbs.append(lemma.lower())  # a nominalised infinitive: "Betreiben"
        else:
            verbs += _verbs_of(lemma, dictionary)
    yield from verbs
    for verb in verbs:
        yield from (n for n in _nouns_of(verb) if dictionary.is_lemma(n))
    for verb in verbs:
        yield from (f for f in _conjugated(verb) if dictionary.is_known(f))


def warm_up() -> None:
    """Load the dictionary now (a server does it beside its start, not in a request)."""
    _dictionary().is_known("Beteiligung")


def known_word(word: str) -> bool:
    """Whether the dictionary knows the word in some form: a known word is no misspelling,
    even where the catalogue lacks it ("vermitteln" is not corrected to "vermieten")."""
    return word.isalpha() and (
        _dictionary().is_known(word) or _dictionary().is_known(word.capitalize())
    )


@lru_cache(maxsize=4096)
def family_words(word: str) -> tuple[str, ...]:
    """The other words of a query word's family, lowercase, umlauts kept, at most MAX_FORMS:
    its lemma, the family's verb and the nouns derived from it ("vermittelt" -> "vermitteln",
    "vermittlung", "vermittler", …). Never the word itself; nothing for short words, numbers,
    words with other characters than letters and stop words."""
    own = word.lower()
    if len(word) < MIN_LETTERS or not word.isalpha() or index_form(own) is None:
        return ()  # index_form None: a stop word, which the query drops, family and all
    found: dict[str, None] = {}  # ordered set: the first reading of a form wins
    for form in _family(word, _dictionary()):
        form = form.lower()
        if form != own and form.isalpha():
            found[form] = None
    return tuple(found)[:MAX_FORMS]


@lru_cache(maxsize=4096)
def family_terms(word: str) -> tuple[str, ...]:
    """The distinct indexed terms of a word's family (family_words through index_form), without
    the word's own term: what a query adds so that the family meets in the index."""
    own = index_form(word.lower())
    terms: dict[str, None] = {}
    for form in family_words(word):
        term = index_form(form)
        if term is not None and term != own:
            terms[term] = None
    return tuple(terms)
