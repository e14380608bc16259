"""Settings from the environment: KB_BASE_URL is normalised or refused with a message naming
the variable, KB_TRUSTED_HOSTS is parsed, and the hosts a request may name follow from both."""

from pathlib import Path

import pytest

from kb.config import LOCAL_HOSTS, PROJECT_ROOT, Settings, parse_base_url, parse_trusted_hosts
from kb.errors import ConfigurationError


@pytest.mark.parametrize(
    ("value", "normalised"),
    [
        ("", ""),
        ("https://kooperationsmodelle.example", "https://kooperationsmodelle.example/"),
        (" HTTPS://Kooperationsmodelle.Example/ ", "https://kooperationsmodelle.example/"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000/"),
        ("https://stadt.example/wissensbasis//", "https://stadt.example/wissensbasis/"),
    ],
)
def test_base_url_is_normalised(value: str, normalised: str) -> None:
    assert parse_base_url(value) == normalised


@pytest.mark.parametrize(
    "value",
    [
        "kooperationsmodelle.example",
        "ftp://kooperationsmodelle.example",
        "https://",
        "https://kb.example/?lang=de",
        "https://kb.example/#start",
        "https://user:pw@kb.example/",
        "https://kb.example:99999/",
        "https://[::1]/",
        "https://kb example/",
    ],
)
def test_a_malformed_base_url_is_refused_naming_the_variable(value: str) -> None:
    with pytest.raises(ConfigurationError, match=r"^KB_BASE_URL: "):
        parse_base_url(value)


def test_trusted_hosts_are_a_comma_separated_list() -> None:
    assert parse_trusted_hosts("") == ()
    assert parse_trusted_hosts(" KB.example, .stadt.example,,kb.example ") == (
        "kb.example",
        ".stadt.example",
    )
    for bad in ("kb.example:443", "https://kb.example", "*", "::1"):
        with pytest.raises(ConfigurationError, match=r"^KB_TRUSTED_HOSTS: "):
            parse_trusted_hosts(bad)


def test_allowed_hosts(tmp_path: Path) -> None:
    def hosts(**env: str) -> tuple[str, ...]:
        return Settings.from_env({"KB_INSTANCE": str(tmp_path), **env}).allowed_hosts

    assert hosts() == LOCAL_HOSTS == ("localhost", "127.0.0.1")
    assert hosts(KB_BASE_URL="https://kb.example") == (*LOCAL_HOSTS, "kb.example")
    assert hosts(KB_TRUSTED_HOSTS="a.example") == ("a.example",)
    both = hosts(KB_TRUSTED_HOSTS="a.example", KB_BASE_URL="https://kb.example/x")
    assert both == ("a.example", "kb.example")


def test_a_malformed_setting_leaves_nothing_behind(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    with pytest.raises(ConfigurationError):
        Settings.from_env({"KB_INSTANCE": str(instance), "KB_BASE_URL": "kb.example"})
    assert not instance.exists()


def test_the_default_instance_is_the_projects_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({"KB_SECRET_KEY": "x"})
    assert settings.instance_dir == (PROJECT_ROOT / "instance").resolve()
    assert list(tmp_path.iterdir()) == []  # `kb check` run here leaves nothing behind


def test_the_change_log_settings_are_numbers_or_refused_naming_the_variable(
    tmp_path: Path,
) -> None:
    env = {"KB_INSTANCE": str(tmp_path)}
    default = Settings.from_env(env)
    assert (default.log_keep_days, default.log_poll_seconds) == (7.0, 0.5)
    chosen = Settings.from_env({**env, "KB_LOG_KEEP_DAYS": "0", "KB_LOG_POLL_SECONDS": "2"})
    assert (chosen.log_keep_days, chosen.log_poll_seconds) == (0.0, 2.0)
    for name, value in [
        ("KB_LOG_KEEP_DAYS", "sieben"),
        ("KB_LOG_KEEP_DAYS", "-1"),
        ("KB_LOG_POLL_SECONDS", "0"),
        ("KB_LOG_POLL_SECONDS", "nan"),
    ]:
        with pytest.raises(ConfigurationError, match=rf"^{name}: '{value}' ist keine Zahl"):
            Settings.from_env({**env, name: value})
