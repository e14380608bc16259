"""What a series learned: for each of its guiding questions, the section under that question in
every note of its talks (by talk, in the order the talks took place), and the notes that have no
such section. Also the collation as rows for the CSV and JSON downloads.

Notes are Markdown; the note template (kb.editorial.notes.note_template) gives each question a
"## <question>" section and ends with "## Weitere Beobachtungen". Editors change headings, so a
heading matches a question when its words are the question's, whatever the heading level,
spacing, case, punctuation, emphasis or a leading number ("1. …", "Frage 2: …"); a heading that
is only the first words of a question (at least MIN_PREFIX_WORDS of them), or the question with
words added, matches too, but only if it fits exactly one question.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select

from kb.catalogue.talks import get_series
from kb.markup import Heading, headings
from kb.slugs import UrlOf
from kb.unit_of_work import UnitOfWork
from kb.watermark import cached
from models import Note, Talk

# A shortened heading must keep this many of the question's first words ("Was hat die …").
MIN_PREFIX_WORDS = 3
# The template's last section: not an answer to a question, and it ends the one before it.
FURTHER = "Weitere Beobachtungen"
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


def words_of(text: str) -> tuple[str, ...]:
    """A heading's or question's words, compared without case, punctuation, emphasis or a
    leading number ("1.", "Frage 2:")."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold().replace("_", " "))
    if len(words) > 1 and words[0] == "frage" and _NUMBER.fullmatch(words[1]):
        words = words[2:]
    elif words and _NUMBER.fullmatch(words[0]):
        words = words[1:]
    return tuple(words)


class QuestionMatcher:
    """Which of a series' questions a heading stands for (None: none, or not unambiguously)."""

    def __init__(self, questions: list[str]) -> None:
        self.keys = [words_of(q) for q in questions]
        self.further = words_of(FURTHER)

    def match(self, heading: str) -> int | None:
        words = words_of(heading)
        if not words:
            return None
        for i, key in enumerate(self.keys):
            if key == words:
                return i
        fits = [
            i
            for i, key in enumerate(self.keys)
            if key
            and (
                (len(words) >= min(MIN_PREFIX_WORDS, len(key)) and key[: len(words)] == words)
                or words[: len(key)] == key
            )
        ]
        return fits[0] if len(fits) == 1 else None

    def ends_a_section(self, heading: str) -> bool:
        """A heading of the template (a question or "Weitere Beobachtungen") ends the section
        before it whatever its level: editors mix "##" and "###" between the sections."""
        return words_of(heading) == self.further or self.match(heading) is not None


def sections(body: str, matcher: QuestionMatcher) -> dict[int, str]:
    """The Markdown under each question's heading in a note, by question index (stripped;
    "" for a heading with nothing under it). A section runs to the next heading of the same
    or a higher level, or to the next heading of the template; two sections for one question
    are joined."""
    if not matcher.keys:
        return {}  # a series without questions: no note needs reading
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = headings(body)
    result: dict[int, str] = {}
    for i, heading in enumerate(found):
        question = matcher.match(heading.text)
        if question is None:
            continue
        end = next(
            (h.start for h in found[i + 1 :] if _closes(h, heading, matcher)),
            len(lines),
        )
        text = "\n".join(lines[heading.end : end]).strip()
        before = result.get(question, "")
        result[question] = f"{before}\n\n{text}".strip() if before and text else before or text
    return result


def _closes(later: Heading, heading: Heading, matcher: QuestionMatcher) -> bool:
    return later.level <= heading.level or matcher.ends_a_section(later.text)


@dataclass(frozen=True)
class NoteRef:
    """A note (not deleted) of a talk of the series, enough to name and link it."""

    talk: str  # the talk's slug
    talk_title: str
    talk_date: dt.date
    slug: str
    title: str
    author: str
    created: dt.date | None


@dataclass(frozen=True)
class Answer:
    note: NoteRef
    text: str  # Markdown: the note's section under the question


@dataclass(frozen=True)
class Unanswered:
    note: NoteRef
    empty: bool  # the note has the heading, with nothing under it


@dataclass(frozen=True)
class QuestionAnswers:
    number: int  # 1, 2, 3 …
    question: str
    answers: tuple[Answer, ...]
    unanswered: tuple[Unanswered, ...]  # "ohne Abschnitt zu dieser Frage"


@dataclass(frozen=True)
class TalkRef:
    slug: str
    title: str
    date: dt.date


