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

# The export's own small vocabulary: the item types of the long CSV.
ITEM_TYPES = {
    "actor": ("Akteur", "Ein beteiligter Akteur mit seiner Art und Rolle."),
    "instrument": ("Instrument", "Ein genutztes Instrument der Kooperation."),
    "funding": ("Förderung", "Eine Förderung: Programm, Geldgeber, Betrag, Zeitraum."),
    "award": ("Auszeichnung", "Ein Preis oder eine Auszeichnung mit Jahr."),
    "key_date": ("Wichtiges Datum", "Ein Ereignis der Geschichte des Falls mit Datum."),
    "alias": ("Anderer Name", "Ein anderer Name, unter dem der Fall bekannt ist."),
    "source": ("Quelle", "Eine Quelle (URL) und wofür sie belegt."),
}

LIST = f"Liste (getrennt durch „{JOIN}“)"

# column -> (meaning in German, type, vocabulary or "")
WIDE_COLUMNS: dict[str, tuple[str, str, str]] = {
    "slug": ("Kürzel des Falls; stabil, Teil der Adresse seiner Seite", "Text", ""),
    "name": ("Name des Falls, wie ihn die Quellen nennen", "Text", ""),
    "aliases": ("Andere Namen des Falls", LIST, ""),
    "city": ("Stadt oder Gemeinde", "Text", ""),
    "land": ("Bundesland (Bezeichnung, nicht Code)", "Bezeichnung", "lands"),
    "size_class": ("Stadt- oder Gemeindegröße (Bezeichnung)", "Bezeichnung", "size_classes"),
    "population": ("Einwohnerzahl, nur wenn belegt", "ganze Zahl", ""),
    "governance_type": ("Governance-Typ (redaktionelle Einordnung)", "Code", "governance_types"),
    "governance_rationale": ("Begründung der Einordnung des Governance-Typs", "Text", ""),
    "scale": ("Maßstab (redaktionelle Einordnung)", "Code", "scales"),
    "scale_rationale": ("Begründung der Einordnung des Maßstabs", "Text", ""),
    "start_year": ("Jahr des Beginns", "Jahr", ""),
    "end_year": ("Jahr des Endes", "Jahr", ""),
    "status": ("Stand des Falls", "Code", "statuses"),
    "carrier_name": ("Name des Trägers", "Text", ""),
    "carrier_legal_form": ("Rechtsform des Trägers", "Text", ""),
    "actors_municipal": (
        "Akteure der kommunalen Seite als „Name (Art)“",
        LIST,
        "actor_kinds",
    ),
    "actors_civil_society": (
        "Akteure der zivilgesellschaftlichen Seite als „Name (Art)“",
        LIST,
        "actor_kinds",
    ),
    "actors_other": ("Weitere Akteure als „Name (Art)“", LIST, "actor_kinds"),
    "instruments": ("Genutzte Instrumente (Bezeichnungen)", LIST, "instruments"),
    "funding": ("Förderprogramme", LIST, ""),
    "awards": ("Auszeichnungen als „Name Jahr“", LIST, ""),
    "summary": ("Kurzfassung", "Markdown", ""),
    "website": ("Website des Falls", "URL", ""),
    "sources": ("Quellen", f"{LIST}, URLs", ""),
}

LONG_COLUMNS: dict[str, tuple[str, str, str]] = {
    "case_slug": ("Kürzel des Falls, zu dem die Zeile gehört", "Text", ""),
    "case_name": ("Name des Falls, zu dem die Zeile gehört", "Text", ""),
    "item_type": ("Art des Eintrags (siehe Werte unten)", "Code", "item_types"),
    "position": ("Reihenfolge des Eintrags innerhalb seiner Art im Fall, ab 1", "ganze Zahl", ""),
    "name": (
        "Name des Akteurs, Förderprogramm, Name der Auszeichnung, Ereignis eines Datums "
        "oder anderer Name des Falls",
        "Text",
        "",
    ),
    "kind_or_code": (
        "Akteur: Art (actor_kinds); Instrument: Code (instruments)",
        "Code",
        "actor_kinds, instruments",
    ),
    "label": ("Bezeichnung zu kind_or_code (aus dem Vokabular)", "Bezeichnung", ""),
    "side": ("Akteur: Seite der Kooperation, die zur Art gehört", "Code", "actor_sides"),
    "role_or_note": (
        "Akteur: Rolle; Quelle: wofür sie belegt; sonst: Anmerkung",
        "Text",
        "",
    ),
    "funder": ("Förderung: Geldgeber", "Text", ""),
    "year": ("Auszeichnung: Jahr", "Jahr", ""),
    "date": ("Wichtiges Datum: JJJJ, JJJJ-MM oder JJJJ-MM-TT", "Datum", ""),
    "amount": ("Förderung: Betrag, wie belegt", "Text", ""),
    "period": ("Förderung: Zeitraum", "Text", ""),
    "source": ("Quelle: URL; Förderung, Auszeichnung, Datum: Beleg-URL", "URL", ""),
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
    columns = [
        Column(
            file,
            name,
            *FILES[file][name],
            ", ".join(filled_by.get(name, [])) if file == "cases.long.csv" else "",
        )
        for file, header in HEADERS.items()
        for name in header
    ]
    titles = {"item_types": "Arten von Einträgen im Langformat", **VOCABULARY_TITLES}
    values = [Value("item_types", code, *ITEM_TYPES[code], "") for code in LONG_ITEMS]
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
