"""The catalogue's tables and relations (SQLAlchemy 2 ORM), plus engine and session factories."""

from models.base import Base
from models.catalogue import (
    Actor,
    Award,
    Case,
    CaseAlias,
    CaseInstrument,
    CaseSource,
    Funding,
    Instrument,
    KeyDate,
)
from models.db import make_engine, make_session_factory
from models.notes import Note
from models.outbox import SearchLogHorizon, SearchOutbox, SearchReplica
from models.revisions import CatalogueVersion, Revision
from models.series import Series, SeriesSource, Speaker, Talk, TalkCase, TalkSource
from models.users import LoginFailure, User

__all__ = [
    "Actor",
    "Award",
    "Base",
    "Case",
    "CaseAlias",
    "CaseInstrument",
    "CaseSource",
    "CatalogueVersion",
    "Funding",
    "Instrument",
    "KeyDate",
    "LoginFailure",
    "Note",
    "Revision",
    "SearchLogHorizon",
    "SearchOutbox",
    "SearchReplica",
    "Series",
    "SeriesSource",
    "Speaker",
    "Talk",
    "TalkCase",
    "TalkSource",
    "User",
    "make_engine",
    "make_session_factory",
]
