"""The messages search_index gives the user (why a query cannot be run, a note about it), in
German, each remembering its template and values so that a caller can say it in another
language. search_index knows no language but German and imports nothing of kb: the templates
are marked with the no-op `N_` below for kb's gettext catalogue (kb/translations/babel.cfg
reads this file), and kb.search.language says them in the current language."""


def N_(template: str) -> str:
    """Mark a template for kb's catalogue (it is returned as it is)."""
    return template


SHORTENED = N_("Die Anfrage war zu lang und wurde auf %(limit)s Zeichen gekürzt.")
WILDCARD_TOO_SHORT = N_("Platzhalter * brauchen mindestens zwei Buchstaben davor, z. B. Bürger*")
UNREADABLE = N_("Die Anfrage ist nicht lesbar: %(error)s")
TOO_MANY_TERMS = N_("Zu viele Suchbegriffe: höchstens %(limit)s.")
NOTHING_TO_SEARCH = N_(
    "Die Anfrage enthält nur Füllwörter oder Zeichen, nach denen nicht gesucht werden kann."
)
UNKNOWN_SORT = N_("Unbekannte Sortierung '%(sort)s' (%(allowed)s)")


class Message(str):
    """A German message: the text of `template` (%(name)s placeholders) filled with `values`,
    which it keeps. It is a str, so whoever shows it needs to know nothing of this."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> "Message":
        message = super().__new__(cls, template % values if values else template)
        message.template = template
        message.values = values
        return message
