"""What the search index holds: ORM rows mapped to search documents, and which documents an
entity's change touches (a case's name appears in its talks and their notes)."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict

from sqlalchemy import and_, false, func, select
from sqlalchemy.orm import selectinload

from kb.catalogue.cases import CASE_LOAD
from kb.catalogue.vocabulary import Vocabulary
from kb.i18n import DEFAULT
from kb.markup import plain_text
from kb.unit_of_work import Change, UnitOfWork
from models import Case, Note, Talk, TalkCase, make_engine, make_session_factory
from search_index.documents import SearchDocument


def _line(label: str, head: str, text: str = "") -> str:
    """A details line, "Label: head – text" ("" when there is nothing to say). The labels are
    German and not translated: they are stored in the index, which is German."""
    head, text = " ".join(head.split()), " ".join(text.split())  # plain text, not Markdown
    if not head and not text:
        return ""
    return f"{label}: " + " – ".join(t for t in (head, text) if t)


def case_details(case: Case) -> tuple[str, ...]:
    """A case's texts that are neither its title, names nor body, one labelled line each
    (names already searched elsewhere are repeated only to say what the text is about)."""
    funding = [
        (f.programme, ", ".join(t for t in (f.amount, f.period) if t), f.note) for f in case.funding
    ]
    lines = [
        *(_line("Anderer Name", a.name, a.note) for a in case.aliases if a.note),
        *(_line("Akteur", a.name, a.role) for a in case.actors if a.role),
        _line("Träger", case.carrier_name, case.carrier_legal_form)
        if case.carrier_legal_form
        else "",
        *(_line("Instrument", u.instrument.label, u.note) for u in case.instruments if u.note),
        *(
            _line("Förderung", f"{programme} ({extra})" if extra else programme, note)
            for programme, extra, note in funding
            if extra or note
        ),
        *(
            _line("Auszeichnung", f"{a.name} {a.year}" if a.year else a.name, a.note)
            for a in case.awards
            if a.note
        ),
        _line("Stadtgröße", case.size_class_rationale),
        *(_line("Beleg", s.supports) for s in case.sources),
    ]
    return tuple(line for line in lines if line)


def talk_details(talk: Talk) -> tuple[str, ...]:
    """A talk's speakers' roles and what its sources support, one labelled line each."""
    lines = [
        *(
            _line("Gast", ", ".join(t for t in (sp.name, sp.organisation) if t), sp.role)
            for sp in talk.speakers
            if sp.role
        ),
        *(_line("Beleg", s.supports) for s in talk.sources),
    ]
    return tuple(line for line in lines if line)


def case_document(case: Case, vocabulary: Vocabulary, talks: list[Talk]) -> SearchDocument:
    # The English summary is part of the body, so that its words find the case too.
    body = [
        plain_text(case.summary),
        plain_text(case.summary_en or ""),
        plain_text(case.description),
    ]
    body += [f"{f.programme} {f.funder}".strip() for f in case.funding]
    body += [a.name for a in case.awards]
    body += [k.event for k in case.key_dates]
    body += [case.governance_rationale, case.scale_rationale]
    return SearchDocument(
        kind="case",
        slug=case.slug,
        title=case.name,
        body="\n".join(b for b in body if b),
        aliases=tuple(a.name for a in case.aliases),
        people=tuple(
            [a.name for a in case.actors] + ([case.carrier_name] if case.carrier_name else [])
        ),
        # German, whatever the language of the request whose save writes the document.
        places=(case.city, vocabulary.label("lands", case.land, lang=DEFAULT)),
        instruments=tuple(u.instrument.label for u in case.instruments),
        context="\n".join(t.title for t in talks),
        details=case_details(case),
        date=str(case.start_year or ""),
        governance=(case.governance_type,),
        scale=(case.scale,),
        land=(case.land,),
        size_class=(case.size_class,) if case.size_class else (),
        year=(str(case.start_year),) if case.start_year else (),
    )


class _CaseFacets(TypedDict):
    governance: tuple[str, ...]
    scale: tuple[str, ...]
    land: tuple[str, ...]
    size_class: tuple[str, ...]


def _case_facets(cases: list[Case]) -> _CaseFacets:
    """A talk's or note's facets: the values of the cases presented."""

    def values(attr: str) -> tuple[str, ...]:
        return tuple(sorted({v for c in cases if (v := getattr(c, attr))}))

    return _CaseFacets(
        governance=values("governance_type"),
        scale=values("scale"),
        land=values("land"),
        size_class=values("size_class"),
    )


def talk_document(talk: Talk) -> SearchDocument:
    cases = [p.case for p in talk.presented if p.case.deleted_at is None]
    return SearchDocument(
        kind="talk",
        slug=talk.slug,
        title=talk.title,
        body=plain_text(talk.summary),
        aliases=(talk.announced_as,) if talk.announced_as else (),
        people=tuple(s for sp in talk.speakers for s in (sp.name, sp.organisation) if s),
        places=(talk.venue,) if talk.venue else (),
        context="\n".join([talk.series.title, *(c.name for c in cases)]),
        details=talk_details(talk),
        date=talk.date.isoformat(),
        year=(str(talk.date.year),),
        **_case_facets(cases),
    )


class NoteFields(Protocol):
    """What a note document needs of a note: an ORM row, or a plain row of these columns (a
    rebuild reads notes without building ORM objects, which is a sixth of its time)."""

    slug: str
    title: str
    body: str
    author: str
    created: dt.date | None


def note_document(note: NoteFields, talk: Talk) -> SearchDocument:
    cases = [p.case for p in talk.presented if p.case.deleted_at is None]
    when = note.created or talk.date
    return SearchDocument(
        kind="note",
        slug=note.slug,
        title=note.title,
        body=plain_text(note.body),
        people=(note.author,) if note.author else (),
        context="\n".join([talk.title, *(c.name for c in cases)]),
        parent=talk.slug,
        date=when.isoformat(),
        year=(str(when.year),),
        **_case_facets(cases),
    )


_TALK_LOAD = (
    selectinload(Talk.presented).selectinload(TalkCase.case),
    selectinload(Talk.speakers),
    selectinload(Talk.series),
    selectinload(Talk.sources),
)


def _talks_presenting(uow: UnitOfWork, case_ids: set[int]) -> dict[int, list[Talk]]:
    out: dict[int, list[Talk]] = {cid: [] for cid in case_ids}
    if not case_ids:
        return out
    rows = uow.session.execute(
        select(TalkCase.case_id, Talk)
        .join(Talk, Talk.id == TalkCase.talk_id)
        .where(TalkCase.case_id.in_(case_ids), Talk.deleted_at.is_(None))
        .order_by(Talk.date)
    )
    for case_id, talk in rows:
        out[case_id].append(talk)
    return out


def documents_for(
    uow: UnitOfWork, changes: Iterable[Change], vocabulary: Vocabulary
) -> tuple[list[SearchDocument], list[str]]:
    """The documents to (re)write and the ids to delete after these entities changed."""
    case_ids: set[int] = set()
    talk_ids: set[int] = set()
    note_ids: set[int] = set()
    series_ids: set[int] = set()
    for kind, entity_id in changes:
        {"case": case_ids, "talk": talk_ids, "note": note_ids, "series": series_ids}[kind].add(
            entity_id
        )
    session = uow.session
    # A change spreads: series -> its talks; case -> talks presenting it; talk -> its notes.
    if series_ids:
        talk_ids |= set(session.scalars(select(Talk.id).where(Talk.series_id.in_(series_ids))))
    if case_ids:
        talk_ids |= set(
            session.scalars(select(TalkCase.talk_id).where(TalkCase.case_id.in_(case_ids)))
        )
    if talk_ids:
        note_ids |= set(session.scalars(select(Note.id).where(Note.talk_id.in_(talk_ids))))

    upserts: list[SearchDocument] = []
    deletes: list[str] = []
    cases = (
        session.scalars(select(Case).where(Case.id.in_(case_ids)).options(*CASE_LOAD)).all()
        if case_ids
        else []
    )
    presenting = _talks_presenting(uow, {c.id for c in cases})
    for case in cases:
        if case.deleted_at is None:
            upserts.append(case_document(case, vocabulary, presenting[case.id]))
        else:
            deletes.append(f"case:{case.slug}")
    talks = (
        session.scalars(select(Talk).where(Talk.id.in_(talk_ids)).options(*_TALK_LOAD)).all()
        if talk_ids
        else []
    )
    for talk in talks:
        if talk.deleted_at is None:
            upserts.append(talk_document(talk))
        else:
            deletes.append(f"talk:{talk.slug}")
    notes = (
        session.scalars(
            select(Note)
            .where(Note.id.in_(note_ids))
            .options(selectinload(Note.talk).options(*_TALK_LOAD))
        ).all()
        if note_ids
        else []
    )
    for note in notes:
        if note.deleted_at is None and note.talk.deleted_at is None:
            upserts.append(note_document(note, note.talk))
        else:
            deletes.append(f"note:{note.slug}")
    return upserts, deletes


IdRange = tuple[int, int] | None  # the lowest and highest row id of a table (None: no rows)


@dataclass(frozen=True)
class Shares:
    """How a rebuild splits the catalogue into parts: ranges of row ids, one of `parts` equal
    spans of each table's ids as they were when the rebuild began. The database reads a range
    through the primary key (a modulo of the id read the whole table for every part: 17 scans
    of a million notes at 100,000 cases). Fixed in the rebuilding process, so that every part
    splits alike; rows added later lie above the ranges and reach the index through the
    change log, as every change committed during a rebuild does."""

    cases: IdRange
    talks: IdRange
    notes: IdRange

    @classmethod
    def of(cls, uow: UnitOfWork) -> "Shares":
        def bounds(column: Any) -> IdRange:
            low, high = uow.session.execute(select(func.min(column), func.max(column))).one()
            return None if low is None else (int(low), int(high))

        return cls(bounds(Case.id), bounds(Talk.id), bounds(Note.id))

    @staticmethod
    def condition(column: Any, ids: IdRange, part: int, parts: int) -> Any:
        """The rows of `part` (of `parts`) among ids in the range."""
        if ids is None:
            return false()
        low, high = ids
        span = high - low + 1
        return and_(column >= low + span * part // parts, column < low + span * (part + 1) // parts)


def all_documents(
    uow: UnitOfWork,
    vocabulary: Vocabulary,
    part: int = 0,
    parts: int = 1,
    shares: Shares | None = None,
) -> Iterator[SearchDocument]:
    """Every document of the catalogue, for a full rebuild (streamed in batches); with `parts`,
    only one rebuild part's share (`shares`, by default as the unit of work sees the tables)."""
    session = uow.session
    shares = shares or Shares.of(uow)
    case_share = Shares.condition(Case.id, shares.cases, part, parts)
    presenting = _talks_presenting(uow, set(session.scalars(select(Case.id).where(case_share))))
    cases = (
        select(Case)
        .where(Case.deleted_at.is_(None), case_share)
        .options(*CASE_LOAD)
        .execution_options(yield_per=1000)
    )
    for case in session.scalars(cases):
        yield case_document(case, vocabulary, presenting.get(case.id, []))
    talk_share = Shares.condition(Talk.id, shares.talks, part, parts)
    talks = select(Talk).where(Talk.deleted_at.is_(None), talk_share).options(*_TALK_LOAD)
    for talk in session.scalars(talks):
        yield talk_document(talk)
    talks_by_id = {
        t.id: t
        for t in session.scalars(select(Talk).where(Talk.deleted_at.is_(None)).options(*_TALK_LOAD))
    }
    notes = (
        select(Note.slug, Note.title, Note.body, Note.author, Note.created, Note.talk_id)
        .where(Note.deleted_at.is_(None), Shares.condition(Note.id, shares.notes, part, parts))
        .execution_options(yield_per=2000)
    )
    for note in session.execute(notes):
        if note.talk_id in talks_by_id:  # else the note's talk is deleted
            yield note_document(note, talks_by_id[note.talk_id])


