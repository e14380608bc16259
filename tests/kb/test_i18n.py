"""kb.i18n: which language is current, how the environment chooses it, and the catalogue."""

import shutil
from pathlib import Path

import pytest

from kb import i18n
from kb.catalogue.vocabulary import load_vocabulary
from kb.config import PROJECT_ROOT


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [
        ("en", "en"),
        ("en_GB.UTF-8", "en"),
        ("EN-us", "en"),
        ("de_DE", "de"),
        ("fr", "de"),
        ("", "de"),
        ("C", "de"),
    ],
)
def test_a_language_is_chosen_from_what_is_asked(asked: str, chosen: str) -> None:
    assert i18n.choose(asked) == chosen


def test_the_environment_is_read_the_way_gettext_reads_it() -> None:
    assert i18n.from_environment({}) == "de"
    assert i18n.from_environment({"LANG": "en_GB.UTF-8"}) == "en"
    assert i18n.from_environment({"LANG": "en_GB.UTF-8", "LC_ALL": "de_DE.UTF-8"}) == "de"
    assert i18n.from_environment({"LANG": "de_DE", "LANGUAGE": "en:de"}) == "en"


def test_using_speaks_a_language_inside_the_block_only() -> None:
    message = "unbekanntes Vokabular"
    assert i18n._(message) == message
    with i18n.using("en"):
        assert i18n.current() == "en"
        assert i18n._(message) == "unknown vocabulary"
        assert i18n._("Code '%(code)s' doppelt", code="x") == "code 'x' appears twice"
    assert i18n.current() == "de" and i18n._(message) == message


def test_a_vocabulary_term_speaks_the_current_language() -> None:
    vocabulary = load_vocabulary(PROJECT_ROOT / "seed_data" / "vocabularies.yaml")
    term = vocabulary.term("lands", "bayern")
    assert term.label == "Bayern" and vocabulary.label("lands", "bayern") == "Bayern"
    with i18n.using("en"):
        assert term.label == term.label_in("en") == vocabulary.label("lands", "bayern")
    assert vocabulary.label("lands", "bayern", lang="en") == term.label_in("en")
    assert vocabulary.label("lands", "unbekannt", lang="en") == "unbekannt"


def test_a_catalogue_not_compiled_is_compiled_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(i18n.TRANSLATIONS / "en" / "LC_MESSAGES" / "kb.po", folder / "kb.po")
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.using("en"):
            assert i18n._("unbekanntes Vokabular") == "unknown vocabulary"
    finally:
        i18n.translations.cache_clear()
