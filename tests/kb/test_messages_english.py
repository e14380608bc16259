"""kb's messages in English under `kb.i18n.using("en")` and German by default: validation errors
(pydantic's, the vocabulary's, numbers per language), import files and reports, completeness
gaps, provenance, search messages; and the search index's documents, which stay German
whatever the language (they are stored)."""

import dataclasses
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kb.catalogue.completeness import assess
from kb.catalogue.files import read_files
from kb.catalogue.provenance import warnings
from kb.catalogue.schemas import CaseIn, validate
from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import DEFAULT_SEED_DIR, ConfigurationError, parse_base_url
from kb.editorial.kinds import file_types
from kb.editorial.links import LastCheck, LinkReport, LinkResult, Usage, render_report
from kb.errors import ValidationError
from kb.exchange.importing import ImportReport, check_references, prepare, validate_files
from kb.i18n import using
from kb.runtime import Runtime
from kb.search.direct import QuerySyntaxError
from kb.search.indexing import all_documents
from kb.search.language import say
from kb.search.service import SearchRequest
from search_index.messages import TOO_MANY_TERMS, Message
from search_index.query import MAX_CHARS, clean
from tests.helpers import CASE, complete_state, write

ALLOWED = "top-down, bottom-up, cross-over"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")


def _case(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": "testfall",
        "name": "Testfall",
        "city": "Teststadt",
        "land": "sachsen",
        "governance": {"type": "bottom-up", "rationale": "Von einer Initiative gegründet."},
        "scale": {"type": "project", "rationale": "Ein einzelnes Haus."},
        "summary": "Ein Fall für Tests.",
        "sources": [{"url": "https://example.org/testfall"}],
    }
    data.update(changes)
    return data


def _messages(data: dict[str, Any], vocabulary: Vocabulary) -> dict[str, str]:
    obj, errors = validate(CaseIn, data, vocabulary, "c.yaml")
    assert obj is None
    return {e.field: e.message for _, e in errors}


def test_a_validation_error_is_german_by_default_and_english_in_english(
    vocabulary: Vocabulary,
) -> None:
    data = _case(governance={"type": "sideways", "rationale": "x"}, colour="blau")
    del data["summary"]
    german = _messages(data, vocabulary)
    with using("en"):
        english = _messages(data, vocabulary)
    assert german == {
        "governance.type": f"unbekannter Wert 'sideways' (erlaubt: {ALLOWED})",
        "summary": "Pflichtfeld fehlt",
        "colour": "unbekanntes Feld",
    }
    assert english == {
        "governance.type": f"unknown value 'sideways' (allowed: {ALLOWED})",
        "summary": "required field missing",
        "colour": "unknown field",
    }
    assert _messages(data, vocabulary) == german  # the block's language ends with it


def test_numbers_in_messages_follow_the_language(vocabulary: Vocabulary) -> None:
    data = _case(municipality={"population": 10**9, "lat": 60, "lon": 10})
    german = _messages(data, vocabulary)
    with using("en"):
        english = _messages(data, vocabulary)
    assert german["municipality.population"] == "muss höchstens 100.000.000 sein"
    assert english["municipality.population"] == "must be at most 100,000,000"
    assert german["municipality.lat"] == (
        "Die geografische Breite muss zwischen 47,2 und 55,1 liegen (Deutschland)"
    )
    assert english["municipality.lat"] == "The latitude must lie between 47.2 and 55.1 (Germany)"


def test_a_model_level_check_is_said_in_english_at_its_field(vocabulary: Vocabulary) -> None:
    with using("en"):
        years = _messages(_case(start_year=2020, end_year=2010), vocabulary)
        coordinates = _messages(_case(municipality={"lat": 51.3}), vocabulary)
    assert years == {"end_year": "end_year (2010) is before start_year (2020)"}
    assert coordinates == {
        "municipality.lon": (
            "Latitude and longitude belong together: please give both or leave both empty"
        )
    }


