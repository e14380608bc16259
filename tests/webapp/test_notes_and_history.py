"""Editors write notes after a talk (template, preview, errors that keep the input, conflicts),
every change is a revision with a readable diff, old versions can be restored, deleting is soft
and an admin undoes it; anonymous writes go to the login and change nothing."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.editorial.notes import find_note
from kb.runtime import Runtime
from tests.webapp.helpers import csrf_token, editor, revisions

TALK = "talk-3-altstadtquartier-buechel-aachen"


@pytest.fixture
def app(editors_app: Flask) -> Flask:
    """The seeded app with the editors anna and bert and the admin root."""
    return editors_app


def add_note(client: FlaskClient, title: str, body: str, **extra: str) -> object:
    url = f"/talks/{TALK}/notes/new"
    data = {
        "title": title,
        "body": body,
        "created": "2022-04-14",
        "csrf_token": csrf_token(client, url),
    }
    return client.post(url, data={**data, **extra})


def test_the_form_starts_from_the_series_questions(app: Flask) -> None:
    page = editor(app).get(f"/talks/{TALK}/notes/new").text
    assert (
        "## Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune?" in page
    )
    assert "## Welche Lernprozesse sind in Verwaltung und Politik zu beobachten?" in page
    assert "## Was hat die Initiative selbst dabei gelernt?" in page
    assert "## Weitere Beobachtungen" in page


def test_add_a_note_see_it_and_find_it(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    body = "## Was lernt die Verwaltung?\n\nDie SEGA lernt das **Zuhören** (Quartiersrunde)."
    response = add_note(client, "Notiz zum Büchel", body)
    assert response.status_code == 302  # type: ignore[attr-defined]
    location = response.headers["Location"]  # type: ignore[attr-defined]
    assert location.startswith(f"/talks/{TALK}#notiz-")
    page = client.get(f"/talks/{TALK}").text
    assert "<strong>Zuhören</strong>" in page and "Anna Beispiel" in page
    found = client.get("/api/search?q=Quartiersrunde").json
    assert found is not None and found["hits"][0]["url"] == location
    assert "Notiz zum Büchel" in client.get("/").text  # latest notes


def test_preview_renders_and_saves_nothing(app: Flask, seeded: Runtime) -> None:
    before = revisions(seeded)
    response = add_note(editor(app), "Vorschau", "Text mit *Betonung*", preview="1")
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert "<em>Betonung</em>" in html and "Text mit *Betonung*" in html
    assert revisions(seeded) == before


def test_errors_are_shown_next_to_the_field_and_keep_the_input(app: Flask, seeded: Runtime) -> None:
    before = revisions(seeded)
    response = add_note(editor(app), "", "Mein langer Text, der nicht verloren gehen darf.")
    assert response.status_code == 400  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert 'id="note-title-error"' in html and 'aria-invalid="true"' in html
    assert "Mein langer Text, der nicht verloren gehen darf." in html
    too_big = add_note(editor(app), "Groß", "x" * 200_001)
    assert too_big.status_code == 400  # type: ignore[attr-defined]
    assert "höchstens 200000 Zeichen" in too_big.text.replace(".", "")  # type: ignore[attr-defined]
    assert revisions(seeded) == before


def test_edit_with_history_diff_and_restore(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    add_note(client, "Erste Fassung", "Alter Text")
    with seeded.uow() as uow:
        slug = next(n.slug for n in [find_note(uow, f"{TALK}-erste-fassung")] if n)
    url = f"/notes/{slug}/edit"
    form = client.get(url).text
    version = re.search(r'name="version" value="(\d+)"', form)
    assert version and "Alter Text" in form
    data = {
        "title": "Zweite Fassung",
        "body": "Neuer Text",
        "created": "2022-04-14",
        "reason": "präzisiert",
        "version": version[1],
        "csrf_token": csrf_token(client, url),
    }
    assert client.post(url, data=data).status_code == 302
    history = client.get(f"/notes/{slug}/history").text
    assert "Fassung 2: geändert" in history and "präzisiert" in history
    assert "<strong>Titel:</strong> <del>Erste Fassung</del> → <ins>Zweite Fassung</ins>" in history
    assert "<strong>Text:</strong> <del>Alter Text</del> → <ins>Neuer Text</ins>" in history
    restore = client.post(
        f"/notes/{slug}/history/1/restore", data={"csrf_token": csrf_token(client, url)}
    )
    assert restore.status_code == 302
    assert "Alter Text" in client.get(f"/talks/{TALK}").text
    assert (
        "Fassung 3: ältere Fassung wiederhergestellt" in client.get(f"/notes/{slug}/history").text
    )
    old = client.get(f"/notes/{slug}/history/2").text
    assert "Zweite Fassung" in old


def test_outdated_save_gets_a_conflict_and_both_versions_survive(
    app: Flask, seeded: Runtime
) -> None:
    anna, bert = editor(app, "anna"), editor(app, "bert")
    add_note(anna, "Gemeinsam", "Ursprung")
    slug = f"{TALK}-gemeinsam"
    url = f"/notes/{slug}/edit"
    forms = {c: c.get(url).text for c in (anna, bert)}

    def save(client: FlaskClient, body: str) -> object:
        version = re.search(r'name="version" value="(\d+)"', forms[client])
        assert version
        data = {
            "title": "Gemeinsam",
            "body": body,
            "version": version[1],
            "csrf_token": csrf_token(client, url),
        }
        return client.post(url, data=data)

    assert save(anna, "Annas Fassung").status_code == 302  # type: ignore[attr-defined]
    conflict = save(bert, "Berts Fassung")
    assert conflict.status_code == 409  # type: ignore[attr-defined]
    html = conflict.text  # type: ignore[attr-defined]
    assert "Inzwischen gespeicherte Fassung" in html
    assert "Annas Fassung" in html and "Berts Fassung" in html  # both versions shown
    with seeded.uow() as uow:
        note = find_note(uow, slug)
        assert note is not None and note.body == "Annas Fassung"


def test_delete_is_soft_and_an_admin_restores_it(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    add_note(client, "Wird gelöscht", "Kurz")
    slug = f"{TALK}-wird-geloescht"
    token = csrf_token(client, f"/notes/{slug}/history")
    assert client.post(f"/notes/{slug}/delete", data={"csrf_token": token}).status_code == 302
    assert f'id="notiz-{slug}"' not in client.get(f"/talks/{TALK}").text
    assert "gelöscht" in client.get(f"/notes/{slug}/history").text
    assert client.get("/admin/deleted").status_code == 403  # editors cannot undelete
    admin = editor(app, "root")
    listing = admin.get("/admin/deleted").text
    assert "Wird gelöscht" in listing
    token = csrf_token(admin, "/admin/deleted")
    admin.post(f"/admin/deleted/notes/{slug}/restore", data={"csrf_token": token})
    assert f'id="notiz-{slug}"' in client.get(f"/talks/{TALK}").text


def test_a_deleted_case_leaves_catalogue_and_search(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    slug = "freiraumbuero-halle"
    token = csrf_token(client, f"/cases/{slug}/history")
    client.post(f"/cases/{slug}/delete", data={"csrf_token": token, "reason": "Test"})
    assert client.get(f"/cases/{slug}").status_code == 404
    assert slug not in client.get("/cases?per_page=100").text
    hits = client.get("/api/search?q=Freiraumbüro&kind=case").json
    assert hits is not None and slug not in [h["slug"] for h in hits["hits"]]
    assert "Grund: „Test“" in client.get(f"/cases/{slug}/history").text


WRITE_URLS = [
    ("GET", f"/talks/{TALK}/notes/new"),
    ("POST", f"/talks/{TALK}/notes/new"),
    ("GET", "/notes/x/edit"),
    ("POST", "/notes/x/edit"),
    ("POST", "/cases/freiraumbuero-halle/history/1/restore"),
    ("POST", "/cases/freiraumbuero-halle/delete"),
    ("POST", f"/talks/{TALK}/delete"),
    ("GET", "/admin/deleted"),
    ("POST", "/admin/deleted/cases/freiraumbuero-halle/restore"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
]


def test_anonymous_writes_go_to_the_login_and_change_nothing(app: Flask, seeded: Runtime) -> None:
    client = app.test_client()
    before = revisions(seeded)
    token = csrf_token(client, "/login")  # a valid token: only the login is missing
    for method, url in WRITE_URLS:
        response = client.open(url, method=method, data={"csrf_token": token, "title": "x"})
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert revisions(seeded) == before


def test_a_post_without_csrf_token_changes_nothing(app: Flask, seeded: Runtime) -> None:
    client = editor(app)
    before = revisions(seeded)
    response = client.post(
        f"/talks/{TALK}/notes/new", data={"title": "Ohne Token", "body": "Wichtiger Text"}
    )
    assert response.status_code == 400
    assert "Wichtiger Text" in response.text  # given back, not lost
    assert revisions(seeded) == before


def test_restore_a_case_and_a_talk_through_the_web(app: Flask, seeded: Runtime) -> None:
    from kb.catalogue.cases import case_state, get_case, save_case
    from kb.catalogue.schemas import CaseIn, TalkIn
    from kb.catalogue.talks import get_talk, save_talk, talk_state

    with seeded.uow() as uow:
        state = case_state(get_case(uow, "freiraumbuero-halle"))
        state["scale"]["type"] = "project"
        context = {"vocabulary": seeded.vocabulary}
        save_case(uow, CaseIn.model_validate(state, context=context), seeded.vocabulary, actor="x")
        talk = talk_state(get_talk(uow, TALK))
        talk["venue"] = "Irgendwo"
        save_talk(uow, TalkIn.model_validate(talk, context=context), actor="x")
        uow.commit()
    client = editor(app)
    for url in ("/cases/freiraumbuero-halle", f"/talks/{TALK}"):
        history = client.get(f"{url}/history").text
        assert "Fassung 2: geändert" in history
        token = csrf_token(client, f"{url}/history")
        assert (
            client.post(f"{url}/history/1/restore", data={"csrf_token": token}).status_code == 302
        )
        assert "Fassung 3: ältere Fassung wiederhergestellt" in client.get(f"{url}/history").text
    with seeded.uow() as uow:
        assert get_case(uow, "freiraumbuero-halle").scale == "city"
        assert get_talk(uow, TALK).venue == "online (Zoom)"
