"""What a request works with: the app's kb runtime, one unit of work per request (closed when
the request ends), and the vocabulary."""

from flask import current_app, g

from kb.catalogue.vocabulary import Vocabulary
from kb.runtime import Runtime
from kb.unit_of_work import UnitOfWork


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["kb"]
    return rt


def uow() -> UnitOfWork:
    """The request's unit of work, opened on first use."""
    if "uow" not in g:
        g.uow = runtime().uow().__enter__()
    unit: UnitOfWork = g.uow
    return unit


def vocabulary() -> Vocabulary:
    return runtime().vocabulary


def close_uow(exc: BaseException | None = None) -> None:
    unit = g.pop("uow", None)
    if unit is not None:
        unit.__exit__(None, None, None)
