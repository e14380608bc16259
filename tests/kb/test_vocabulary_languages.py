"""Every vocabulary value, every field label and the codebook exist in every language of kb.i18n:
a value without its English label is refused (loading and `kb check`), labels and the codebook
follow the current language, and codes never change with it."""

from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po
from click.testing import CliRunner

import kb
from kb.catalogue.vocabulary import NAMES, load_vocabulary
from kb.cli import main
from kb.config import DEFAULT_SEED_DIR
from kb.errors import ValidationError
from kb.exchange.codebook import build_codebook, codebook_markdown
from kb.i18n import LANGUAGES, using
from kb.labels import COLUMNS, FIELDS, Label, item_label, label
from tests.helpers import CASE, write

SEED_VOCABULARY = DEFAULT_SEED_DIR / "vocabularies.yaml"


def _without(key: str, name: str = "governance_types", index: int = 0) -> dict:
    data = yaml.safe_load(SEED_VOCABULARY.read_text(encoding="utf-8"))
    del data[name][index][key]
    return data


def _broken_seed(tmp_path: Path, key: str) -> Path:
    folder = tmp_path / "seed"
    folder.mkdir()
    text = yaml.safe_dump(_without(key), allow_unicode=True, sort_keys=False)
    (folder / "vocabularies.yaml").write_text(text, encoding="utf-8")
    return folder


def test_english_is_a_language_of_kb() -> None:
    assert LANGUAGES == ("de", "en")


def test_every_value_has_label_and_definition_in_every_language() -> None:
    vocabulary = load_vocabulary(SEED_VOCABULARY)
    for name in NAMES:
        for code in vocabulary.codes(name):
            term = vocabulary.term(name, code)
            for lang in LANGUAGES:
                assert term.labels[lang].strip() and term.definitions[lang].strip(), (name, code)
            # Nothing was left in German by copying it: a definition is always reworded.
            assert term.definitions["en"] != term.definitions["de"], (name, code)


def test_english_names_of_lands_size_classes_and_instruments() -> None:
    vocabulary = load_vocabulary(SEED_VOCABULARY)
    assert vocabulary.label("lands", "bayern", "en") == "Bavaria"
    assert vocabulary.label("lands", "nordrhein-westfalen", "en") == "North Rhine-Westphalia"
    assert vocabulary.label("lands", "bayern", "de") == "Bayern"
    assert vocabulary.term("lands", "thueringen").definitions["en"].endswith("(DE-TH).")
    assert vocabulary.label("size_classes", "grossstadt", "en") == "Large city"
    assert "100,000" in vocabulary.term("size_classes", "grossstadt").definitions["en"]
    assert vocabulary.label("instruments", "beirat", "en") == "Advisory board"
    assert vocabulary.label("scales", "project", "en") == "Project / neighbourhood"
    with using("en"):
        assert vocabulary.term("statuses", "active").label == "Ongoing"
    assert vocabulary.term("statuses", "active").label == "Laufend"


