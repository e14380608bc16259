"""Citing a case or a talk: the BibTeX and CSL-JSON downloads, and `citation_of` for the
"Zitieren" section of the pages (templates/_cite.html). The citations themselves are made by
kb.publishing.citation; this module only supplies the item's absolute address (webapp.links:
KB_BASE_URL, else the request's trusted host) and today's date."""

import datetime as dt
import json

from flask import Blueprint, Response

from kb.catalogue.cases import get_case
from kb.catalogue.talks import get_talk
from kb.publishing.citation import (
    Citable,
    Citation,
    bibtex,
    citation,
    csl_json,
    plain_text,
    revised_on,
)
from webapp.context import uow
from webapp.links import external_url_of

bp = Blueprint("citation", __name__)


def _today() -> dt.date:
    # UTC, like every timestamp the knowledge base stores.
    return dt.datetime.now(dt.UTC).date()


def _cite(item: Citable) -> Citation:
    return citation(item, external_url_of, revised_on(uow(), item), _today())


def _citation(section: str, slug: str) -> Citation:
    """The citation of a case or talk; kb raises NotFound (a 404 page) for an unknown slug."""
    return _cite(get_case(uow(), slug) if section == "cases" else get_talk(uow(), slug))


@bp.app_template_global()
def citation_of(item: Citable) -> str:
    """The plain-text citation, for the page that already holds the case or talk."""
    return plain_text(_cite(item))


# One route per format for both kinds: /cases/<slug>/zitieren.bib, /talks/<slug>/zitieren.bib, …
ITEM = "/<any(cases, talks):section>/<slug>"


@bp.get(f"{ITEM}/zitieren.bib")
def bibtex_file(section: str, slug: str) -> Response:
    text = bibtex(_citation(section, slug))
    return Response(text, content_type="application/x-bibtex; charset=utf-8")


@bp.get(f"{ITEM}/zitieren.json")
def csl_file(section: str, slug: str) -> Response:
    body = json.dumps(csl_json(_citation(section, slug)), ensure_ascii=False, indent=2)
    return Response(body, content_type="application/vnd.citationstyles.csl+json; charset=utf-8")
