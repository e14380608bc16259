"""Citations in the reader's language: Harvard style in English, the German style unchanged,
and BibTeX and CSL-JSON naming the content's language (German) whatever the reader's."""

import datetime as dt

import pytest

from kb.i18n import using
from kb.publishing.citation import Citation, bibtex, csl_json, plain_text, segments
from tests.helpers import bibtex_fields

CASE = Citation(
    key="quartiersrat",
    kind="case",
    title="Quartiersrat „Süd“",
    url="https://kb.example/en/cases/quartiersrat",
    revised=dt.date(2026, 11, 30),
    accessed=dt.date(2026, 12, 1),
)
TALK = Citation(
    key="talk_3",
    kind="talk",
    title="Talk #3: Altstadtquartier Büchel, Aachen",
    url="https://kb.example/en/talks/talk-3",
    revised=dt.date(2026, 11, 30),
    accessed=dt.date(2026, 12, 1),
    series="Governance des Stadtmachens",
    organiser="vhw Stadtmacher Akademie",
    held=dt.date(2022, 4, 14),
)


def test_an_english_case_citation_is_in_harvard_style() -> None:
    assert plain_text(CASE, "en") == (
        "Knowledge Base of Municipal Cooperation Models (2026) ‘Quartiersrat „Süd“’. "
        "Version of 30 November 2026. Available at: https://kb.example/en/cases/quartiersrat "
        "(Accessed: 1 December 2026)."
    )


def test_an_english_talk_citation_names_series_organiser_and_date() -> None:
    assert plain_text(TALK, "en") == (
        "Knowledge Base of Municipal Cooperation Models (2026) ‘Talk #3: Altstadtquartier "
        "Büchel, Aachen’. Talk series ‘Governance des Stadtmachens’, vhw Stadtmacher Akademie, "
        "14 April 2022. Version of 30 November 2026. Available at: "
        "https://kb.example/en/talks/talk-3 (Accessed: 1 December 2026)."
    )


def test_the_german_content_of_an_english_citation_is_marked_german() -> None:
    german = [text for text, lang in segments(TALK, "en") if lang == "de"]
    assert german == [TALK.title, TALK.series, TALK.organiser]
    assert {lang for _, lang in segments(TALK, "de")} == {"de"}


def test_the_style_follows_the_current_language_and_german_stays_as_it_was() -> None:
    with using("en"):
        assert plain_text(CASE).startswith("Knowledge Base of Municipal Cooperation Models (2026)")
    assert plain_text(CASE) == plain_text(CASE, "de")
    assert plain_text(CASE, "de") == (
        "Wissensbasis Kommunale Kooperationsmodelle (Hrsg.) (2026): „Quartiersrat ‚Süd‘“. "
        "In: Wissensbasis Kommunale Kooperationsmodelle. Stand: 30.11.2026. "
        "URL: https://kb.example/en/cases/quartiersrat (abgerufen am 01.12.2026)."
    )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_bibtex_and_csl_json_name_the_contents_language_german(lang: str) -> None:
    _, _, fields = bibtex_fields(bibtex(TALK, lang))
    assert fields["language"] == "german" and fields["langid"] == "german"
    [item] = csl_json(TALK, lang)
    assert item["language"] == "de"


def test_english_bibtex_and_csl_json_speak_english_around_the_german_title() -> None:
    _, _, fields = bibtex_fields(bibtex(TALK, "en"))
    assert fields["author"] == "{Knowledge Base of Municipal Cooperation Models}"
    assert fields["note"] == (
        "Talk series ‘Governance des Stadtmachens’, vhw Stadtmacher Akademie, 14 April 2022. "
        "Version of 30 November 2026"
    )
    [item] = csl_json(TALK, "en")
    assert item["publisher"] == "Knowledge Base of Municipal Cooperation Models"
    assert item["note"] == "Organised by vhw Stadtmacher Akademie"
    assert item["title"] == TALK.title
