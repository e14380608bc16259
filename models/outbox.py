"""The search outbox: which entities changed, written in the same transaction as the change, and
removed once the search index has them. Nothing committed is ever missing from search."""

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SearchOutbox(Base):
    __tablename__ = "search_outbox"
    # Ids must never be reused (SQLite reuses the highest rowid after a delete): a drainer
    # deletes the rows it indexed by id, and must not hit a newer row that took the same id.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
