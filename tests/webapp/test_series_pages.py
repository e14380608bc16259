"""The public pages of a series (/series/<slug>) and what it learned
(/series/<slug>/questions, .json, .csv), the series' history, the links to them, and two small
fixes seen on the way: an ASCII "+" before "zum Vergleich hinzufügen", and city, Land and
governance badge on the search hits of cases."""

import csv
import io
import json
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue.schemas import NoteIn
from kb.catalogue.talks import get_series
from kb.editorial.notes import note_template, save_note
from kb.runtime import Runtime
from tests.webapp.helpers import Page, csrf_token, editor, form_of

SERIES = "governance-des-stadtmachens-2022"
TITLE = "Governance des Stadtmachens"
TALK_1 = "talk-1-stadtmensch-altenburg"
TALK_2 = "talk-2-freiraumbuero-halle"
Q1 = "Wie verändert sich die Zusammenarbeit zwischen Zivilgesellschaft und Kommune?"
TEMPLATES = Path(__file__).parents[2] / "webapp" / "templates"


def add_notes(seeded: Runtime) -> None:
    with seeded.uow() as uow:
        questions = [str(q) for q in get_series(uow, SERIES).questions]
        answered = note_template(questions).replace(
            f"## {Q1}\n\n", f"## {Q1}\n\nMehr **Vertrauen** zwischen Amt und Initiative.\n", 1
        )
        hostile = f"### {Q1.upper()}  \n\n<script>alert(1)</script><img src=x onerror=alert(2)>\n"
        save_note(
            uow, NoteIn(slug="n1", talk=TALK_1, title="Altenburg", body=answered), actor="anna"
        )
        save_note(uow, NoteIn(slug="n2", talk=TALK_2, title="Halle", body=hostile), actor="anna")
        save_note(
            uow,
            NoteIn(slug="n0", talk=TALK_2, title="Alt", body="Vor der Vorlage geschrieben."),
            actor="anna",
        )
        uow.commit()


def test_the_series_page_shows_the_series_its_talks_and_links(web: FlaskClient) -> None:
    response = web.get(f"/series/{SERIES}")
    assert response.status_code == 200
    page = Page(response.text)
    assert any(TITLE in text for tag, text in page.headings if tag == "h1")
    assert "vhw" in response.text  # the organiser
    talk_links = [h for h in page.hrefs() if h.startswith("/talks/")]
    assert talk_links[0] == f"/talks/{TALK_1}"  # in date order, the Jam last
    assert talk_links.index(f"/talks/{TALK_2}") > 0
    assert talk_links[-1] == "/talks/jam-governance-des-stadtmachens-2022"
    assert page.link_to("Was die Reihe gelernt hat") == f"/series/{SERIES}/questions"
    assert page.link_to("Verlauf dieser Reihe") == f"/series/{SERIES}/history"
    assert f"/series/{SERIES}/edit" not in page.hrefs()  # readers see no edit link


def test_unknown_series_is_404(web: FlaskClient) -> None:
    assert web.get("/series/keine-reihe").status_code == 404
    assert web.get("/series/keine-reihe/questions").status_code == 404
    assert web.get("/series/keine-reihe/questions.csv").status_code == 404
    assert web.get("/series/keine-reihe/history").status_code == 404


def test_talk_start_and_talk_list_link_the_series(web: FlaskClient) -> None:
    for url in (f"/talks/{TALK_1}", "/", "/talks"):
        assert f"/series/{SERIES}" in Page(web.get(url).text).hrefs(), url
    assert f"/series/{SERIES}/questions" in Page(web.get("/").text).hrefs()


def test_editors_edit_the_series_and_the_change_is_in_its_history(editors_app: Flask) -> None:
    client = editor(editors_app)
    page = Page(client.get(f"/series/{SERIES}").text)
    assert f"/series/{SERIES}/edit" in page.hrefs()
    url = f"/series/{SERIES}/edit"
    form = form_of(client, url)
    form.update(venue="Online (Zoom) und Berlin", reason="Ort ergänzt")
    form["csrf_token"] = csrf_token(client, url)
    response = client.post(url, data=form)
    assert response.status_code == 302 and response.headers["Location"] == f"/series/{SERIES}"
    assert "Online (Zoom) und Berlin" in client.get(f"/series/{SERIES}").text
    history = client.get(f"/series/{SERIES}/history")
    assert history.status_code == 200
    assert "Ort ergänzt" in history.text and "Online (Zoom) und Berlin" in history.text
    assert f"/series/{SERIES}/delete" not in history.text  # a series cannot be deleted
    assert client.get(f"/series/{SERIES}/history/1").status_code == 200
    delete = client.post(f"/series/{SERIES}/delete", data={"csrf_token": csrf_token(client, url)})
    assert delete.status_code == 404


def test_questions_page_collates_links_and_escapes(app: Flask, seeded: Runtime) -> None:
    add_notes(seeded)
    response = app.test_client().get(f"/series/{SERIES}/questions")
    assert response.status_code == 200
    html = response.text
    page = Page(html)
    assert ("h1", "Was die Reihe gelernt hat") in page.headings
    assert any(tag == "h2" and Q1 in text for tag, text in page.headings)
    assert "<strong>Vertrauen</strong>" in html  # the section, rendered
    assert f"/talks/{TALK_1}#notiz-n1" in page.hrefs()
    # The hostile section is there, with its heading matched, but sanitised.
    assert f"/talks/{TALK_2}#notiz-n2" in page.hrefs()
    assert "<script" not in html.split("</header>", 1)[1].split("<footer", 1)[0]
    assert "onerror" not in html and "alert(1)" not in html.replace("&lt;", "")
    # The note written before the template: listed without a section, with its link.
    assert "Ohne Abschnitt zu dieser Frage" in html
    assert f"/talks/{TALK_2}#notiz-n0" in page.hrefs()
    # Answers come in talk order.
    assert html.index("#notiz-n1") < html.index("#notiz-n2")


def test_questions_downloads(app: Flask, seeded: Runtime) -> None:
    add_notes(seeded)
    client = app.test_client()
    data = json.loads(client.get(f"/series/{SERIES}/questions.json").text)
    assert data["series"] == SERIES and len(data["questions"]) == 3
    first = [r for r in data["rows"] if r["question_number"] == 1]
    assert [(r["note"], r["has_section"]) for r in first] == [
        ("n1", True),
        ("n2", True),
        ("n0", False),
    ]
    assert first[0]["url"] == f"/talks/{TALK_1}#notiz-n1"
    response = client.get(f"/series/{SERIES}/questions.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == len(data["rows"])
    assert rows[0]["text"].startswith("Mehr **Vertrauen**")
    # The hostile cell starts with "<", not a formula sign; it is kept as written.
    assert any("<script>" in r["text"] for r in rows)


def test_no_full_width_plus_in_any_template() -> None:
    for path in TEMPLATES.rglob("*.html"):
        assert "\uff0b" not in path.read_text(encoding="utf-8"), path


def test_compare_link_uses_an_ascii_plus(web: FlaskClient) -> None:
    html = web.get("/cases").text
    assert '<span aria-hidden="true">+ </span>zum Vergleich hinzufügen' in html


def test_a_case_hit_shows_city_land_and_governance_badge(web: FlaskClient) -> None:
    html = web.get("/search?q=Freiraumbüro").text
    hit = next(
        part for part in html.split('<li class="hit">')[1:] if "/cases/freiraumbuero-halle" in part
    )
    hit = hit.split("</li>", 1)[0]
    assert "Halle (Saale), Sachsen-Anhalt" in hit
    assert 'class="badge badge-gov-top-down"' in hit and "Top-down" in hit
