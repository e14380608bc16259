"""Cases, talks, notes and instruments as plain JSON-ready data: what the API returns and the
catalogue's `.json` download holds. Vocabulary values carry their code and German label (the
data are German whatever the language of the request, like their keys). Each
item's `url` comes from the caller's `url_of` (the web app's routes: kb builds no address)."""

from typing import Any

from kb.catalogue.browsing import CaseRow, CataloguePage
from kb.catalogue.cases import case_state
from kb.catalogue.talks import presented_cases, talk_state
from kb.catalogue.vocabulary import Vocabulary
from kb.markup import render_html
from kb.slugs import UrlOf
from models import Case, Instrument, Note, Talk


def term(vocabulary: Vocabulary, name: str, code: str | None) -> dict[str, str] | None:
    if code is None:
        return None
    return {"code": code, "label": vocabulary.label(name, code)}


def talk_ref(talk: Talk, *, url_of: UrlOf) -> dict[str, Any]:
    return {
        "slug": talk.slug,
        "title": talk.title,
        "date": talk.date.isoformat(),
        "url": url_of("talk", talk.slug),
    }


def case_row_json(
    row: CaseRow, vocabulary: Vocabulary, summary: str | None = None, *, url_of: UrlOf
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": row.slug,
        "name": row.name,
        "url": url_of("case", row.slug),
        "city": row.city,
        "land": term(vocabulary, "lands", row.land),
        "governance": term(vocabulary, "governance_types", row.governance),
        "scale": term(vocabulary, "scales", row.scale),
        "size_class": term(vocabulary, "size_classes", row.size_class),
        "start_year": row.start_year,
        "status": term(vocabulary, "statuses", row.status),
        "instruments": [term(vocabulary, "instruments", i) for i in row.instruments],
        "talks": list(row.talks),
    }
    if summary is not None:
        data["summary"] = summary
    return data


def catalogue_json(
    page: CataloguePage, vocabulary: Vocabulary, *, url_of: UrlOf, all_rows: bool = False
) -> dict[str, Any]:
    """A catalogue page (or, with `all_rows`, the whole filtered set) with its facet counts."""
    rows = page.matching if all_rows else page.rows
    return {
        "total": page.total,
        "page": None if all_rows else page.query.page,
        "per_page": None if all_rows else page.query.per_page,
        "sort": page.query.sort,
        "filters": {f: list(v) for f, v in page.query.filters.items()},
        "facets": page.facets,
        "cases": [
            case_row_json(r, vocabulary, page.summaries.get(r.slug), url_of=url_of) for r in rows
        ],
    }


def note_json(note: Note, *, url_of: UrlOf) -> dict[str, Any]:
    return {
        "slug": note.slug,
        "title": note.title,
        "author": note.author,
        "created": note.created.isoformat() if note.created else None,
        "talk": talk_ref(note.talk, url_of=url_of),
        "url": url_of("note", note.talk.slug, note.slug),
        "body": note.body,
        "html": render_html(note.body),
    }


def case_json(
    case: Case, vocabulary: Vocabulary, talks: list[Talk], notes: list[Note], *, url_of: UrlOf
) -> dict[str, Any]:
    """A case in full: its canonical state, with labels for vocabulary values, its talks and
    the notes about it."""
    state = case_state(case)
    return {
        **state,
        "url": url_of("case", case.slug),
        "labels": {
            "land": vocabulary.label("lands", case.land),
            "governance": vocabulary.label("governance_types", case.governance_type),
            "scale": vocabulary.label("scales", case.scale),
            "size_class": vocabulary.label("size_classes", case.size_class),
            "status": vocabulary.label("statuses", case.status),
            "instruments": {u.instrument.slug: u.instrument.label for u in case.instruments},
            "actor_kinds": {a.kind: vocabulary.label("actor_kinds", a.kind) for a in case.actors},
        },
        "version": case.version,
        "updated_at": case.updated_at.isoformat(),
        "talks": [talk_ref(t, url_of=url_of) for t in talks],
        "notes": [note_json(n, url_of=url_of) for n in notes],
    }


def talk_json(
    talk: Talk, vocabulary: Vocabulary, notes: list[Note] | None = None, *, url_of: UrlOf
) -> dict[str, Any]:
    data = {
        **talk_state(talk),
        "url": url_of("talk", talk.slug),
        "format_label": vocabulary.label("talk_formats", talk.format),
        "series_title": talk.series.title,
        "case_refs": [
            {"slug": c.slug, "name": c.name, "url": url_of("case", c.slug)}
            for c in presented_cases(talk)
        ],
    }
    if notes is not None:
        data["notes"] = [note_json(n, url_of=url_of) for n in notes]
    return data


def instrument_json(instrument: Instrument, case_count: int, *, url_of: UrlOf) -> dict[str, Any]:
    return {
        "slug": instrument.slug,
        "label": instrument.label,
        "definition": instrument.definition,
        "url": url_of("instrument", instrument.slug),
        "case_count": case_count,
    }
