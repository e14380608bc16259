"""Relevance: German queries over the seed catalogue, each with the case or talk a researcher
expects among the first three hits."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime
from kb.search.service import SearchRequest
from tests.helpers import SeedTemplates

# (query, expected "kind:slug" in the top 3, what the query exercises)
CASES = [
    ("Buechel", "case:altstadtquartier-buechel-aachen", "ue for ü"),
    ("Buchel Aachen", "case:altstadtquartier-buechel-aachen", "umlaut dropped, two words"),
    ("Freiraumbuero", "case:freiraumbuero-halle", "ue for ü in a compound"),
    ("Freiraumburo Halle", "talk:talk-2-freiraumbuero-halle", "umlaut dropped"),
    ("Loebau", "case:loebaulebt-loebau", "oe for ö"),
    ("Mietshaeuser Syndikat", "case:alte-feuerwache-weimar", "ae for ä"),
    ("Stadtmenschen Altenburg", "case:stadtmensch-altenburg", "announcement alias"),
    ("Demokratie zum Anfassen", "case:politik-zum-anfassen-hannover", "announcement alias"),
    (
        "Thüringer Zentrum für Beteiligungskultur",
        "case:alte-feuerwache-weimar",
        "announcement alias",
    ),
    (
        "Bezirkliche Anlaufstelle für Bürgerbeteiligung Berlin",
        "case:pankow-beteiligt-berlin",
        "announcement alias",
    ),
    ("Altstadtquartier Büchel", "case:altstadtquartier-buechel-aachen", "announcement alias"),
    ("Leitlinie Heidelberg", "case:leitlinien-buergerbeteiligung-heidelberg", "singular"),
    ("Festivals Altenburg", "case:stadtmensch-altenburg", "plural"),
    ("Kooperationsmodelle Halle", "talk:talk-2-freiraumbuero-halle", "plural"),
    ("Liegenschaften", "case:runder-tisch-liegenschaftspolitik-berlin", "plural in compound"),
    ("Initiative Weimar", "case:alte-feuerwache-weimar", "singular of Initiativen"),
    ("Fonds Weimar", "case:quartiere-fuer-alle-weimar", "compound part: Quartiersfonds"),
    (
        "Verfügungsfonds Zukunftscampus",
        "case:quartiere-fuer-alle-weimar",
        "elided: Verfügungs- und Quartiersfonds",
    ),
    ("Wohnraum", "case:alte-feuerwache-weimar", "elided compound: Wohn- und Gewerberaum"),
    ("Entwicklung Alexanderplatz", "case:haus-der-statistik-berlin", "word and compound"),
    ("Entwicklungsgesellschaft Aachen", "case:altstadtquartier-buechel-aachen", "compound"),
    ("Jugendbeteiligung Planspiel", "case:politik-zum-anfassen-hannover", "compound"),
    ("Beteiligungsbeirat Mitte", "case:buero-buergerbeteiligung-berlin-mitte", "compound"),
    ("Quartiersfonds", "case:quartierskonzept-freiimfelde-halle", "compound as written"),
    ("Beteiligung Potsdam", "case:werkstadt-fuer-beteiligung-potsdam", "multi-word"),
    ("Leitlinien Bonn", "case:leitlinien-buergerbeteiligung-bonn", "multi-word"),
    ("Konzeptvergabe Feuerwache", "case:alte-feuerwache-weimar", "instrument and place"),
    ("Zwischennutzung Parkhaus", "case:altstadtquartier-buechel-aachen", "instrument"),
    ("Mieterberatung Prenzlauer Berg", "case:pankow-beteiligt-berlin", "carrier"),
    ("Goldene Rose", "case:freiraumbuero-halle", "carrier"),
    ("Anett Krause", "talk:talk-2-freiraumbuero-halle", "speaker"),
    ("Pimp Your Town", "case:politik-zum-anfassen-hannover", "programme name"),
    ("Mirker Bahnhof", "case:utopiastadt-wuppertal", "place"),
    ("Koop5", "case:haus-der-statistik-berlin", "short name with digit"),
    ("Post-Corona-Stadt", "case:alte-feuerwache-weimar", "hyphenated programme"),
    ("Ihme-Zentrum", "case:zukunftswerkstatt-ihme-zentrum-hannover", "hyphenated name"),
    ("Jam Aedes", "talk:jam-governance-des-stadtmachens-2022", "the Jam's venue"),
    ("Erbbaurecht Jam", "talk:jam-governance-des-stadtmachens-2022", "instrument named at the Jam"),
    ("Erbbaurecht Wedding", "case:exrotaprint-berlin", "instrument and district"),
    ("Anwaltsplanung", "case:buergerbuero-stadtentwicklung-hannover", "rare word"),
    ("selbermachen", "case:stadtmensch-altenburg", "hashtag word"),
    ("Bundespreis kooperative Stadt Halle", "case:freiraumbuero-halle", "award and city"),
    ("Mitmachgemeinde", "case:buergerbeteiligung-weyarn", "small municipality's byname"),
    ("Samtweberei", "case:samtweberei-krefeld", "place name"),
    ("Wächterhäuser", "case:waechterhaeuser-haushalten-leipzig", "plural with umlaut"),
    ("Tiny Rathaus", "case:tiny-rathaus-kiel", "English words"),
    ("Dachgenossenschaft Tübingen", "case:dachgenossenschaft-wohnen-tuebingen", "compound"),
    ('"Zentraler Raum für Beteiligung"', "case:stadtwerkstatt-berlin", "phrase"),
    ("Stadtentwicklung Hannover", "case:buergerbuero-stadtentwicklung-hannover", "multi-word"),
    ("Räume vermitteln Halle", "case:freiraumbuero-halle", "instrument note (details)"),
]


@pytest.fixture(scope="module")
def runtime(
    tmp_path_factory: pytest.TempPathFactory, seed_templates: SeedTemplates, sqlite_template: Path
) -> Iterator[Runtime]:
    folder = tmp_path_factory.mktemp("relevance")
    settings = Settings(
        folder, f"sqlite:///{folder / 'kb.sqlite3'}", folder / "index", "x", DEFAULT_SEED_DIR
    )
    seed_templates.restore(settings, sqlite_template)  # the seed catalogue, indexed
    runtime = Runtime.from_settings(settings)
    yield runtime
    runtime.close()


def test_the_relevance_set_is_large_and_varied() -> None:
    assert len(CASES) >= 25
    assert len({q for q, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("query", "expected", "why"), CASES, ids=[c[0] for c in CASES])
def test_expected_item_is_in_the_top_three(
    runtime: Runtime, query: str, expected: str, why: str
) -> None:
    with runtime.uow() as uow:
        results = runtime.search_index.search(uow, SearchRequest(query, per_page=3))
    top = [f"{h.kind}:{h.slug}" for h in results.hits]
    assert expected in top, f"{query!r} ({why}): {top}"


def test_similar_cases_of_a_district_office_are_other_offices(runtime: Runtime) -> None:
    similar = [h.slug for h in runtime.search_index.similar_cases("pankow-beteiligt-berlin")]
    assert "pankow-beteiligt-berlin" not in similar
    assert {
        "buero-buergerbeteiligung-berlin-mitte",
        "anlaufstelle-buergerbeteiligung-berlin-lichtenberg",
    } & set(similar[:3])
