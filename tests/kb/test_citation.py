"""Citations as pure data: BibTeX escaping that a BibTeX reader undoes exactly, German dates."""

import datetime as dt
import re

import pytest

from kb.publishing.citation import Citation, bibtex, bibtex_escape, csl_json, plain_text
from tests.helpers import TRICKY, bibtex_fields, unescape


def test_bibtex_escape_round_trips_every_special_character() -> None:
    escaped = bibtex_escape(TRICKY)
    assert unescape(escaped) == TRICKY
    # No special character is left bare (the only backslashes start escapes).
    bare = re.sub(r"\\(textbackslash|textasciitilde|textasciicircum)\{\}|\\[{}%&$#_]", "", escaped)
    assert not set(bare) & set("{}%&$#_~^\\"), bare
    assert "für" in escaped  # umlauts stay UTF-8


@pytest.fixture
def citation() -> Citation:
    return Citation(
        key="sonder_fall",
        kind="case",
        title=TRICKY,
        url="https://kb.example/cases/sonder-fall",
        revised=dt.date(2026, 11, 26),
        accessed=dt.date(2026, 12, 1),
    )


def test_bibtex_entry_parses_and_keeps_the_title(citation: Citation) -> None:
    kind, key, fields = bibtex_fields(bibtex(citation))
    assert (kind, key) == ("misc", "sonder_fall")
    assert fields["author"] == "{Wissensbasis Kommunale Kooperationsmodelle}"
    assert unescape(fields["title"]) == "{" + TRICKY + "}"
    assert fields["year"] == "2026"
    assert fields["url"] == citation.url
    assert fields["urldate"] == "2026-12-01"
    assert fields["note"] == "Stand: 26.11.2026"


def test_plain_text_and_csl_json(citation: Citation) -> None:
    text = plain_text(citation)
    assert text.startswith("Wissensbasis Kommunale Kooperationsmodelle (Hrsg.) (2026): „")
    assert "Stand: 26.11.2026" in text
    assert f"URL: {citation.url} (abgerufen am 01.12.2026)." in text
    [item] = csl_json(citation)
    assert item["type"] == "webpage"
    assert item["issued"] == {"date-parts": [[2026, 11, 26]]}
    assert item["accessed"] == {"date-parts": [[2026, 12, 1]]}
