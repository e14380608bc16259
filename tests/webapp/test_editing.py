"""Editors create and edit cases, talks and series through forms validated by kb (like the YAML
import): nested rows, errors next to their fields with the input kept, "Weitere Zeilen",
revisions with actor and reason, optimistic locking with both versions shown, and no write
without login or CSRF token."""

import pytest
from flask import Flask

from kb.catalogue.cases import find_case
from kb.catalogue.talks import find_series, find_talk, talk_state
from kb.revisions import list_revisions
from kb.runtime import Runtime
from tests.webapp.helpers import (
    FormFields,
    csrf_token,
    editor,
    field_error,
    form_of,
    new_case_form,
    revisions,
)


@pytest.fixture
def app(editors_app: Flask) -> Flask:
    """The seeded app with the editors anna and bert and the admin root."""
    return editors_app


CASE = "alte-feuerwache-weimar"
TALK = "jam-governance-des-stadtmachens-2022"
SERIES = "governance-des-stadtmachens-2022"


def test_create_a_case_see_it_and_find_it(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    token = csrf_token(client, "/cases/new")
    response = client.post("/cases/new", data={**new_case_form(), "csrf_token": token})
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/cases/quartiersrat-groepelingen"
    page = client.get("/cases/quartiersrat-groepelingen").text
    assert "Gespeichert." in page and "Quartiersrat Gröpelingen" in page
    assert "Kulturhaus Pusdorf e.V." in page and "<strong>Quartiersrat</strong>" in page
    with seeded.uow() as uow:
        case = find_case(uow, "quartiersrat-groepelingen")
        assert case is not None
        assert [a.name for a in case.actors] == ["Ortsamt West", "Kulturhaus Pusdorf e.V."]
        assert case.actors[0].role == "lädt ein\nund moderiert"
        assert case.population == 570000 and case.key_dates[0].date == "2019-05"
        [revision] = list_revisions(uow, "case", case.id)
        assert revision.actor == "anna" and revision.action == "create"
    found = client.get("/api/search?q=Quartiersrat Gröpelingen").json
    assert found is not None
    assert [h["slug"] for h in found["hits"]][:1] == ["quartiersrat-groepelingen"]


def test_edit_a_case_makes_a_revision_with_actor_and_reason(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    form = form_of(client, f"/cases/{CASE}/edit")
    assert form["governance-type"] == "bottom-up" and form["version"] == "1"
    assert form["slug"] == CASE  # shown, read-only
    response = client.post(
        f"/cases/{CASE}/edit",
        data={**form, "governance-type": "cross-over", "reason": "Stadt ist Mitträgerin"},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{CASE}"
    assert "Gespeichert." in client.get(f"/cases/{CASE}").text
    with seeded.uow() as uow:
        case = find_case(uow, CASE)
        assert case is not None and case.governance_type == "cross-over" and case.version == 2
        latest = list_revisions(uow, "case", case.id)[-1]
        assert (latest.actor, latest.reason, latest.action) == (
            "anna",
            "Stadt ist Mitträgerin",
            "update",
        )
        assert latest.user_id is not None
        assert latest.state["governance"]["type"] == "cross-over"
        assert latest.state["actors"] == list_revisions(uow, "case", case.id)[0].state["actors"]
    # Saving the unchanged form again writes nothing.
    before = revisions(seeded)
    again = client.post(f"/cases/{CASE}/edit", data=form_of(client, f"/cases/{CASE}/edit"))
    assert again.status_code == 302 and "Keine Änderungen." in client.get(f"/cases/{CASE}").text
    assert revisions(seeded) == before


def test_errors_are_shown_next_to_their_fields_and_keep_the_input(
    app: Flask, seeded: Runtime
) -> None:
    client = editor(app)
    before = revisions(seeded)
    long_text = "x" * 200_001
    data = new_case_form(
        name="",
        land="mars",
        start_year="19x9",
        description=long_text,
        **{"actors-0-name": "", "actors-0-kind": "", "actors-0-role": ""},  # row 2 -> row 0
        **{"actors-2-kind": "alien", "key_dates-0-date": "Mai 2019"},
    )
    response = client.post(
        "/cases/new", data={**data, "csrf_token": csrf_token(client, "/cases/new")}
    )
    assert response.status_code == 400
    html = response.text
    assert field_error(html, "name") == "darf nicht leer sein"
    assert field_error(html, "land").startswith("unbekannter Wert &#39;mars&#39;")
    assert field_error(html, "start_year") == "muss eine ganze Zahl sein"
    assert field_error(html, "description") == "ist zu lang (höchstens 200.000 Zeichen)"
    assert field_error(html, "actors-0-kind").startswith("unbekannter Wert &#39;alien&#39;")
    assert field_error(html, "key_dates-0-date") == "muss JJJJ, JJJJ-MM oder JJJJ-MM-TT sein"
    # The summary at the top links to each field.
    for name in ("name", "land", "start_year", "description", "actors-0-kind"):
        assert f'href="#f-{name}"' in html and f'id="f-{name}"' in html
    assert 'role="alert"' in html and "Akteur 1 – Art" in html
    # Everything typed is still there, the unknown values too.
    kept = FormFields(html).data
    assert kept["land"] == "mars" and kept["start_year"] == "19x9"
    assert kept["actors-0-name"] == "Kulturhaus Pusdorf e.V." and kept["actors-0-kind"] == "alien"
    assert kept["actors-0-role"] == ""
    assert kept["city"] == "Bremen" and kept["key_dates-0-date"] == "Mai 2019"
    assert kept["governance-rationale"] == data["governance-rationale"]
    assert kept["description"] == long_text
    assert kept["actors-2-name"] == ""  # two empty rows offered below the filled one
    assert revisions(seeded) == before


def test_more_rows_adds_rows_and_saves_nothing(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    form = form_of(client, f"/cases/{CASE}/edit")
    actors = sum(1 for k in form if k.startswith("actors-") and k.endswith("-name"))
    sources = sum(1 for k in form if k.startswith("sources-") and k.endswith("-url"))
    before = revisions(seeded)
    response = client.post(
        f"/cases/{CASE}/edit", data={**form, "name": "Neuer Name, ungespeichert", "more": "actors"}
    )
    assert response.status_code == 200
    shown = FormFields(response.text).data
    assert sum(1 for k in shown if k.startswith("actors-") and k.endswith("-name")) == actors + 3
    assert sum(1 for k in shown if k.startswith("sources-") and k.endswith("-url")) == sources
    assert shown["name"] == "Neuer Name, ungespeichert" and shown["version"] == "1"
    assert revisions(seeded) == before
    with seeded.uow() as uow:
        case = find_case(uow, CASE)
        assert case is not None and case.name.startswith("Alte Feuerwache")


WRITE_URLS = [
    "/cases/new",
    f"/cases/{CASE}/edit",
    "/talks/new",
    f"/talks/{TALK}/edit",
    "/series/new",
    f"/series/{SERIES}/edit",
]


@pytest.mark.parametrize("url", WRITE_URLS)
def test_anonymous_writes_go_to_the_login_and_change_nothing(
    app: Flask, seeded: Runtime, url: str
) -> None:
    client = app.test_client()
    before = revisions(seeded)
    shown = client.get(url)
    assert shown.status_code == 302 and shown.headers["Location"].startswith("/login?next=")
    token = csrf_token(client, "/login")
    sent = client.post(url, data={**new_case_form(), "title": "X", "csrf_token": token})
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/login?next=")
    assert revisions(seeded) == before


def test_a_post_without_csrf_token_is_refused(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    form = form_of(client, f"/cases/{CASE}/edit")
    del form["csrf_token"]
    before = revisions(seeded)
    response = client.post(f"/cases/{CASE}/edit", data={**form, "governance-type": "top-down"})
    assert response.status_code == 400
    assert revisions(seeded) == before
    new = client.post("/cases/new", data=new_case_form())
    assert new.status_code == 400 and revisions(seeded) == before


def test_editor_links_only_for_editors(app: Flask) -> None:
    anonymous = app.test_client()
    assert "Bearbeiten" not in anonymous.get(f"/cases/{CASE}").text
    assert "Neues Gespräch" not in anonymous.get("/talks").text
    client = editor(app)
    assert f'href="/cases/{CASE}/edit"' in client.get(f"/cases/{CASE}").text
    assert f'href="/talks/{TALK}/edit"' in client.get(f"/talks/{TALK}").text
    talks = client.get("/talks").text
    assert 'href="/talks/new"' in talks and 'href="/series/new"' in talks
    assert f'href="/talks/new?series={SERIES}"' in talks
    assert 'href="/cases/new"' in client.get("/cases").text


def test_two_editors_the_second_gets_a_conflict_and_nothing_is_lost(
    app: Flask, seeded: Runtime
) -> None:
    anna, bert = editor(app, "anna"), editor(app, "bert")
    url = f"/cases/{CASE}/edit"
    form_a, form_b = form_of(anna, url), form_of(bert, url)
    assert anna.post(url, data={**form_a, "governance-type": "cross-over"}).status_code == 302
    mine = "Bert meint: ein einzelnes Gebäude."
    response = bert.post(url, data={**form_b, "scale-rationale": mine})
    assert response.status_code == 409
    html = response.text
    assert "Inzwischen gespeicherte Fassung" in html
    assert '<th scope="row">Governance-Typ</th><td class="pre-wrap">Cross-over</td>' in html
    assert '<td class="pre-wrap">Bottom-up</td>' in html  # what Bert's form still says
    assert "Governance-Typ" in html.split("Unterschiedlich:", 1)[1].split("</p>", 1)[0]
    kept = FormFields(html).data
    assert kept["scale-rationale"] == mine and kept["version"] == "2"
    with seeded.uow() as uow:
        case = find_case(uow, CASE)
        assert case is not None and case.governance_type == "cross-over"
        assert case.scale_rationale != mine and case.version == 2
    # Bert takes Anna's change over and saves on top of the new version.
    again = bert.post(url, data={**kept, "governance-type": "cross-over"})
    assert again.status_code == 302
    with seeded.uow() as uow:
        case = find_case(uow, CASE)
        assert case is not None and case.governance_type == "cross-over"
        assert case.scale_rationale == mine and case.version == 3


def test_a_new_series_and_a_talk_in_it_presenting_a_case(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    token = csrf_token(client, "/series/new")
    created = client.post(
        "/series/new",
        data={
            "title": "Stadtmacher-Gespräche 2024",
            "organiser": "vhw",
            "year": "2024",
            "questions-0": "Was lernt die Verwaltung?",
            "questions-1": "",
            "questions-2": "Was lernt die Initiative?",
            "csrf_token": token,
        },
    )
    slug = "stadtmacher-gespraeche-2024"
    # To the new series' page, which offers editors its first talk.
    assert created.status_code == 302 and created.headers["Location"] == f"/series/{slug}"
    shown = client.get(f"/series/{slug}").text
    assert "Stadtmacher-Gespräche 2024" in shown and "Gespeichert." in shown
    assert f'href="/talks/new?series={slug}"' in shown
    listed = client.get("/talks").text  # no talks yet: offered to editors for a first one
    assert f'href="/talks/new?series={slug}"' in listed
    with seeded.uow() as uow:
        series = find_series(uow, slug)
        assert series is not None and series.year == 2024
        assert list(series.questions) == ["Was lernt die Verwaltung?", "Was lernt die Initiative?"]

    form = form_of(client, f"/talks/new?series={slug}")
    assert form["series"] == slug and form["format"] == "talk"
    response = client.post(
        f"/talks/new?series={slug}",
        data={
            **form,
            "title": "Feuerwache revisited",
            "number": "1",
            "date": "2024-03-07",
            "start_time": "17:00",
            "cases-0": CASE,
            "speakers-0-name": "Maria Muster",
            "speakers-0-side": "civil-society",
            "speakers-0-organisation": "Alte Feuerwache",
            "summary": "Ein **Wiedersehen**.",
        },
    )
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == "/talks/feuerwache-revisited"
    page = client.get("/talks/feuerwache-revisited").text
    assert f'href="/cases/{CASE}"' in page and "Maria Muster" in page
    assert "Feuerwache revisited" in client.get(f"/cases/{CASE}").text
    assert "Stadtmacher-Gespräche 2024" in client.get("/talks").text
    # The series form edits it; a bad year comes back next to its field.
    edit = form_of(client, f"/series/{slug}/edit")
    assert edit["questions-1"] == "Was lernt die Initiative?"
    bad = client.post(f"/series/{slug}/edit", data={**edit, "year": "1200"})
    assert bad.status_code == 400 and field_error(bad.text, "year") == "muss mindestens 1800 sein"


def test_a_talk_with_an_unknown_case_is_refused_next_to_the_field(app: Flask) -> None:
    client = editor(app)
    form = form_of(client, f"/talks/{TALK}/edit")
    response = client.post(f"/talks/{TALK}/edit", data={**form, "cases-0": "gibt-es-nicht"})
    assert response.status_code == 400
    assert field_error(response.text, "cases-0") == "unbekannter Fall &#39;gibt-es-nicht&#39;"


def test_edit_the_speakers_of_a_talk(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    url = f"/talks/{TALK}/edit"
    form = form_of(client, url)
    with seeded.uow() as uow:
        talk = find_talk(uow, TALK)
        assert talk is not None
        speakers = talk_state(talk)["speakers"]
    count = len(speakers)
    assert form[f"speakers-{count - 1}-name"] == speakers[-1]["name"]
    assert form[f"speakers-{count}-name"] == ""  # an empty row to add one
    changed = {
        **form,
        "speakers-0-name": "Christoph Vogt (SEGA)",
        # The second speaker is removed by emptying the row.
        **{f"speakers-1-{k}": "" for k in ("name", "side", "organisation", "role")},
        f"speakers-{count}-name": "Neue Moderatorin",
        f"speakers-{count}-side": "other",
    }
    assert client.post(url, data=changed).status_code == 302
    with seeded.uow() as uow:
        talk = find_talk(uow, TALK)
        assert talk is not None
        now = talk_state(talk)["speakers"]
        assert [s["name"] for s in now] == [
            "Christoph Vogt (SEGA)",
            *[s["name"] for s in speakers[2:]],
            "Neue Moderatorin",
        ]
        assert now[-1]["side"] == "other" and now[0]["side"] == speakers[0]["side"]
        assert list_revisions(uow, "talk", talk.id)[-1].actor == "anna"


def test_a_taken_slug_is_refused(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    before = revisions(seeded)
    token = csrf_token(client, "/cases/new")
    response = client.post("/cases/new", data={**new_case_form(slug=CASE), "csrf_token": token})
    assert response.status_code == 400
    assert field_error(response.text, "slug").startswith("dieses Kürzel ist schon vergeben")
    assert revisions(seeded) == before


@pytest.mark.parametrize(
    "url", [f"/cases/{CASE}/edit", f"/talks/{TALK}/edit", f"/series/{SERIES}/edit"]
)
def test_the_form_round_trips_every_field(app: Flask, seeded: Runtime, url: str) -> None:
    """An edit form saved as loaded changes nothing: no field is lost or altered on its way
    through the form."""
    client = editor(app)
    before = revisions(seeded)
    response = client.post(url, data=form_of(client, url))
    assert response.status_code == 302
    assert "Keine Änderungen." in client.get(response.headers["Location"]).text
    assert revisions(seeded) == before
