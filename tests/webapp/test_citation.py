"""The "Zitieren" section of case and talk pages and its BibTeX and CSL-JSON downloads."""

import datetime as dt
import json

from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn
from kb.catalogue.talks import get_talk
from kb.revisions import latest_revision
from kb.runtime import Runtime
from tests.helpers import TRICKY, bibtex_fields, unescape
from tests.webapp.helpers import Page

CASE = "altstadtquartier-buechel-aachen"
TALK = "talk-3-altstadtquartier-buechel-aachen"


def revision_date(site: Flask, kind: str, slug: str) -> str:
    with site.extensions["kb"].uow() as uow:
        item = get_case(uow, slug) if kind == "case" else get_talk(uow, slug)
        revision = latest_revision(uow, kind, item.id)
        assert revision is not None
        return revision.created_at.strftime("%d.%m.%Y")


def citation_text(html: str) -> str:
    start = html.index('<p class="citation">') + len('<p class="citation">')
    return html[start : html.index("</p>", start)]


def test_case_page_offers_a_citation_with_absolute_url_and_revision_date(
    web: FlaskClient, site: Flask
) -> None:
    html = web.get(f"/cases/{CASE}").text
    page = Page(html)
    text = citation_text(html)
    with site.extensions["kb"].uow() as uow:
        name = get_case(uow, CASE).name
    assert f"„{name}“. In: Wissensbasis Kommunale Kooperationsmodelle. Stand: " in text
    assert f"URL: http://localhost/cases/{CASE} (abgerufen am " in text
    assert f"Stand: {revision_date(site, 'case', CASE)}." in text
    assert text.startswith("Wissensbasis Kommunale Kooperationsmodelle (Hrsg.) (")
    # In the sidebar after "Daten", with a heading of the sidebar's level.
    tags = [tag for tag, _ in page.headings]
    names = [name for _, name in page.headings]
    assert names.index("Zitieren") == names.index("Daten") + 1
    assert tags[names.index("Zitieren")] == "h2"
    assert page.link_to("BibTeX") == f"/cases/{CASE}/zitieren.bib"
    assert page.link_to("CSL-JSON") == f"/cases/{CASE}/zitieren.json"


def test_case_bibtex_and_csl_json(web: FlaskClient, site: Flask) -> None:
    response = web.get(f"/cases/{CASE}/zitieren.bib")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-bibtex; charset=utf-8"
    kind, key, fields = bibtex_fields(response.text)
    assert (kind, key) == ("misc", CASE.replace("-", "_"))
    assert fields["author"] == "{Wissensbasis Kommunale Kooperationsmodelle}"
    assert fields["url"] == f"http://localhost/cases/{CASE}"
    assert fields["note"] == f"Stand: {revision_date(site, 'case', CASE)}"
    assert fields["urldate"] == dt.datetime.now(dt.UTC).date().isoformat()

    response = web.get(f"/cases/{CASE}/zitieren.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    [item] = json.loads(response.text)
    assert item["type"] == "webpage"
    assert item["id"] == key
    assert item["URL"] == fields["url"]
    assert item["author"] == [{"literal": "Wissensbasis Kommunale Kooperationsmodelle"}]
    for required in ("title", "container-title", "issued", "accessed"):
        assert item[required], required
    [[year, month, day]] = item["issued"]["date-parts"]
    assert dt.date(year, month, day).strftime("%d.%m.%Y") == revision_date(site, "case", CASE)


def test_talk_citation_names_series_organiser_and_date(web: FlaskClient, site: Flask) -> None:
    html = web.get(f"/talks/{TALK}").text
    text = citation_text(html)
    assert "„Talk #3: Altstadtquartier Büchel, Aachen“." in text
    assert "Gesprächsreihe „Governance des Stadtmachens: Kommunale Kooperationsmodelle“" in text
    assert "vhw Stadtmacher Akademie" in text and "14.04.2022" in text
    assert f"Stand: {revision_date(site, 'talk', TALK)}." in text
    assert f"URL: http://localhost/talks/{TALK} " in text
    page = Page(html)
    assert ("h2", "Zitieren") in page.headings
    assert page.link_to("BibTeX") == f"/talks/{TALK}/zitieren.bib"

    _, _, fields = bibtex_fields(web.get(f"/talks/{TALK}/zitieren.bib").text)
    assert unescape(fields["title"]) == "{Talk #3: Altstadtquartier Büchel, Aachen}"
    [item] = web.get(f"/talks/{TALK}/zitieren.json").json  # type: ignore[misc]
    assert item["type"] == "speech"
    assert item["event-date"] == {"date-parts": [[2022, 4, 14]]}
    assert item["URL"] == f"http://localhost/talks/{TALK}"


def test_without_kb_base_url_the_citation_follows_the_requests_trusted_host(
    web: FlaskClient,
) -> None:
    text = web.get(f"/cases/{CASE}/zitieren.bib", base_url="https://127.0.0.1:8443").text
    assert f"url = {{https://127.0.0.1:8443/cases/{CASE}}}" in text


def test_unknown_slugs_are_404(web: FlaskClient) -> None:
    for path in (
        "/cases/gibt-es-nicht/zitieren.bib",
        "/cases/gibt-es-nicht/zitieren.json",
        "/talks/gibt-es-nicht/zitieren.bib",
        "/talks/gibt-es-nicht/zitieren.json",
    ):
        assert web.get(path).status_code == 404, path


def test_special_characters_in_a_case_name_are_escaped(
    client: FlaskClient, seeded: Runtime
) -> None:
    with seeded.uow() as uow:
        state = case_state(get_case(uow, CASE))
        state.update(slug="sonderzeichen", name=TRICKY, aliases=[])
        data = CaseIn.model_validate(state, context={"vocabulary": seeded.vocabulary})
        save_case(uow, data, seeded.vocabulary, actor="anna")
        uow.commit()
    _, key, fields = bibtex_fields(client.get("/cases/sonderzeichen/zitieren.bib").text)
    assert key == "sonderzeichen"
    assert unescape(fields["title"]) == "{" + TRICKY + "}"
    [item] = client.get("/cases/sonderzeichen/zitieren.json").json  # type: ignore[misc]
    assert item["title"] == TRICKY
    html = client.get("/cases/sonderzeichen").text
    assert "Kosten &amp; Nutzen: 100 % für_alle" in citation_text(html)
