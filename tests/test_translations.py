"""The gettext catalogues are complete: every marked string of the code is in every language's
catalogue, translated and not fuzzy (what `pybabel update` and `compile --statistics` report)."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = {"kb": ROOT / "kb" / "translations", "messages": ROOT / "webapp" / "translations"}


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _pot(domain: str, tmp_path: Path) -> Catalog:
    """What `make messages` would extract now."""
    out = tmp_path / f"{domain}.pot"
    folder = CATALOGUES[domain]
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract"]
    command += ["-F", str(folder / "babel.cfg"), "-k", "N_", "-k", "lazy_gettext"]
    command += ["-o", str(out), "."]
    subprocess.run(command, cwd=ROOT, check=True)
    return _read(out)


def _languages(domain: str) -> list[Path]:
    return sorted(CATALOGUES[domain].glob(f"*/LC_MESSAGES/{domain}.po"))


@pytest.mark.parametrize("domain", sorted(CATALOGUES))
def test_every_language_has_a_catalogue(domain: str) -> None:
    assert [p.parts[-3] for p in _languages(domain)] == ["en"]


@pytest.mark.parametrize("domain", sorted(CATALOGUES))
def test_every_marked_string_is_translated_and_none_is_fuzzy(domain: str, tmp_path: Path) -> None:
    marked = {m.id for m in _pot(domain, tmp_path) if m.id}
    assert marked, "nothing marked for translation"
    for po in _languages(domain):
        catalogue = _read(po)
        entries = {m.id: m for m in catalogue if m.id}
        missing = sorted(str(i) for i in marked - set(entries))
        assert not missing, f"{po}: not in the catalogue (make messages): {missing[:20]}"
        untranslated = sorted(
            str(m.id)
            for m in entries.values()
            if m.id in marked
            and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
        )
        assert not untranslated, f"{po}: untranslated: {untranslated[:20]}"
        fuzzy = sorted(str(m.id) for m in entries.values() if m.fuzzy)
        assert not fuzzy, f"{po}: fuzzy: {fuzzy[:20]}"
        assert not list(catalogue.check()), f"{po}: {list(catalogue.check())[:5]}"
