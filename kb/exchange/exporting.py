"""Exporting cases: the whole catalogue as YAML/Markdown files (re-importable), JSON or CSV,
and any set of cases as a wide CSV (one row per case) or a long CSV (one row per list item).
Every CSV is written by kb.csvcells, which keeps spreadsheets from running a cell as a formula."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from kb.catalogue.completeness import completeness_json
from kb.catalogue.files import render_file
from kb.catalogue.vocabulary import Vocabulary
from kb.csvcells import csv_text, write_csv
from kb.editorial.kinds import KINDS, write_order
from kb.unit_of_work import UnitOfWork

Format = Literal["yaml", "json", "csv"]
JOIN = " | "  # multi-valued fields in one CSV cell


def catalogue_states(uow: UnitOfWork) -> dict[str, list[dict[str, Any]]]:
    """Every item's canonical state by kind, in a stable order (by slug)."""
    return {
        kind.code: sorted((kind.state(i) for i in kind.list_all(uow)), key=lambda s: s["slug"])
        for kind in write_order()
    }


def export_catalogue(
    uow: UnitOfWork,
    fmt: Format,
    out: Path,
    vocabulary: Vocabulary,
    vocabulary_file: Path,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Write the catalogue into `out`; return the files written. With yaml (a file per item),
    `progress(done, total)` counts the files written."""
    out.mkdir(parents=True, exist_ok=True)
    states = catalogue_states(uow)
    if fmt == "yaml":
        return _export_files(states, out, vocabulary_file, progress)
    if fmt == "json":
        path = out / "catalogue.json"
        data: dict[str, Any] = {KINDS[code].plural_en: items for code, items in states.items()}
        # per case slug: {"score": 0-100, "gaps": [codes]} (kb.catalogue.completeness)
        data["completeness"] = completeness_json(uow, states["case"], vocabulary)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return [path]
    return _export_csv(states, out, vocabulary)


def _export_files(
    states: dict[str, list[dict[str, Any]]],
    out: Path,
    vocab_file: Path,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    written = []
    total = sum(len(items) for items in states.values()) + 1
    for code, items in states.items():
        kind = KINDS[code]
        suffix = kind.extension
        target = out / kind.folder
        target.mkdir(exist_ok=True)
        wanted = {f"{s['slug']}{suffix}" for s in items}
        # A previous export's file of an item that is gone would come back on the next import.
        for stale in target.glob(f"*{suffix}"):
            if stale.name not in wanted:
                stale.unlink()
        for state in items:
            path = target / f"{state['slug']}{suffix}"
            path.write_text(render_file(code, state, kind.body_field), encoding="utf-8")
            written.append(path)
            if progress is not None:
                progress(len(written), total)
    vocab_copy = out / "vocabularies.yaml"
    vocab_copy.write_text(vocab_file.read_text(encoding="utf-8"), encoding="utf-8")
    written.append(vocab_copy)
    if progress is not None:
        progress(len(written), total)
    return written


CASE_CSV_HEADER = [
    "slug",
    "name",
    "aliases",
    "city",
    "land",
    "size_class",
    "population",
    "lat",
    "lon",
    "governance_type",
    "governance_rationale",
    "scale",
    "scale_rationale",
    "start_year",
    "end_year",
    "status",
    "carrier_name",
    "carrier_legal_form",
    "actors_municipal",
    "actors_civil_society",
    "actors_other",
    "instruments",
    "funding",
    "awards",
    "summary",
    "summary_en",
    "website",
    "sources",
]


def case_csv_row(c: dict[str, Any], vocab: Vocabulary) -> list[Any]:
    """One case (its canonical state) as a CSV row under `CASE_CSV_HEADER`; multi-valued
    fields are joined with `JOIN`."""

    def actors(side: str) -> str:
        return JOIN.join(
            f"{a['name']} ({vocab.label('actor_kinds', a['kind'])})"
            for a in c["actors"]
            if vocab.side_of(a["kind"]) == side
        )

    return [
        c["slug"],
        c["name"],
        JOIN.join(a["name"] for a in c["aliases"]),
        c["city"],
        vocab.label("lands", c["land"]),
        vocab.label("size_classes", c["municipality"]["size_class"]),
        c["municipality"]["population"],
        c["municipality"]["lat"],
        c["municipality"]["lon"],
        c["governance"]["type"],
        c["governance"]["rationale"],
        c["scale"]["type"],
        c["scale"]["rationale"],
        c["start_year"],
        c["end_year"],
        c["status"],
        c["carrier"]["name"],
        c["carrier"]["legal_form"],
        actors("municipal"),
        actors("civil-society"),
        actors("other"),
        JOIN.join(vocab.label("instruments", i["code"]) for i in c["instruments"]),
        JOIN.join(f["programme"] for f in c["funding"]),
        JOIN.join(f"{a['name']} {a['year'] or ''}".strip() for a in c["awards"]),
        c["summary"],
        c.get("summary_en") or "",
        c["website"],
        JOIN.join(s["url"] for s in c["sources"]),
    ]


def cases_csv(states: list[dict[str, Any]], vocab: Vocabulary) -> str:
    """Cases as one CSV document (for downloads of a filtered set)."""
    return csv_text(CASE_CSV_HEADER, (case_csv_row(c, vocab) for c in states))


LONG_CSV_HEADER = [
    "case_slug",
    "case_name",
    "item_type",
    "position",
    "name",
    "kind_or_code",
    "label",
    "side",
    "role_or_note",
    "funder",
    "year",
    "date",
    "amount",
    "period",
    "source",
]

# item_type -> (the list in the case state, long column -> the item's field). Every field of
# every list item has a column of its own, so the lists can be rebuilt from the rows exactly;
# `label` and `side` are looked up from the vocabulary (see `cases_long_csv`).
LONG_ITEMS: dict[str, tuple[str, dict[str, str]]] = {
    "actor": (
        "actors",
        {"name": "name", "kind_or_code": "kind", "role_or_note": "role", "source": "source"},
    ),
    "instrument": ("instruments", {"kind_or_code": "code", "role_or_note": "note"}),
    "funding": (
        "funding",
        {
            "name": "programme",
            "funder": "funder",
            "amount": "amount",
            "period": "period",
            "role_or_note": "note",
            "source": "source",
        },
    ),
    "award": (
        "awards",
        {"name": "name", "year": "year", "role_or_note": "note", "source": "source"},
    ),
    "key_date": ("key_dates", {"date": "date", "name": "event", "source": "source"}),
    "alias": ("aliases", {"name": "name", "role_or_note": "note"}),
    "source": ("sources", {"source": "url", "role_or_note": "supports"}),
}


def case_long_rows(c: dict[str, Any], vocab: Vocabulary) -> list[list[Any]]:
    """One case (its canonical state) as rows under `LONG_CSV_HEADER`: one per item of its
    lists, numbered from 1 per item type in the case's order. Every case has at least one
    source, so every case has rows."""
    rows = []
    for item_type, (key, columns) in LONG_ITEMS.items():
        for position, item in enumerate(c[key], start=1):
            cells: dict[str, Any] = {col: item[field] for col, field in columns.items()}
            if item_type == "actor":
                cells["label"] = vocab.label("actor_kinds", item["kind"])
                cells["side"] = vocab.side_of(item["kind"])
            elif item_type == "instrument":
                cells["label"] = vocab.label("instruments", item["code"])
            cells.update(case_slug=c["slug"], case_name=c["name"])
            cells.update(item_type=item_type, position=position)
            rows.append([cells.get(col) for col in LONG_CSV_HEADER])
    return rows


def cases_long_csv(states: list[dict[str, Any]], vocab: Vocabulary) -> str:
    """Cases as one long-format CSV document: one row per case and list item."""
    return csv_text(LONG_CSV_HEADER, (row for c in states for row in case_long_rows(c, vocab)))


def _export_csv(
    states: dict[str, list[dict[str, Any]]], out: Path, vocab: Vocabulary
) -> list[Path]:
    talk_header = [
        "slug",
        "series",
        "number",
        "format",
        "title",
        "date",
        "announced_date",
        "start_time",
        "end_time",
        "venue",
        "cases",
        "speakers",
        "summary",
    ]
    talk_rows = [
        [
            t["slug"],
            t["series"],
            t["number"],
            t["format"],
            t["title"],
            t["date"],
            t["announced_date"],
            t["start_time"],
            t["end_time"],
            t["venue"],
            JOIN.join(t["cases"]),
            JOIN.join(s["name"] for s in t["speakers"]),
            t["summary"],
        ]
        for t in states["talk"]
    ]
    note_header = ["slug", "talk", "title", "author", "created", "body"]
    note_rows = [[n[k] for k in note_header] for n in states["note"]]
    return [
        write_csv(
            out / "cases.csv", CASE_CSV_HEADER, [case_csv_row(c, vocab) for c in states["case"]]
        ),
        write_csv(out / "talks.csv", talk_header, talk_rows),
        write_csv(out / "notes.csv", note_header, note_rows),
    ]
