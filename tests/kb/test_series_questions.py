"""What the series learned: the notes' sections under each guiding question, collated by talk
(kb.editorial.questions), with the notes that lack a section, cached until a note changes."""

import pytest

from kb.catalogue.schemas import NoteIn
from kb.editorial.history import set_deleted
from kb.editorial.notes import note_template, save_note
from kb.editorial.questions import (
    QuestionMatcher,
    lesson_rows,
    lessons_json,
    sections,
    series_lessons,
)
from kb.errors import NotFound
from kb.runtime import Runtime
from kb.unit_of_work import UnitOfWork

SERIES = "governance-des-stadtmachens-2022"
Q1 = "Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune?"
Q2 = "Welche Lernprozesse sind in Verwaltung und Politik zu beobachten?"
Q3 = "Was hat die Initiative selbst dabei gelernt?"
QUESTIONS = [Q1, Q2, Q3]
TALK_1 = "talk-1-stadtmensch-altenburg"
TALK_3 = "talk-3-altstadtquartier-buechel-aachen"
TALK_6 = "talk-6-pankow-beteiligt-berlin"


def add(uow: UnitOfWork, slug: str, talk: str, body: str) -> None:
    save_note(uow, NoteIn(slug=slug, talk=talk, title=f"Notiz {slug}", body=body), actor="anna")


def templated(*answers: str) -> str:
    """A note written from the template with the given answers (one per question)."""
    body = note_template(QUESTIONS)
    for question, answer in zip(QUESTIONS, answers, strict=False):
        body = body.replace(f"## {question}\n\n", f"## {question}\n\n{answer}\n", 1)
    return body


@pytest.mark.parametrize(
    "heading",
    [
        Q1,
        "  Wie   verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune  ",
        "WIE VERÄNDERT SICH DIE ZUSAMMENARBEIT ZWISCHEN ZIVILGESELLSCHAFT UND KOMMUNE.",
        "1. Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune?",
        "Frage 1: *Wie verändert sich* die Zusammenarbeit zwischen Zivilgesellschaft und Kommune",
        "Wie verändert sich die Zusammenarbeit",  # the first words
        "Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune? (Notizen)",
    ],
)
def test_a_heading_matches_its_question_robustly(heading: str) -> None:
    assert QuestionMatcher(QUESTIONS).match(heading) == 0


@pytest.mark.parametrize(
    "heading",
    [
        "Wie",  # too few words to say which question
        "Wie verändert",
        "Weitere Beobachtungen",
        "Zusammenarbeit zwischen Zivilgesellschaft und Kommune",  # not the question's start
        "",
    ],
)
def test_a_heading_matches_no_question(heading: str) -> None:
    assert QuestionMatcher(QUESTIONS).match(heading) is None


def test_a_shortened_heading_that_fits_two_questions_matches_neither() -> None:
    matcher = QuestionMatcher(["Was lernt die Verwaltung?", "Was lernt die Initiative?"])
    assert matcher.match("Was lernt die") is None
    assert matcher.match("Was lernt die Verwaltung") == 0


def test_sections_across_levels_spacing_and_subheadings() -> None:
    body = (
        "Vorspann ohne Überschrift.\n\n"
        "#   wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune ?\n\n"
        "Mehr Vertrauen.\n\n"
        "#### Ein Detail\n\nDer Runde Tisch.\n\n"
        "### Welche Lernprozesse sind in Verwaltung und Politik zu beobachten\n"
        "```\n## Was hat die Initiative selbst dabei gelernt?\n```\n"
        "## Weitere Beobachtungen\n\nNichts zu Frage 3.\n"
    )
    found = sections(body, QuestionMatcher(QUESTIONS))
    assert found[0] == "Mehr Vertrauen.\n\n#### Ein Detail\n\nDer Runde Tisch."
    # The heading in the code block is text of question 2's section, not a section of its own.
    assert "```" in found[1] and 2 not in found


