"""Citing a case or a talk: the BibTeX and CSL-JSON downloads, and `citation_of` for the
"Zitieren" section of the pages (templates/_cite.html). The citations themselves are made by
kb.publishing.citation, in the style of the page's language (kb's language of the request); this
module only supplies the item's absolute address in that language (webapp.links: KB_BASE_URL,
else the request's trusted host, with the /en prefix on English pages) and today's date."""

import datetime as dt
import json

from flask import Blueprint, Response
from markupsafe import Markup, escape

from kb.catalogue.cases import get_case
from kb.catalogue.talks import get_talk
from kb.publishing.citation import (
    Citable,
    Citation,
    bibtex,
    citation,
    csl_json,
    revised_on,
    segments,
)
from webapp.context import uow
from webapp.i18n import language
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
def citation_of(item: Citable) -> Markup:
    """The citation as text, for the page that already holds the case or talk; the item's own
    words (its German title) marked with their language where it is not the page's."""
    page = language()
    return Markup("").join(
        Markup('<span lang="%s">%s</span>') % (lang, text) if lang != page else escape(text)
        for text, lang in segments(_cite(item), page)
    )


# One route per format for both kinds: /cases/<slug>/zitieren.bib, /talks/<slug>/zitieren.bib, …
ITEM = "/<any(cases, talks):section>/<slug>"


@bp.get(f"{ITEM}/zitieren.bib")
def bibtex_file(section: str, slug: str) -> Response:
    text = bibtex(_citation(section, slug), language())
    return Response(text, content_type="application/x-bibtex; charset=utf-8")


@bp.get(f"{ITEM}/zitieren.json")
def csl_file(section: str, slug: str) -> Response:
    body = json.dumps(csl_json(_citation(section, slug), language()), ensure_ascii=False, indent=2)
    return Response(body, content_type="application/vnd.citationstyles.csl+json; charset=utf-8")
