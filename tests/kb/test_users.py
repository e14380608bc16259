import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.editorial.users import (
    ACCOUNT_FREE_FAILURES,
    MAX_PASSWORD,
    add_user,
    attempt_login,
    authenticate,
    end_sessions,
    failure_count,
    find_user,
    session_user,
    set_active,
    set_password,
    set_role,
)
from kb.errors import ValidationError
from kb.runtime import Runtime
from kb.unit_of_work import UnitOfWork


def test_user_add_reads_the_password_from_stdin_and_stores_only_a_hash(
    runtime: Runtime, cli_env: dict[str, str]
) -> None:
    result = CliRunner().invoke(
        main,
        ["user", "add", "anna", "--role", "editor"],
        input="ein-langes-passwort\n",
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    with runtime.uow() as uow:
        user = find_user(uow, "anna")
        assert user is not None and user.role == "editor"
        assert "ein-langes-passwort" not in user.password_hash
        assert authenticate(uow, "anna", "ein-langes-passwort") is user
        assert authenticate(uow, "anna", "falsch-falsch-falsch") is None
        assert authenticate(uow, "niemand", "ein-langes-passwort") is None


def test_user_add_rejects_a_short_password_and_a_second_account_of_the_same_name(
    runtime: Runtime, cli_env: dict[str, str]
) -> None:
    short = CliRunner().invoke(
        main, ["user", "add", "ben", "--role", "admin"], input="kurz\n", env=cli_env
    )
    assert short.exit_code == 1 and "password: mindestens 12 Zeichen" in short.output
    args = ["user", "add", "ben", "--role", "admin"]
    assert CliRunner().invoke(main, args, input="lang-genug-123\n", env=cli_env).exit_code == 0
    again = CliRunner().invoke(main, args, input="lang-genug-123\n", env=cli_env)
    assert again.exit_code == 1 and "existiert bereits" in again.output


def test_user_add_rejects_an_unknown_role(runtime: Runtime, cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["user", "add", "carl", "--role", "king"], input="lang-genug-123\n", env=cli_env
    )
    assert result.exit_code == 2 and "king" in result.output


def test_every_command_has_help_text() -> None:
    runner = CliRunner()
    for command in (
        ["init"],
        ["import"],
        ["export"],
        ["check"],
        ["serve"],
        ["user", "add"],
        ["user", "passwd"],
    ):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0, command
        lines = result.output.split("\n")
        description = [line for line in lines[1:] if line.strip() and "Usage" not in line]
        assert description and not description[0].strip().startswith("Options"), command


# --- issue 11: throttling, sessions, password and display-name rules ---------------------

NEW_PASSWORD = "Rathaus-Fahrrad-Wolke-7"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        (" " * 10, "mindestens 12 Zeichen"),
        (" " * 12, "nur aus Leerzeichen"),
        ("\t \n" * 5, "nur aus Leerzeichen"),
        ("a" * 1001, "höchstens 1000 Zeichen"),
        ("Passwort2024!", "häufig verwendetes Passwort"),
        ("qwertzuiopü!", "häufig verwendetes Passwort"),
        ("Kooperationsmodelle", "häufig verwendetes Passwort"),
        ("123456789012", "nur aus Ziffern"),
        ("abababababab", "mindestens 5 verschiedene Zeichen"),
        ("clara.schmidt-2024", "Benutzername oder der Name"),
    ],
)
def test_weak_passwords_are_refused(uow: UnitOfWork, password: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        add_user(uow, "clara.schmidt", password, "editor")
    assert any(message in str(e) for e in refused.value.errors), refused.value.errors


def test_the_longest_allowed_password_can_be_set_and_used(uow: UnitOfWork) -> None:
    longest = "Wolke-" + "x" * (MAX_PASSWORD - 6)
    add_user(uow, "clara", longest, "editor")
    assert authenticate(uow, "clara", longest) is not None
    assert authenticate(uow, "clara", longest + "x") is None


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("Anna \u202eresieB", "Steuer- oder Richtungszeichen"),
        ("Anna\u200bB", "Steuer- oder Richtungszeichen"),
        ("Anna\x07", "Steuer- oder Richtungszeichen"),
        ("A" * 5000, "höchstens 100 Zeichen"),
    ],
)
def test_bad_display_names_are_refused(uow: UnitOfWork, display_name: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        add_user(uow, "clara", NEW_PASSWORD, "editor", display_name)
    assert any(message in str(e) for e in refused.value.errors)


def test_thirty_parallel_wrong_logins_are_all_counted(runtime: Runtime) -> None:
    with runtime.uow() as uow:
        add_user(uow, "anna", NEW_PASSWORD, "editor")
        uow.commit()

    def wrong(_: int) -> str:
        with runtime.uow() as uow:
            attempt = attempt_login(uow, "anna", "falsch-falsch-falsch", "10.9.9.9")
            uow.commit()
            assert attempt.user is None
            return attempt.message

    with ThreadPoolExecutor(max_workers=30) as pool:
        list(pool.map(wrong, range(30)))
    with runtime.uow() as uow:
        assert failure_count(uow, "user:anna") == 30
        assert failure_count(uow, "addr:10.9.9.9") == 30


def test_delays_grow_with_each_failure_and_a_success_clears_them(uow: UnitOfWork) -> None:
    add_user(uow, "anna", NEW_PASSWORD, "editor")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for i in range(ACCOUNT_FREE_FAILURES):
        address = f"10.0.0.{i}"
        assert attempt_login(uow, "anna", "falsch", address, now).retry_after == 0
    waits = []
    for i in range(4):  # from ever new addresses: every failure doubles the wait
        attempt = attempt_login(uow, "anna", "falsch", f"10.0.1.{i}", now)
        assert attempt.user is None and "Zu viele Fehlversuche" in attempt.message
        waits.append(attempt.retry_after)
    assert waits == [1, 2, 4, 8]
    # The owner, from an address without failures, gets in during the wait.
    assert attempt_login(uow, "anna", NEW_PASSWORD, "10.0.2.1", now).user is not None
    assert failure_count(uow, "user:anna") == 0


def test_sessions_end_on_deactivation_role_and_password_change(uow: UnitOfWork) -> None:
    user = add_user(uow, "anna", NEW_PASSWORD, "editor")
    generation = user.session_generation
    assert session_user(uow, user.id, generation) is user
    for change in (
        lambda: set_active(uow, "anna", False),
        lambda: set_active(uow, "anna", True),
        lambda: set_role(uow, "anna", "admin"),
        lambda: set_password(uow, "anna", "Ein-anderes-Passwort-9"),
        lambda: end_sessions(uow, user),
    ):
        change()
        assert session_user(uow, user.id, generation) is None
        generation = user.session_generation
        assert session_user(uow, user.id, generation) is (user if user.active else None)


def test_user_passwd_sets_a_new_password_and_refuses_a_weak_one(
    runtime: Runtime, cli_env: dict[str, str]
) -> None:
    with runtime.uow() as uow:
        add_user(uow, "anna", NEW_PASSWORD, "editor")
        uow.commit()
    runner = CliRunner()
    weak = runner.invoke(main, ["user", "passwd", "anna"], input=" " * 10 + "\n", env=cli_env)
    assert weak.exit_code == 1 and "mindestens 12 Zeichen" in weak.output
    unknown = runner.invoke(
        main, ["user", "passwd", "nobody"], input=NEW_PASSWORD + "\n", env=cli_env
    )
    assert unknown.exit_code == 1 and "nobody" in unknown.output
    good = runner.invoke(
        main, ["user", "passwd", "anna"], input="Neues-Passwort-Fluss-3\n", env=cli_env
    )
    assert good.exit_code == 0, good.output
    with runtime.uow() as uow:
        assert authenticate(uow, "anna", "Neues-Passwort-Fluss-3") is not None
        assert authenticate(uow, "anna", NEW_PASSWORD) is None
