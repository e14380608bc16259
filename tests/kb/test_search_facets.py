"""Facet counts from the index checked against counts computed from the database."""

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from kb.runtime import Runtime
from kb.search.service import SearchRequest
from models import Case, Note, Talk, TalkCase

NOTE = """---
type: note
slug: {slug}
talk: {talk}
title: Notiz {slug}
created: 2023-01-10
---
Eine Notiz über Beteiligung.
"""


def facet_values_from_db(runtime: Runtime) -> list[dict[str, set[str]]]:
    """Every searchable item's facet values, computed with plain SQL joins."""
    items: list[dict[str, set[str]]] = []
    with runtime.uow() as uow:
        s = uow.session
        cases = {c.id: c for c in s.scalars(select(Case).where(Case.deleted_at.is_(None)))}

        def of_cases(ids: list[int]) -> dict[str, set[str]]:
            cs = [cases[i] for i in ids if i in cases]
            return {
                "governance": {c.governance_type for c in cs},
                "scale": {c.scale for c in cs},
                "land": {c.land for c in cs},
                "size_class": {c.size_class for c in cs if c.size_class},
            }

        for c in cases.values():
            items.append(
                {
                    "kind": {"case"},
                    "year": {str(c.start_year)} if c.start_year else set(),
                    **of_cases([c.id]),
                }
            )
        presented: dict[int, list[int]] = {}
        for talk_id, case_id in s.execute(select(TalkCase.talk_id, TalkCase.case_id)):
            presented.setdefault(talk_id, []).append(case_id)
        talks = {t.id: t for t in s.scalars(select(Talk).where(Talk.deleted_at.is_(None)))}
        for t in talks.values():
            items.append(
                {"kind": {"talk"}, "year": {str(t.date.year)}, **of_cases(presented.get(t.id, []))}
            )
        for n in s.scalars(select(Note).where(Note.deleted_at.is_(None))):
            when = n.created or talks[n.talk_id].date
            items.append(
                {
                    "kind": {"note"},
                    "year": {str(when.year)},
                    **of_cases(presented.get(n.talk_id, [])),
                }
            )
    return items


def expected(items: list[dict[str, set[str]]], filters: dict[str, tuple[str, ...]]):  # type: ignore[no-untyped-def]
    def passes(item: dict[str, set[str]], skip: str | None) -> bool:
        return all(item[f] & set(v) for f, v in filters.items() if f != skip)

    total = sum(passes(i, None) for i in items)
    counts = {}
    for facet in ("kind", "governance", "scale", "land", "size_class", "year"):
        c: Counter[str] = Counter()
        for item in items:
            if passes(item, facet):
                c.update(item[facet])
        counts[facet] = dict(c)
    return total, counts


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"governance": ("bottom-up",)},
        {"kind": ("case",), "land": ("berlin",)},
        {"governance": ("top-down", "cross-over"), "scale": ("city",)},
        {"kind": ("talk", "note"), "year": ("2022",)},
        {"land": ("thueringen", "sachsen-anhalt"), "size_class": ("grossstadt",)},
        {"kind": ("note",), "governance": ("top-down",)},
    ],
    ids=lambda f: ",".join(f"{k}={'+'.join(v)}" for k, v in f.items()) or "none",
)
def test_facet_counts_match_the_database(
    seeded: Runtime, tmp_path: Path, filters: dict[str, tuple[str, ...]]
) -> None:
    # Notes on three talks, so that notes inherit facets from the cases presented.
    for i, talk in enumerate(
        [
            "talk-2-freiraumbuero-halle",
            "talk-4-alte-feuerwache-weimar",
            "jam-governance-des-stadtmachens-2022",
        ]
    ):
        (tmp_path / f"n{i}.md").write_text(NOTE.format(slug=f"notiz-{i}", talk=talk))
    seeded.import_files(sorted(tmp_path.glob("n*.md")))

    total, counts = expected(facet_values_from_db(seeded), filters)
    with seeded.uow() as uow:
        results = seeded.search_index.search(uow, SearchRequest("", filters=filters))
    assert results.total == total
    assert results.facets == counts
