"""The codebook (Codebuch) of the downloads: every column of the wide and the long CSV with its
meaning, type and vocabulary, and every value of every vocabulary with code, label and
definition, and the notes that hold for every cell (how cells that look like formulas are
written). It is generated from the CSV headers, the cell rule of kb.csvcells and the vocabulary
file, so it cannot fall behind them: a column without a description here is an error, not a gap.

It speaks the current language (kb.i18n): descriptions, types, titles, labels and definitions are
translated when it is built; the codes, column names and vocabulary names never are."""

import json
from dataclasses import asdict, dataclass
from typing import Any, Literal

from kb.catalogue.vocabulary import NAMES, Vocabulary
from kb.csvcells import RULE, csv_text
from kb.exchange.exporting import CASE_CSV_HEADER, JOIN, LONG_CSV_HEADER, LONG_ITEMS
from kb.i18n import N_, _, translate
from kb.labels import column_about, item_entry, item_label, label

CodebookFormat = Literal["csv", "json", "markdown"]

VOCABULARY_TITLES = {
    "governance_types": N_("Governance-Typen"),
    "scales": N_("Maßstäbe"),
    "lands": N_("Bundesländer"),
    "size_classes": N_("Stadt- und Gemeindegrößen"),
    "actor_sides": N_("Seiten der Kooperation"),
    "actor_kinds": N_("Arten von Akteuren"),
    "statuses": N_("Status"),
    "talk_formats": N_("Formate der Gespräche"),
    "instruments": N_("Instrumente der Kooperation"),
}

# The types of the columns, translated when the codebook is built. A list names its separator,
# filled in then too.
LIST = N_("Liste (getrennt durch „%(join)s“)")
LIST_OF_URLS = N_("Liste (getrennt durch „%(join)s“), URLs")
TEXT, LABEL, CODE, MARKDOWN, URL = N_("Text"), N_("Bezeichnung"), "Code", "Markdown", "URL"
INTEGER, DECIMAL, YEAR, DATE = N_("ganze Zahl"), N_("Dezimalzahl"), N_("Jahr"), N_("Datum")

# column -> (the field it holds, whose `about` label (kb.labels) is the column's meaning; type;
# vocabulary or "")
WIDE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "slug": ("slug", TEXT, ""),
    "name": ("name", TEXT, ""),
    "aliases": ("aliases", LIST, ""),
    "city": ("city", TEXT, ""),
    "land": ("land", LABEL, "lands"),
    "size_class": ("municipality.size_class", LABEL, "size_classes"),
    "population": ("municipality.population", INTEGER, ""),
    "lat": ("municipality.lat", DECIMAL, ""),
    "lon": ("municipality.lon", DECIMAL, ""),
    "governance_type": ("governance.type", CODE, "governance_types"),
    "governance_rationale": ("governance.rationale", TEXT, ""),
    "scale": ("scale.type", CODE, "scales"),
    "scale_rationale": ("scale.rationale", TEXT, ""),
    "start_year": ("start_year", YEAR, ""),
    "end_year": ("end_year", YEAR, ""),
    "status": ("status", CODE, "statuses"),
    "carrier_name": ("carrier.name", TEXT, ""),
    "carrier_legal_form": ("carrier.legal_form", TEXT, ""),
    "actors_municipal": ("actors@municipal", LIST, "actor_kinds"),
    "actors_civil_society": ("actors@civil-society", LIST, "actor_kinds"),
    "actors_other": ("actors@other", LIST, "actor_kinds"),
    "instruments": ("instruments", LIST, "instruments"),
    "funding": ("funding@programmes", LIST, ""),
    "awards": ("awards", LIST, ""),
    "summary": ("summary", MARKDOWN, ""),
    "summary_en": ("summary_en", MARKDOWN, ""),
    "website": ("website", URL, ""),
    "sources": ("sources", LIST_OF_URLS, ""),
}

# column -> (the field it holds, or "" for a column that holds several (kb.labels.COLUMNS);
# type; vocabulary or "")
LONG_COLUMNS: dict[str, tuple[str, str, str]] = {
    "case_slug": ("", TEXT, ""),
    "case_name": ("", TEXT, ""),
    "item_type": ("", CODE, "item_types"),
    "position": ("", INTEGER, ""),
    "name": ("", TEXT, ""),
    "kind_or_code": ("", CODE, "actor_kinds, instruments"),
    "label": ("", LABEL, ""),
    "side": ("", CODE, "actor_sides"),
    "role_or_note": ("", TEXT, ""),
    "funder": ("funding.funder", TEXT, ""),
    "year": ("awards.year", YEAR, ""),
    "date": ("key_dates.date", DATE, ""),
    "amount": ("funding.amount", TEXT, ""),
    "period": ("funding.period", TEXT, ""),
    "source": ("", URL, ""),
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
    vocabularies: dict[str, str]  # name -> title, in codebook order
    values: list[Value]
    notes: list[str]  # rules that hold for every cell of every CSV download


def build_codebook(vocabulary: Vocabulary) -> Codebook:
    """The codebook of the CSV headers and the vocabulary, in the current language. Raises
    KeyError for a header column without a description (the tests make sure there is none)."""
    filled_by: dict[str, list[str]] = {c: [_("alle")] for c in LONG_CSV_HEADER[:4]}
    for item_type, (_key, fields) in LONG_ITEMS.items():
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
                    _type(column_type),
                    vocabulary_name,
                    ", ".join(filled_by.get(name, [])) if file == "cases.long.csv" else "",
                )
            )
    titles = {"item_types": N_("Arten von Einträgen im Langformat"), **VOCABULARY_TITLES}
    # The export's own small vocabulary: the item types of the long CSV, named like the items
    # of the lists they come from.
    values = [
        Value("item_types", code, item_label(key), item_entry(key).wording("about"), "")
        for code, (key, _fields) in LONG_ITEMS.items()
    ]
    for name in NAMES:
        for code in vocabulary.codes(name):
            term = vocabulary.term(name, code)
            extra = ", ".join(f"{k}={v}" for k, v in term.extra.items())
            values.append(Value(name, code, term.label, term.definition, extra))
    names = ("item_types", *NAMES)
    return Codebook(columns, {n: translate(titles[n]) for n in names}, values, [translate(RULE)])


def _type(column_type: str) -> str:
    """A column's type in the current language, a list with its separator."""
    text = translate(column_type)
    return text % {"join": JOIN} if "%(join)s" in column_type else text


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

    lines = [_("# Codebuch"), ""]
    lines += [*book.notes, ""]
    for file in HEADERS:
        lines += [
            f"## {file}",
            "",
            _("| Spalte | Bedeutung | Typ | Vokabular |"),
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
            _("| Code | Bezeichnung | Definition |"),
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
