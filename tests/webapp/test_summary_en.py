"""A case's optional English summary: written in the edit form, shown on the English case page
(in English, with the German summary kept beside it and marked), never on the German page, kept
in the history and found by its English words."""

import re

from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue.cases import find_case
from kb.revisions import list_revisions
from kb.runtime import Runtime
from tests.webapp.helpers import csrf_token, editor, form_of, new_case_form

SLUG = "quartiersrat-groepelingen"
ENGLISH = "A neighbourhood council where administration and initiatives decide together."
GERMAN = "Ein Quartiersrat, in dem Verwaltung und Initiativen zusammen entscheiden."


def _create(app: Flask, **changes: str) -> None:
    client = editor(app)
    token = csrf_token(client, "/cases/new")
    data = {**new_case_form(**changes), "csrf_token": token}
    assert client.post("/cases/new", data=data).status_code == 302


def test_the_english_summary_is_saved_shown_in_english_and_kept_in_the_history(
    editors_app: Flask, seeded: Runtime
) -> None:
    _create(editors_app, summary_en=f"  {ENGLISH}  ")
    with seeded.uow() as uow:
        case = find_case(uow, SLUG)
        assert case is not None and case.summary_en == ENGLISH
        [revision] = list_revisions(uow, "case", case.id)
        assert revision.state["summary_en"] == ENGLISH
    client = editors_app.test_client()
    english = client.get(f"/en/cases/{SLUG}").text
    assert f'<div class="prose" lang="en"><p>{ENGLISH}</p>' in english
    assert f'<div class="prose" lang="de"><p>{GERMAN}</p>' in english
    assert english.index(ENGLISH) < english.index(GERMAN)
    # The German summary follows, introduced as written, in German.
    assert 'class="content-language"' in english.split(ENGLISH, 1)[1].split(GERMAN, 1)[0]
    assert f'<meta name="description" content="{ENGLISH}">' in english
    german = client.get(f"/cases/{SLUG}").text
    assert ENGLISH not in german
    assert f'<div class="prose"><p>{GERMAN}</p>' in german
    history = client.get(f"/cases/{SLUG}/history").text
    assert "Kurzfassung (englisch)" in history and ENGLISH in history


def test_an_empty_english_summary_is_none_and_the_page_shows_the_german_one(
    editors_app: Flask, seeded: Runtime
) -> None:
    _create(editors_app, summary_en="   ")
    with seeded.uow() as uow:
        case = find_case(uow, SLUG)
        assert case is not None and case.summary_en is None
    english = editors_app.test_client().get(f"/en/cases/{SLUG}").text
    assert 'lang="en"><p>' not in english
    assert f'<div class="prose" lang="de"><p>{GERMAN}</p>' in english


def test_the_edit_form_offers_the_english_summary_after_the_german_one(
    editors_app: Flask,
) -> None:
    _create(editors_app, summary_en=ENGLISH)
    client = editor(editors_app)
    form = form_of(client, f"/cases/{SLUG}/edit")
    assert form["summary_en"] == ENGLISH
    page = client.get(f"/cases/{SLUG}/edit").text
    order = [page.index(f'id="f-{name}"') for name in ("summary", "summary_en", "description")]
    assert order == sorted(order)


def test_the_english_summary_finds_the_case(editors_app: Flask) -> None:
    _create(editors_app, summary_en="A council deciding on neighbourhood matters.")
    found = editors_app.test_client().get("/api/search?q=council").json
    assert found is not None
    assert SLUG in [h["slug"] for h in found["hits"]]


def test_the_series_cases_of_the_seed_show_their_english_summary(web: FlaskClient) -> None:
    english = web.get("/en/cases/stadtmensch-altenburg").text
    assert '<div class="prose" lang="en"><p>STADTMENSCH is a joint initiative' in english
    assert '<div class="prose" lang="de"><p>STADTMENSCH ist eine' in english
    assert "STADTMENSCH is a joint" not in web.get("/cases/stadtmensch-altenburg").text


def test_the_english_catalogue_lists_the_english_summary_where_there_is_one(
    web: FlaskClient,
) -> None:
    english = web.get("/en/cases?land=thueringen").text
    assert "<p>STADTMENSCH is a joint initiative" in english
    # A case without an English summary keeps its German one, marked.
    assert re.search(r'<p lang="de">[^<]{20,}</p>', web.get("/en/cases").text)
    german = web.get("/cases?land=thueringen").text
    assert "STADTMENSCH is a joint" not in german
    assert "<p>STADTMENSCH ist eine" in german
