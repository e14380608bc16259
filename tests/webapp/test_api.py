"""The JSON API: every documented path answers on the seed catalogue with a body that matches
its OpenAPI schema, and invalid requests get 400/404 with a message."""

from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from webapp.api import openapi_document

EXAMPLES = {
    "/api/cases": "/api/cases?governance=bottom-up&per_page=3&page=2",
    "/api/cases/{slug}": "/api/cases/freiraumbuero-halle",
    "/api/talks": "/api/talks",
    "/api/talks/{slug}": "/api/talks/talk-2-freiraumbuero-halle",
    "/api/instruments": "/api/instruments",
    "/api/instruments/{slug}": "/api/instruments/verfuegungsfonds",
    "/api/search": "/api/search?q=Beteiligung&kind=case&governance=top-down",
    "/api/compare": "/api/compare?cases=freiraumbuero-halle,altstadtquartier-buechel-aachen",
}


def schema_validator(path: str, status: str) -> Draft202012Validator:
    spec = openapi_document()
    response = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    # Local references (#/components/...) resolve against a root that carries the components.
    return Draft202012Validator({**schema, "components": spec["components"]})


def check(client: FlaskClient, url: str, path: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    data = response.json
    errors = sorted(schema_validator(path, str(status)).iter_errors(data), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    return data


def test_the_openapi_document_is_valid_and_served(web: FlaskClient) -> None:
    served = web.get("/api/openapi.json").json
    validate(served)
    assert set(served["paths"]) == set(EXAMPLES)


@pytest.mark.parametrize("path", sorted(EXAMPLES))
def test_every_path_matches_its_schema(web: FlaskClient, path: str) -> None:
    check(web, EXAMPLES[path], path)


def test_case_list_filters_and_pages(web: FlaskClient) -> None:
    everything = check(web, "/api/cases?governance=bottom-up&per_page=100", "/api/cases")
    page = check(web, "/api/cases?governance=bottom-up&per_page=3&page=2", "/api/cases")
    assert page["total"] == everything["total"]
    assert [c["slug"] for c in page["cases"]] == [c["slug"] for c in everything["cases"][3:6]]
    assert all(c["governance"]["code"] == "bottom-up" for c in everything["cases"])
    assert page["facets"]["governance"]["top-down"] > 0  # counts ignore the own filter


def test_case_detail_carries_labels_talks_and_similar_cases(web: FlaskClient) -> None:
    data = check(web, "/api/cases/freiraumbuero-halle", "/api/cases/{slug}")
    assert data["labels"]["land"] == "Sachsen-Anhalt"
    assert data["talks"][0]["slug"] == "talk-2-freiraumbuero-halle"
    assert data["similar"] and all(s["slug"] != "freiraumbuero-halle" for s in data["similar"])


def test_search_returns_the_search_issue_shape(web: FlaskClient) -> None:
    data = check(web, "/api/search?q=Büchel", "/api/search")
    assert set(data) == {
        "query",
        "total",
        "page",
        "per_page",
        "hits",
        "facets",
        "suggestion",
        "corrected_from",
        "exact_total",
        "partial",
    }
    assert data["hits"][0]["slug"] == "altstadtquartier-buechel-aachen"
    assert data["corrected_from"] is None and data["partial"] is False


def test_search_corrects_a_typo_and_says_so(web: FlaskClient) -> None:
    data = check(web, "/api/search?q=Freiraumkonzpet", "/api/search")
    assert data["corrected_from"] == "Freiraumkonzpet" and data["query"] == "freiraumkonzept"
    assert data["exact_total"] == 0 and data["hits"]
    exact = check(web, "/api/search?q=Freiraumkonzpet&exact=1", "/api/search")
    assert exact["total"] == 0 and exact["corrected_from"] is None


def test_search_falls_back_to_some_words_and_names_the_missing(web: FlaskClient) -> None:
    data = check(web, "/api/search?q=Konzeptvergabe+Weimar+Quallenfischerei", "/api/search")
    assert data["partial"] is True and data["exact_total"] == 0
    assert data["hits"][0]["slug"] == "alte-feuerwache-weimar"
    assert data["hits"][0]["missing"] == ["Quallenfischerei"]


@pytest.mark.parametrize(
    ("url", "path", "status", "needle"),
    [
        ("/api/cases?governance=sideways", "/api/cases", 400, "sideways"),
        ("/api/cases?page=0", "/api/cases", 400, "page"),
        ("/api/search?q=*beteiligung", "/api/search", 400, "Platzhalter"),
        ("/api/search?q=Fonds&sort=weird", "/api/search", 400, "weird"),
        ("/api/cases/nope", "/api/cases/{slug}", 404, "nope"),
        ("/api/talks/nope", "/api/talks/{slug}", 404, "nope"),
        ("/api/instruments/nope", "/api/instruments/{slug}", 404, "nope"),
        ("/api/compare?cases=freiraumbuero-halle", "/api/compare", 400, "mindestens 2"),
        ("/api/compare?cases=freiraumbuero-halle,nope", "/api/compare", 404, "nope"),
    ],
)
def test_invalid_requests_get_a_clear_error(
    web: FlaskClient, url: str, path: str, status: int, needle: str
) -> None:
    data = check(web, url, path, status)
    assert needle in str(data["error"])


def test_unknown_api_paths_are_json_404(web: FlaskClient) -> None:
    response = web.get("/api/nothing")
    assert response.status_code == 404
    assert response.json is not None and response.json["error"]["status"] == 404
