"""The errors kb raises; webapp maps them to HTTP statuses, the CLI to exit codes."""

from collections.abc import Iterable
from dataclasses import dataclass


class KbError(Exception):
    """Base of every error that kb reports to a user."""


class NotFound(KbError):
    pass


class Conflict(KbError):
    pass


class PermissionDenied(KbError):
    pass


class ConfigurationError(KbError):
    """A setting from the environment is malformed; the message names the variable."""


class SearchUnavailable(KbError):
    """The search index is being rebuilt; everything but searching works."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of one input, located as precisely as the input allows."""

    field: str
    message: str
    source: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.source
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        parts = [p for p in (where, self.field) if p]
        return f"{': '.join(parts)}: {self.message}" if parts else self.message


class ValidationError(KbError):
    """All problems found in an input at once (never just the first)."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
