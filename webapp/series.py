"""The public pages of a talk series: the series with its talks (/series/<slug>), and what it
learned, the notes' answers to each guiding question side by side (/series/<slug>/questions,
also as .json and .csv). The collation is kb's (kb.editorial.questions); editing is in
webapp.editing, the history in webapp.history."""

from flask import Blueprint, Response, render_template

from kb.catalogue.talks import get_series
from kb.catalogue.timeline import series_timeline
from kb.csvcells import csv_text
from kb.editorial.questions import LESSON_COLUMNS, lesson_rows, lessons_json, series_lessons
from webapp.context import uow
from webapp.downloads import csv_file, filename, json_file
from webapp.links import url_of
from webapp.pages import timeline_of

bp = Blueprint("series", __name__)


@bp.get("/series/<slug>")
def show(slug: str) -> str:
    unit = uow()
    item = get_series(unit, slug)  # NotFound: 404
    entry = next(s for s in series_timeline(unit) if s.slug == item.slug)
    lessons = series_lessons(unit, item.slug)
    return render_template(
        "series/detail.html",
        series=item,
        talks=entry.talks,
        timeline=timeline_of([entry]) if entry.talks else [],
        lessons=lessons,
    )


@bp.get("/series/<slug>/questions")
def questions(slug: str) -> str:
    lessons = series_lessons(uow(), slug)
    return render_template("series/questions.html", lessons=lessons)


@bp.get("/series/<slug>/questions.json", defaults={"fmt": "json"}, endpoint="questions_json")
@bp.get("/series/<slug>/questions.csv", defaults={"fmt": "csv"}, endpoint="questions_csv")
def questions_download(slug: str, fmt: str) -> Response:
    """The collation as data: one row per question and note (the section's Markdown)."""
    lessons = series_lessons(uow(), slug)
    name = filename("leitfragen", [lessons.slug], fmt)
    if fmt == "json":
        return json_file(lessons_json(lessons, url_of), name)
    rows = lesson_rows(lessons, url_of)
    return csv_file(csv_text(LESSON_COLUMNS, ([r[c] for c in LESSON_COLUMNS] for r in rows)), name)
