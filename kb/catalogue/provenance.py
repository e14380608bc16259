"""Provenance: which facts of a case name the source that supports them.

A *fact* is a field or list item of a case that states something a reader may want to check:
an actor's role, the population of the municipality, a funding entry, an award, a key date.
Each can name one source address (`source`, for the population `population_source`). The
case's `sources` list holds every address with what it supports (`supports`).

This module answers three questions on a case's canonical state (kb.catalogue.cases.case_state, or
the validated file data in the same shape), for `kb check` warnings, the completeness score and
the source markers of the case page:

- which facts name no source (`unsourced_facts`),
- which listed sources neither a fact cites nor a `supports` line explains (`uncited_sources`),
- which addresses a fact cites that the sources list lacks (`unlisted_citations`).

Addresses are compared without a trailing slash and with the scheme and host in lower case,
so `https://Example.org/a/` and `https://example.org/a` are one source.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kb.catalogue.schemas import dotted
from kb.i18n import N_, _, translate

Loc = tuple[Any, ...]

# The lists whose items are facts, with the field that must be non-empty for an item to state
# something (an actor without a role is a name, not a claim) and the label of an item, with
# the item's name as %(name)s (translated when the facts are listed).
FACT_LISTS: dict[str, tuple[str | None, str]] = {
    "actors": ("role", N_("Akteur „%(name)s“")),
    "funding": (None, N_("Förderung „%(name)s“")),
    "awards": (None, N_("Auszeichnung „%(name)s“")),
    "key_dates": (None, N_("Chronik „%(name)s“")),
}


@dataclass(frozen=True)
class Fact:
    loc: Loc  # where the source belongs: ("actors", 2, "source")
    label: str  # names the fact in the current language: "Akteur „Stadt Halle“"
    source: str

    @property
    def path(self) -> str:
        return dotted(self.loc)


def _item_name(key: str, item: Mapping[str, Any]) -> str:
    if key == "funding":
        return str(item.get("programme") or "")
    if key == "key_dates":
        return str(item.get("date") or "")
    return str(item.get("name") or "")


def facts(state: Mapping[str, Any]) -> list[Fact]:
    """Every fact of the case that should name a source, in the order of the case page."""
    found: list[Fact] = []
    municipality = state.get("municipality") or {}
    if municipality.get("population") is not None:
        found.append(
            Fact(
                ("municipality", "population_source"),
                _("Einwohnerzahl"),
                (municipality.get("population_source") or "").strip(),
            )
        )
    for key, (required, label) in FACT_LISTS.items():
        for i, item in enumerate(state.get(key) or []):
            if required and not (item.get(required) or "").strip():
                continue
            found.append(
                Fact(
                    (key, i, "source"),
                    translate(label) % {"name": _item_name(key, item)},
                    (item.get("source") or "").strip(),
                )
            )
    return found


def unsourced_facts(state: Mapping[str, Any]) -> list[Fact]:
    """The facts that name no source."""
    return [f for f in facts(state) if not f.source]


def same_address(url: str) -> str:
    """The form in which two addresses of one source compare equal."""
    url = url.strip()
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def uncited_sources(state: Mapping[str, Any]) -> list[tuple[int, str]]:
    """(index, url) of listed sources that no fact cites and whose `supports` is empty: nothing
    says what they back."""
    cited = {same_address(f.source) for f in facts(state) if f.source}
    return [
        (i, s["url"])
        for i, s in enumerate(state.get("sources") or [])
        if not (s.get("supports") or "").strip() and same_address(s["url"]) not in cited
    ]


def unlisted_citations(state: Mapping[str, Any]) -> list[Fact]:
    """Facts whose source is not in the sources list (the list is what a reader checks)."""
    listed = {same_address(s["url"]) for s in state.get("sources") or []}
    return [f for f in facts(state) if f.source and same_address(f.source) not in listed]


def source_numbers(sources: list[Any]) -> dict[str, int]:
    """Address (in `same_address` form) -> its number (1-based) in the case's sources list: the
    number a source marker shows. Works on rows (`.url`) and on dicts (`["url"]`)."""
    numbers: dict[str, int] = {}
    for i, s in enumerate(sources, start=1):
        url = s["url"] if isinstance(s, Mapping) else s.url
        numbers.setdefault(same_address(url), i)
    return numbers


def warnings(state: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """(field location, message) for every provenance problem of a case."""
    found = [
        (f.loc, _("%(fact)s: keine Quelle angegeben", fact=f.label)) for f in unsourced_facts(state)
    ]
    found += [
        (
            f.loc,
            _(
                "%(fact)s: Quelle %(url)s steht nicht in der Quellenliste",
                fact=f.label,
                url=f.source,
            ),
        )
        for f in unlisted_citations(state)
    ]
    found += [
        (
            ("sources", i),
            _("Quelle %(url)s wird von keiner Angabe zitiert und hat kein „supports“", url=url),
        )
        for i, url in uncited_sources(state)
    ]
    return found
