"""The codebook (Codebuch) of the downloads: every column of the wide and the long CSV with its
meaning, type and vocabulary, and every value of every vocabulary with code, label and
definition, and the notes that hold for every cell (how cells that look like formulas are
written). It is generated from the CSV headers, the cell rule of kb.csvcells and the vocabulary
file, so it cannot fall behind them: a column without a description here is an error, not a gap."""

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from kb.catalogue.vocabulary import NAMES, Vocabulary
from kb.csvcells import RULE, csv_text
from kb.exchange.exporting import CASE_CSV_HEADER, JOIN, LONG_CSV_HEADER, LONG_ITEMS
from kb.labels import column_about, item_entry, item_label, label

CodebookFormat = Literal["csv", "json", "markdown"]

VOCABULARY_TITLES = {
    "governance_types": "Governance-Typen",
    "scales": "Maßstäbe",
    "lands": "Bundesländer",
    "size_classes": "Stadt- und Gemeindegrößen",
    "actor_sides": "Seiten der Kooperation",
    "actor_kinds": "Arten von Akteuren",
    "statuses": "Status",
    "talk_formats": "Formate der Gespräche",
    "instruments": "Instrumente der Kooperation",
}

LIST = f"Liste (getrennt durch „{JOIN}“)"

# column -> (the field it holds, whose `about` label (kb.labels) is the column's meaning; type;
# vocabulary or "")
WIDE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "slug": ("slug", "Text", ""),
    "name": ("name", "Text", ""),
    "aliases": ("aliases", LIST, ""),
    "city": ("city", "Text", ""),
    "land": ("land", "Bezeichnung", "lands"),
    "size_class": ("municipality.size_class", "Bezeichnung", "size_classes"),
    "population": ("municipality.population", "ganze Zahl", ""),
    "lat": ("municipality.lat", "Dezimalzahl", ""),
    "lon": ("municipality.lon", "Dezimalzahl", ""),
    "governance_type": ("governance.type", "Code", "governance_types"),
    "governance_rationale": ("governance.rationale", "Text", ""),
    "scale": ("scale.type", "Code", "scales"),
    "scale_rationale": ("scale.rationale", "Text", ""),
    "start_year": ("start_year", "Jahr", ""),
    "end_year": ("end_year", "Jahr", ""),
    "status": ("status", "Code", "statuses"),
    "carrier_name": ("carrier.name", "Text", ""),
    "carrier_legal_form": ("carrier.legal_form", "Text", ""),
    "actors_municipal": ("actors@municipal", LIST, "actor_kinds"),
    "actors_civil_society": ("actors@civil-society", LIST, "actor_kinds"),
    "actors_other": ("actors@other", LIST, "actor_kinds"),
    "instruments": ("instruments", LIST, "instruments"),
    "funding": ("funding@programmes", LIST, ""),
    "awards": ("awards", LIST, ""),
    "summary": ("summary", "Markdown", ""),
    "summary_en": ("summary_en", "Markdown", ""),
    "website": ("website", "URL", ""),
    "sources": ("sources", f"{LIST}, URLs", ""),
}

# column -> (the field it holds, or "" for a column that holds several (kb.labels.COLUMNS);
# type; vocabulary or "")
LONG_COLUMNS: dict[str, tuple[str, str, str]] = {
    "case_slug": ("", "Text", ""),
    "case_name": ("", "Text", ""),
    "item_type": ("", "Code", "item_types"),
    "position": ("", "ganze Zahl", ""),
    "name": ("", "Text", ""),
    "kind_or_code": ("", "Code", "actor_kinds, instruments"),
    "label": ("", "Bezeichnung", ""),
    "side": ("", "Code", "actor_sides"),
    "role_or_note": ("", "Text", ""),
    "funder": ("funding.funder", "Text", ""),
    "year": ("awards.year", "Jahr", ""),
    "date": ("key_dates.date", "Datum", ""),
    "amount": ("funding.amount", "Text", ""),
    "period": ("funding.period", "Text", ""),
    "source": ("", "URL", ""),
}

FILES = {"cases.csv": WIDE_COLUMNS, "cases.long.csv": LONG_COLUMNS}
HEADERS = {"cases.csv": CASE_CSV_HEADER, "cases.long.csv": LONG_CSV_HEADER}


@dataclass(frozen=True)
class Column:
    file: str  # "cases.csv" (wide) or "cases.long.csv" (long); search downloads share them
    name: str
    meaning: str
    type: str
    vocabulary: str
    item_types: str  # long CSV: the item types that fill the column ("" for the wide CSV)


@dataclass(frozen=True)
class Value:
    vocabulary: str
    code: str
    label: str
    definition: str
    extra: str  # further attributes, e.g. "side=municipal" of an actor kind


