"""Word families: verbs and the nouns derived from them meet in search (issue 13, item 4)."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from search_index import families
from search_index.analysis import index_form
from search_index.families import MAX_FORMS, family_terms, family_words, known_word

ROOT = Path(__file__).resolve().parents[2]

# Pairs of one family, each way round: the second word is among the first's family words.
PAIRS = [
    ("vermitteln", "Vermittlung"),  # -eln verb, e-elision
    ("vermitteln", "Vermittler"),
    ("fördern", "Förderung"),  # -ern verb, stem keeps -er
    ("fördern", "Förderer"),
    ("fördern", "Förderin"),
    ("beteiligen", "Beteiligung"),  # -en verb
    ("betreiben", "Betreiber"),
    ("betreiben", "Betreiberin"),
    ("betreiben", "Betrieb"),  # ablaut ei <-> ie
]


@pytest.mark.parametrize(("a", "b"), PAIRS + [(b, a) for a, b in PAIRS])
def test_a_family_word_reaches_the_other(a: str, b: str) -> None:
    assert b.lower() in family_words(a)


@pytest.mark.parametrize(("word", "other"), [("genossen", "genosse"), ("betreiberin", "betrieb")])
def test_a_noun_typed_in_lowercase_reaches_its_family(word: str, other: str) -> None:
    # "genossen" alone reads as a form of "genießen"; its capitalised reading is the noun
    assert other in family_words(word)


def test_an_infinitive_typed_in_lowercase_is_read_as_the_verb() -> None:
    assert "trage" not in family_words("tragen")  # not the noun "Trage" (stretcher)


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("betreibt", "betreiben"),
        ("vermittelt", "vermitteln"),
        ("fördert", "fördern"),
        ("Beteiligungen", "beteiligung"),
        ("Betriebe", "betrieb"),
    ],
)
def test_an_inflected_word_reaches_its_lemma(word: str, lemma: str) -> None:
    assert lemma in family_words(word)


def _meets(word: str, other: str) -> bool:
    """Whether a search for `word` (its own term and its family's terms) finds `other`."""
    return index_form(other.lower()) in (index_form(word.lower()), *family_terms(word))


@pytest.mark.parametrize(
    ("word", "others"),
    [
        ("vermittelt", ("vermitteln", "Vermittlung", "Vermittler")),
        ("fördert", ("fördern", "Förderung", "Förderer")),
        ("betreibt", ("betreiben", "Betrieb", "Betreiber")),
        ("Beteiligungen", ("beteiligen", "Beteiligung")),
        ("beteiligt", ("beteiligen", "Beteiligung")),
    ],
)
def test_an_inflected_word_reaches_the_family_terms(word: str, others: tuple[str, ...]) -> None:
    for other in others:
        assert _meets(word, other), other


@pytest.mark.parametrize(("a", "b"), PAIRS + [(b, a) for a, b in PAIRS])
def test_family_pairs_meet_at_indexed_terms(a: str, b: str) -> None:
    assert _meets(a, b)


def test_family_terms_are_indexed_terms_of_the_family_words() -> None:
    terms = family_terms("vermitteln")
    assert index_form("vermittlung") in terms
    assert set(terms) <= {index_form(w) for w in family_words("vermitteln")}


def test_family_terms_leave_out_the_words_own_term() -> None:
    # "Betreiber" and "betreiben" share the term "betreib", which the query has already.
    assert index_form("betreiben") == index_form("betreiber")
    assert "betreiben" in family_words("Betreiber")
    assert index_form("betreiber") not in family_terms("Betreiber")
    assert index_form("betrieb") in family_terms("Betreiber")


def test_a_nominalised_infinitive_is_read_as_its_verb() -> None:
    assert {"betreiber", "betrieb"} <= set(family_words("Betreiben"))


def test_ablaut_is_not_undone_for_a_noun_that_is_its_verbs_stem() -> None:
    # "sieg" reads as "siegen" and as "Sieg"; neither is the ablaut of "seigen"
    assert family_words("sieg") == ("siegen", "sieger", "siegerin", "siegt", "gesiegt")


@pytest.mark.parametrize(
    "word", ["vermitteln", "Vermittlung", "betreibt", "Betrieb", "betrieb", "Förderer", "FÖRDERN"]
)
def test_the_word_itself_is_never_returned(word: str) -> None:
    assert family_words(word)
    assert word.lower() not in family_words(word)
    assert all(w == w.lower() for w in family_words(word))


def test_the_order_is_stable_lemma_then_verb_then_nouns_then_t_forms() -> None:
    assert family_words("vermittelt") == ("vermitteln", "vermittlung", "vermittler", "vermittlerin")
    assert family_words("Betrieb") == (
        "betreiben",
        "betreibung",
        "betreiber",
        "betreiberin",
        "betreibt",
    )


@pytest.mark.parametrize(
    "word", ["Bau", "tun", "2019", "Koop.Stadt", "Haus-der-Statistik", "B96", "", "werden"]
)
def test_short_words_numbers_other_characters_and_stop_words_have_no_family(word: str) -> None:
    assert family_words(word) == ()
    assert family_terms(word) == ()


def test_the_rules_invent_no_words() -> None:
    # "Beteiliger" follows rule 2 but is no German word; the dictionary keeps it out.
    assert "beteiliger" not in family_words("beteiligen")
    assert "fördererin" not in family_words("fördern")


@pytest.mark.parametrize("word", ["Hannover", "hannover", "Kassel", "Wasser"])
def test_a_name_or_a_noun_without_a_verb_gets_no_derived_forms(word: str) -> None:
    assert family_words(word) == ()


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    family_words.cache_clear()
    yield
    family_words.cache_clear()


@pytest.mark.usefixtures("fresh_cache")
def test_the_number_of_forms_is_bounded_keeping_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    full = family_words("vermittelt")
    assert 2 < len(full) <= MAX_FORMS
    family_words.cache_clear()
    monkeypatch.setattr(families, "MAX_FORMS", 2)
    assert family_words("vermittelt") == full[:2]


def test_the_dictionary_is_loaded_on_the_first_family_not_on_import() -> None:
    script = (
        "import sys\n"
        "import search_index.families as f\n"
        "assert 'simplemma' not in sys.modules, 'imported'\n"
        "f.family_words('Bau')\n"
        "assert 'simplemma' not in sys.modules, 'short word'\n"
        "f.family_words('fördert')\n"
        "assert 'simplemma' in sys.modules, 'not loaded'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("vermitteln", "vermittelt"),
        ("Vermittlung", "vermittelt"),
        ("fördern", "fördert"),
        ("Förderung", "gefördert"),
        ("gestalten", "gestaltet"),
        ("beteiligen", "beteiligt"),
    ],
)
def test_the_verbs_t_form_reaches_texts_that_report_what_was_done(word: str, form: str) -> None:
    assert form in family_words(word)
    assert index_form(form) in family_terms(word) or index_form(form) == index_form(word)


def test_no_ge_participle_after_an_inseparable_prefix() -> None:
    assert "gevermittelt" not in family_words("vermitteln")
    assert "gebeteiligt" not in family_words("beteiligen")


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("vermitteln", True),
        ("Räume", True),
        ("räume", True),
        ("Beteilgung", False),
        ("Halel", False),
    ],
)
def test_known_words_are_told_from_misspellings(word: str, known: bool) -> None:
    assert known_word(word) is known
