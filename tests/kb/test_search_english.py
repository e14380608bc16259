"""Searching in English: a query's English vocabulary labels ("bottom-up", "neighbourhood",
"advisory board", "Bavaria", "large city") find the values they name, the German search is
unchanged, and the index stays German whatever the language of the request that writes it."""

import pytest
from sqlalchemy import select

from kb.catalogue.cases import get_case, sync_instruments
from kb.i18n import using
from kb.runtime import Runtime
from kb.search.indexing import case_document
from kb.search.service import SearchRequest
from models import Case, CaseInstrument, Instrument
from search_index.documents import Synonym
from search_index.query import clean, expand

SYNONYMS = (
    Synonym("Bottom-up", "governance:bottom-up"),
    Synonym("Large city", "size_class:grossstadt"),
    Synonym("city", "scale:city"),
    Synonym("Advisory board", 'names:"Beirat"'),
)


def _cases(runtime: Runtime, query: str, lang: str) -> set[str]:
    request = SearchRequest(query, filters={"kind": ("case",)})
    with runtime.uow() as uow:
        results = runtime.search_index.search(uow, request, every_hit=True, lang=lang)
    return {hit.slug for hit in results.hits}


def _slugs(runtime: Runtime, *where: object) -> set[str]:
    with runtime.uow() as uow:
        stmt = select(Case.slug).where(Case.deleted_at.is_(None), *where)  # type: ignore[arg-type]
        return set(uow.session.scalars(stmt))


def test_english_labels_find_the_cases_of_their_values(seeded: Runtime) -> None:
    beirat = Case.instruments.any(CaseInstrument.instrument.has(Instrument.slug == "beirat"))
    expected = {
        "bottom-up": _slugs(seeded, Case.governance_type == "bottom-up"),
        "neighbourhood": _slugs(seeded, Case.scale == "project"),
        "advisory board": _slugs(seeded, beirat),
        "Bavaria": _slugs(seeded, Case.land == "bayern"),
        "LARGE CITY": _slugs(seeded, Case.size_class == "grossstadt"),
    }
    for query, slugs in expected.items():
        assert slugs, query  # the seed has such cases: the test can fail
        english = _cases(seeded, query, "en")
        assert slugs <= english, query
        # The German search finds them only where their texts use the words.
        assert not slugs <= _cases(seeded, query, "de"), query


def test_a_label_combines_with_other_words_and_negation(seeded: Runtime) -> None:
    bavarian = _slugs(seeded, Case.land == "bayern")
    nuremberg = _slugs(seeded, Case.land == "bayern", Case.city == "Nürnberg")
    assert nuremberg and nuremberg < bavarian
    request = SearchRequest("Bavaria Nürnberg", filters={"kind": ("case",)})
    with seeded.uow() as uow:
        results = seeded.search_index.search(uow, request, every_hit=True, lang="en")
    # Both words: the Nuremberg cases; more hits only as partial ones (few hits widen a query).
    assert {h.slug for h in results.hits if not h.missing} == nuremberg
    assert results.exact_total == len(nuremberg)
    assert not _cases(seeded, "Nürnberg -Bavaria", "en") & bavarian


def test_the_language_defaults_to_kbs_current_one(seeded: Runtime) -> None:
    request = SearchRequest("Bavaria", filters={"kind": ("case",)})
    with using("en"), seeded.uow() as uow:
        english = seeded.search_index.search(uow, request, every_hit=True)
    assert {h.slug for h in english.hits} >= _slugs(seeded, Case.land == "bayern")
    assert english.query == "Bavaria"  # the query as typed, never its expansion


def test_german_has_no_synonyms_and_english_splits_labels_at_slashes(seeded: Runtime) -> None:
    assert seeded.search_index.synonyms("de") == ()
    english = {s.phrase: s.query for s in seeded.search_index.synonyms("en")}
    assert english["Project"] == english["neighbourhood"] == "scale:project"
    assert english["Advisory board"] == 'names:"Beirat"'


@pytest.mark.parametrize(
    ("query", "expanded"),
    [
        ("bottom-up", "((bottom-up) OR governance:bottom-up)"),
        ("Bottom up", "((Bottom up) OR governance:bottom-up)"),
        ("large city Leipzig", "((large city) OR size_class:grossstadt) Leipzig"),
        ('"advisory board"', '("advisory board" OR names:"Beirat")'),
        ("-bottom-up", "NOT ((bottom-up) OR governance:bottom-up)"),
        ("titel:bottom-up", "titel:bottom-up"),  # a field's value stays as typed
        ("bottom*", "bottom*"),
        ("cityscape", "cityscape"),
        ('"a bottom-up case"', '"a bottom-up case"'),
    ],
)
def test_expand_or_s_whole_phrases_only(query: str, expanded: str) -> None:
    assert expand(clean(query)[0], SYNONYMS)[0] == expanded


def test_the_index_stays_german_whatever_the_requests_language(seeded: Runtime) -> None:
    with seeded.uow() as uow, using("en"):
        sync_instruments(uow, seeded.vocabulary)
        uow.session.flush()
        labels = dict(uow.session.execute(select(Instrument.slug, Instrument.label)).all())
        assert labels["beirat"] == "Beirat"
        bavarian = get_case(uow, sorted(_slugs(seeded, Case.land == "bayern"))[0])
        document = case_document(bavarian, seeded.vocabulary, [])
        uow.rollback()
    assert "Bayern" in document.places and "Bavaria" not in document.places