def test_an_import_error_report_in_english(
    runtime: Runtime, tmp_path: Path, vocabulary: Vocabulary
) -> None:
    path = write(tmp_path, "c.yaml", CASE.replace("type: bottom-up", "type: sideways"))
    missing = tmp_path / "nowhere.yaml"
    with using("en"), runtime.uow() as uow, pytest.raises(ValidationError) as caught:
        prepare(uow, [path, missing], vocabulary)
    report = str(caught.value)
    assert f"{missing}: file or folder not found" in report
    assert f"{path}:7: governance.type: unknown value 'sideways' (allowed: {ALLOWED})" in report
    assert not re.search(r"unbekannt|nicht gefunden|erlaubt", report)


def test_file_and_reference_errors_in_english(tmp_path: Path, vocabulary: Vocabulary) -> None:
    talk = "---\ntype: case\n---\n"
    note = "---\ntype: note\nslug: n\ntalk: fehlt\ntitle: N\n---\nText.\n"
    paths = [write(tmp_path, "t.md", talk), write(tmp_path, "n.md", note)]
    with using("en"):
        files, errors = read_files(paths, file_types())
        items, problems = validate_files(files, vocabulary)
        references = check_references(None, items)
    assert [e.message for e in errors] == ["type must be talk or note, not 'case'"]
    assert problems == []
    assert [e.message for e in references] == ["unknown talk 'fehlt'"]
    _, german = read_files(paths[:1], file_types())
    assert german[0].message == "type muss talk oder note sein, nicht 'case'"


def test_an_import_report_in_english() -> None:
    report = ImportReport(Counter(case=1), Counter(), Counter(talk=2), ["case x (redaktion)"])
    assert report.lines() == [
        "Fälle: 1 neu, 0 geändert, 0 unverändert",
        "Gespräche: 0 neu, 0 geändert, 2 unverändert",
        "behalten (seit dem Laden bearbeitet): case x (redaktion)",
    ]
    with using("en"):
        assert report.lines() == [
            "Cases: 1 new, 0 changed, 0 unchanged",
            "Talks: 0 new, 0 changed, 2 unchanged",
            "kept (edited since it was loaded): case x (redaktion)",
        ]


def test_completeness_gaps_in_english(vocabulary: Vocabulary) -> None:
    state = complete_state()
    state.update(summary="", start_year=None, instruments=[])
    state["awards"] = [{"name": "Preis", "source": ""}, {"name": "Medaille", "source": ""}]
    state["governance"] = {"type": "bottom-up", "rationale": "Kurz."}
    with using("en"):
        gaps = {g.code: g.label for g in assess(state, vocabulary, notes=0).gaps}
    assert gaps == {
        "summary": "Summary missing",
        "instruments": "No instrument",
        "start-year": "Start (year) missing",
        "fact-sources": "2 facts without a source, the first: Award “Preis”",
        "rationales": "Rationale shorter than 80 characters",
        "notes": "No note from a talk at which the case was presented",
    }
    german = {g.code: g.label for g in assess(state, vocabulary, notes=0).gaps}
    assert german["fact-sources"] == "2 Angabe(n) ohne Quelle, zuerst: Auszeichnung „Preis“"
    assert german["rationales"] == "Begründung kürzer als 80 Zeichen"


def test_provenance_warnings_in_english() -> None:
    state = complete_state()
    state["actors"] = [{"name": "Stadt", "kind": "administration", "role": "Eigentümerin"}]
    with using("en"):
        found = dict(warnings(state))
    assert found[("actors", 0, "source")] == "Actor “Stadt”: no source given"
    assert found[("funding", 0, "source")] == (
        "Funding “P”: source https://example.org/f is not in the list of sources"
    )
    assert found[("sources", 0)] == (
        "Source https://example.org/1 is cited by no fact and has no “supports”"
    )
    assert dict(warnings(state))[("key_dates", 0, "source")] == (
        "Chronik „2019“: Quelle https://example.org/k steht nicht in der Quellenliste"
    )