@dataclass(frozen=True)
class SeriesLessons:
    """What a series learned, question by question."""

    slug: str
    title: str
    questions: tuple[QuestionAnswers, ...]
    notes: int
    talks: tuple[TalkRef, ...]  # not deleted, in date order
    talks_without_notes: tuple[TalkRef, ...]


def series_lessons(uow: UnitOfWork, slug: str) -> SeriesLessons:
    """The collation for the series `slug` (NotFound if there is none), kept until the
    catalogue changes: every note edit, talk or series change writes a revision, and the
    watermark (kb.watermark) follows revisions and note ids."""
    series = get_series(uow, slug)
    questions = [str(q) for q in series.questions]
    return cached(
        uow,
        ("series_lessons", series.slug),
        lambda: _collate(uow, series.id, series.slug, series.title, questions),
    )


def _collate(
    uow: UnitOfWork, series_id: int, slug: str, title: str, questions: list[str]
) -> SeriesLessons:
    # One query: every talk (not deleted) with its notes (not deleted), a talk without notes
    # as one row with empty note columns.
    rows = uow.session.execute(
        select(
            Talk.slug,
            Talk.title,
            Talk.date,
            Note.slug,
            Note.title,
            Note.author,
            Note.created,
            Note.body,
        )
        .select_from(Talk)
        .outerjoin(Note, and_(Note.talk_id == Talk.id, Note.deleted_at.is_(None)))
        .where(Talk.series_id == series_id, Talk.deleted_at.is_(None))
        .order_by(Talk.date, Talk.slug, Note.created, Note.created_at, Note.slug)
    ).all()
    matcher = QuestionMatcher(questions)
    answers: list[list[Answer]] = [[] for _ in questions]
    unanswered: list[list[Unanswered]] = [[] for _ in questions]
    talks: dict[str, TalkRef] = {}
    with_notes: set[str] = set()
    notes = 0
    for talk_slug, talk_title, date, note_slug, note_title, author, created, body in rows:
        talks.setdefault(talk_slug, TalkRef(talk_slug, talk_title, date))
        if note_slug is None:
            continue
        notes += 1
        with_notes.add(talk_slug)
        ref = NoteRef(talk_slug, talk_title, date, note_slug, note_title, author, created)
        found = sections(body, matcher)
        for i in range(len(questions)):
            text = found.get(i)
            if text:
                answers[i].append(Answer(ref, text))
            else:
                unanswered[i].append(Unanswered(ref, empty=text is not None))
    return SeriesLessons(
        slug,
        title,
        tuple(
            QuestionAnswers(i + 1, q, tuple(answers[i]), tuple(unanswered[i]))
            for i, q in enumerate(questions)
        ),
        notes,
        tuple(talks.values()),
        tuple(t for t in talks.values() if t.slug not in with_notes),
    )


# --- downloads --------------------------------------------------------------------------------

LESSON_COLUMNS = (
    "question_number",
    "question",
    "talk",
    "talk_title",
    "talk_date",
    "note",
    "note_title",
    "url",
    "has_section",
    "text",
)


def lesson_rows(lessons: SeriesLessons, url_of: UrlOf) -> list[dict[str, Any]]:
    """One row per question and note, in the page's order (answers, then the notes without a
    section); `text` is the section's Markdown ("" without one)."""
    rows = []
    for q in lessons.questions:
        pairs = [(a.note, a.text) for a in q.answers] + [(u.note, "") for u in q.unanswered]
        for note, text in pairs:
            rows.append(
                {
                    "question_number": q.number,
                    "question": q.question,
                    "talk": note.talk,
                    "talk_title": note.talk_title,
                    "talk_date": note.talk_date.isoformat(),
                    "note": note.slug,
                    "note_title": note.title,
                    "url": url_of("note", note.talk, note.slug),
                    "has_section": bool(text),
                    "text": text,
                }
            )
    return rows


def lessons_json(lessons: SeriesLessons, url_of: UrlOf) -> dict[str, Any]:
    return {
        "series": lessons.slug,
        "title": lessons.title,
        "notes": lessons.notes,
        "questions": [{"number": q.number, "question": q.question} for q in lessons.questions],
        "talks_without_notes": [
            {"slug": t.slug, "title": t.title, "url": url_of("talk", t.slug)}
            for t in lessons.talks_without_notes
        ],
        "rows": lesson_rows(lessons, url_of),
    }
