"""The `details` field: labelled lines of further texts, searched below title, aliases, names
and body, their labels not searched but shown in the snippet; phrases and compound parts
inside them match, whether the index was written by saves, by a rebuild or is an overlay."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from search_index.documents import Overlay, SearchDocument, SearchRequest
from search_index.engine import SearchEngine
from search_index.store import DocumentList

NOTE = (
    "Kernaufgabe ist es, Räume und Flächen für gemeinnützige kreative Nutzungen zu finden, zu "
    "aktivieren und zu vermitteln – mit Eigentümerrecherche, Nutzungskonzepten für Leerstand "
    "(gemeinsam mit der Verwaltung) und einer Online-Datenbank verfügbarer Räume."
)
DOCS = [
    SearchDocument(
        kind="case",
        slug="freiraum",
        title="Freiraumbüro",
        body="Ein Büro für leere Häuser in Halle.",
        details=(
            "Akteur: Goldene Rose gGmbH – Betreibt das Büro <im Auftrag> der Stadt",
            f"Instrument: Raum- und Leerstandsvermittlung – {NOTE}",
            "Beleg: Zensus 2022: 226.586 Einwohner",
            "Anderer Name: Kompetenzzentrum – so in der\nBerichterstattung zum Preis",
        ),
    ),
    SearchDocument(
        kind="case",
        slug="im-titel",
        title="Einwohner vermitteln",
        body="Ein langer Text über ein Haus, einen Garten und einen Platz in der Stadt, den "
        "eine Initiative mit der Verwaltung betreibt, und über vieles andere mehr.",
    ),
    SearchDocument(
        kind="case",
        slug="im-text",
        title="Nachbarschaftshaus",
        body="Ein langer Text über ein Haus, einen Garten und einen Platz in der Stadt, den "
        "eine Initiative mit der Verwaltung betreibt; die Einwohner bestimmen mit.",
    ),
    SearchDocument(
        kind="talk",
        slug="gespraech",
        title="Gespräch über Räume",
        body="Ein Gespräch.",
        people=("Anett Krause", "Freiraumbüro"),
        details=("Gast: Anett Krause, Freiraumbüro – Projektleiterin und Moderatorin",),
    ),
]


@pytest.fixture(params=["saved", "rebuilt", "overlay"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    """The documents written by the index writer (saves), by a rebuild (worker processes and
    pair arrays), or not in the index at all but in the overlay of pending changes."""
    engine = SearchEngine(tmp_path / "index")
    if request.param == "saved":
        engine.store.create_empty()
        with engine.store.writer(timeout=1) as batch:
            batch.apply(DOCS, [])
    elif request.param == "rebuilt":
        target, count = engine.store.build(DocumentList(tuple(DOCS)), 2)
        assert count == len(DOCS)
        engine.store.publish(target)
    else:
        engine.store.create_empty()
        filler = SearchDocument(kind="note", slug="filler", title="Notiz")
        with engine.store.writer(timeout=1) as batch:
            batch.apply([filler], [])
        original = engine.search

        def search(request: SearchRequest, overlay: Overlay | None = None) -> object:
            return original(request, Overlay(docs=tuple(DOCS)))

        engine.search = search  # type: ignore[method-assign,assignment]
    yield engine
    engine.close()


def slugs(engine: SearchEngine, query: str) -> list[str]:
    return [h.slug for h in engine.search(SearchRequest(query)).hits]


def snippet(engine: SearchEngine, query: str, slug: str) -> str:
    return next(h.snippet for h in engine.search(SearchRequest(query)).hits if h.slug == slug)


@pytest.mark.parametrize("written", ["saved", "rebuilt"])
def test_details_weigh_less_than_every_other_text_field(tmp_path: Path, written: str) -> None:
    """The field weights at work: one word in a different field of otherwise equal documents
    (every field as long in each); they come in the order of their fields' weights, details
    below title, aliases, names and body, and a word only inside a compound (parts) last."""
    fields = {
        "title": "Eintrag Garten",
        "aliases": "Haus Garten",
        "names": "Anna Garten",
        "body": "Ein Text über den Garten.",
        "details": "Akteur: Stadt Garten",
    }

    def doc(slug: str, field: str, word: str) -> SearchDocument:
        text = fields | {field: fields[field].replace("Garten", word)}
        return SearchDocument(
            kind="case",
            slug=slug,
            title=text["title"],
            body=text["body"],
            aliases=(text["aliases"],),
            people=(text["names"],),
            details=(text["details"],),
        )

    docs = [doc(field, field, "Werkstatt") for field in fields]
    docs.append(doc("parts", "body", "Stadtwerkstatt"))
    docs.reverse()  # not in the expected order
    engine = SearchEngine(tmp_path / "index")
    if written == "saved":
        engine.store.create_empty()
        with engine.store.writer(timeout=1) as batch:
            batch.apply(docs, [])
    else:
        target, _ = engine.store.build(DocumentList(tuple(docs)), 2)
        engine.store.publish(target)
    try:
        assert slugs(engine, "Werkstatt") == [
            "title",
            "aliases",
            "names",
            "body",
            "details",
            "parts",
        ]
    finally:
        engine.close()


def test_a_word_only_in_details_is_found_below_title_and_body(engine: SearchEngine) -> None:
    assert slugs(engine, "Einwohner") == ["im-titel", "im-text", "freiraum"]
    assert slugs(engine, "vermitteln") == ["im-titel", "freiraum"]


def test_labels_are_not_searched(engine: SearchEngine) -> None:
    for label in ("Akteur", "Instrument", "Beleg", "Gast", '"Anderer Name"'):
        assert slugs(engine, label) == [], label


def test_the_snippet_shows_the_matching_line_with_its_label(engine: SearchEngine) -> None:
    assert snippet(engine, "Zensus", "freiraum") == (
        '<span class="snippet-label">Beleg:</span> <mark>Zensus</mark> 2022: 226.586 Einwohner'
    )
    # HTML in a detail is escaped; a line break inside a detail is folded.
    assert snippet(engine, "Auftrag", "freiraum") == (
        '<span class="snippet-label">Akteur:</span> Goldene Rose gGmbH – Betreibt das Büro '
        "&lt;im <mark>Auftrag</mark>&gt; der Stadt"
    )
    assert snippet(engine, "Berichterstattung", "freiraum") == (
        '<span class="snippet-label">Anderer Name:</span> Kompetenzzentrum – so in der '
        "<mark>Berichterstattung</mark> zum Preis"
    )
    assert snippet(engine, "Moderatorin", "gespraech") == (
        '<span class="snippet-label">Gast:</span> Anett Krause, Freiraumbüro – Projektleiterin '
        "und <mark>Moderatorin</mark>"
    )


def test_a_long_line_keeps_its_head_and_the_passage_of_the_match(engine: SearchEngine) -> None:
    text = snippet(engine, "vermitteln", "freiraum")
    # The compound is marked too: "Vermittlung" is of the word's family (a widened query).
    head = '<span class="snippet-label">Instrument:</span> Raum- und '
    assert text.startswith(head)
    assert text[len(head) :].startswith(
        ("Leerstandsvermittlung – … ", "<mark>Leerstandsvermittlung</mark> – … ")
    )
    assert "zu <mark>vermitteln</mark> – mit" in text and text.endswith(" …")
    assert len(text) < 300


def test_the_lines_with_the_most_matches_are_shown(engine: SearchEngine) -> None:
    text = snippet(engine, "Stadt OR Verwaltung OR Leerstand OR Zensus", "freiraum")
    assert text.count("snippet-label") == 2
    assert "Akteur:" in text and "Instrument:" in text and "Beleg:" not in text
    assert text.index("Akteur:") < text.index("Instrument:")  # in their order


def test_the_body_stays_the_first_choice_for_the_snippet(engine: SearchEngine) -> None:
    # "Büro" is in the body and in a detail: the body is shown.
    assert snippet(engine, "Büro", "freiraum") == "Ein <mark>Büro</mark> für leere Häuser in Halle"


def test_a_phrase_inside_a_detail_matches(engine: SearchEngine) -> None:
    assert slugs(engine, '"kreative Nutzungen"') == ["freiraum"]
    assert slugs(engine, '"gemeinnützige kreative Nutzungen"') == ["freiraum"]
    assert slugs(engine, '"Nutzungen kreative"') == []
    assert slugs(engine, '"Projektleiterin und Moderatorin"') == ["gespraech"]


def test_a_compound_part_inside_a_detail_matches(engine: SearchEngine) -> None:
    # "Kompetenzzentrum" is only in the alias' line.
    assert slugs(engine, "Zentrum") == ["freiraum"]
    assert snippet(engine, "Zentrum", "freiraum").startswith(
        '<span class="snippet-label">Anderer Name:</span> <mark>Kompetenzzentrum</mark> – '
    )
    assert slugs(engine, "Zentrum Zensus") == ["freiraum"]


def test_a_misspelt_detail_word_is_corrected_or_suggested(engine: SearchEngine) -> None:
    exact = engine.search(SearchRequest("Moderatorn", exact=True))
    forgiven = engine.search(SearchRequest("Moderatorn"))
    if engine.store.searcher().document_number(id="note:filler") is not None:
        # The words come from the committed index: a detail only in the overlay of pending
        # changes is neither suggested nor corrected until the indexer has written it.
        assert exact.suggestion is None and forgiven.corrected_from is None
        return
    assert exact.suggestion == "moderatorin"
    assert forgiven.corrected_from == "Moderatorn" and forgiven.query == "moderatorin"
    assert [h.slug for h in forgiven.hits] == ["gespraech"]
