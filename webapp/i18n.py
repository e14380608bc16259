"""The language of a page: chosen by the URL's prefix, spoken through Flask-Babel's catalogues.

German pages keep their unprefixed URLs (every existing link and citation stays valid); another
language's pages live under its prefix, /en/…. The prefix is taken off the path before routing
and kept as the script root (`LanguagePrefix`), so the routes are written once and every URL that
url_for builds on an English page is an English one by itself, /en/static/… included.

The same choice sets kb's language (kb.i18n) for the request, so that kb's messages (form errors,
labels of fields, vocabulary labels) come in the page's language too. A German page whose visitor's
browser prefers another language suggests it, and never redirects.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from babel import Locale
from flask import Flask, Response, g, request
from flask_babel import Babel, force_locale, format_date, gettext
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept

import kb.i18n
from kb.i18n import DEFAULT, LANGUAGES
from webapp.context import runtime
from webapp.hosts import LANGUAGE_KEY, mount_root, trusted_host
from webapp.params import current_path

# Each language's name in itself, for the switch (from Babel's locale data: "Deutsch",
# "English"; a new language needs no code).
NAMES = {lang: str(Locale.parse(lang).get_display_name(lang)).capitalize() for lang in LANGUAGES}


class LanguagePrefix:
    """WSGI middleware: /en/cases is the route /cases in English, under the script root /en."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        for lang in LANGUAGES[1:]:
            prefix = f"/{lang}"
            if path == prefix or path.startswith(prefix + "/"):
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                environ["PATH_INFO"] = path[len(prefix) :] or "/"
                environ[LANGUAGE_KEY] = lang
                break
        else:
            environ[LANGUAGE_KEY] = DEFAULT
        return self.app(environ, start_response)


def language() -> str:
    """The language of this request's page."""
    return str(request.environ.get(LANGUAGE_KEY, DEFAULT)) if request else DEFAULT


def url_in(lang: str) -> str:
    """This page in `lang`: its canonical URL (webapp.params.current_path, so that a query the
    view did not understand is not repeated) under the other language's prefix."""
    path = current_path().removeprefix(request.script_root)
    prefix = "" if lang == DEFAULT else f"/{lang}"
    return mount_root() + prefix + path


def alternates() -> list[tuple[str, str]]:
    """This page's absolute URL in every language, for the hreflang alternates in <head>: on
    KB_BASE_URL when set, else on the request's host, and none at all for a host that is not
    trusted (its 400 page must not write the host back)."""
    if not trusted_host():
        return []
    base = runtime().settings.base_url  # the app's root, its mount prefix included
    if base:
        return [
            (lang, base.rstrip("/") + url_in(lang).removeprefix(mount_root())) for lang in LANGUAGES
        ]
    return [(lang, request.host_url.rstrip("/") + url_in(lang)) for lang in LANGUAGES]


def suggested() -> str | None:
    """On a German page: the other language the browser prefers to German, if any."""
    if language() != DEFAULT:
        return None
    accept: LanguageAccept = request.accept_languages
    best = accept.best_match(LANGUAGES, default=DEFAULT)
    return best if best != DEFAULT else None


def hint(lang: str) -> str:
    """The suggestion to read this page in `lang`, said in `lang` itself."""
    with force_locale(lang):
        # Translators: the link on a German page to the same page in your language; say it in
        # your language ("Read this page in English").
        return str(gettext("Diese Seite auf Deutsch lesen"))


def content_lang(content: str = DEFAULT) -> Markup:
    """` lang="de"` for an element holding content written in `content` on a page in another
    language (nothing on a page in the content's own language, so German pages stay as they were).
    Case descriptions, talk summaries, notes, titles and names are German content."""
    return Markup(' lang="%s"') % content if content != language() else Markup("")


def content_marker(content: str = DEFAULT) -> Markup:
    """The visible "(in German)" after content in another language than the page's."""
    if content == language():
        return Markup("")
    # Translators: after a text shown as written, in German, on a page in your language.
    return Markup(' <span class="content-language">%s</span>') % str(gettext("(auf Deutsch)"))


def date_text(value: Any, long: bool = False) -> str:
    """A date in the page's language: 19.05.2022 / 19 May 2022 short; "19. Mai 2022" / "19 May
    2022" with `long`; partial ISO dates (2019, 2019-04) as far as they go."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            return str(format_date(dt.date(int(parts[0]), int(parts[1]), 1), "MMMM y"))
        value = dt.date.fromisoformat(value)
    german = language() == DEFAULT
    if long:
        return str(format_date(value, "d. MMMM y" if german else "d MMMM y"))
    return str(format_date(value, "dd.MM.y" if german else "d MMM y"))


def _begin() -> None:
    g.kb_language_token = kb.i18n.enter(language())


def _end(exc: BaseException | None = None) -> None:
    token = g.pop("kb_language_token", None)
    if token is not None:
        kb.i18n.leave(token)


def _vary(response: Response) -> Response:
    # A German page's hint depends on Accept-Language: caches must keep one copy per preference.
    if language() == DEFAULT and response.mimetype == "text/html":
        response.vary.add("Accept-Language")
    return response


def install(app: Flask) -> None:
    """The prefix middleware, Flask-Babel with the web catalogues, kb's language per request,
    and the template helpers (`lang`, `url_in`, `languages`, `suggested_language`)."""
    app.wsgi_app = LanguagePrefix(app.wsgi_app)  # type: ignore[method-assign]
    Babel(app, locale_selector=language, default_locale=DEFAULT)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.before_request(_begin)
    app.teardown_request(_end)
    app.after_request(_vary)
    app.jinja_env.filters["date_text"] = date_text
    app.jinja_env.globals.update(
        lang=language,
        url_in=url_in,
        language_alternates=alternates,
        languages=LANGUAGES,
        language_names=NAMES,
        suggested_language=suggested,
        language_hint=hint,
        content_lang=content_lang,
        content_marker=content_marker,
    )
