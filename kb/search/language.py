"""The search's messages in the current language. search_index speaks German only and knows
nothing of kb (search_index.messages); its templates are in kb's catalogue, and are said here."""

from dataclasses import replace

from kb.i18n import translate
from search_index.documents import QuerySyntaxError, SearchResults
from search_index.messages import Message


def say(message: str) -> str:
    """A message of search_index in the current language; any other text as it is."""
    if not isinstance(message, Message):
        return message
    template = translate(message.template)
    return template % message.values if message.values else template


def in_language(error: QuerySyntaxError) -> QuerySyntaxError:
    """`error` with its message in the current language (raise it from the original)."""
    return QuerySyntaxError(say(error.args[0])) if error.args else error


def with_note_in_language(results: SearchResults) -> SearchResults:
    """`results` with their note for the user in the current language (a copy: the engine's
    results keep the German note)."""
    if not results.message:
        return results
    return replace(results, message=say(results.message))
