"""Error pages in the site's look (HTML) or as JSON under /api/: kb's errors and HTTP errors
mapped to a status and a message in the page's language (German by default, English under
/en/). A 500 never shows internals. A database that cannot be
reached is a 503 with Retry-After, logged once per incident (a warning when it goes, a line when
it is back) instead of a traceback per request."""

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from werkzeug.exceptions import HTTPException, InternalServerError

from kb.availability import Outage, describe, unavailable_error
from kb.errors import (
    Conflict,
    KbError,
    NotFound,
    PermissionDenied,
    SearchUnavailable,
    ValidationError,
)

log = logging.getLogger(__name__)

# Lazy: translated when a page shows them, in that page's language (str() before jsonify).
TITLES = {
    400: lazy_gettext("Ungültige Anfrage"),
    403: lazy_gettext("Keine Berechtigung"),
    404: lazy_gettext("Seite nicht gefunden"),
    405: lazy_gettext("Methode nicht erlaubt"),
    409: lazy_gettext("Konflikt"),
    413: lazy_gettext("Anfrage zu groß"),
    414: lazy_gettext("Adresse zu lang"),
    429: lazy_gettext("Zu viele Anfragen"),
    500: lazy_gettext("Interner Fehler"),
    503: lazy_gettext("Datenbank vorübergehend nicht erreichbar"),
}
HINTS = {
    400: lazy_gettext("Die Anfrage enthält Angaben, die wir nicht verarbeiten können."),
    403: lazy_gettext("Für diese Seite fehlt Ihrem Konto die Berechtigung."),
    404: lazy_gettext("Diese Adresse gibt es nicht (mehr). Vielleicht hilft die Suche weiter."),
    405: lazy_gettext("Diese Adresse kann so nicht aufgerufen werden."),
    413: lazy_gettext("Die Anfrage ist zu groß, um sie zu verarbeiten."),
    414: lazy_gettext("Diese Adresse ist zu lang. Bitte weniger Suchbegriffe oder Filter wählen."),
    429: lazy_gettext("Zu viele Anfragen in kurzer Zeit. Bitte etwas später erneut versuchen."),
    500: lazy_gettext(
        "Etwas ist schiefgegangen. Der Fehler wurde protokolliert; bitte später erneut versuchen."
    ),
    503: lazy_gettext(
        "Die Datenbank der Wissensbasis antwortet gerade nicht. Bitte in einigen Sekunden "
        "erneut versuchen."
    ),
}
RETRY_AFTER_SECONDS = 10  # a database restart or failover usually takes about this long
SEARCH_RETRY_AFTER_SECONDS = 30  # rebuilding the seed catalogue takes seconds, a large one minutes
SEARCH_UNAVAILABLE_TITLE = lazy_gettext("Suche wird neu aufgebaut")
KB_STATUS: dict[type[KbError], int] = {
    NotFound: 404,
    ValidationError: 400,
    Conflict: 409,
    PermissionDenied: 403,
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(
    status: int, message: str, details: list[str] | None = None, title: str | None = None
) -> Any:
    title = str(title or TITLES.get(status) or _("Fehler"))
    message = str(message)
    if wants_json():
        body: dict[str, Any] = {"error": {"status": status, "title": title, "message": message}}
        if details:
            body["error"]["details"] = details
        return jsonify(body), status
    html = render_template(
        "error.html", status=status, title=title, message=message, details=details or []
    )
    return Response(html, status=status, mimetype="text/html")


def unavailable_response() -> Response:
    """The 503 page. Its HTML is a page of its own, not error.html: the site's header looks up
    the logged-in user, and that needs the very database that is away."""
    if wants_json():
        response = make_response(error_response(503, str(HINTS[503])))
    else:
        html = render_template("unavailable.html", title=str(TITLES[503]), message=str(HINTS[503]))
        response = Response(html, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def install(app: Flask) -> None:
    # One per app, which is one per process outside of tests.
    outage = app.extensions["kb.outage"] = Outage()

    @app.after_request
    def note_recovery(response: Response) -> Response:
        # A request that opened a unit of work and did not fail has reached the database; a
        # page that needs none (static files) says nothing about it.
        if outage.down and response.status_code < 500 and "uow" in g and outage.recovered():
            log.info("Datenbank wieder erreichbar")
        return response

    @app.errorhandler(SearchUnavailable)
    def search_unavailable(exc: SearchUnavailable) -> Any:
        response = make_response(error_response(503, str(exc), title=SEARCH_UNAVAILABLE_TITLE))
        response.headers["Retry-After"] = str(SEARCH_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(KbError)
    def kb_error(exc: KbError) -> Any:
        status = next((s for t, s in KB_STATUS.items() if isinstance(exc, t)), 400)
        details = [str(e) for e in exc.errors] if isinstance(exc, ValidationError) else None
        return error_response(status, str(exc) if not details else str(TITLES[400]), details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if isinstance(exc, InternalServerError):
            return internal_error(exc)
        return error_response(status, str(HINTS.get(status) or exc.description or ""))

    @app.errorhandler(Exception)
    def internal_error(exc: BaseException) -> Any:
        original = getattr(exc, "original_exception", None) or exc
        away = unavailable_error(original)
        if away is not None:
            if outage.failed():
                log.warning(
                    "Datenbank nicht erreichbar (bei %s %s): %s; weitere Fehlschläge werden "
                    "bis zur Erholung nicht protokolliert",
                    request.method,
                    request.path,
                    describe(away),
                )
            return unavailable_response()
        log.exception(
            "Unbehandelter Fehler bei %s %s", request.method, request.path, exc_info=original
        )
        return error_response(500, str(HINTS[500]))
