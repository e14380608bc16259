from click.testing import CliRunner

from kb.cli import main
from kb.runtime import Runtime
from kb.users import authenticate, find_user


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
    assert short.exit_code == 1 and "password: mindestens 10 Zeichen" in short.output
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
    for command in (["init"], ["import"], ["export"], ["check"], ["serve"], ["user", "add"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0, command
        lines = result.output.split("\n")
        description = [line for line in lines[1:] if line.strip() and "Usage" not in line]
        assert description and not description[0].strip().startswith("Options"), command
