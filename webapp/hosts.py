"""The host names the site answers to and writes into absolute URLs.

A request naming any other host (its Host header, or X-Forwarded-Host behind ProxyFix) gets the
400 page before anything else runs, so no page, feed or citation is ever built with a host an
attacker chose and then cached by a proxy for everyone. Absolute URLs (`site_root`,
`external_url`: feeds, citations, downloads) use KB_BASE_URL when it is set, and otherwise the
request's host, which the check has found trusted. Either way an English page's absolute URLs
keep its language prefix (/en/…), as url_for's relative ones do.

The check is a before_request hook rather than Flask's TRUSTED_HOSTS setting: Flask refuses an
untrusted host while building the request's URL adapter, and without one the 400 page cannot
build a single URL (its stylesheet), so the refusal would end as a bare 500.
"""

from typing import Any

from flask import Flask, abort, g, request, url_for
from werkzeug.sansio.utils import host_is_trusted

from kb.i18n import DEFAULT
from webapp.context import runtime
from webapp.i18n import language


def check_host() -> None:
    # request.host is "" for a Host header with characters no host name has; that is refused
    # too. Host names are case-insensitive, Werkzeug's comparison is not.
    if not host_is_trusted(request.host.lower(), runtime().settings.allowed_hosts):
        g.refused_host = True
        abort(400)


def _prefix() -> str:
    """The language prefix of this request's page ("" for German, "en/" for English)."""
    lang = language()
    return "" if lang == DEFAULT else f"{lang}/"


def _mount() -> str:
    """The script root the server mounted the app under, without the language prefix."""
    root = request.script_root
    return root.removesuffix("/" + _prefix().rstrip("/")) if _prefix() else root


def absolute_url(path: str) -> str:
    """A path as url_for builds it (mount point and language prefix included) as an absolute
    URL: on KB_BASE_URL when set (which names the mounted root, so the mount point must not
    appear twice), else on the request's host. On the 400 page of a host the check refused,
    the path alone: no page ever carries that host."""
    base = runtime().settings.base_url
    if base:
        return base + path.removeprefix(_mount()).lstrip("/")
    if g.get("refused_host"):
        return path
    return request.host_url.rstrip("/") + path


def site_root() -> str:
    """The public root URL of this page's language, ending in "/"."""
    return absolute_url(request.script_root + "/")


def external_url(endpoint: str, **values: Any) -> str:
    """The absolute URL of `endpoint`, for what leaves the site (feeds, citations)."""
    return absolute_url(url_for(endpoint, **values))


def install(app: Flask) -> None:
    """Register the check; call it before anything else adds a before_request hook, so that
    nothing (CSRF, sessions' users, views) sees a request for an untrusted host."""
    app.before_request(check_host)
