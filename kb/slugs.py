"""Slugs: the short, stable, URL-safe names of cases, talks and notes (lowercase ASCII,
German letters transliterated: "Bürgerbüro Straße" -> "buergerbuero-strasse")."""

import re
import unicodedata

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
MAX_LENGTH = 120


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    text = text.lower().translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:max_length].rstrip("-")
