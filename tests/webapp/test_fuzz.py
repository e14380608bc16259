"""No input gives a 5xx, and every request stays bounded: URL length (414), values per parameter
(400), links that repeat only known parameters, `next` targets without control characters,
integers bounded before the database. Plain regression tests for each observation of issue 11
(item 5), then Hypothesis throwing generated paths, query strings and form fields at every
route."""

import re
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.editorial.users import add_user
from tests.webapp.helpers import PASSWORD, csrf_token, field_error, form_of, login, new_case_form
from webapp.limits import MAX_PARAM_VALUES, MAX_URL_BYTES

CASE = "freiraumbuero-halle"
TALK = "talk-2-freiraumbuero-halle"
SMALL_PAGE = 300_000  # bytes: a catalogue page is about 100 KB


@pytest.fixture(scope="module")
def fuzz_site(site: Flask) -> Flask:
    with site.extensions["kb"].uow() as unit:
        add_user(unit, "fritz", PASSWORD, "editor", "Fritz Fuzz")
        unit.commit()
    return site


@pytest.fixture(scope="module")
def fuzz_editor(fuzz_site: Flask) -> FlaskClient:
    client = fuzz_site.test_client()
    login(client, "fritz")
    return client


# --- the observations, one test each --------------------------------------------------------


def test_a_250_kb_parameter_is_refused_with_414_and_a_small_page(web: FlaskClient) -> None:
    response = web.get("/cases?x=" + "a" * 250_000)
    assert response.status_code == 414
    assert "Adresse zu lang" in response.text
    assert len(response.data) < 50_000 and "a" * 1000 not in response.text


def test_a_long_unknown_parameter_is_not_repeated_in_links(web: FlaskClient) -> None:
    response = web.get("/cases?x=" + "a" * 7000)
    assert response.status_code == 200
    assert len(response.data) < SMALL_PAGE
    assert "a" * 100 not in response.text
    # The "zum Vergleich hinzufügen" links go back to the catalogue without the parameter...
    assert f"/compare/add?case={CASE}&amp;next=/cases" in response.text
    # ...and keep the ones it understood.
    filtered = web.get("/cases?governance=bottom-up&x=" + "a" * 7000).text
    assert "next=/cases?governance%3Dbottom-up" in filtered and "a" * 100 not in filtered


def test_a_long_search_is_cut_in_its_links(web: FlaskClient) -> None:
    response = web.get("/search?q=" + "Halle+" * 1300)
    assert response.status_code == 200 and len(response.data) < SMALL_PAGE


def test_20000_values_of_one_facet_are_refused_and_small(web: FlaskClient) -> None:
    response = web.get("/cases?" + urlencode([("land", "berlin")] * 20_000))
    assert response.status_code in (400, 414) and len(response.data) < 50_000
    # Below the URL limit the count of values is refused, naming the parameter.
    many = web.get("/cases?" + urlencode([("land", "xx")] * (MAX_PARAM_VALUES + 1)))
    assert many.status_code == 400 and "„land“" in many.text
    assert len(many.data) < 50_000
    api = web.get("/api/cases?" + urlencode([("land", "xx")] * (MAX_PARAM_VALUES + 1)))
    assert api.status_code == 400 and "land" in api.get_json()["error"]["message"]
    fine = web.get("/cases?" + urlencode([("land", "berlin")] * MAX_PARAM_VALUES))
    assert fine.status_code == 200


def test_comma_separated_unknown_values_give_a_bounded_list_of_messages(web: FlaskClient) -> None:
    response = web.get("/cases?land=" + ",".join(f"x{i}" for i in range(1500)))
    assert response.status_code == 200 and len(response.data) < SMALL_PAGE
    assert "weitere ungültige Angaben" in response.text


def test_the_url_limit_is_on_path_plus_query(web: FlaskClient) -> None:
    assert web.get("/cases?x=" + "a" * (MAX_URL_BYTES - 20)).status_code == 200
    assert web.get("/cases/" + "a" * (MAX_URL_BYTES + 1)).status_code == 414
    assert web.get("/api/cases?x=" + "a" * MAX_URL_BYTES).get_json()["error"]["status"] == 414


