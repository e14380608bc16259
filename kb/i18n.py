"""The language kb speaks in: which one is current, and its words from the gettext catalogue.

German is the source language: every message is written in German in the code and marked with
`_()` (translated where it is said) or `N_()` (a constant, translated where it is shown). The
English words are in kb/translations/en/LC_MESSAGES/kb.po, compiled to kb.mo by
`make translations`; a third language is one more folder there, not a code change.

The current language is a context variable: the web app sets it for each request (from the URL's
prefix), the CLI once from `--lang` or LANG. Codes in data and URLs never depend on it.
"""

import gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

DEFAULT = "de"
DOMAIN = "kb"
TRANSLATIONS = Path(__file__).parent / "translations"


def _discovered() -> tuple[str, ...]:
    """German, then every language with a catalogue folder, in alphabetical order."""
    found = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())
    return (DEFAULT, *(lang for lang in found if lang != DEFAULT))


LANGUAGES: tuple[str, ...] = _discovered() if TRANSLATIONS.is_dir() else (DEFAULT,)

_current: ContextVar[str] = ContextVar("kb_language", default=DEFAULT)


def current() -> str:
    """The language of this request or command: "de" unless something chose another."""
    return _current.get()


def choose(lang: str | None) -> str:
    """A supported language for `lang` ("en", "en_GB.UTF-8", "EN-us"), German otherwise."""
    if not lang:
        return DEFAULT
    base = lang.replace("-", "_").split("_")[0].split(".")[0].lower()
    return base if base in LANGUAGES else DEFAULT


def from_environment(environ: "os._Environ[str] | dict[str, str] | None" = None) -> str:
    """The language the environment asks for, the way gettext reads it: LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG, the first one set."""
    environ = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if environ.get(name):
            return choose(environ[name].split(":")[0])
    return DEFAULT


def set_language(lang: str) -> None:
    """Make `lang` current for the rest of this context (a request, a command)."""
    _current.set(choose(lang))


def enter(lang: str) -> Token[str]:
    """Speak `lang` from now on, until `leave` with the token (a request's begin and end)."""
    return _current.set(choose(lang))


def leave(token: Token[str]) -> None:
    _current.reset(token)


@contextmanager
def using(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block, and the former language again after it."""
    token = enter(lang)
    try:
        yield
    finally:
        leave(token)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang`; German, the source, needs none."""
    if lang == DEFAULT:
        return gettext.NullTranslations()
    folder = TRANSLATIONS / lang / "LC_MESSAGES"
    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    # Not compiled (an install without `make translations`) or older than its source: compile
    # in memory, so that a language never fails for want of a build step.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as handle:
        catalogue = read_po(handle)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str, **values: object) -> str:
    """`message` in the current language, with `%(name)s` filled from `values`."""
    text = translations(current()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: object) -> str:
    """The singular or plural of a message in the current language; `%(num)d` is `n`."""
    text = translations(current()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def N_(message: str) -> str:
    """Mark a constant for the catalogue; it is translated where it is shown, with `_()`."""
    return message


def translate(message: str, lang: str | None = None) -> str:
    """A message marked with N_() in `lang` (the current language if None)."""
    return translations(lang or current()).gettext(message) if message else message


def number(value: float, pattern: str | None = None) -> str:
    """`value` with the digit groups and decimal sign of the current language: 100.000 and 47,2
    in German, 100,000 and 47.2 in English; `pattern` as Babel's ("0.0": one decimal)."""
    from babel.numbers import format_decimal  # only where a message shows a number

    return format_decimal(value, format=pattern, locale=current())
