"""The editors' work queue (/editor/queue), "Was fehlt" on the case page and the completeness
in the /cases.json download."""

from flask.testing import FlaskClient

from kb.completeness import CHECKS
from tests.webapp.conftest import Page


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
    assert f"/cases/{slug}/edit#" in seen.text
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
