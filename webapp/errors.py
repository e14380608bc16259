"""Error pages in the site's look (HTML) or as JSON under /api/: kb's errors and HTTP errors
mapped to a status and a German message. A 500 never shows internals."""

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from kb.errors import Conflict, KbError, NotFound, PermissionDenied, ValidationError

log = logging.getLogger(__name__)

TITLES = {
    400: "Ungültige Anfrage",
    403: "Keine Berechtigung",
    404: "Seite nicht gefunden",
    405: "Methode nicht erlaubt",
    409: "Konflikt",
    413: "Anfrage zu groß",
    500: "Interner Fehler",
}
HINTS = {
    400: "Die Anfrage enthält Angaben, die wir nicht verarbeiten können.",
    404: "Diese Adresse gibt es nicht (mehr). Vielleicht hilft die Suche weiter.",
    405: "Diese Adresse kann so nicht aufgerufen werden.",
    500: "Etwas ist schiefgegangen. Der Fehler wurde protokolliert; bitte später erneut versuchen.",
}
KB_STATUS: dict[type[KbError], int] = {
    NotFound: 404,
    ValidationError: 400,
    Conflict: 409,
    PermissionDenied: 403,
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, message: str, details: list[str] | None = None) -> Any:
    title = TITLES.get(status, "Fehler")
    if wants_json():
        body: dict[str, Any] = {"error": {"status": status, "title": title, "message": message}}
        if details:
            body["error"]["details"] = details
        return jsonify(body), status
    html = render_template(
        "error.html", status=status, title=title, message=message, details=details or []
    )
    return Response(html, status=status, mimetype="text/html")


def install(app: Flask) -> None:
    @app.errorhandler(KbError)
    def kb_error(exc: KbError) -> Any:
        status = next((s for t, s in KB_STATUS.items() if isinstance(exc, t)), 400)
        details = [str(e) for e in exc.errors] if isinstance(exc, ValidationError) else None
        return error_response(status, str(exc) if not details else TITLES[400], details)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        if isinstance(exc, InternalServerError):
            return internal_error(exc)
        return error_response(status, HINTS.get(status, exc.description or ""))

    @app.errorhandler(Exception)
    def internal_error(exc: BaseException) -> Any:
        original = getattr(exc, "original_exception", None) or exc
        log.exception(
            "Unbehandelter Fehler bei %s %s", request.method, request.path, exc_info=original
        )
        return error_response(500, HINTS[500])
