"""The comparison of two to four cases: the view `/compare?cases=a,b,c`, its downloads (CSV,
JSON, Markdown), the API, and the "zum Vergleich hinzufügen" basket kept in the session so that
cases can be collected from any page without JavaScript."""

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from kb.errors import ValidationError
from kb.publishing.compare import (
    FORMATS,
    MAX_CASES,
    compare,
    parse_slugs,
    to_json,
    to_json_text,
    to_markdown,
)
from webapp.api import json_response
from webapp.context import uow, vocabulary
from webapp.links import external_url_of, url_of
from webapp.params import link_with, safe_next, set_current_path, url_with

bp = Blueprint("compare", __name__)
BASKET = "compare"
DOWNLOADS = {  # extension -> (format, mimetype)
    "csv": ("csv", "text/csv"),
    "json": ("json", "application/json"),
    "md": ("markdown", "text/markdown"),
}


def basket() -> list[str]:
    """The slugs collected for comparison in this browser session."""
    return list(session.get(BASKET, []))


def compare_path(slugs: list[str], **extra: str) -> str:
    """The comparison's canonical URL (`set_current_path`)."""
    return url_with("/compare", [("cases", ",".join(slugs)), *extra.items()])


def compare_url(slugs: list[str], **extra: str) -> str:
    """A link to the comparison, in the page's language."""
    return link_with("/compare", [("cases", ",".join(slugs)), *extra.items()])


def _requested() -> list[str]:
    return parse_slugs(request.args.getlist("cases"))


@bp.get("/compare")
def view() -> Any:
    if not request.args.get("cases"):
        slugs = basket()
        if len(slugs) >= 2:
            return redirect(compare_url(slugs))
        return render_template("compare/empty.html", slugs=slugs)
    try:
        slugs = _requested()
    except ValidationError as exc:
        return render_template("compare/empty.html", slugs=basket(), errors=exc.errors), 400
    comparison = compare(uow(), slugs, vocabulary())
    only_diff = request.args.get("diff") == "1"
    set_current_path(compare_path(slugs, **({"diff": "1"} if only_diff else {})))
    return render_template(
        "compare/view.html",
        comparison=comparison,
        slugs=slugs,
        only_diff=only_diff,
        without=lambda slug: compare_url([s for s in slugs if s != slug]),
        download=lambda ext: link_with(f"/compare.{ext}", [("cases", ",".join(slugs))]),
        toggle_diff=compare_url(slugs, **({} if only_diff else {"diff": "1"})),
    )


@bp.get("/compare.<ext>")
def download(ext: str) -> Response:
    if ext not in DOWNLOADS:
        abort(404)
    fmt, mimetype = DOWNLOADS[ext]
    slugs = _requested()
    comparison = compare(uow(), slugs, vocabulary())
    if fmt == "markdown":
        body = to_markdown(comparison, url_of=external_url_of)
    elif fmt == "json":
        body = to_json_text(comparison, url_of=url_of)
    else:
        body = FORMATS[fmt](comparison)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="vergleich-{"-".join(slugs)[:150]}.{ext}"'
    )
    return response


@bp.get("/api/compare")
def api() -> Response:
    return json_response(to_json(compare(uow(), _requested(), vocabulary()), url_of=url_of))


@bp.get("/compare/add")
def add() -> Any:
    slug = request.args.get("case", "").strip()[:120]
    slugs = basket()
    if slug and slug not in slugs:
        if len(slugs) >= MAX_CASES:
            flash(
                _(
                    "Es lassen sich höchstens %(max)s Fälle vergleichen; "
                    "entfernen Sie zuerst einen.",
                    max=MAX_CASES,
                )
            )
        else:
            slugs.append(slug)
            session[BASKET] = slugs
            flash(_("Zum Vergleich hinzugefügt (%(n)s von %(max)s).", n=len(slugs), max=MAX_CASES))
    fallback = compare_url(slugs) if len(slugs) >= 2 else url_for("compare.view")
    return redirect(safe_next(request.args.get("next"), fallback))


@bp.get("/compare/remove")
def remove() -> Any:
    slug = request.args.get("case", "")
    session[BASKET] = [s for s in basket() if s != slug]
    flash(_("Aus dem Vergleich entfernt."))
    return redirect(safe_next(request.args.get("next"), url_for("compare.view")))


@bp.get("/compare/clear")
def clear() -> Any:
    session.pop(BASKET, None)
    return redirect(safe_next(request.args.get("next"), url_for("compare.view")))
