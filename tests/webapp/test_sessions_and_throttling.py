"""Issue 11, items 2, 3 and 8 on the web: login throttling that cannot be turned against
editors, sessions that can be ended, password changes and resets, display names, and who
edited a note."""

import datetime as dt
import re
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import check_password_hash

import kb.editorial.users
from kb.editorial.users import ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, find_user
from kb.runtime import Runtime
from models import LoginFailure
from tests.webapp.helpers import PASSWORD, csrf_token, login

NEW_PASSWORD = "Rathaus-Fahrrad-Wolke-7"
TALK = "talk-3-altstadtquartier-buechel-aachen"


@pytest.fixture
def web_app(make_app: Callable[..., Flask], seeded: Runtime) -> Flask:
    with seeded.uow() as uow:
        kb.editorial.users.add_user(uow, "anna", PASSWORD, "editor", "Anna Beispiel")
        kb.editorial.users.add_user(uow, "bert", PASSWORD, "editor", "Bert Muster")
        kb.editorial.users.add_user(uow, "root", PASSWORD, "admin")
        uow.commit()
    return make_app(seeded.settings)


def client_at(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def signed_in(app: Flask, name: str, address: str = "10.0.0.1") -> FlaskClient:
    client = client_at(app, address)
    assert login(client, name).status_code == 302  # type: ignore[attr-defined]
    return client


def is_signed_in(client: FlaskClient) -> bool:
    return "Angemeldet:" in client.get("/").text


def forget_waits(runtime: Runtime) -> None:
    """Move every recorded failure an hour back: each delay has passed, the counts stay."""
    with runtime.uow() as uow:
        for row in uow.session.scalars(select(LoginFailure)):
            row.last_failure_at -= dt.timedelta(hours=1)
        uow.commit()


# --- item 2: throttling -------------------------------------------------------------------


def test_failures_from_anywhere_never_lock_out_the_right_password_from_a_new_address(
    web_app: Flask,
) -> None:
    attacker = client_at(web_app, "203.0.113.9")
    for _ in range(ACCOUNT_FREE_FAILURES * 4):
        response = login(attacker, "root", "falsch-falsch-falsch")
        assert response.status_code in (401, 429)  # type: ignore[attr-defined]
    # The admin, from an address without failures, gets in at once.
    assert login(client_at(web_app, "198.51.100.7"), "root").status_code == 302  # type: ignore[attr-defined]


def test_an_address_with_many_failures_waits_ever_longer_even_with_the_right_password(
    web_app: Flask, seeded: Runtime
) -> None:
    attacker = client_at(web_app, "203.0.113.9")
    names = ["anna", "bert", "root", "niemand"]
    for i in range(ADDRESS_FREE_FAILURES):
        assert login(attacker, names[i % 4], "falsch-falsch-falsch").status_code == 401  # type: ignore[attr-defined]
    slowed = login(attacker, "anna")  # the right password, but from this address: wait
    assert slowed.status_code == 429  # type: ignore[attr-defined]
    first_wait = int(slowed.headers["Retry-After"])  # type: ignore[attr-defined]
    assert first_wait >= 1 and "Zu viele Fehlversuche" in slowed.text  # type: ignore[attr-defined]
    forget_waits(seeded)
    assert login(attacker, "bert", "falsch-falsch-falsch").status_code == 401  # type: ignore[attr-defined]
    forget_waits(seeded)
    assert login(attacker, "bert", "falsch-falsch-falsch").status_code == 401  # type: ignore[attr-defined]
    again = login(attacker, "anna")
    assert again.status_code == 429  # type: ignore[attr-defined]
    assert int(again.headers["Retry-After"]) > first_wait  # type: ignore[attr-defined]
    forget_waits(seeded)
    assert login(attacker, "anna").status_code == 302  # type: ignore[attr-defined]


def test_unknown_slowed_down_and_wrong_get_the_same_answer_after_the_same_work(
    web_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks: list[str] = []
    real = check_password_hash  # what kb.editorial.users calls

    def counting(stored: str, password: str) -> bool:
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(kb.editorial.users, "check_password_hash", counting)

    def answer(name: str, address: str) -> tuple[int, str, str | None]:
        before = len(checks)
        response = login(client_at(web_app, address), name, "falsch-falsch-falsch")
        assert len(checks) == before + 1, name  # exactly one hash check, whatever the name
        message = re.search(r'role="alert"><p>([^<]*)<', response.text)  # type: ignore[attr-defined]
        assert message, name
        return response.status_code, message[1], response.headers.get("Retry-After")  # type: ignore[attr-defined]

    assert answer("anna", "10.1.0.1") == answer("niemand", "10.2.0.1")
    for i in range(ACCOUNT_FREE_FAILURES):  # both names slowed down, from many addresses
        answer("anna", f"10.1.1.{i}")
        answer("niemand", f"10.2.1.{i}")
    slowed_known, slowed_unknown = answer("anna", "10.1.2.1"), answer("niemand", "10.2.2.1")
    assert slowed_known[0] == 429 and slowed_known == slowed_unknown
    # A deactivated account answers like an unknown name too.
    with web_app.extensions["kb"].uow() as uow:
        kb.editorial.users.set_active(uow, "bert", False)
        uow.commit()
    assert answer("bert", "10.3.0.1") == answer("niemand-sonst", "10.4.0.1")


# --- item 3: sessions ---------------------------------------------------------------------


def test_a_cookie_copied_before_logout_no_longer_works(web_app: Flask) -> None:
    client = signed_in(web_app, "anna")
    copied = client.get_cookie("session")
    assert copied is not None
    thief = web_app.test_client()
    thief.set_cookie("session", copied.value)
    assert is_signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not is_signed_in(thief) and not is_signed_in(client)


def test_logout_ends_the_sessions_on_every_device(web_app: Flask) -> None:
    laptop, phone = signed_in(web_app, "anna"), signed_in(web_app, "anna", "10.0.0.2")
    phone.post("/logout", data={"csrf_token": csrf_token(phone, "/")})
    assert not is_signed_in(laptop)


def test_a_session_ends_12_hours_after_login_however_busy_it_was(web_app: Flask) -> None:
    client = signed_in(web_app, "anna")
    with client.session_transaction() as session:
        session["since"] -= 11 * 3600
    assert is_signed_in(client)  # used all along: still within the 12 hours
    with client.session_transaction() as session:
        session["since"] = int(time.time()) - 12 * 3600 - 1
    assert not is_signed_in(client)


def test_reactivating_an_account_does_not_revive_its_old_sessions(web_app: Flask) -> None:
    anna, admin = signed_in(web_app, "anna"), signed_in(web_app, "root", "10.0.0.2")
    for active in ("0", "1"):
        token = csrf_token(admin, "/admin/users")
        admin.post("/admin/users/anna/active", data={"active": active, "csrf_token": token})
    assert not is_signed_in(anna)
    assert is_signed_in(signed_in(web_app, "anna"))


def test_a_role_change_ends_the_sessions_of_the_account(web_app: Flask, seeded: Runtime) -> None:
    anna, admin = signed_in(web_app, "anna"), signed_in(web_app, "root", "10.0.0.2")
    token = csrf_token(admin, "/admin/users")
    response = admin.post("/admin/users/anna/role", data={"role": "admin", "csrf_token": token})
    assert response.status_code == 302
    assert not is_signed_in(anna)
    with seeded.uow() as uow:
        user = find_user(uow, "anna")
        assert user is not None and user.role == "admin"


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(
    web_app: Flask,
) -> None:
    here, elsewhere = signed_in(web_app, "anna"), signed_in(web_app, "anna", "10.0.0.2")
    url = "/account/password"
    weak = {"current": PASSWORD, "new": "passwort1234", "repeated": "passwort1234"}
    bad = here.post(url, data={**weak, "csrf_token": csrf_token(here, url)})
    assert bad.status_code == 400 and "häufig verwendetes Passwort" in bad.text
    wrong = {"current": "falsch-falsch-falsch", "new": NEW_PASSWORD, "repeated": NEW_PASSWORD}
    bad = here.post(url, data={**wrong, "csrf_token": csrf_token(here, url)})
    assert bad.status_code == 400 and "bisherige Passwort stimmt nicht" in bad.text
    good = {"current": PASSWORD, "new": NEW_PASSWORD, "repeated": NEW_PASSWORD}
    assert here.post(url, data={**good, "csrf_token": csrf_token(here, url)}).status_code == 302
    assert is_signed_in(here) and not is_signed_in(elsewhere)
    assert login(client_at(web_app, "10.0.0.3"), "anna", NEW_PASSWORD).status_code == 302  # type: ignore[attr-defined]
    assert login(client_at(web_app, "10.0.0.4"), "anna").status_code == 401  # type: ignore[attr-defined]


def test_an_admin_resets_a_password_and_the_old_sessions_end(web_app: Flask) -> None:
    anna, admin = signed_in(web_app, "anna"), signed_in(web_app, "root", "10.0.0.2")
    weak = admin.post(
        "/admin/users/anna/password",
        data={"password": " " * 12, "csrf_token": csrf_token(admin, "/admin/users")},
    )
    assert weak.status_code == 400 and "nur aus Leerzeichen" in weak.text
    assert is_signed_in(anna)
    reset = admin.post(
        "/admin/users/anna/password",
        data={"password": NEW_PASSWORD, "csrf_token": csrf_token(admin, "/admin/users")},
    )
    assert reset.status_code == 302
    assert not is_signed_in(anna) and is_signed_in(admin)
    assert login(client_at(web_app, "10.0.0.3"), "anna", NEW_PASSWORD).status_code == 302  # type: ignore[attr-defined]


# --- item 8: accounts and authorship ------------------------------------------------------


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("Anna \u202eresieB", "Steuer- oder Richtungszeichen"),
        ("A" * 5000, "höchstens 100 Zeichen"),
    ],
)
def test_the_admin_page_refuses_bad_display_names(
    web_app: Flask, display_name: str, message: str
) -> None:
    admin = signed_in(web_app, "root")
    response = admin.post(
        "/admin/users",
        data={
            "username": "clara",
            "display_name": display_name,
            "password": NEW_PASSWORD,
            "role": "editor",
            "csrf_token": csrf_token(admin, "/admin/users"),
        },
    )
    assert response.status_code == 400 and message in response.text