def test_a_config_error_in_english() -> None:
    with using("en"), pytest.raises(ConfigurationError) as caught:
        parse_base_url("ftp://kb.example")
    assert str(caught.value) == (
        "KB_BASE_URL: must begin with http:// or https:// "
        "(e.g. https://kooperationsmodelle.example), not 'ftp://kb.example'"
    )


def test_search_messages_in_english_and_german() -> None:
    _, note = clean("Beteiligung " * 300)
    assert note == f"Die Anfrage war zu lang und wurde auf {MAX_CHARS} Zeichen gekürzt."
    assert say(Message(TOO_MANY_TERMS, limit=32)) == "Zu viele Suchbegriffe: höchstens 32."
    with using("en"):
        assert note is not None
        assert (
            say(note) == f"The query was too long and has been shortened to {MAX_CHARS} characters."
        )
        assert say(Message(TOO_MANY_TERMS, limit=32)) == "Too many search terms: at most 32."
        assert say("kein Message") == "kein Message"


def test_a_wrong_query_is_refused_in_english(seeded: Runtime) -> None:
    wrong = SearchRequest(query="Büchel", sort="quer")
    with using("en"), seeded.uow() as uow, pytest.raises(QuerySyntaxError) as caught:
        seeded.search_index.search(uow, wrong)
    assert str(caught.value).startswith("Unknown sort order 'quer' (")
    long = SearchRequest(query="Büchel " + "a" * MAX_CHARS)  # shortened to "Büchel"
    with using("en"), seeded.uow() as uow:
        results = seeded.search_index.search(uow, long)
    assert results.message == (
        f"The query was too long and has been shortened to {MAX_CHARS} characters."
    )


def _with_english_labels(vocabulary: Vocabulary) -> Vocabulary:
    """The vocabulary with an English label for every term that differs from the German."""
    return Vocabulary(
        {
            name: {
                code: dataclasses.replace(
                    term, labels={**term.labels, "en": f"EN {term.label_in('de')}"}
                )
                for code, term in terms.items()
            }
            for name, terms in vocabulary.terms.items()
        }
    )


def test_search_documents_are_german_whatever_the_language(
    seeded: Runtime, vocabulary: Vocabulary
) -> None:
    bilingual = _with_english_labels(vocabulary)
    with using("en"):
        assert bilingual.label("lands", "sachsen") == "EN Sachsen"  # the labels do differ
    with seeded.uow() as uow:
        german = sorted(all_documents(uow, bilingual), key=lambda d: (d.kind, d.slug))
        with using("en"):
            english = sorted(all_documents(uow, bilingual), key=lambda d: (d.kind, d.slug))
    assert german and english == german  # sorted: PostgreSQL returns rows in any order
    assert any("Sachsen" in d.places for d in german)


def test_a_link_check_report_in_english_keeps_the_stored_german_reasons() -> None:
    used = [Usage("case", "testfall", "Testfall", "sources[0].url")]
    results = [
        LinkResult("https://example.org/a", "ok", 200, "", "erreichbar (200)", [], used),
        LinkResult("https://example.org/b", "dead", 404, "", "nicht gefunden (404)", [], used),
    ]
    report = LinkReport(datetime(2026, 1, 1, tzinfo=UTC), 2.04, {}, results)
    with using("en"):
        english = render_report(report)
        labels = last_check_labels()
    assert english == [
        "2 addresses checked in 2.0 s: 1 fine, 0 moved permanently, "
        "0 redirected temporarily, 1 dead, 0 unreachable.",
        "",
        "Dead (1):",
        "  https://example.org/b",
        "    nicht gefunden (404)",
        "    – Case testfall: sources[0].url",
    ]
    assert labels["error"] == "unreachable"
    assert render_report(report)[0] == (
        "2 Adresse(n) geprüft in 2,0 s: 1 in Ordnung, 0 dauerhaft umgezogen, "
        "0 vorübergehend weitergeleitet, 1 tot, 0 nicht erreichbar."
    )


def last_check_labels() -> dict[str, str]:
    return dict(LastCheck(None, {}, [], {}).labels)
