"""The host names the site answers to and writes into absolute URLs.

A request naming any other host (its Host header, or X-Forwarded-Host behind ProxyFix) gets the
400 page before anything else runs, so no page, feed or citation is ever built with a host an
attacker chose and then cached by a proxy for everyone. Absolute URLs (`site_root`,
`external_url`: feeds, citations, downloads) use KB_BASE_URL when it is set, and otherwise the
request's host, which the check has found trusted.

The check is a before_request hook rather than Flask's TRUSTED_HOSTS setting: Flask refuses an
untrusted host while building the request's URL adapter, and without one the 400 page cannot
build a single URL (its stylesheet), so the refusal would end as a bare 500.
"""

from typing import Any

from flask import Flask, abort, request, url_for
from werkzeug.sansio.utils import host_is_trusted

from webapp.context import runtime

# The key of the request's language in the WSGI environ (set by webapp.i18n.LanguagePrefix).
LANGUAGE_KEY = "kb.language"


def trusted_host() -> bool:
    # request.host is "" for a Host header with characters no host name has; that is refused
    # too. Host names are case-insensitive, Werkzeug's comparison is not.
    return host_is_trusted(request.host.lower(), runtime().settings.allowed_hosts)


def check_host() -> None:
    if not trusted_host():
        abort(400)


def site_root() -> str:
    """The public root URL of this page's language, ending in "/": KB_BASE_URL (with the
    language's prefix, en/) when set, else the request's."""
    base = runtime().settings.base_url
    if not base:
        return request.url_root
    prefix = request.script_root.removeprefix(mount_root()).strip("/")
    return base + (f"{prefix}/" if prefix else "")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint`, for what leaves the site (feeds, citations)."""
    base = runtime().settings.base_url
    if not base:
        return url_for(endpoint, _external=True, **values)
    # KB_BASE_URL names the app's root, prefix included; url_for's path starts with the prefix
    # the server mounted the app under, which must not appear twice (the language's prefix,
    # /en, the rest of SCRIPT_NAME, stays: an English page links English pages).
    path = url_for(endpoint, **values).removeprefix(mount_root())
    return base + path.lstrip("/")


def mount_root() -> str:
    """The prefix the server mounted the app under: the script root without the language's
    prefix, which webapp.i18n.LanguagePrefix added to it."""
    lang = request.environ.get(LANGUAGE_KEY)
    root = request.script_root
    return root.removesuffix(f"/{lang}") if lang and root.endswith(f"/{lang}") else root


def install(app: Flask) -> None:
    """Register the check; call it before anything else adds a before_request hook, so that
    nothing (CSRF, sessions' users, views) sees a request for an untrusted host."""
    app.before_request(check_host)
