"""The downloads: any catalogue view (/cases.csv, /cases.long.csv, /cases.json) and any search
(/search.csv, /search.long.csv, /search.json) as data, with the same query string as the page,
and the codebook that explains them (/codebook, /codebook.csv, /codebook.json).

A download holds exactly the set the page shows, all pages of it; the sets and formats come
from kb (kb.exchange.result_sets, kb.exchange.exporting, kb.exchange.codebook), this module only
speaks HTTP.

The labels in a download (vocabulary labels beside the codes, the codebook's texts) are in the
page's language: English under /en/ (/en/cases.csv), or as `lang=en|de` asks (an unknown
language is a 400). Codes, column names and JSON keys are the same in every language.
"""

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from kb.catalogue.browsing import parse_query, summaries
from kb.catalogue.completeness import completeness_json
from kb.catalogue.vocabulary import Vocabulary
from kb.errors import FieldError, ValidationError
from kb.exchange.codebook import build_codebook, codebook_csv, codebook_data
from kb.exchange.exporting import cases_csv, cases_long_csv
from kb.exchange.representations import catalogue_json
from kb.exchange.result_sets import catalogue_set, search_case_set, search_set_json
from kb.i18n import LANGUAGES, using
from kb.search.service import QuerySyntaxError
from kb.slugs import slugify
from webapp.api import json_response
from webapp.context import runtime, uow, vocabulary
from webapp.i18n import language
from webapp.links import url_of
from webapp.params import args_of, search_args, search_request, url_with

bp = Blueprint("downloads", __name__)

# With a byte order mark: Excel (the spreadsheet most readers here open a CSV in) then reads
# the file as UTF-8 instead of Windows-1252, so umlauts survive; pandas, R's readr,
# LibreOffice and Python's csv with encoding="utf-8-sig" skip the mark.
CSV_ENCODING = "utf-8-sig"
CSV_WRITERS: dict[str, Callable[[list[dict[str, Any]], Vocabulary], str]] = {
    "csv": cases_csv,
    "long.csv": cases_long_csv,
}


def filename(base: str, parts: list[str], ext: str) -> str:
    """A meaningful ASCII file name: what it is, the filters or words, the day of the download,
    e.g. kooperationsmodelle_governance-top-down_2024-05-01.long.csv."""
    words = slugify("-".join(parts), 80)
    stem = "_".join(p for p in (base, words, dt.date.today().isoformat()) if p)
    return f"{stem}.{ext}"


def csv_file(body: str, name: str) -> Response:
    response = Response(body.encode(CSV_ENCODING), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def json_file(data: Any, name: str) -> Response:
    """JSON is shown in the browser (programs read these URLs too); saved, it gets `name`."""
    response = json_response(data)
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def svg_file(body: str, name: str) -> Response:
    """A figure: shown in the browser, saved as `name` (standalone, with its title)."""
    response = Response(body, mimetype="image/svg+xml; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def in_chosen_language(view: Callable[..., Response]) -> Callable[..., Response]:
    """Run a download in the language of its `lang` parameter (else the page's): kb's labels
    follow kb.i18n's current language, the web app's words Flask-Babel's locale."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        lang = request.args.get("lang", language())
        if lang not in LANGUAGES:
            message = _(
                "Unbekannte Sprache „%(lang)s“: möglich sind %(languages)s.",
                lang=lang[:20],
                languages=", ".join(LANGUAGES),
            )
            raise ValidationError([FieldError("lang", message)])
        with using(lang), force_locale(lang):
            return view(*args, **kwargs)

    return wrapped


# --- the catalogue ----------------------------------------------------------------------------


@bp.get("/cases.csv", defaults={"fmt": "csv"}, endpoint="cases_csv")
@bp.get("/cases.long.csv", defaults={"fmt": "long.csv"}, endpoint="cases_long_csv")
@bp.get("/cases.json", defaults={"fmt": "json"}, endpoint="cases_json")
@in_chosen_language
def cases_download(fmt: str) -> Response:
    """Exactly the filtered set of the catalogue view (all pages, its sort order)."""
    query, problems = parse_query(args_of(request.args), vocabulary())
    found = catalogue_set(uow(), query, vocabulary())
    parts = [f"{f}-{'-'.join(v)}" for f, v in query.filters.items()]
    name = filename("kooperationsmodelle", parts, fmt)
    if fmt != "json":
        return csv_file(CSV_WRITERS[fmt](found.states, vocabulary()), name)
    page = found.page
    page.summaries = summaries(uow(), [r.id for r in page.matching])
    data = catalogue_json(page, vocabulary(), url_of=url_of, all_rows=True)
    data["warnings"] = problems
    data["query"] = {"url": url_with("/cases", query.args(page=1))}
    data["states"] = found.states  # every field of each case, as in the YAML files
    data["completeness"] = completeness_json(uow(), found.states, vocabulary())
    return json_file(data, name)


# --- search -----------------------------------------------------------------------------------


@bp.get("/search.csv", defaults={"fmt": "csv"}, endpoint="search_csv")
@bp.get("/search.long.csv", defaults={"fmt": "long.csv"}, endpoint="search_long_csv")
@bp.get("/search.json", defaults={"fmt": "json"}, endpoint="search_json")
@in_chosen_language
def search_download(fmt: str) -> Response:
    """Every case hit of the search (all pages, in its order); talks and notes are not cases."""
    req, problems = search_request(args_of(request.args))
    if not (req.query.strip() or req.filters):
        raise ValidationError([FieldError("q", _("Keine Suchanfrage: q oder ein Filter fehlt"))])
    try:
        found = search_case_set(runtime().search_index, uow(), req)
    except QuerySyntaxError as exc:
        raise ValidationError([FieldError("q", str(exc))]) from exc
    parts = [req.query, *(f"{f}-{'-'.join(v)}" for f, v in req.filters.items())]
    name = filename("suche", parts, fmt)
    if fmt != "json":
        return csv_file(CSV_WRITERS[fmt](found.states, vocabulary()), name)
    data = search_set_json(found, url_with("/search", search_args(req)), problems)
    return json_file(data, name)


# --- the codebook -----------------------------------------------------------------------------


@bp.get("/codebook")
def codebook() -> str:
    return render_template("codebook.html", book=build_codebook(vocabulary()))


@bp.get("/codebook.csv")
@in_chosen_language
def codebook_csv_download() -> Response:
    return csv_file(codebook_csv(build_codebook(vocabulary())), "codebuch.csv")


@bp.get("/codebook.json")
@in_chosen_language
def codebook_json_download() -> Response:
    return json_file(codebook_data(build_codebook(vocabulary())), "codebuch.json")
