"""The editors' work queue (/editor/queue) with the last link check, "Was fehlt" and the
source markers on the case page, and the completeness in the /cases.json download."""

import json

from flask.testing import FlaskClient

from kb.catalogue.cases import list_cases
from kb.catalogue.completeness import CHECKS
from kb.catalogue.provenance import facts, same_address, source_numbers
from kb.editorial.links import FORMAT_VERSION, default_result_path
from kb.runtime import Runtime
from tests.webapp.helpers import Page


def test_the_queue_is_for_editors_only(client: FlaskClient) -> None:
    response = client.get("/editor/queue")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/editor/queue")


def test_the_queue_lists_cases_with_links_to_existing_form_fields(editor: FlaskClient) -> None:
    response = editor.get("/editor/queue")
    assert response.status_code == 200
    page = Page(response.text)
    gaps = [a for a in page.all("a") if "data-gap" in a]
    assert gaps and {a["data-gap"] for a in gaps} <= set(CHECKS)
    forms: dict[str, set[str]] = {}
    for link in gaps:
        href = link["href"]
        if link["data-gap"] == "notes":
            assert href == "/talks"
            continue
        path, anchor = href.split("#")
        assert path.startswith("/cases/") and path.endswith("/edit")
        if path not in forms:
            form = editor.get(path)
            assert form.status_code == 200, path
            forms[path] = {a["id"] for _, a in Page(form.text).elements if "id" in a}
        assert anchor in forms[path], href
    # Most gaps first: the first row has at least as many as the last.
    rows = [a for a in page.all("tr") if a.get("id", "").startswith("fall-")]
    assert len(rows) >= 2
    counts: list[int] = []
    for row in rows:
        slug = row["id"].removeprefix("fall-")
        counts.append(sum(1 for a in gaps if a["href"].startswith(f"/cases/{slug}/edit")))
    assert counts[0] >= counts[-1]


def test_the_case_page_shows_what_is_missing_to_editors_only(
    client: FlaskClient, editor: FlaskClient
) -> None:
    # The case with the most gaps (the seed catalogue changes; the queue names it).
    rows = Page(editor.get("/editor/queue").text).all("tr")
    slug = next(a["id"] for a in rows if a.get("id", "").startswith("fall-"))[5:]
    url = f"/cases/{slug}"
    seen = editor.get(url)
    assert seen.status_code == 200
    assert "Was fehlt" in seen.text and "data-gap=" in seen.text
    gaps = [a for a in Page(seen.text).all("a") if "data-gap" in a]
    assert gaps and all(
        a["href"] == "/talks" or a["href"].startswith(f"/cases/{slug}/edit#") for a in gaps
    )
    anonymous = client.get(url)
    assert anonymous.status_code == 200
    assert "Was fehlt" not in anonymous.text and "data-gap" not in anonymous.text


def test_the_json_download_carries_the_score(client: FlaskClient) -> None:
    data = client.get("/cases.json").json
    assert data is not None
    slugs = {s["slug"] for s in data["states"]}
    assert set(data["completeness"]) == slugs
    for item in data["completeness"].values():
        assert 0 <= item["score"] <= 100 and set(item["gaps"]) <= set(CHECKS)


def test_the_queue_shows_the_last_link_check(editor: FlaskClient, seeded: Runtime) -> None:
    assert "Noch keine Linkprüfung gespeichert" in editor.get("/editor/queue").text
    with seeded.uow() as uow:
        slug = list_cases(uow)[0].slug
    dead = "https://example.org/weg"
    result = {
        "format": FORMAT_VERSION,
        "checked_at": "2026-11-30T05:10:00Z",
        "duration_seconds": 1.5,
        "options": {},
        "counts": {"ok": 7, "moved": 0, "redirected": 0, "dead": 1, "error": 0, "total": 8},
        "links": [
            {
                "url": "https://example.org/gut",
                "status": "ok",
                "code": 200,
                "location": "",
                "reason": "",
                "hops": [],
                "used_by": [],
            },
            {
                "url": dead,
                "status": "dead",
                "code": 404,
                "location": "",
                "reason": "404 nicht gefunden",
                "hops": [],
                "used_by": [
                    {"kind": "case", "slug": slug, "title": "Der Fall", "field": "sources[1].url"}
                ],
            },
        ],
    }
    path = default_result_path(seeded.settings.instance_dir)
    path.write_text(json.dumps(result), encoding="utf-8")
    text = editor.get("/editor/queue").text
    assert "Geprüft am" in text and "30.11.2026, 05:10 UTC" in text
    assert "8 Adresse(n), davon 7 in Ordnung" in text and "1 tot" in text
    page = Page(text)
    assert (dead, dead) in page.links
    assert (f"/cases/{slug}/edit", "Der Fall") in page.links
    assert "sources[1].url" in text and "https://example.org/gut" not in text
    # The case's row counts its problem links when it is in the list.
    if f'id="fall-{slug}"' in text:
        assert f'href="#links-{slug}"' in text


def test_the_case_page_marks_each_sourced_fact(client: FlaskClient) -> None:
    data = client.get("/cases.json").json
    assert data is not None
    state = next(s for s in data["states"] if any(f.source for f in facts(s)))
    numbers = source_numbers(state["sources"])
    sourced = [f for f in facts(state) if f.source]
    page = Page(client.get(f"/cases/{state['slug']}").text)
    markers = [a for a in page.all("a") if a.get("class") == "source-marker"]
    assert len(markers) == len(sourced)
    assert sorted(a["href"] for a in markers) == sorted(f.source for f in sourced)
    texts = [text for _, text in page.links if text.startswith("[")]  # document order
    assert len(texts) == len(markers)
    for marker, text in zip(markers, texts, strict=True):
        number = numbers.get(same_address(marker["href"]))
        assert text.startswith(f"[{number}]" if number else "[Quelle]")
        assert marker["title"].endswith(marker["href"])
    ids = {a.get("id") for a in page.all("li")}
    assert {f"quelle-{n}" for n in range(1, len(state["sources"]) + 1)} <= ids