def test_a_password_longer_than_the_limit_is_refused_at_login_after_the_same_work(
    web_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    longest = "Wolke-" + "x" * 994  # exactly MAX_PASSWORD: settable and usable
    with web_app.extensions["kb"].uow() as uow:
        kb.editorial.users.set_password(uow, "bert", longest)
        uow.commit()
    assert login(client_at(web_app, "10.0.0.1"), "bert", longest).status_code == 302  # type: ignore[attr-defined]
    checks: list[str] = []
    real = check_password_hash  # what kb.editorial.users calls

    def counting(stored: str, password: str) -> bool:
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(kb.editorial.users, "check_password_hash", counting)
    # One character more is not cut off to the stored password: refused, like any wrong one.
    response = login(client_at(web_app, "10.0.0.2"), "bert", longest + "y")
    assert response.status_code == 401 and len(checks) == 1  # type: ignore[attr-defined]


def test_a_note_edited_by_someone_else_says_who_and_when(web_app: Flask) -> None:
    anna, bert = signed_in(web_app, "anna"), signed_in(web_app, "bert", "10.0.0.2")
    url = f"/talks/{TALK}/notes/new"
    data = {"title": "Annas Notiz", "body": "Von Anna.", "created": "2022-04-14"}
    created = anna.post(url, data={**data, "csrf_token": csrf_token(anna, url)})
    slug = created.headers["Location"].split("#notiz-")[1]
    page = anna.get(f"/talks/{TALK}").text
    assert "Anna Beispiel" in page and "bearbeitet von" not in page
    anna_edit = f"/notes/{slug}/edit"
    token = csrf_token(anna, anna_edit)
    anna.post(
        anna_edit, data={**data, "body": "Von Anna, ergänzt.", "version": "1", "csrf_token": token}
    )
    assert "bearbeitet von" not in anna.get(f"/talks/{TALK}").text  # her own edit
    token = csrf_token(bert, anna_edit)
    bert.post(
        anna_edit, data={**data, "body": "Von Bert geändert.", "version": "2", "csrf_token": token}
    )
    today = time.strftime("%d.%m.%Y", time.gmtime())
    for page in (web_app.test_client().get(f"/talks/{TALK}").text,):
        assert f"Anna Beispiel · 14.04.2022 · bearbeitet von Bert Muster am {today}" in page
