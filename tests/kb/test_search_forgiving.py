"""Forgiving search over the seed catalogue: typos, questions, verb and noun forms and partial
matches find what a researcher means, ranked below what the words as typed find; precise
queries get exactly what they got before."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime
from kb.search.service import SearchRequest, SearchResults
from search_index.query import clean
from tests.helpers import SeedTemplates

# (query, expected "kind:slug" in the top 3, what the query exercises)
FORGIVING = [
    ("Freiraumkonzpet", "case:freiraumbuero-halle", "typo: swapped letters"),
    ("Beteilgung Bonn", "case:leitlinien-buergerbeteiligung-bonn", "typo: letter left out"),
    ("Utopiastdat", "case:utopiastadt-wuppertal", "typo in a name"),
    ("Samtwebrei Krefeld", "case:samtweberei-krefeld", "typo in a place name"),
    ("Atelierbeauftragtr", "case:atelierbeauftragter-berlin", "typo at the end"),
    ("Konzpetvergabe Weimar", "case:alte-feuerwache-weimar", "typo in an instrument"),
    ("Mietshäuser Syndiakt", "case:alte-feuerwache-weimar", "typo in the second word"),
    ("Zwischennutzng Bremen", "case:zwischenzeitzentrale-bremen", "typo with a place"),
    ("Halel Freiraumbüro", "case:freiraumbuero-halle", "short word, swapped letters"),
    ("Gängevirtel", "case:gaengeviertel-hamburg", "typo with an umlaut"),
    (
        "Welche Initiative betreibt das Bürgerbüro in Hannover?",
        "case:buergerbuero-stadtentwicklung-hannover",
        "question",
    ),
    ("Wer betreibt das Freiraumbüro in Halle?", "case:freiraumbuero-halle", "question"),
    ("Wo gibt es Wächterhäuser?", "case:waechterhaeuser-haushalten-leipzig", "question"),
    ("Gibt es eine Konzeptvergabe in Weimar?", "case:alte-feuerwache-weimar", "question"),
    ("Was ist die Stadtwerkstatt?", "case:stadtwerkstatt-berlin", "question"),
    ("Wie funktioniert die Mitmachgemeinde?", "case:buergerbeteiligung-weyarn", "question"),
    ("Räume vermitteln Halle", "case:freiraumbuero-halle", "verb for the noun"),
    ("Vermittlung Leerstand Halle", "case:freiraumbuero-halle", "noun for the verb"),
    ("Jugendliche beteiligen Hannover", "case:politik-zum-anfassen-hannover", "verb form"),
    ("Förderer Quartiersfonds Weimar", "case:quartiere-fuer-alle-weimar", "agent noun"),
    ("Genossenschaft betreibt Bahnhof", "case:buergerbahnhof-sulzfeld", "inflected verb"),
    ("Betreiber Generationenbahnhof", "case:generationenbahnhof-erlau", "agent noun"),
    (
        "Zwischennutzung Parkhaus Aachen Bremen",
        "case:altstadtquartier-buechel-aachen",
        "partial: one place too many",
    ),
    (
        "Konzeptvergabe Weimar Quallenfischerei",
        "case:alte-feuerwache-weimar",
        "partial: a word found nowhere",
    ),
    ("Erbbaurecht Wedding Rotaprint Lübeck", "case:exrotaprint-berlin", "partial"),
    (
        "Liegenschaftspolitik Runder Tisch Hamburg",
        "case:runder-tisch-liegenschaftspolitik-berlin",
        "partial",
    ),
]

# Queries the user made precise (phrases, filters, OR, NOT, prefixes, and words that together
# find at least a few hits): exactly what they gave before forgiveness existed.
PRECISE = [
    '"Zentraler Raum für Beteiligung"',
    '"Koop.Stadt"',
    "land:berlin Atelierbeauftragter",
    "typ:bottom-up Genossenschaft",
    "Leitlinien Bürgerbeteiligung",
    "Beteiligung Potsdam",
    "Fonds ODER Budget",
    "Leitlinien -Berlin",
    "Bürger*",
    '"Quallenfischerei Weimar"',
    "titel:Freiraumkonzpet",
]


@pytest.fixture(scope="module")
def runtime(
    tmp_path_factory: pytest.TempPathFactory, seed_templates: SeedTemplates, sqlite_template: Path
) -> Iterator[Runtime]:
    folder = tmp_path_factory.mktemp("forgiving")
    settings = Settings(
        folder, f"sqlite:///{folder / 'kb.sqlite3'}", folder / "index", "x", DEFAULT_SEED_DIR
    )
    seed_templates.restore(settings, sqlite_template)  # the seed catalogue, indexed
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


def search(runtime: Runtime, query: str, exact: bool = False, per_page: int = 3) -> SearchResults:
    with runtime.uow() as uow:
        return runtime.search_index.search(
            uow, SearchRequest(query, per_page=per_page, exact=exact)
        )


def ids(results: SearchResults) -> list[str]:
    return [f"{h.kind}:{h.slug}" for h in results.hits]


def test_the_forgiving_set_is_large_and_varied() -> None:
    assert len(FORGIVING) >= 25
    assert len({q for q, _, _ in FORGIVING}) == len(FORGIVING)


@pytest.mark.parametrize(("query", "expected", "why"), FORGIVING, ids=[c[0] for c in FORGIVING])
def test_a_forgiven_query_finds_what_was_meant(
    runtime: Runtime, query: str, expected: str, why: str
) -> None:
    assert expected in ids(search(runtime, query)), f"{query!r} ({why})"


@pytest.mark.parametrize("query", [q for q, _, _ in FORGIVING])
def test_hits_with_the_words_as_typed_come_first(runtime: Runtime, query: str) -> None:
    forgiven = search(runtime, query, per_page=50)
    exact = search(runtime, query, exact=True, per_page=50)
    assert forgiven.exact_total == exact.total
    assert ids(forgiven)[: exact.total] == ids(exact)
    for hit in forgiven.hits[: exact.total]:
        assert hit.missing == ()


@pytest.mark.parametrize("query", PRECISE)
def test_precise_queries_return_exactly_what_they_did(runtime: Runtime, query: str) -> None:
    forgiven = search(runtime, query, per_page=100)
    exact = search(runtime, query, exact=True, per_page=100)
    assert ids(forgiven) == ids(exact)
    assert forgiven.total == exact.total
    assert forgiven.corrected_from is None and not forgiven.partial


def test_a_typo_is_corrected_and_the_original_kept(runtime: Runtime) -> None:
    results = search(runtime, "Freiraumkonzpet")
    assert results.corrected_from == "Freiraumkonzpet"
    assert results.query == "freiraumkonzept"
    assert results.exact_total == 0 and results.total > 0 and results.suggestion is None
    assert search(runtime, "Freiraumkonzpet", exact=True).total == 0


def test_no_correction_for_short_words_phrases_and_filters(runtime: Runtime) -> None:
    for query in ('"Freiraumkonzpet"', "titel:Freiraumkonzpet", "Hal", "Hle"):
        results = search(runtime, query)
        assert results.corrected_from is None, query
    assert search(runtime, '"Freiraumkonzpet"').total == 0
    # A word the dictionary knows is not "corrected" into another one the index has.
    assert search(runtime, "Räume vermitteln Halle").corrected_from is None
    assert search(runtime, "Quartiersmanagerin").corrected_from is None


def test_few_hits_with_every_word_keep_their_place_before_the_fallback(runtime: Runtime) -> None:
    results = search(runtime, "Leitlinien Bonn", per_page=20)
    exact = search(runtime, "Leitlinien Bonn", exact=True, per_page=20)
    assert 0 < exact.total < 3 and results.partial
    assert ids(results)[: exact.total] == ids(exact) and results.exact_total == exact.total
    assert all(len(h.missing) == 1 for h in results.hits[exact.total :])
    assert results.hits[exact.total].missing == ("Bonn",)  # the other Leitlinien cases first


def test_partial_hits_name_the_words_they_lack(runtime: Runtime) -> None:
    results = search(runtime, "Konzeptvergabe Weimar Quallenfischerei", per_page=10)
    assert results.partial and results.exact_total == 0
    assert ids(results)[0] == "case:alte-feuerwache-weimar"
    assert results.hits[0].missing == ("Quallenfischerei",)
    # More words matched ranks first: no hit lacks fewer words than the one before it.
    lacking = [len(h.missing) for h in results.hits]
    assert lacking == sorted(lacking)
    # At least half of the words: a hit never lacks two of three.
    assert max(lacking) <= 1


def test_a_filter_in_the_query_is_never_dropped(runtime: Runtime) -> None:
    results = search(runtime, "land:sachsen Konzeptvergabe Quallenfischerei", per_page=20)
    assert all(h.kind != "case" or "sachsen" for h in results.hits)
    with runtime.uow() as uow:
        berlin = runtime.search_index.search(
            uow, SearchRequest("land:bremen Zwischennutzung Quallenfischerei", per_page=20)
        )
    assert berlin.partial and berlin.hits
    assert all("land:bremen" not in h.missing for h in berlin.hits)
    assert {h.slug for h in berlin.hits} <= {
        "zwischenzeitzentrale-bremen",
        "rennbahnareal-bremen",
    }


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        (
            "Welche Initiative betreibt das Bürgerbüro in Hannover?",
            "Initiative betreibt das Bürgerbüro in Hannover",
        ),
        ("Gibt es Zwischennutzung in Bremen?", "Zwischennutzung in Bremen"),
        ('"wer wie was" Sesamstraße', '"wer wie was" Sesamstraße'),
        ("Wer?", "Wer"),
        ("B?rger", "B?rger"),
    ],
)
def test_question_words_are_dropped_unless_quoted(typed: str, searched: str) -> None:
    assert clean(typed)[0] == searched
