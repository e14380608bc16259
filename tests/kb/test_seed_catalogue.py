"""The seed catalogue meets the standard of issue 12: at least 60 cases, none a stub, each
complete by kb.catalogue.completeness (notes aside: they come from talks), each fact with its source
(kb.catalogue.provenance), at least two sources from different sites, every Land present, and every
governance type in small and in large municipalities."""

from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from kb.catalogue.completeness import assess
from kb.catalogue.provenance import warnings
from kb.catalogue.vocabulary import Vocabulary, load_vocabulary
from kb.config import DEFAULT_SEED_DIR

MIN_CASES = 60
STUB_PHRASES = ("Weitere Einzelheiten wurden nicht erhoben", "No further details")
SMALL = {"kleinstadt", "landgemeinde"}


def _cases() -> list[dict[str, Any]]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(Path(DEFAULT_SEED_DIR, "cases").glob("*.yaml"))
    ]


CASES = _cases()


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(DEFAULT_SEED_DIR / "vocabularies.yaml")


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def test_the_catalogue_holds_at_least_60_cases() -> None:
    assert len(CASES) >= MIN_CASES


@pytest.mark.parametrize("case", CASES, ids=[c["slug"] for c in CASES])
def test_every_case_is_complete_and_sourced(case: dict[str, Any], vocabulary: Vocabulary) -> None:
    gaps = [g.code for g in assess(case, vocabulary, notes=1).gaps]
    assert gaps == [], gaps
    assert warnings(case) == []
    sites = {_site(s["url"]) for s in case["sources"]}
    assert len(case["sources"]) >= 2 and len(sites) >= 2, sites
    text = yaml.safe_dump(case, allow_unicode=True)
    assert not any(phrase in text for phrase in STUB_PHRASES)


def test_every_land_and_every_type_in_small_and_large_places(vocabulary: Vocabulary) -> None:
    assert {c["land"] for c in CASES} == set(vocabulary.codes("lands"))
    sizes = Counter(
        (c["governance"]["type"], c["municipality"]["size_class"] in SMALL) for c in CASES
    )
    for code in vocabulary.codes("governance_types"):
        assert sizes[(code, True)] and sizes[(code, False)], code
