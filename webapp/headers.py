"""Response headers every page gets: caching that lets browsers and proxies revalidate cheaply
(ETag and a short max-age for public reads, never for writes or personal pages), and the
security headers (a strict Content-Security-Policy: no assets or scripts from other hosts; a
Permissions-Policy that switches off the browser features the site never uses; HSTS on HTTPS)."""

from flask import Flask, Response, request, session

PUBLIC_MAX_AGE = 60  # seconds; content changes with each edit, so keep it short
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# Plain pages need none of these; denying them keeps an injected or framed script from asking.
# Only features browsers know (an unknown one, like the retired interest-cohort, is logged as an
# error in the console); browsing-topics is interest-cohort's successor.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# A year (what HSTS preload lists require at least); sent only over HTTPS (browsers ignore it over
# HTTP, and a local http://127.0.0.1 must keep working), which behind a proxy needs
# KB_BEHIND_PROXY=1 so that request.is_secure follows X-Forwarded-Proto.
HSTS = "max-age=31536000; includeSubDomains"


def add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
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
