"""Accounts on the web: login with throttling, logout, session cookie flags, CSRF on every
form, admin pages for editors."""

import re
from collections.abc import Callable

import pytest
from flask import Flask

from kb.editorial.users import add_user, find_user
from kb.runtime import Runtime
from tests.webapp.helpers import PASSWORD, csrf_token, login


@pytest.fixture
def accounts(seeded: Runtime) -> Runtime:
    with seeded.uow() as uow:
        add_user(uow, "anna", PASSWORD, "editor", "Anna Beispiel")
        add_user(uow, "root", PASSWORD, "admin")
        uow.commit()
    return seeded


@pytest.fixture
def web_app(make_app: Callable[..., Flask], accounts: Runtime) -> Flask:
    return make_app(accounts.settings)


def test_login_and_logout(web_app: Flask) -> None:
    client = web_app.test_client()
    response = login(client, "anna")
    assert response.status_code == 302  # type: ignore[attr-defined]
    page = client.get("/").text
    assert "Angemeldet: Anna Beispiel" in page
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert "Anmelden" in client.get("/").text


def test_session_cookie_is_secure_over_https(web_app: Flask) -> None:
    client = web_app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"',
        client.get("/login", base_url="https://localhost").text,
    )
    assert token
    response = client.post(
        "/login",
        base_url="https://localhost",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token[1]},
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_password_keeps_the_name_and_says_nothing_specific(web_app: Flask) -> None:
    client = web_app.test_client()
    response = login(client, "anna", "falsch-falsch")
    assert response.status_code == 401  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert "Benutzername oder Passwort ist falsch." in text and 'value="anna"' in text
    assert "Benutzername oder Passwort ist falsch." in login(client, "niemand").text  # type: ignore[attr-defined]


def test_a_post_without_csrf_token_is_refused_and_gives_back_the_input(web_app: Flask) -> None:
    client = web_app.test_client()
    response = client.post("/login", data={"username": "anna", "password": PASSWORD})
    assert response.status_code == 400
    assert "Sicherheits-Token" in response.text
    assert "anna" in response.text and PASSWORD not in response.text


def test_deactivated_users_cannot_log_in_and_are_logged_out(
    web_app: Flask, accounts: Runtime
) -> None:
    editor, admin = web_app.test_client(), web_app.test_client()
    login(editor, "anna")
    login(admin, "root")
    page = admin.get("/admin/users")
    assert page.status_code == 200 and "anna" in page.text
    token = csrf_token(admin, "/admin/users")
    admin.post("/admin/users/anna/active", data={"active": "0", "csrf_token": token})
    assert "Angemeldet:" not in editor.get("/").text
    assert login(web_app.test_client(), "anna").status_code == 401  # type: ignore[attr-defined]


def test_admins_create_editors_and_errors_keep_the_input(web_app: Flask, accounts: Runtime) -> None:
    admin = web_app.test_client()
    login(admin, "root")
    token = csrf_token(admin, "/admin/users")
    bad = admin.post(
        "/admin/users",
        data={
            "username": "Bert!",
            "display_name": "Bert B.",
            "password": "kurz",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 400
    assert "mindestens 12 Zeichen" in bad.text and 'value="Bert B."' in bad.text
    good = admin.post(
        "/admin/users",
        data={"username": "bert", "password": PASSWORD, "role": "editor", "csrf_token": token},
    )
    assert good.status_code == 302
    with accounts.uow() as uow:
        assert find_user(uow, "bert") is not None


def test_only_admins_reach_the_account_page(web_app: Flask) -> None:
    anonymous = web_app.test_client().get("/admin/users")
    assert anonymous.status_code == 302 and "/login?next=" in anonymous.headers["Location"]
    editor = web_app.test_client()
    login(editor, "anna")
    assert editor.get("/admin/users").status_code == 403


def test_behind_a_proxy_the_forwarded_scheme_makes_the_cookie_secure(
    make_app: Callable[..., Flask], accounts: Runtime
) -> None:
    from dataclasses import replace

    # The proxy's public host is trusted because it is the host of KB_BASE_URL.
    app = make_app(replace(accounts.settings, behind_proxy=True, base_url="https://kb.example/"))
    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kb.example"}
    page = client.get("/login", headers=forwarded).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token[1]},
        headers={**forwarded, "Referer": "https://kb.example/login"},
    )
    assert response.status_code == 302
    assert "Secure" in response.headers["Set-Cookie"]
