"""Pages keep what they derive from the catalogue (the counts, the talk timeline and its HTML,
the similar cases) until the catalogue changes (kb.watermark): never stale, also after a change
made by another process on the same database, and without the per-request work they replace."""

import os
import re
import subprocess
import sys
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from kb.catalogue.schemas import NoteIn
from kb.editorial.notes import save_note
from kb.runtime import Runtime
from models import Case, Note
from search_index.documents import IndexUnavailable
from tests.helpers import statements
from tests.webapp.helpers import Page
from tests.webapp.test_links import MOVED, move_routes

CASE = "freiraumbuero-halle"
TALK = "talk-2-freiraumbuero-halle"  # presents CASE (and no other case)

# A second process on the same database (an editor's server, the CLI): renames CASE, makes it
# bottom-up (it is top-down) and adds a note to its talk.
OTHER_PROCESS = f"""
from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn, NoteIn
from kb.config import Settings
from kb.editorial.notes import save_note
from kb.runtime import Runtime

runtime = Runtime.from_settings(Settings.from_env())
with runtime.uow() as uow:
    state = case_state(get_case(uow, "{CASE}"))
    state["name"] = "Freiraumbüro Halle (Saale)"
    state["governance"]["type"] = "bottom-up"
    data = CaseIn.model_validate(state, context={{"vocabulary": runtime.vocabulary}})
    save_case(uow, data, runtime.vocabulary, actor="anderer-prozess")
    note = NoteIn(slug="aus-dem-anderen-prozess", talk="{TALK}", title="Nachtrag", body="Neu.")
    save_note(uow, note, actor="anderer-prozess")
    uow.commit()
runtime.close()
"""


def _governance_count(html: str, code: str) -> int:
    found = re.search(
        rf'href="/cases\?governance={code}">[^<]+</a> <span class="count">(\d+) ', html
    )
    assert found, code
    return int(found[1])


def _note_count(html: str) -> int:
    found = re.search(r"<strong>(\d+)</strong> Notiz(?:en)?\b", html)  # 1 Notiz, 2 Notizen
    assert found
    return int(found[1])


def test_pages_show_at_once_what_another_process_changed(
    app: Flask, seeded: Runtime, cli_env: dict[str, str]
) -> None:
    web = app.test_client()
    pages = ["/", "/talks", f"/cases/{CASE}", "/cases?governance=bottom-up"]
    before = {url: web.get(url).text for url in pages}
    for url in pages:  # the second request of each is served from the caches
        assert web.get(url).text == before[url]
    assert "Freiraumbüro Halle (Saale)" not in before["/"]

    subprocess.run([sys.executable, "-c", OTHER_PROCESS], env={**os.environ, **cli_env}, check=True)

    start = web.get("/").text
    assert Page(start).link_to("Freiraumbüro Halle (Saale)") == f"/cases/{CASE}"
    assert _note_count(start) == _note_count(before["/"]) + 1
    assert _governance_count(start, "bottom-up") == _governance_count(before["/"], "bottom-up") + 1
    assert _governance_count(start, "top-down") == _governance_count(before["/"], "top-down") - 1
    with seeded.uow() as uow:
        bottom_up = uow.session.scalar(
            select(func.count()).select_from(Case).where(Case.governance_type == "bottom-up")
        )
    assert _governance_count(start, "bottom-up") == bottom_up
    assert Page(web.get("/talks").text).link_to("Freiraumbüro Halle (Saale)") == f"/cases/{CASE}"
    case_page = web.get(f"/cases/{CASE}").text
    assert "Freiraumbüro Halle (Saale)" in case_page and "Nachtrag" in case_page
    catalogue = web.get("/cases?governance=bottom-up").text
    # In the list of cases (the typology matrix above it names cases of every type).
    row = f'<h3><a href="/cases/{CASE}">'
    assert row in catalogue and row not in before[pages[3]]


