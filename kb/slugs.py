"""Slugs: the short, stable, URL-safe names of cases, talks and notes (lowercase ASCII,
German letters transliterated: "Bürgerbüro Straße" -> "buergerbuero-strasse"), and the type of
what turns a slug into a page address (`UrlOf`, the web app's)."""

import re
import unicodedata
from typing import Protocol

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MAX_LENGTH = 120


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    text = text.lower().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:max_length].rstrip("-")


class UrlOf(Protocol):
    """The address of an item's page, from its kind and slug: supplied by the web app, which
    alone knows the site's routes (kb names items by kind and slug and builds no address).
    Kinds: "case", "series", "talk", "instrument", and "note", whose page is its talk's: `slug`
    is the talk's, `anchor` the note's own slug."""

    def __call__(self, kind: str, slug: str, anchor: str | None = None) -> str: ...
