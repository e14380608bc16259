"""Bounds on what a request may carry in its URL, checked before any view runs: the length of
path plus query string (414 above MAX_URL_BYTES) and the number of values of one query
parameter (400 above MAX_PARAM_VALUES). Both pages are the site's own error pages.

A view's work and page size grow with its parameters (each facet value is a link, a chip and a
filter); these limits keep every page small whatever a URL holds. Browsers, proxies and the
sitemaps of search engines stay well below 8 KB, so no real link is refused."""

from typing import Any

from flask import Flask, request
from flask_babel import gettext as _

from webapp.errors import error_response
from webapp.params import set_current_path

MAX_URL_BYTES = 8 * 1024
MAX_PARAM_VALUES = 50


def check_request() -> Any:
    url_bytes = len(request.path.encode("utf-8", "surrogateescape")) + len(request.query_string)
    if url_bytes > MAX_URL_BYTES:
        set_current_path("/")  # the error page's links must not repeat the address either
        return error_response(
            414, _("Die Adresse ist länger als %(kb)s KB.", kb=MAX_URL_BYTES // 1024)
        )
    for name in request.args:
        if len(request.args.getlist(name)) > MAX_PARAM_VALUES:
            set_current_path(request.path)
            return error_response(
                400,
                _(
                    "Der Parameter „%(name)s“ kommt mehr als %(n)s-mal vor; höchstens %(n)s "
                    "Werte je Parameter sind möglich.",
                    name=name[:40],
                    n=MAX_PARAM_VALUES,
                ),
            )
    return None


def install(app: Flask) -> None:
    """Register the check; right after the host check, before sessions, CSRF and views."""
    app.before_request(check_request)