@pytest.mark.parametrize(
    "target", ["/%0d%0aX:1", "/%0aX:1", "/cases%0d%0aSet-Cookie:x=1", "/%09/evil.example", "/%00"]
)
def test_a_next_with_control_characters_on_compare_add_is_not_followed(
    web: FlaskClient, target: str
) -> None:
    response = web.get(f"/compare/add?case={CASE}&next={target}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location in ("/compare", f"/compare?cases={CASE}") or location.startswith("/compare")
    assert "\r" not in location and "\n" not in location and "X:1" not in location
    for path in ("/compare/remove", "/compare/clear"):
        assert web.get(f"{path}?case={CASE}&next={target}").headers["Location"] == "/compare"


def test_a_next_with_cr_lf_on_login_is_not_followed(fuzz_site: Flask) -> None:
    client = fuzz_site.test_client()
    page = client.get("/login?next=/%0d%0aX:1")
    assert page.status_code == 200 and 'name="next" value="/"' in page.text
    for sent in ({"next": "/\r\nX:1"}, {"next": "/cases\nSet-Cookie: a=b"}):
        token = csrf_token(client, "/login")  # a login starts a new session, with a new token
        response = client.post(
            "/login?next=/%0d%0aX:1",
            data={"username": "fritz", "password": PASSWORD, "csrf_token": token, **sent},
        )
        assert response.status_code == 302 and response.headers["Location"] == "/"
        assert "Set-Cookie: a" not in str(response.headers)
    # A plain local path is still followed.
    token = csrf_token(client, "/login")
    ok = client.post(
        "/login",
        data={"username": "fritz", "password": PASSWORD, "csrf_token": token, "next": "/talks"},
    )
    assert ok.headers["Location"] == "/talks"


def test_a_huge_history_number_is_404(editor: FlaskClient) -> None:
    """On SQLite and PostgreSQL (whose integer overflow was a 500)."""
    for number in ("99999999999999999999", str(2**31), "0", "9" * 5000):
        assert editor.get(f"/cases/{CASE}/history/{number}").status_code == 404, number
    assert editor.get(f"/cases/{CASE}/history/{2**31 - 1}").status_code == 404
    assert editor.get(f"/cases/{CASE}/history/1").status_code == 200
    token = csrf_token(editor, f"/cases/{CASE}/history")
    restore = editor.post(
        f"/cases/{CASE}/history/99999999999999999999/restore", data={"csrf_token": token}
    )
    assert restore.status_code == 404


def test_a_huge_population_is_refused_at_the_field_with_the_input_kept(
    editor: FlaskClient,
) -> None:
    """On SQLite and PostgreSQL (whose integer overflow was a 500)."""
    token = csrf_token(editor, "/cases/new")
    data = new_case_form(csrf_token=token, **{"municipality-population": "99999999999999999999"})
    response = editor.post("/cases/new", data=data)
    assert response.status_code == 400
    message = field_error(response.text, "municipality-population")
    assert message == "muss höchstens 100.000.000 sein"
    assert 'value="99999999999999999999"' in response.text
    for bad in ("9" * 5000, "²", "-5"):
        data = new_case_form(csrf_token=token, **{"municipality-population": bad})
        refused = editor.post("/cases/new", data=data)
        assert refused.status_code == 400, bad
        assert field_error(refused.text, "municipality-population")


@pytest.fixture(scope="module")
def note_slug(fuzz_editor: FlaskClient) -> str:
    token = csrf_token(fuzz_editor, f"/talks/{TALK}/notes/new")
    data = {"csrf_token": token, "title": "Fuzz", "created": "2022-05-19", "body": "Text"}
    saved = fuzz_editor.post(f"/talks/{TALK}/notes/new", data=data)
    assert saved.status_code == 302, saved.text
    return saved.headers["Location"].rsplit("#notiz-", 1)[1]


@pytest.mark.parametrize("version", ["99999999999999999999", "9" * 5000, "²", "-1", "x"])
def test_hidden_version_fields_never_give_a_500(
    fuzz_editor: FlaskClient, note_slug: str, version: str
) -> None:
    """A version that is no number in the database's range saves like a form without one."""
    case = form_of(fuzz_editor, f"/cases/{CASE}/edit")
    sent = fuzz_editor.post(f"/cases/{CASE}/edit", data={**case, "version": version})
    assert sent.status_code in (302, 409), sent.status_code
    note = form_of(fuzz_editor, f"/notes/{note_slug}/edit")
    sent = fuzz_editor.post(f"/notes/{note_slug}/edit", data={**note, "version": version})
    assert sent.status_code in (302, 409), sent.status_code


def test_page_numbers_that_int_refuses_are_reported(web: FlaskClient) -> None:
    # "²".isdigit() is true but int("²") fails, and int() refuses more than 4,300 digits.
    for raw in ("²", "9" * 4400, "١٢"):
        for path in ("/cases", "/search?q=Halle&", "/api/cases", "/api/search?q=Halle&"):
            sep = "&" if "?" in path else "?"
            for name in ("page", "per_page"):
                response = web.get(f"{path}{sep}{name}={quote(raw)}")
                assert response.status_code in (200, 400), (path, name, raw)


# --- Hypothesis: generated input at every route ---------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [CASE, TALK, "berlin", "bottom-up", "city", "2022", "1", "0", "-1", "²", "9" * 30, "\r\n"]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.builds(lambda c, n: c * n, st.sampled_from("a,%\x00é"), st.integers(0, 9000)),
)
NAMES = st.one_of(
    st.sampled_from(
        [
            "q",
            "page",
            "per_page",
            "sort",
            "land",
            "governance",
            "scale",
            "size_class",
            "kind",
            "year",
            "cases",
            "case",
            "diff",
            "next",
            "series",
            "presented",
            "instrument",
        ]
    ),
    TEXT,
)
QUERY = st.lists(
    st.one_of(
        st.tuples(NAMES, VALUES),
        st.builds(lambda n, v, k: [(n, v)] * k, NAMES, VALUES, st.integers(0, 80)),
    ),
    max_size=6,
)
SEGMENT = st.one_of(
    st.sampled_from([CASE, TALK, "cases", "talks", "notes", "json", "csv", "md", "1"]),
    st.integers(min_value=0, max_value=10**25).map(str),
    TEXT.filter(lambda s: s not in ("", ".", "..")),
)