@pytest.mark.parametrize("key", ["label_en", "definition_en"])
def test_a_value_without_its_english_wording_is_refused(tmp_path: Path, key: str) -> None:
    path = tmp_path / "vocabularies.yaml"
    path.write_text(yaml.safe_dump(_without(key), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_vocabulary(path)
    assert [str(e) for e in raised.value.errors] == [
        f"{path}: governance_types[0] (top-down): {key} fehlt"
    ]
    with using("en"), pytest.raises(ValidationError) as in_english:
        load_vocabulary.__wrapped__(path)
    assert in_english.value.errors[0].message == f"{key} missing"


def test_an_empty_english_label_is_refused_too(tmp_path: Path) -> None:
    data = yaml.safe_load(SEED_VOCABULARY.read_text(encoding="utf-8"))
    data["lands"][1]["label_en"] = ""
    path = tmp_path / "vocabularies.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        load_vocabulary(path)
    assert [e.field for e in raised.value.errors] == ["lands[1] (bayern)"]


def test_kb_check_refuses_a_vocabulary_without_english_labels(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    seed = _broken_seed(tmp_path, "label_en")
    path = write(tmp_path, "testfall.yaml", CASE)
    env = {**cli_env, "KB_SEED_DIR": str(seed), "LANGUAGE": None, "LC_ALL": None, "LANG": None}
    result = CliRunner().invoke(main, ["check", str(path)], env=env)
    assert result.exit_code == 1
    assert "governance_types[0] (top-down): label_en fehlt" in result.output
    english = CliRunner().invoke(main, ["--lang", "en", "check", str(path)], env=env)
    assert english.exit_code == 1
    assert "governance_types[0] (top-down): label_en missing" in english.output


# --- field labels ------------------------------------------------------------------------------


def _wordings(record: Label) -> list[str]:
    found = [w for w in (record.de, record.form, record.about) if w]
    return found + (_wordings(record.item) if record.item else [])


def test_every_field_wording_is_in_the_english_catalogue() -> None:
    """Marked with N_() and translated: an unmarked wording would stay German on English pages."""
    po = Path(kb.__file__).parent / "translations" / "en" / "LC_MESSAGES" / "kb.po"
    with po.open("rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    wordings = [w for r in [*FIELDS.values(), *COLUMNS.values()] for w in _wordings(r)]
    assert [w for w in wordings if w not in translated] == []


def test_labels_follow_the_current_language() -> None:
    assert label("governance.type") == "Governance-Typ"
    assert label("start_year", "form") == "Beginn (Jahr)"
    assert item_label("actors") == "Akteur"
    with using("en"):
        assert label("governance.type") == "Governance type"
        assert label("start_year", "form") == "Start (year)"
        assert label("summary", kind="talk") == "Summary"
        assert item_label("actors") == "Actor"
        assert label("carrier.name") == "Lead organisation"
    assert label("governance.type") == "Governance-Typ"


def test_history_diffs_name_fields_in_the_current_language() -> None:
    from kb.editorial.history import LABELS

    assert LABELS["land"] == "Bundesland"
    with using("en"):
        assert LABELS["land"] == "Federal state (Land)"


# --- the codebook ------------------------------------------------------------------------------


def test_the_codebook_in_english_has_the_same_codes_and_columns() -> None:
    vocabulary = load_vocabulary(SEED_VOCABULARY)
    german = build_codebook(vocabulary)
    with using("en"):
        english = build_codebook(vocabulary)
        markdown = codebook_markdown(english)
    assert [(c.file, c.name, c.vocabulary) for c in english.columns] == [
        (c.file, c.name, c.vocabulary) for c in german.columns
    ]
    assert [(v.vocabulary, v.code, v.extra) for v in english.values] == [
        (v.vocabulary, v.code, v.extra) for v in german.values
    ]
    assert list(english.vocabularies) == list(german.vocabularies)
    value = {(v.vocabulary, v.code): v for v in english.values}
    assert value["lands", "bayern"].label == "Bavaria"
    assert value["instruments", "beirat"].label == "Advisory board"
    assert value["item_types", "actor"].label == "Actor"
    column = {(c.file, c.name): c for c in english.columns}
    assert column["cases.csv", "start_year"].meaning == "Year of the start"
    assert column["cases.csv", "start_year"].type == "Year"
    assert column["cases.csv", "aliases"].type.startswith("List (separated by “")
    assert column["cases.long.csv", "case_slug"].item_types == "all"
    assert english.vocabularies["lands"] == "Federal states (Länder)"
    assert english.notes[0].startswith("Protection against formulas")
    assert markdown.startswith("# Codebook\n")
    assert "| Column | Meaning | Type | Vocabulary |" in markdown
    # German stays as it was.
    assert german.vocabularies["lands"] == "Bundesländer"
    assert codebook_markdown(german).startswith("# Codebuch\n")
