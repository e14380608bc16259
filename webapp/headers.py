"""Response headers every page gets: caching that lets browsers and proxies revalidate cheaply
(ETag and a short max-age for public reads, never for writes or personal pages), and the
security headers (a strict Content-Security-Policy: no assets or scripts from other hosts)."""

from flask import Flask, Response, request, session

PUBLIC_MAX_AGE = 60  # seconds; content changes with each edit, so keep it short
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/static/"):
        return response
    cacheable = (
        request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not response.is_streamed
        and "Cache-Control" not in response.headers
        and request.path != "/healthz"
    )
    if cacheable and session:
        # The page shows this browser's own state (comparison basket, messages): revalidate.
        response.headers["Cache-Control"] = "private, no-cache"
        response.add_etag()
        response.make_conditional(request)
    elif cacheable:
        response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        response.add_etag()
        response.make_conditional(request)
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.after_request(add_headers)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # static files change only with a deploy
