"""Talk series, their talks (Gespräche and the Jam), speakers, the cases presented, and sources."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SourceColumns, UTCDateTime, utcnow
from models.catalogue import Case


class Series(Base):
    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    organiser: Mapped[str] = mapped_column(String(300), default="")
    year: Mapped[int | None] = mapped_column(Integer)
    schedule: Mapped[str] = mapped_column(String(300), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    questions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    talks: Mapped[list["Talk"]] = relationship(back_populates="series", order_by="Talk.date")
    sources: Mapped[list["SeriesSource"]] = relationship(
        back_populates="series", cascade="all, delete-orphan", order_by="SeriesSource.position"
    )


class SeriesSource(SourceColumns, Base):
    __tablename__ = "series_source"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    series: Mapped[Series] = relationship(back_populates="sources")


class Talk(Base):
    __tablename__ = "talk"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(20), default="talk")
    title: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    # An earlier announced date that differs from the one held (e.g. the Jam: 15.09. -> 06.10.2022).
    announced_date: Mapped[dt.date | None] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5), default="")
    end_time: Mapped[str] = mapped_column(String(5), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    announced_as: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series] = relationship(back_populates="talks")
    speakers: Mapped[list["Speaker"]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", order_by="Speaker.position"
    )
    presented: Mapped[list["TalkCase"]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", order_by="TalkCase.position"
    )
    sources: Mapped[list["TalkSource"]] = relationship(
        back_populates="talk", cascade="all, delete-orphan", order_by="TalkSource.position"
    )


class Speaker(Base):
    __tablename__ = "speaker"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(300))
    side: Mapped[str | None] = mapped_column(String(50))  # None: the side is not documented
    organisation: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[str] = mapped_column(String(300), default="")

    talk: Mapped[Talk] = relationship(back_populates="speakers")


class TalkCase(Base):
    """A case presented at a talk."""

    __tablename__ = "talk_case"

    talk_id: Mapped[int] = mapped_column(
        ForeignKey("talk.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    talk: Mapped[Talk] = relationship(back_populates="presented")
    case: Mapped[Case] = relationship(lazy="joined")


class TalkSource(SourceColumns, Base):
    __tablename__ = "talk_source"

    talk_id: Mapped[int] = mapped_column(ForeignKey("talk.id", ondelete="CASCADE"), index=True)
    talk: Mapped[Talk] = relationship(back_populates="sources")