@dataclass(frozen=True)
class Codebook:
    columns: list[Column]
    vocabularies: dict[str, str]  # name -> German title, in codebook order
    values: list[Value]
    notes: list[str]  # German rules that hold for every cell of every CSV download


def build_codebook(vocabulary: Vocabulary) -> Codebook:
    """The codebook of the CSV headers and the vocabulary. Raises KeyError for a header column
    without a description (the tests make sure there is none)."""
    filled_by: dict[str, list[str]] = {c: ["alle"] for c in LONG_CSV_HEADER[:4]}
    for item_type, (_, fields) in LONG_ITEMS.items():
        for column in fields:
            filled_by.setdefault(column, []).append(item_type)
    filled_by["label"] = ["actor", "instrument"]  # looked up from the vocabulary
    filled_by["side"] = ["actor"]
    columns = []
    for file, header in HEADERS.items():
        for name in header:
            path, column_type, vocabulary_name = FILES[file][name]
            columns.append(
                Column(
                    file,
                    name,
                    label(path, "about") if path else column_about(name),
                    column_type,
                    vocabulary_name,
                    ", ".join(filled_by.get(name, [])) if file == "cases.long.csv" else "",
                )
            )
    titles = {"item_types": "Arten von Einträgen im Langformat", **VOCABULARY_TITLES}
    # The export's own small vocabulary: the item types of the long CSV, named like the items
    # of the lists they come from.
    values = [
        Value("item_types", code, item_label(key), item_entry(key).wording("about"), "")
        for code, (key, _) in LONG_ITEMS.items()
    ]
    for name in NAMES:
        for code in vocabulary.codes(name):
            term = vocabulary.term(name, code)
            extra = ", ".join(f"{k}={v}" for k, v in term.extra.items())
            values.append(Value(name, code, term.label, term.definition, extra))
    return Codebook(columns, {n: titles[n] for n in ("item_types", *NAMES)}, values, [RULE])


CSV_HEADER = ["section", "table", "name", "label", "meaning", "type", "vocabulary", "extra"]


def codebook_csv(book: Codebook) -> str:
    """One table: a row per column (`section` = "column", `table` = the file), a row per
    vocabulary value (`section` = "value", `table` = the vocabulary, `name` = the code) and a
    row per note (`section` = "note", the text under `meaning`)."""
    rows: list[list[str]] = [
        ["column", c.file, c.name, "", c.meaning, c.type, c.vocabulary, c.item_types]
        for c in book.columns
    ]
    rows += [
        ["value", v.vocabulary, v.code, v.label, v.definition, "", "", v.extra] for v in book.values
    ]
    rows += [["note", "", "", "", note, "", "", ""] for note in book.notes]
    return csv_text(CSV_HEADER, rows)


def codebook_data(book: Codebook) -> dict[str, Any]:
    """The codebook as JSON-ready data: the columns per file, the values per vocabulary."""
    return {
        "files": {file: [asdict(c) for c in book.columns if c.file == file] for file in HEADERS},
        "vocabularies": {
            name: {
                "title": title,
                "values": [asdict(v) for v in book.values if v.vocabulary == name],
            }
            for name, title in book.vocabularies.items()
        },
        "notes": book.notes,
    }


def codebook_json(book: Codebook) -> str:
    return json.dumps(codebook_data(book), ensure_ascii=False, indent=2) + "\n"


def codebook_markdown(book: Codebook) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["# Codebuch", ""]
    lines += [*book.notes, ""]
    for file in HEADERS:
        lines += [
            f"## {file}",
            "",
            "| Spalte | Bedeutung | Typ | Vokabular |",
            "| --- | --- | --- | --- |",
        ]
        lines += [
            f"| `{c.name}` | {cell(c.meaning)} | {cell(c.type)} | {c.vocabulary} |"
            for c in book.columns
            if c.file == file
        ]
        lines.append("")
    for name, title in book.vocabularies.items():
        lines += [
            f"## {title} (`{name}`)",
            "",
            "| Code | Bezeichnung | Definition |",
            "| --- | --- | --- |",
        ]
        lines += [
            f"| `{v.code}` | {cell(v.label)} | {cell(v.definition)}"
            + (f" ({cell(v.extra)})" if v.extra else "")
            + " |"
            for v in book.values
            if v.vocabulary == name
        ]
        lines.append("")
    return "\n".join(lines)


def render_codebook(book: Codebook, fmt: CodebookFormat) -> str:
    if fmt == "csv":
        return codebook_csv(book)
    if fmt == "json":
        return codebook_json(book)
    return codebook_markdown(book)
