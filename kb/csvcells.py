"""The one writer of every CSV file kb hands out (the case downloads, `kb export --format csv`,
the comparison, the codebook) and its inverse.

Spreadsheets run a cell as a formula when its text starts with `=`, `+`, `-` or `@`, and a
leading tab or carriage return can hide such a start ("CSV injection"). Following OWASP's rule,
a text cell whose first character is one of these gets a single quote `'` in front, which
spreadsheets show as text and never evaluate. Numbers (int, float) are written as they are: a
number cannot carry a formula, and `-3` must stay a number for whoever computes with it.

So that the rule can be undone exactly, a text that already starts with quotes followed by a
trigger character (`'=x`) gets one more quote too. Reading back therefore means: remove one
leading quote from a cell that starts with one or more quotes followed by a trigger character
(`restore`); every other cell is the original text.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from kb.i18n import N_

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# In German, marked for the catalogue: the codebook and the pages that explain the downloads
# translate it where they show it (kb.i18n.translate).
RULE = N_(
    "Schutz vor Formeln: Beginnt ein Text mit =, +, -, @, einem Tabulator oder einem "
    "Wagenrücklauf, steht in der CSV-Zelle ein Apostroph (') davor, damit Tabellenprogramme "
    "ihn als Text zeigen und nicht als Formel ausführen; ebenso vor einem Text, der schon mit "
    "Apostrophen vor einem dieser Zeichen beginnt. Zahlen bleiben unverändert. Den "
    "ursprünglichen Text erhält man, indem man bei einer Zelle, die mit Apostrophen vor einem "
    "dieser Zeichen beginnt, genau einen Apostroph am Anfang entfernt."
)


def _starts_like_formula(text: str) -> bool:
    # Quotes in front count as part of the start, so that escaping stays reversible.
    return text.lstrip(QUOTE)[:1] in TRIGGERS


def neutralise(value: Any) -> Any:
    """The cell for `value`: a text that a spreadsheet would run as a formula gets a quote in
    front; numbers, None and every other text are left as they are."""
    if isinstance(value, str) and _starts_like_formula(value):
        return QUOTE + value
    return value


def restore(cell: str) -> str:
    """The original text of a cell written by `neutralise` (the inverse for every text)."""
    if cell.startswith(QUOTE) and _starts_like_formula(cell):
        return cell[1:]
    return cell


def write_rows(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write `header` and `rows` to `out`, every cell through `neutralise`. The dialect is
    csv's default, RFC 4180: comma, double quotes (doubled inside), quoting only where needed,
    CRLF line ends; None becomes an empty cell."""
    writer = csv.writer(out)
    writer.writerow([neutralise(cell) for cell in header])
    writer.writerows([neutralise(cell) for cell in row] for row in rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """`header` and `rows` as one CSV document (see `write_rows`)."""
    buffer = io.StringIO()
    write_rows(buffer, header, rows)
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """`header` and `rows` as the UTF-8 CSV file `path` (see `write_rows`); returns `path`."""
    with path.open("w", encoding="utf-8", newline="") as f:
        write_rows(f, header, rows)
    return path