def count_documents(uow: UnitOfWork) -> int:
    """How many documents `all_documents` yields (for a rebuild's progress)."""
    session = uow.session
    live_talks = select(Talk.id).where(Talk.deleted_at.is_(None))
    counts = [
        select(func.count()).select_from(Case).where(Case.deleted_at.is_(None)),
        select(func.count()).select_from(Talk).where(Talk.deleted_at.is_(None)),
        select(func.count())
        .select_from(Note)
        .where(Note.deleted_at.is_(None), Note.talk_id.in_(live_talks)),
    ]
    return sum(session.scalar(query) or 0 for query in counts)


@dataclass(frozen=True)
class CatalogueDocuments:
    """Every document of the catalogue in parts, for a rebuild's worker processes (a
    search_index.store.DocumentSource): picklable, it holds the database's address, the
    vocabulary and the parts' shares, and each call reads its part through an engine of its
    own."""

    database_url: str = field(repr=False)  # may hold a password
    vocabulary: Vocabulary
    shares: Shares

    @classmethod
    def of(cls, uow: UnitOfWork, vocabulary: Vocabulary) -> "CatalogueDocuments":
        """The documents of the database the unit of work reads, split as it sees the tables."""
        url = uow.session.get_bind().engine.url.render_as_string(hide_password=False)
        return cls(url, vocabulary, Shares.of(uow))

    def __call__(self, part: int, parts: int) -> Iterator[SearchDocument]:
        engine = make_engine(self.database_url)
        try:
            with UnitOfWork(make_session_factory(engine)) as uow:
                yield from all_documents(uow, self.vocabulary, part, parts, self.shares)
        finally:
            engine.dispose()
