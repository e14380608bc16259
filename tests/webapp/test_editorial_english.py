"""The editorial and account pages, forms, messages, error pages, feeds, downloads and the OpenAPI
description in English under /en/, and the same in German as before (issue 17)."""

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from kb.exchange.exporting import CASE_CSV_HEADER
from kb.runtime import Runtime
from tests.webapp.helpers import PASSWORD, FormFields, csrf_token, field_error, new_case_form
from webapp.errors import unavailable_response

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def english_login(client: FlaskClient, username: str, password: str) -> object:
    token = csrf_token(client, "/en/login")
    return client.post(
        "/en/login", data={"username": username, "password": password, "csrf_token": token}
    )


# --- accounts ---------------------------------------------------------------------------------


def test_the_login_page_is_english(web: FlaskClient) -> None:
    html = web.get("/en/login").text
    assert "<h1>Sign in</h1>" in html
    assert ">User name</label>" in html and ">Password</label>" in html
    assert "Reading needs no account." in html
    assert "Benutzername" not in html and "Lesen geht ohne Konto" not in html


def test_a_failed_login_says_so_in_english_and_keeps_the_name(editors_app: Flask) -> None:
    response = english_login(editors_app.test_client(), "anna", "falsch-falsch")
    assert response.status_code == 401  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    assert "The user name or password is wrong." in html
    assert 'value="anna"' in html


def test_a_login_from_an_english_page_returns_to_english_pages(editors_app: Flask) -> None:
    client = editors_app.test_client()
    guarded = client.get("/en/cases/new")
    assert guarded.status_code == 302
    assert "/en/login?next=/en/cases/new" in guarded.headers["Location"]
    response = english_login(client, "anna", PASSWORD)
    assert response.headers["Location"] == "/en/"  # type: ignore[attr-defined]
    assert "Signed in as Anna Beispiel." in client.get("/en/").text


def test_german_login_is_unchanged(editors_app: Flask) -> None:
    client = editors_app.test_client()
    assert "<h1>Anmelden</h1>" in client.get("/login").text
    token = csrf_token(client, "/login")
    wrong = client.post(
        "/login", data={"username": "anna", "password": "falsch", "csrf_token": token}
    )
    assert "Benutzername oder Passwort ist falsch." in wrong.text
    right = client.post(
        "/login", data={"username": "anna", "password": PASSWORD, "csrf_token": token}
    )
    assert right.headers["Location"] == "/"
    assert "Angemeldet als Anna Beispiel." in client.get("/").text