def test_start_and_talk_pages_read_only_the_stamp_and_the_newest_notes(
    app: Flask, seeded: Runtime
) -> None:
    web = app.test_client()
    for url in ("/", "/talks"):
        web.get(url)  # fills the caches
    engine = app.extensions["kb"].engine
    with statements(engine) as start:
        assert web.get("/").status_code == 200
    with statements(engine) as talks:
        assert web.get("/talks").status_code == 200
    # The catalogue's stamp (one statement) and the five newest notes with their talks. Before
    # the caches, the start page sent 15 statements: the case table's mark twice, summaries for
    # a page of cases it does not show, every talk with speakers, sources and full case rows.
    assert len(start) == 2, start
    assert "note" in start[1]
    assert len(talks) == 1, talks


def test_similar_cases_are_asked_of_the_index_once_per_catalogue_state(
    app: Flask, seeded: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = app.extensions["kb"].search_index
    similar = service.engine.similar
    calls: list[str] = []

    def counting(doc_id: str, kind: str, limit: int) -> Any:
        calls.append(doc_id)
        return similar(doc_id, kind, limit)

    monkeypatch.setattr(service.engine, "similar", counting)
    web = app.test_client()
    first = web.get(f"/cases/{CASE}").text
    assert web.get(f"/cases/{CASE}").text == first
    assert calls == [f"case:{CASE}"]

    with seeded.uow() as uow:
        save_note(uow, NoteIn(slug="neu", talk=TALK, title="Neu", body="Text."), actor="test")
        uow.commit()
    assert seeded.flush_index()  # the index has the change: answers may be kept again
    web.get(f"/cases/{CASE}")
    web.get(f"/cases/{CASE}")
    assert calls == [f"case:{CASE}"] * 2


def test_an_index_that_cannot_answer_is_asked_again_next_time(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = app.extensions["kb"].search_index
    similar = service.engine.similar

    def unavailable(doc_id: str, kind: str, limit: int) -> Any:
        raise IndexUnavailable("missing", "deleted for the test")

    monkeypatch.setattr(service.repair, "start", lambda: True)  # no rebuild in this test
    monkeypatch.setattr(service.engine, "similar", unavailable)
    web = app.test_client()
    assert "Keine ähnlichen Fälle gefunden" in web.get(f"/cases/{CASE}").text
    monkeypatch.setattr(service.engine, "similar", similar)
    assert "Keine ähnlichen Fälle gefunden" not in web.get(f"/cases/{CASE}").text


def test_case_page_reads_only_the_notes_it_shows(app: Flask, seeded: Runtime) -> None:
    with seeded.uow() as uow:
        for n in range(12):
            note = NoteIn(slug=f"notiz-{n:02}", talk=TALK, title=f"Notiz {n:02}", body="Text.")
            save_note(uow, note, actor="test")
        uow.commit()
    assert seeded.flush_index()  # its indexer, which reads every new note, is done
    loaded: list[str] = []

    def on_load(target: Note, context: Any) -> None:
        loaded.append(target.slug)

    event.listen(Note, "load", on_load)
    try:
        html = app.test_client().get(f"/cases/{CASE}").text
    finally:
        event.remove(Note, "load", on_load)
    assert "Die 10 neuesten von 12 Notizen" in html
    shown = re.findall(r'<article class="note" id="notiz-(notiz-\d+)"', html)
    assert shown == [f"notiz-{n:02}" for n in range(11, 1, -1)]  # newest first
    assert sorted(loaded) == sorted(shown)


def test_the_kept_timeline_follows_the_routes(app: Flask) -> None:
    web = app.test_client()
    assert f'href="/cases/{CASE}"' in web.get("/").text
    move_routes(app, MOVED)  # the catalogue is unchanged: only the addresses of its pages
    start = web.get("/").text
    assert f'href="/faelle/{CASE}"' in start and f'href="/cases/{CASE}"' not in start
    assert f'href="/gespraeche/{TALK}"' in start
