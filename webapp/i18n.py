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
from functools import cache
from typing import Any, Literal

from babel import Locale
from babel.dates import get_month_names
from flask import Flask, Response, g, request
from flask_babel import Babel, force_locale, get_translations, gettext
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
    """The language of this request's page: kb's current language, which the request's first
    hook set from the URL's prefix (a context variable: templates ask for it hundreds of times
    a page, and `request` is a proxy that costs a lookup each time)."""
    return kb.i18n.current()


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


@cache
def _months(lang: str, width: Literal["wide", "abbreviated"]) -> dict[int, str]:
    """Babel's month names of `lang` ("wide": Mai, May; "abbreviated": Mai, May), kept: Babel's
    format_date looks the locale up again for every date, and a case page shows dozens."""
    return dict(get_month_names(width, locale=Locale.parse(lang)))


def date_text(value: Any, long: bool = False) -> str:
    """A date in the page's language: 19.05.2022 / 19 May 2022 short; "19. Mai 2022" / "19 May
    2022" with `long`; partial ISO dates (2019, 2019-04) as far as they go."""
    if value is None or value == "":
        return ""
    lang = language()
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2:
            return f"{_months(lang, 'wide')[int(parts[1])]} {parts[0]}"
        value = dt.date.fromisoformat(value)
    if lang == DEFAULT:
        return (
            f"{value.day}. {_months(lang, 'wide')[value.month]} {value.year}"
            if long
            else (f"{value.day:02d}.{value.month:02d}.{value.year}")
        )
    month = _months(lang, "wide" if long else "abbreviated")[value.month]
    return f"{value.day} {month} {value.year}"


def translations() -> Any:
    """This request's catalogue, looked up once: Flask-Babel's get_translations() works out the
    locale and its catalogue again on every call (about 7 µs), and a page says hundreds of words."""
    found = g.get("kb_translations")
    if found is None:
        found = g.kb_translations = get_translations()
    return found


def _begin() -> None:
    g.kb_language_token = kb.i18n.enter(str(request.environ.get(LANGUAGE_KEY, DEFAULT)))


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
    # The templates' words through the request's catalogue (instead of Flask-Babel's callables,
    # which look it up per word); Jinja's newstyle wrappers still escape and fill placeholders.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: translations().ugettext(message),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, message: translations().upgettext(context, message),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # First of all hooks: the host check's 400 and the URL limits' 414 speak the page's language.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
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
