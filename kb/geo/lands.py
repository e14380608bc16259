"""The one table that maps our Land codes (vocabulary `lands`) to the codes other sources use:
ISO 3166-2 (the outlines' `properties.id`) and GeoNames' admin1 codes (the gazetteer the seed's
coordinates come from)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class LandCodes:
    iso: str  # ISO 3166-2, e.g. "DE-BW"
    geonames_admin1: str  # GeoNames admin1 code within DE, e.g. "01"


LANDS: dict[str, LandCodes] = {
    "baden-wuerttemberg": LandCodes("DE-BW", "01"),
    "bayern": LandCodes("DE-BY", "02"),
    "bremen": LandCodes("DE-HB", "03"),
    "hamburg": LandCodes("DE-HH", "04"),
    "hessen": LandCodes("DE-HE", "05"),
    "niedersachsen": LandCodes("DE-NI", "06"),
    "nordrhein-westfalen": LandCodes("DE-NW", "07"),
    "rheinland-pfalz": LandCodes("DE-RP", "08"),
    "saarland": LandCodes("DE-SL", "09"),
    "schleswig-holstein": LandCodes("DE-SH", "10"),
    "brandenburg": LandCodes("DE-BB", "11"),
    "mecklenburg-vorpommern": LandCodes("DE-MV", "12"),
    "sachsen": LandCodes("DE-SN", "13"),
    "sachsen-anhalt": LandCodes("DE-ST", "14"),
    "thueringen": LandCodes("DE-TH", "15"),
    "berlin": LandCodes("DE-BE", "16"),
}

LAND_BY_ISO: dict[str, str] = {codes.iso: land for land, codes in LANDS.items()}