def test_collation_by_question_and_talk_order(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        # Written in another order than the talks took place.
        add(uow, "n6", TALK_6, templated("Pankow: Q1.", "Pankow: Q2.", "Pankow: Q3."))
        add(uow, "n1", TALK_1, templated("Altenburg: Q1.", "", "Altenburg: Q3."))
        add(uow, "n3", TALK_3, "Eine Notiz von vor der Vorlage, ohne Abschnitte.")
        uow.commit()
    with seeded.uow() as uow:
        lessons = series_lessons(uow, SERIES)
    assert [q.question for q in lessons.questions] == QUESTIONS
    first, second, third = lessons.questions
    assert [(a.note.slug, a.text) for a in first.answers] == [
        ("n1", "Altenburg: Q1."),
        ("n6", "Pankow: Q1."),
    ]
    assert [u.note.slug for u in first.unanswered] == ["n3"]
    # The empty section of n1 counts as no answer, marked as empty.
    assert [(a.note.slug, a.text) for a in second.answers] == [("n6", "Pankow: Q2.")]
    assert [(u.note.slug, u.empty) for u in second.unanswered] == [("n1", True), ("n3", False)]
    assert [a.note.slug for a in third.answers] == ["n1", "n6"]
    assert lessons.notes == 3
    assert TALK_1 not in [t.slug for t in lessons.talks_without_notes]
    assert "talk-2-freiraumbuero-halle" in [t.slug for t in lessons.talks_without_notes]
    dates = [t.date for t in lessons.talks]
    assert dates == sorted(dates)


def test_a_deleted_note_is_left_out_and_an_edit_shows_at_once(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        add(uow, "n1", TALK_1, templated("Erste Fassung."))
        add(uow, "n3", TALK_3, templated("Aachen."))
        uow.commit()
    with seeded.uow() as uow:
        assert [a.text for a in series_lessons(uow, SERIES).questions[0].answers] == [
            "Erste Fassung.",
            "Aachen.",
        ]
        set_deleted(uow, "note", "n3", True, actor="anna")
        add(uow, "n1", TALK_1, templated("Zweite Fassung."))
        uow.commit()
    with seeded.uow() as uow:  # cached, but the catalogue changed: computed anew
        lessons = series_lessons(uow, SERIES)
    assert [a.text for a in lessons.questions[0].answers] == ["Zweite Fassung."]
    assert all(u.note.slug != "n3" for q in lessons.questions for u in q.unanswered)
    assert lessons.notes == 1


def test_notes_of_a_deleted_talk_are_left_out(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        add(uow, "n1", TALK_1, templated("Altenburg."))
        set_deleted(uow, "talk", TALK_1, True, actor="anna")
        uow.commit()
    with seeded.uow() as uow:
        lessons = series_lessons(uow, SERIES)
    assert lessons.notes == 0 and TALK_1 not in [t.slug for t in lessons.talks]


def test_rows_for_downloads(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        add(uow, "n1", TALK_1, templated("Altenburg: Q1."))
        uow.commit()
    with seeded.uow() as uow:
        lessons = series_lessons(uow, SERIES)

    def url_of(kind: str, slug: str, anchor: str | None = None) -> str:
        return f"/{kind}/{slug}#{anchor}"

    rows = lesson_rows(lessons, url_of)
    assert [(r["question_number"], r["has_section"]) for r in rows] == [
        (1, True),
        (2, False),
        (3, False),
    ]
    assert rows[0]["text"] == "Altenburg: Q1." and rows[0]["url"] == f"/note/{TALK_1}#n1"
    data = lessons_json(lessons, url_of)
    assert data["series"] == SERIES and len(data["questions"]) == 3


def test_unknown_series_is_not_found(seeded: Runtime) -> None:
    with seeded.uow() as uow, pytest.raises(NotFound):
        series_lessons(uow, "keine-reihe")


def test_a_deeper_template_heading_still_ends_the_section() -> None:
    body = (
        f"## {Q1}\n\nAntwort eins.\n\n### {Q2}\n\nAntwort zwei.\n\n"
        "### Weitere Beobachtungen\n\nRest."
    )
    found = sections(body, QuestionMatcher(QUESTIONS))
    assert found == {0: "Antwort eins.", 1: "Antwort zwei."}


def test_setext_headings_and_two_sections_for_one_question() -> None:
    body = f"{Q3}\n---\n\nErstens.\n\n## {Q1}\n\nEins.\n\n## {Q3}\n\nZweitens."
    found = sections(body, QuestionMatcher(QUESTIONS))
    assert found == {2: "Erstens.\n\nZweitens.", 0: "Eins."}
