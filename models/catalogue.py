"""Cases (Kooperationsmodelle) with their aliases, actors, instruments, funding, awards, key dates
and sources; and the instruments of cooperation they link to."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, SourceColumns, UTCDateTime, utcnow


class Instrument(Base):
    """An instrument of cooperation; its row mirrors the `instruments` vocabulary."""

    __tablename__ = "instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    definition: Mapped[str] = mapped_column(Text, default="")

    uses: Mapped[list["CaseInstrument"]] = relationship(back_populates="instrument")


class Case(Base):
    __tablename__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    city: Mapped[str] = mapped_column(String(200))
    land: Mapped[str] = mapped_column(String(50), index=True)
    population: Mapped[int | None] = mapped_column(Integer)
    population_year: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str] = mapped_column(String(2000), default="")
    # The municipality's coordinates (WGS 84 degrees; for a Berlin district case the district's):
    # both or neither, so that a case without them is listed under the map, never drawn at 0,0.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    size_class: Mapped[str | None] = mapped_column(String(50), index=True)
    size_class_rationale: Mapped[str] = mapped_column(Text, default="")
    governance_type: Mapped[str] = mapped_column(String(50), index=True)
    governance_rationale: Mapped[str] = mapped_column(Text)
    scale: Mapped[str] = mapped_column(String(50), index=True)
    scale_rationale: Mapped[str] = mapped_column(Text)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(50), default="unknown")
    carrier_name: Mapped[str] = mapped_column(String(300), default="")
    carrier_legal_form: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text)
    # The summary in English, where the editors wrote one (shown on English pages); the German
    # summary stays the source.
    summary_en: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(2000), default="")
    # Optimistic locking: a save based on an older version is a conflict, never a silent overwrite.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    aliases: Mapped[list["CaseAlias"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseAlias.position"
    )
    actors: Mapped[list["Actor"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Actor.position"
    )
    instruments: Mapped[list["CaseInstrument"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseInstrument.position"
    )
    funding: Mapped[list["Funding"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Funding.position"
    )
    awards: Mapped[list["Award"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Award.position"
    )
    key_dates: Mapped[list["KeyDate"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="KeyDate.position"
    )
    sources: Mapped[list["CaseSource"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseSource.position"
    )


class CaseAlias(Base):
    __tablename__ = "case_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(String(500), default="")

    case: Mapped[Case] = relationship(back_populates="aliases")


class Actor(Base):
    """Someone who takes part in a case; `kind` (vocabulary) determines the side."""

    __tablename__ = "actor"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(2000), default="")

    case: Mapped[Case] = relationship(back_populates="actors")


class CaseInstrument(Base):
    __tablename__ = "case_instrument"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True
    )
    instrument_id: Mapped[int] = mapped_column(
        ForeignKey("instrument.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="instruments")
    instrument: Mapped[Instrument] = relationship(back_populates="uses", lazy="joined")


class Funding(Base):
    __tablename__ = "funding"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    programme: Mapped[str] = mapped_column(String(300))
    funder: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[str] = mapped_column(String(200), default="")
    period: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(2000), default="")

    case: Mapped[Case] = relationship(back_populates="funding")


class Award(Base):
    __tablename__ = "award"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(2000), default="")

    case: Mapped[Case] = relationship(back_populates="awards")


class KeyDate(Base):
    """A dated event in a case's history; `date` is YYYY, YYYY-MM or YYYY-MM-DD (sorts as text)."""

    __tablename__ = "key_date"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    date: Mapped[str] = mapped_column(String(10))
    event: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(2000), default="")

    case: Mapped[Case] = relationship(back_populates="key_dates")


class CaseSource(SourceColumns, Base):
    __tablename__ = "case_source"

    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    case: Mapped[Case] = relationship(back_populates="sources")
