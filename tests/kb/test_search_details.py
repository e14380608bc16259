"""Every text of a case is searchable: actors' roles, instrument, funding, award and alias
notes, what the sources support (and speakers' roles of a talk) are indexed in the `details`
field, one labelled line each, ranked below the title and the summary, and shown with their
label in the snippet."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb.catalogue.cases import save_case
from kb.catalogue.schemas import CaseIn, TalkIn
from kb.catalogue.talks import get_talk, save_talk, talk_state
from kb.config import DEFAULT_SEED_DIR, Settings
from kb.runtime import Runtime
from kb.search.indexing import case_details
from kb.search.service import SearchRequest, SearchResults
from tests.helpers import SeedTemplates

# A made-up word per place, found nowhere else in the catalogue: (word, label, where it goes).
PLACES = [
    ("Plimbatur", "Akteur", "actor role"),
    ("Quorvanz", "Instrument", "instrument note"),
    ("Zirpelgeld", "Förderung", "funding note"),
    ("Murkelehre", "Auszeichnung", "award note"),
    ("Belvasker", "Beleg", "source supports"),
    ("Tronkname", "Anderer Name", "alias note"),
]
WORDS = {label: word for word, label, _ in PLACES}


def _case(slug: str, name: str, summary: str, **extra: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "city": "Jena",
        "land": "thueringen",
        "governance": {"type": "bottom-up", "rationale": "Eine Initiative hat es begonnen."},
        "scale": {"type": "project", "rationale": "Ein Gebäude."},
        "summary": summary,
        "sources": [{"url": "https://example.org/quelle"}],
        **extra,
    }


DETAILS_CASE = _case(
    "fall-mit-angaben",
    "Werkhof am Fluss",
    "Ein Werkhof, den Nachbarinnen und Nachbarn gemeinsam mit der Stadt betreiben.",
    aliases=[{"name": "Werkhof Jena", "note": f"So hieß er in der {WORDS['Anderer Name']}."}],
    carrier={"name": "Werkhof e.V.", "legal_form": "eingetragener Verein"},
    actors=[
        {"name": "Stadt Jena", "kind": "administration", "role": "Stellt das Gebäude."},
        {
            "name": "Werkhof e.V.",
            "kind": "initiative",
            "role": f"Betreibt den Hof und sorgt\nfür die {WORDS['Akteur']} der "
            "Lastenradwerkstatt.",
        },
    ],
    instruments=[
        {"code": "zwischennutzung", "note": f"Die Hallen werden mit {WORDS['Instrument']} genutzt."}
    ],
    funding=[
        {
            "programme": "Städtebauförderung",
            "amount": "rund 20.000 EUR",
            "note": f"Bezahlt wurde auch das {WORDS['Förderung']} der Halle.",
        }
    ],
    awards=[
        {"name": "Preis für Nachbarschaft", "year": 2021, "note": f"Mit {WORDS['Auszeichnung']}."}
    ],
    sources=[{"url": "https://example.org/werkhof", "supports": f"{WORDS['Beleg']}, Träger"}],
)
# The same words in a title or a summary: ranked above the case that has them in its details.
TITLE_CASE = _case(
    "fall-mit-titel",
    f"{WORDS['Akteur']} {WORDS['Instrument']} {WORDS['Förderung']}",
    "Ein Nachbarschaftszentrum mit offenen Werkstätten, einem Garten und einem Café, das "
    "ein Verein mit der Stadt betreibt; die Stadt stellt das Haus.",
)
SUMMARY_CASE = _case(
    "fall-mit-zusammenfassung",
    "Nachbarschaftshaus am Markt",
    f"Ein Nachbarschaftshaus, dessen {WORDS['Auszeichnung']} die Stadt und ein Verein "
    f"gemeinsam tragen; {WORDS['Beleg']} und {WORDS['Anderer Name']} gehören dazu, ebenso "
    "ein Garten, offene Werkstätten und ein Café.",
)
TALK = "talk-2-freiraumbuero-halle"
SPEAKER_WORD = "Gastrolle"


@pytest.fixture(scope="module")
def runtime(
    tmp_path_factory: pytest.TempPathFactory, seed_templates: SeedTemplates, sqlite_template: Path
) -> Iterator[Runtime]:
    folder = tmp_path_factory.mktemp("details")
    settings = Settings(
        folder, f"sqlite:///{folder / 'kb.sqlite3'}", folder / "index", "x", DEFAULT_SEED_DIR
    )
    seed_templates.restore(settings, sqlite_template)  # the seed catalogue, indexed
    runtime = Runtime.from_settings(settings)
    context = {"vocabulary": runtime.vocabulary}
    with runtime.uow() as uow:
        for case in (DETAILS_CASE, TITLE_CASE, SUMMARY_CASE):
            save_case(
                uow, CaseIn.model_validate(case, context=context), runtime.vocabulary, actor="t"
            )
        state = talk_state(get_talk(uow, TALK))
        state["speakers"][0]["role"] = f"Moderation und {SPEAKER_WORD}"
        save_talk(uow, TalkIn.model_validate(state, context=context), actor="t")
        uow.commit()
    assert runtime.flush_index()
    yield runtime
    runtime.close()


def search(runtime: Runtime, query: str) -> SearchResults:
    with runtime.uow() as uow:
        return runtime.search_index.search(uow, SearchRequest(query))


def test_the_words_are_nowhere_else_in_the_catalogue() -> None:
    for word, _, _ in PLACES:
        for slug in (p.stem for p in (DEFAULT_SEED_DIR / "cases").glob("*.yaml")):
            text = (DEFAULT_SEED_DIR / "cases" / f"{slug}.yaml").read_text(encoding="utf-8")
            assert word.casefold() not in text.casefold()


@pytest.mark.parametrize(("word", "label", "where"), PLACES, ids=[p[2] for p in PLACES])
def test_a_word_only_in_a_detail_finds_the_case_below_title_and_summary(
    runtime: Runtime, word: str, label: str, where: str
) -> None:
    results = search(runtime, word)
    slugs = [h.slug for h in results.hits]
    above = "fall-mit-titel" if label in ("Akteur", "Instrument", "Förderung") else None
    above = above or "fall-mit-zusammenfassung"
    assert slugs == [above, "fall-mit-angaben"], f"{word} ({where}): {slugs}"
    hit = results.hits[1]
    assert hit.snippet.startswith(f'<span class="snippet-label">{label}:</span> ')
    assert f"<mark>{word}</mark>" in hit.snippet


def test_the_snippet_is_the_whole_line_with_its_label(runtime: Runtime) -> None:
    hit = search(runtime, WORDS["Akteur"]).hits[1]
    # The role's line break is folded; the actor's name heads the line.
    assert hit.snippet == (
        '<span class="snippet-label">Akteur:</span> Werkhof e.V. – Betreibt den Hof und sorgt '
        f"für die <mark>{WORDS['Akteur']}</mark> der Lastenradwerkstatt."
    )
    hit = search(runtime, WORDS["Förderung"]).hits[1]
    assert "Städtebauförderung (rund 20.000 EUR) – Bezahlt" in hit.snippet


def test_labels_are_not_searched(runtime: Runtime) -> None:
    for label in ("Akteur", "Beleg", "Auszeichnung"):
        found = search(runtime, label).hits
        assert "fall-mit-angaben" not in [h.slug for h in found], label


def test_a_phrase_inside_a_detail_matches(runtime: Runtime) -> None:
    phrase = f'"die {WORDS["Akteur"]} der Lastenradwerkstatt"'
    assert [h.slug for h in search(runtime, phrase).hits] == ["fall-mit-angaben"]
    assert search(runtime, f'"Lastenradwerkstatt {WORDS["Akteur"]}"').total == 0
    # Two words of one detail that are not neighbours are no phrase.
    assert search(runtime, f'"Betreibt {WORDS["Akteur"]}"').total == 0


def test_a_phrase_in_a_detail_of_the_rebuilt_seed_catalogue_matches(runtime: Runtime) -> None:
    # Only the instrument note of the Freiraumbüro speaks of a "Datenbank verfügbarer Räume".
    found = search(runtime, '"Datenbank verfügbarer Räume"')
    assert [h.slug for h in found.hits] == ["freiraumbuero-halle"]
    assert search(runtime, '"Datenbank Räume verfügbarer"').total == 0


def test_a_compound_part_inside_a_detail_matches(runtime: Runtime) -> None:
    # The case's only "Werkstatt" is a part of "Lastenradwerkstatt" in an actor's role.
    found = search(runtime, f"Werkstatt {WORDS['Akteur']}")
    assert "fall-mit-angaben" in [h.slug for h in found.hits]


def test_seed_query_finds_the_instrument_note(runtime: Runtime) -> None:
    # The Freiraumbüro finds rooms "zu vermitteln" (instrument note); "vermitteln" is nowhere
    # else in its text (the summary says "vermittelt").
    slugs = [h.slug for h in search(runtime, "Räume vermitteln Halle").hits]
    assert "freiraumbuero-halle" in slugs[:3]


def test_a_speakers_role_finds_the_talk(runtime: Runtime) -> None:
    hits = search(runtime, SPEAKER_WORD).hits
    assert [(h.kind, h.slug) for h in hits] == [("talk", TALK)]
    assert hits[0].snippet.startswith('<span class="snippet-label">Gast:</span> ')
    assert f"<mark>{SPEAKER_WORD}</mark>" in hits[0].snippet


def test_case_details_are_labelled_lines(runtime: Runtime) -> None:
    from kb.catalogue.cases import get_case

    with runtime.uow() as uow:
        details = case_details(get_case(uow, "fall-mit-angaben"))
    assert details == (
        f"Anderer Name: Werkhof Jena – So hieß er in der {WORDS['Anderer Name']}.",
        "Akteur: Stadt Jena – Stellt das Gebäude.",
        f"Akteur: Werkhof e.V. – Betreibt den Hof und sorgt für die {WORDS['Akteur']} der "
        "Lastenradwerkstatt.",
        "Träger: Werkhof e.V. – eingetragener Verein",
        f"Instrument: Zwischennutzung – Die Hallen werden mit {WORDS['Instrument']} genutzt.",
        "Förderung: Städtebauförderung (rund 20.000 EUR) – Bezahlt wurde auch das "
        f"{WORDS['Förderung']} der Halle.",
        f"Auszeichnung: Preis für Nachbarschaft 2021 – Mit {WORDS['Auszeichnung']}.",
        f"Beleg: {WORDS['Beleg']}, Träger",
    )