def test_password_rules_are_english_on_the_account_pages(editors_app: Flask) -> None:
    admin = editors_app.test_client()
    english_login(admin, "root", PASSWORD)
    page = admin.get("/en/admin/users").text
    assert "<h1>Editors&#39; accounts</h1>" in page or "<h1>Editors' accounts</h1>" in page
    token = csrf_token(admin, "/en/admin/users")
    response = admin.post(
        "/en/admin/users",
        data={"username": "carla", "password": "kurz", "role": "editor", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "at least 12 characters" in response.text
    assert 'value="carla"' in response.text  # what was typed stays


# --- the edit form ----------------------------------------------------------------------------


def test_an_edit_form_error_is_english_and_keeps_the_input(editor: FlaskClient) -> None:
    data = new_case_form(name="", city="Bremen-Nord", start_year="19x9")
    token = csrf_token(editor, "/en/cases/new")
    response = editor.post("/en/cases/new", data={**data, "csrf_token": token})
    assert response.status_code == 400
    html = response.text
    assert "<h1>New case</h1>" in html
    assert "Please correct (" in html and "(required)" in html
    assert ">Basic data</h2>" in html and ">Save</button>" in html
    assert field_error(html, "start_year")  # the message itself is kb's (and its translator's)
    assert "Bitte korrigieren Sie" not in html and "Pflichtfeld" not in html
    # The German texts are marked as German, the English summary is not.
    assert 'id="f-summary" name="summary" rows="5" lang="de"' in html
    assert 'id="f-summary_en" name="summary_en" rows="5">' in html
    kept = FormFields(html).data
    assert kept["city"] == "Bremen-Nord" and kept["start_year"] == "19x9"
    assert kept["summary"] == data["summary"]


def test_a_saved_edit_flashes_in_english(editor: FlaskClient) -> None:
    token = csrf_token(editor, "/en/cases/new")
    saved = editor.post("/en/cases/new", data={**new_case_form(), "csrf_token": token})
    assert saved.status_code == 302
    assert saved.headers["Location"].startswith("/en/cases/")
    assert "Saved." in editor.get(saved.headers["Location"]).text


def test_the_note_and_password_forms_are_english(editor: FlaskClient) -> None:
    url = "/talks/talk-2-freiraumbuero-halle/notes/new"
    html = editor.get("/en" + url).text
    assert "<h1>New note</h1>" in html and ">Preview</button>" in html
    assert ">Text (Markdown)</label>" in html and "At most 200,000 characters." in html
    assert 'id="note-body" name="body" rows="22" lang="de"' in html  # the text is German
    assert "Höchstens 200.000 Zeichen." in editor.get(url).text
    token = csrf_token(editor, "/en" + url)
    preview = editor.post(
        "/en" + url,
        data={
            "title": "",
            "created": "",
            "body": "Ein **Text**",
            "preview": "1",
            "csrf_token": token,
        },
    )
    assert ">Preview</h2>" in preview.text and "Untitled" in preview.text
    password = editor.get("/en/account/password").text
    assert "<h1>Change password</h1>" in password and ">Repeat the new password</label>" in password


def test_the_talk_form_marks_the_german_names_it_offers(editor: FlaskClient) -> None:
    html = editor.get("/en/talks/new").text
    assert "<h1>New talk</h1>" in html and ">Cases and guests</h2>" in html
    assert '<option value="freiraumbuero-halle" lang="de">Freiraumbüro Halle' in html
    assert '<option value="talk" lang="de">' not in html  # vocabulary labels are English
    assert '<option value="freiraumbuero-halle">Freiraumbüro Halle' in editor.get("/talks/new").text


def test_the_work_list_is_english(editor: FlaskClient) -> None:
    html = editor.get("/en/editor/queue").text
    assert "<h1>Work list: what is missing</h1>" in html
    assert '<th scope="col">Case</th>' in html and '<th scope="col">Completeness</th>' in html
    assert "Arbeitsliste: Was fehlt" not in html
    assert "<h1>Arbeitsliste: Was fehlt</h1>" in editor.get("/editor/queue").text


# --- error pages ------------------------------------------------------------------------------


def test_error_pages_are_english(web: FlaskClient) -> None:
    missing = web.get("/en/gibt-es-nicht")
    assert missing.status_code == 404
    assert "Page not found" in missing.text and "The search may help." in missing.text
    assert "To the home page" in missing.text and "Seite nicht gefunden" not in missing.text

    too_long = web.get("/en/cases?q=" + "x" * 9000)
    assert too_long.status_code == 414
    assert "Address too long" in too_long.text
    assert "The address is longer than 8 KB." in too_long.text

    api = web.get("/en/api/cases/gibt-es-nicht")
    assert api.status_code == 404 and api.json["error"]["title"] == "Page not found"  # type: ignore[index]


def test_403_405_and_503_are_english(editor: FlaskClient) -> None:
    forbidden = editor.get("/en/admin/users")  # anna is an editor, not an admin
    assert forbidden.status_code == 403
    assert "Not permitted" in forbidden.text and "Your account is not permitted" in forbidden.text
    not_allowed = editor.delete("/en/cases")
    assert not_allowed.status_code == 405 and "Method not allowed" in not_allowed.text
    app: Flask = editor.application  # type: ignore[attr-defined]
    english = {"kb.language": "en", "SCRIPT_NAME": "/en"}
    with app.test_request_context("/cases", environ_overrides=english):
        app.preprocess_request()  # the request's first hook takes its language from the prefix
        page = unavailable_response().get_data(as_text=True)
    assert '<html lang="en">' in page and "Database temporarily unavailable" in page
    assert "Reload the page" in page and 'href="/en/"' in page
    with app.test_request_context("/cases"):
        page = unavailable_response().get_data(as_text=True)
    assert '<html lang="de">' in page and "Datenbank vorübergehend nicht erreichbar" in page


def test_german_error_pages_are_unchanged(web: FlaskClient) -> None:
    missing = web.get("/gibt-es-nicht")
    assert "Seite nicht gefunden" in missing.text and "Zur Startseite" in missing.text
    assert "Die Adresse ist länger als 8 KB." in web.get("/cases?q=" + "x" * 9000).text


def test_the_csrf_page_is_english_and_gives_back_the_input(web: FlaskClient) -> None:
    response = web.post("/en/login", data={"username": "anna-typed", "password": "geheim"})
    assert response.status_code == 400
    html = response.text
    assert "The form could not be sent" in html
    assert "The form lacks its security token." in html
    assert "anna-typed" in html and "geheim" not in html
    assert "Sicherheits-Token" not in html


# --- feeds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "english", "german"),
    [
        ("/feed.atom", ": new notes", ": neue Notizen"),
        ("/cases/changes.atom", ": changes to cases", ": Änderungen an Fällen"),
    ],
)
def test_feeds_speak_english_under_en(
    web: FlaskClient, path: str, english: str, german: str
) -> None:
    feed = ET.fromstring(web.get("/en" + path).data)
    assert feed.get(XML_LANG) == "en"
    assert feed.findtext(f"{A}title", "").endswith(english)
    assert "Knowledge Base" in feed.findtext(f"{A}title", "")
    assert feed.findtext(f"{A}subtitle")
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links["self"] == f"http://localhost/en{path}"
    assert links["alternate"] == "http://localhost/en/"
    german_feed = ET.fromstring(web.get(path).data)
    assert german_feed.get(XML_LANG) == "de"
    assert (
        german_feed.findtext(f"{A}title") == f"Wissensbasis Kommunale Kooperationsmodelle{german}"
    )


def test_with_kb_base_url_english_absolute_urls_keep_the_prefix(
    make_app: Callable[..., Flask], seeded: Runtime
) -> None:
    client = make_app(replace(seeded.settings, base_url="https://kb.example/")).test_client()
    feed = ET.fromstring(client.get("/en/cases/changes.atom").data)
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links == {
        "self": "https://kb.example/en/cases/changes.atom",
        "alternate": "https://kb.example/en/",
    }
    for entry in feed.findall(f"{A}entry"):
        assert entry.findtext(f"{A}id", "").startswith("https://kb.example/en/cases/changes.atom#")
    page = client.get("/en/cases").text
    assert '<link rel="alternate" hreflang="de" href="https://kb.example/cases">' in page
    assert '<link rel="alternate" hreflang="en" href="https://kb.example/en/cases">' in page
    german = ET.fromstring(client.get("/cases/changes.atom").data)
    assert {link.get("href") for link in german.findall(f"{A}link")} == {
        "https://kb.example/cases/changes.atom",
        "https://kb.example/",
    }


def test_a_note_in_the_english_feed_is_marked_german(editor: FlaskClient) -> None:
    talk = "talk-2-freiraumbuero-halle"
    url = f"/talks/{talk}/notes/new"
    token = csrf_token(editor, url)
    body = "## Was war?\n\nEin Gespräch über **Freiräume**."
    data = {"title": "Notiz aus Halle", "created": "2022-05-19", "body": body, "csrf_token": token}
    assert editor.post("/en" + url, data={**data, "save": "1"}).status_code == 302
    feed = ET.fromstring(editor.get("/en/feed.atom").data)
    entry = feed.find(f"{A}entry")
    assert entry is not None
    assert entry.find(f"{A}content").get(XML_LANG) == "de"  # type: ignore[union-attr]
    assert entry.find(f"{A}title").get(XML_LANG) == "de"  # type: ignore[union-attr]
    assert entry.findtext(f"{A}summary", "").startswith("Note on “")
    assert "Freiräume" in entry.findtext(f"{A}content", "")
    german = ET.fromstring(editor.get("/feed.atom").data).find(f"{A}entry")
    assert german is not None and german.find(f"{A}content").get(XML_LANG) is None  # type: ignore[union-attr]
    assert german.findtext(f"{A}summary", "").startswith("Notiz zu „")


# --- downloads --------------------------------------------------------------------------------


def read_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.fixture
def english_lands(web: FlaskClient) -> dict[str, str]:
    """The federal states' English labels by their German ones, from the seed's vocabulary."""
    app: Flask = web.application  # type: ignore[attr-defined]
    terms = app.extensions["kb"].vocabulary.terms["lands"].values()
    return {term.labels["de"]: term.labels["en"] for term in terms}


def test_csv_labels_follow_the_language_and_codes_and_columns_do_not(
    web: FlaskClient, english_lands: dict[str, str]
) -> None:
    german = web.get("/cases.csv")
    de_rows = read_rows(german.data)
    for english in (web.get("/cases.csv?lang=en"), web.get("/en/cases.csv")):
        assert english.status_code == 200
        en_rows = read_rows(english.data)
        assert list(en_rows[0]) == list(de_rows[0]) == CASE_CSV_HEADER
        for de, en in zip(de_rows, en_rows, strict=True):
            assert en["land"] == english_lands[de["land"]]  # the label
            for code in ("slug", "governance_type", "scale", "status", "start_year"):
                assert en[code] == de[code]
        assert any(en["land"] != de["land"] for de, en in zip(de_rows, en_rows, strict=True))
    assert english_lands["Thüringen"] == "Thuringia"
    assert web.get("/en/cases.csv?lang=de").data == german.data
    # JSON: the same keys and codes, the labels in English.
    en_json = web.get("/cases.json?lang=en").json
    de_json = web.get("/cases.json").json
    assert en_json.keys() == de_json.keys()  # type: ignore[union-attr]
    en_case, de_case = en_json["cases"][0], de_json["cases"][0]  # type: ignore[index]
    assert en_case["land"]["code"] == de_case["land"]["code"]
    assert en_case["land"]["label"] == english_lands[de_case["land"]["label"]]


def test_an_unknown_download_language_is_a_clear_400(web: FlaskClient) -> None:
    response = web.get("/cases.csv?lang=fr")
    assert response.status_code == 400
    assert "lang: Unbekannte Sprache „fr“: möglich sind de, en." in response.text
    english = web.get("/en/cases.json?lang=xx")
    assert english.status_code == 400
    assert english.json["error"]["details"] == [  # type: ignore[index]
        "lang: Unknown language “xx”: possible values are de, en."
    ]


# --- OpenAPI ----------------------------------------------------------------------------------


def test_the_openapi_description_is_english_under_en_and_still_valid(web: FlaskClient) -> None:
    english = web.get("/en/api/openapi.json").json
    german = web.get("/api/openapi.json").json
    validate(english)
    assert english["info"]["title"] == "Knowledge Base of Municipal Cooperation Models – JSON API"
    assert english["paths"]["/api/cases"]["get"]["summary"] == "Cases, filtered, sorted and paged"
    assert english["servers"] == [{"url": "/en"}]
    # Only the prose changes: paths, parameters and schemas are the same.
    assert set(english["paths"]) == set(german["paths"])
    assert english["components"]["schemas"].keys() == german["components"]["schemas"].keys()
    assert german["paths"]["/api/cases"]["get"]["summary"].startswith("Fälle, gefiltert")
    assert german["servers"] == [{"url": "/"}]


def test_the_extractor_finds_every_prose_value_and_only_those() -> None:
    from webapp.api import OPENAPI
    from webapp.openapi_i18n import extract

    with OPENAPI.open("rb") as handle:
        found = [(line, text) for line, _, text, _ in extract(handle, [], [], {})]
    texts = {text for _, text in found}
    assert "Fälle, gefiltert, sortiert und seitenweise" in texts
    assert "Wissensbasis Kommunale Kooperationsmodelle – JSON-API" in texts
    assert not any(t.startswith("{") or t == "string" for t in texts)  # no schema is prose
    source = OPENAPI.read_text(encoding="utf-8").splitlines()
    for line, text in found:
        assert text.splitlines()[0] in source[line - 1] or source[line - 1].rstrip().endswith("|")


# --- the accessibility statement --------------------------------------------------------------


def test_the_accessibility_statement_is_english(web: FlaskClient) -> None:
    html = web.get("/en/barrierefreiheit").text
    assert "<h1>Accessibility statement</h1>" in html
    assert "Reporting barriers" in html and "conciliation body" in html
    assert 'href="/en/api/openapi.json"' in html
    assert "Erklärung zur Barrierefreiheit" not in html
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in web.get("/barrierefreiheit").text