def _flatten(pairs: list[object]) -> list[tuple[str, str]]:
    flat: list[tuple[str, str]] = []
    for item in pairs:
        flat.extend(item if isinstance(item, list) else [item])  # type: ignore[list-item]
    return flat


def _get_rules(app: Flask) -> list[str]:
    return sorted(
        r.rule
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and not r.rule.startswith("/static")
    )


def _fill(rule: str, segments: Iterator[str]) -> str:
    def one(match: re.Match[str]) -> str:
        if (match[1] or "").startswith("any("):
            return "cases"
        return quote(next(segments), safe="")

    return re.sub(r"<(?:([^:>]+):)?[^>]+>", one, rule)


def _status(client: FlaskClient, method: str, url: str, **kw: object) -> int:
    response = client.open(url, method=method, **kw)  # type: ignore[arg-type]
    assert response.status_code < 500, (method, url[:300], response.status_code)
    location = response.headers.get("Location", "")
    assert "\r" not in location and "\n" not in location
    return response.status_code


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_generated_requests_to_every_get_route_never_give_a_5xx(
    fuzz_site: Flask, fuzz_editor: FlaskClient, data: st.DataObject
) -> None:
    client = fuzz_editor if data.draw(st.booleans(), "logged in") else fuzz_site.test_client()
    rule = data.draw(st.sampled_from(_get_rules(fuzz_site)), "rule")
    segments = iter(data.draw(st.lists(SEGMENT, min_size=4, max_size=4), "segments"))
    query = urlencode(_flatten(data.draw(QUERY, "query")))
    _status(client, "GET", _fill(rule, segments) + ("?" + query if query else ""))


FORM_ROUTES = [
    "/cases/new",
    f"/cases/{CASE}/edit",
    "/talks/new",
    f"/talks/{TALK}/edit",
    "/series/new",
    f"/talks/{TALK}/notes/new",
    "/login",
    "/account/password",
    f"/cases/{CASE}/history/1/restore",
]
FORM_FIELDS = st.sampled_from(
    [
        "name",
        "slug",
        "city",
        "land",
        "version",
        "reason",
        "more",
        "preview",
        "title",
        "created",
        "body",
        "number",
        "date",
        "year",
        "municipality-population",
        "municipality-population_year",
        "municipality-lat",
        "municipality-lon",
        "start_year",
        "end_year",
        "actors-0-name",
        "actors-99999999999999999999-name",
        "awards-0-year",
        "sources-0-url",
        "next",
        "username",
        "password",
        "current",
        "new",
        "repeated",
    ]
)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(FORM_ROUTES),
    fields=st.dictionaries(st.one_of(FORM_FIELDS, TEXT), VALUES, max_size=8),
)
def test_generated_form_fields_never_give_a_5xx(
    fuzz_editor: FlaskClient, route: str, fields: dict[str, str]
) -> None:
    token = csrf_token(fuzz_editor, "/cases/new")
    fields = {k: v for k, v in fields.items() if k not in ("csrf_token", "password")}
    if route == "/login":
        fields["password"] = "falsch"  # never the real one: the session must stay
    _status(fuzz_editor, "POST", route, data={**fields, "csrf_token": token})
