"""The optional English summary of a case in the schema, the case's file and the codebook."""

from typing import Any

import pytest

from kb.catalogue.files import render_file
from kb.catalogue.schemas import CaseIn
from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import DEFAULT_SEED_DIR
from kb.exchange.codebook import build_codebook
from tests.case_exports import odd_case


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")


def _validate(data: dict[str, Any], vocabulary: Vocabulary) -> CaseIn:
    return CaseIn.model_validate(data, context={"vocabulary": vocabulary})


def test_a_case_without_an_english_summary_stays_valid_and_its_file_omits_it(
    vocabulary: Vocabulary,
) -> None:
    data = odd_case(vocabulary)
    del data["summary_en"]
    case = _validate(data, vocabulary)
    assert case.summary_en is None
    assert "summary_en" not in render_file("case", case.model_dump(mode="json"), None)


def test_an_english_summary_is_stripped_written_to_the_file_and_bounded(
    vocabulary: Vocabulary,
) -> None:
    case = _validate({**odd_case(vocabulary), "summary_en": "  In English.  "}, vocabulary)
    assert case.summary_en == "In English."
    assert "summary_en: In English." in render_file("case", case.model_dump(mode="json"), None)
    with pytest.raises(ValueError, match="5000"):
        _validate({**odd_case(vocabulary), "summary_en": "x" * 5001}, vocabulary)


def test_the_codebook_explains_the_summary_en_column(vocabulary: Vocabulary) -> None:
    [column] = [c for c in build_codebook(vocabulary).columns if c.name == "summary_en"]
    assert column.file == "cases.csv" and column.type == "Markdown"
    assert "Englisch" in column.meaning
