"""The JSON API under /api/: cases (with the catalogue's filters), talks, instruments and search;
described by the OpenAPI document at /api/openapi.json (in English at /en/api/openapi.json, see
webapp.openapi_i18n). Invalid parameters are a 400 with a message that names them; the HTML pages
correct them instead."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Response, request
from flask_babel import force_locale, gettext

from kb.catalogue.browsing import browse, parse_query
from kb.catalogue.cases import get_case, talks_presenting
from kb.catalogue.instruments import get_instrument, instrument_uses, list_instruments
from kb.catalogue.talks import get_talk, list_talks
from kb.editorial.notes import list_notes, notes_of_talks
from kb.errors import FieldError, ValidationError
from kb.exchange.representations import case_json, catalogue_json, instrument_json, talk_json
from kb.i18n import DEFAULT
from kb.search.service import QuerySyntaxError
from webapp.context import runtime, uow, vocabulary
from webapp.i18n import language
from webapp.links import hit_url, url_of
from webapp.openapi_i18n import translated
from webapp.params import args_of, search_request

bp = Blueprint("api", __name__, url_prefix="/api")
OPENAPI = Path(__file__).with_name("openapi.yaml")


def json_response(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ValidationError([FieldError("query", p) for p in problems])


@cache
def openapi_document(lang: str = DEFAULT) -> dict[str, Any]:
    """The OpenAPI document, its prose in `lang` (another language than German: only inside
    an app context, where Flask-Babel finds the catalogue)."""
    data: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    if lang == DEFAULT:
        return data
    with force_locale(lang):
        data = translated(data, gettext)
    # The same API under the language's prefix answers with labels in that language.
    data["servers"] = [{"url": f"/{lang}"}]
    return data


@bp.get("/openapi.json")
def openapi() -> Response:
    return json_response(openapi_document(language()))


@bp.get("/cases")
def cases() -> Response:
    query, problems = parse_query(args_of(request.args), vocabulary())
    _refuse(problems)
    page = browse(uow(), query, vocabulary())
    return json_response(catalogue_json(page, vocabulary(), url_of=url_of))


@bp.get("/cases/<slug>")
def case(slug: str) -> Response:
    unit = uow()
    item = get_case(unit, slug)
    talks = talks_presenting(unit, item)
    data = case_json(item, vocabulary(), talks, notes_of_talks(unit, talks), url_of=url_of)
    data["similar"] = [
        {"slug": h.slug, "title": h.title, "url": hit_url(h)}
        for h in runtime().search_index.similar_cases(slug, limit=5, uow=unit)
    ]
    return json_response(data)


@bp.get("/talks")
def talks() -> Response:
    talks = [talk_json(t, vocabulary(), url_of=url_of) for t in list_talks(uow())]
    return json_response({"talks": talks})


@bp.get("/talks/<slug>")
def talk(slug: str) -> Response:
    unit = uow()
    item = get_talk(unit, slug)
    return json_response(talk_json(item, vocabulary(), list_notes(unit, item), url_of=url_of))


@bp.get("/instruments")
def instruments() -> Response:
    return json_response(
        {"instruments": [instrument_json(i, n, url_of=url_of) for i, n in list_instruments(uow())]}
    )


@bp.get("/instruments/<slug>")
def instrument(slug: str) -> Response:
    unit = uow()
    item = get_instrument(unit, slug)
    uses = instrument_uses(unit, item)
    data = instrument_json(item, len(uses), url_of=url_of)
    data["cases"] = [
        {
            "slug": u.case.slug,
            "name": u.case.name,
            "url": url_of("case", u.case.slug),
            "note": u.note,
        }
        for u in uses
    ]
    return json_response(data)


@bp.get("/search")
def search() -> Response:
    req, problems = search_request(args_of(request.args))
    _refuse(problems)
    try:
        results = runtime().search_index.search(uow(), req)
    except QuerySyntaxError as exc:
        raise ValidationError([FieldError("q", str(exc))]) from exc
    return json_response(results.to_json(hit_url))
