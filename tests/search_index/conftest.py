"""Fixtures for search_index tests: a small index built from plain documents, no database."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from search_index.documents import SearchDocument
from search_index.engine import SearchEngine

DOCS = [
    SearchDocument(
        kind="case",
        slug="buechel",
        title="Altstadtquartier Büchel",
        body="Die Stadt entwickelt das Quartier mit Stadtmacherinnen. Konzeptvergabe geplant.",
        places=("Aachen", "Nordrhein-Westfalen"),
        date="2019",
        governance=("top-down",),
        scale=("project",),
        land=("nordrhein-westfalen",),
        size_class=("grossstadt",),
        year=("2019",),
    ),
    SearchDocument(
        kind="case",
        slug="leitlinien",
        title="Leitlinien Bürgerbeteiligung",
        body="Bürgerbeteiligung nach festen Regeln, mit Vorhabenliste und Beirat.",
        places=("Heidelberg", "Baden-Württemberg"),
        date="2012",
        governance=("cross-over",),
        scale=("city",),
        land=("baden-wuerttemberg",),
        size_class=("grossstadt",),
        year=("2012",),
    ),
    SearchDocument(
        kind="case",
        slug="werkstadt",
        title="WerkStadt für Beteiligung",
        body="Beteiligung in Potsdam: eine Stelle in der Verwaltung und ein freier Träger.",
        places=("Potsdam", "Brandenburg"),
        date="2013",
        governance=("cross-over",),
        scale=("city",),
        land=("brandenburg",),
        size_class=("grossstadt",),
        year=("2013",),
    ),
    SearchDocument(
        kind="talk",
        slug="talk-3",
        title="Talk #3: Büchel",
        body="Gespräch über den <Büchel> & die Stadtentwicklung in Aachen.",
        context="Governance des Stadtmachens\nAltstadtquartier Büchel",
        date="2022-04-14",
        governance=("top-down",),
        scale=("project",),
        land=("nordrhein-westfalen",),
        year=("2022",),
    ),
    SearchDocument(
        kind="note",
        slug="notiz-1",
        title="Notiz zum Büchel",
        body="Der Quartiersfonds wurde diskutiert. <script>alert(1)</script>",
        parent="talk-3",
        date="2022-04-20",
        governance=("top-down",),
        scale=("project",),
        land=("nordrhein-westfalen",),
        year=("2022",),
    ),
]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    with engine.store.writer(timeout=1) as batch:
        batch.apply(DOCS, [])
    yield engine
    engine.close()
