"""Settings from the environment: instance folder, database URL, index folder, secret key, the
site's public base URL and the host names it answers to."""

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kb.errors import ConfigurationError
from kb.i18n import _

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED_DIR = PROJECT_ROOT / "seed_data"
# Trusted without KB_TRUSTED_HOSTS: `make run` on 127.0.0.1:5000 and the Flask test client
# ("localhost"). IPv6 literals cannot be listed: Werkzeug's host check compares the part before
# the first colon, so "[::1]" never matches.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
# A DNS name or IPv4 address (IDNs in their xn-- form); a leading dot trusts every subdomain.
_HOST = re.compile(r"\.?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    index_dir: Path
    secret_key: str
    seed_dir: Path
    # Behind a reverse proxy that terminates HTTPS: trust its X-Forwarded-Proto/-Host headers.
    behind_proxy: bool = False
    # The public root URL ("https://host/" or "https://host/prefix/", always with a trailing
    # slash) for every absolute link the site writes (feeds, citations); "" = the request's host.
    base_url: str = ""
    # The host names requests may name (KB_TRUSTED_HOSTS); empty means LOCAL_HOSTS.
    trusted_hosts: tuple[str, ...] = ()
    # The search change log (kb.search.changelog): entries older than this many days are
    # pruned even when an index has not applied them yet (it rebuilds itself when it comes
    # back); 0 keeps them until every known index has (KB_LOG_KEEP_DAYS).
    log_keep_days: float = 7.0
    # How often a process on SQLite looks for log entries of other processes (PostgreSQL
    # notifies them at once), in seconds (KB_LOG_POLL_SECONDS).
    log_poll_seconds: float = 0.5

    @property
    def vocabulary_file(self) -> Path:
        return self.seed_dir / "vocabularies.yaml"

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """Every host a request may name: the trusted hosts (or LOCAL_HOSTS) and the base URL's
        host, so that setting KB_BASE_URL alone is enough for a public site."""
        hosts = list(self.trusted_hosts or LOCAL_HOSTS)
        if self.base_url:
            host = urlsplit(self.base_url).hostname or ""
            if host and host not in hosts:
                hosts.append(host)
        return tuple(hosts)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read KB_INSTANCE, KB_DATABASE_URL, KB_INDEX_DIR, KB_SECRET_KEY, KB_SEED_DIR,
        KB_BEHIND_PROXY, KB_BASE_URL, KB_TRUSTED_HOSTS, KB_LOG_KEEP_DAYS and
        KB_LOG_POLL_SECONDS; a malformed KB_BASE_URL, KB_TRUSTED_HOSTS or number raises
        ConfigurationError naming the variable."""
        env = os.environ if env is None else env
        # Checked first: a typo must not leave an instance folder or a secret key behind.
        base_url = parse_base_url(env.get("KB_BASE_URL", ""))
        trusted_hosts = parse_trusted_hosts(env.get("KB_TRUSTED_HOSTS", ""))
        keep_days = parse_number("KB_LOG_KEEP_DAYS", env.get("KB_LOG_KEEP_DAYS", ""), 7.0, 0.0)
        poll = parse_number("KB_LOG_POLL_SECONDS", env.get("KB_LOG_POLL_SECONDS", ""), 0.5, 0.01)
        # Not the working directory: `kb check` run from elsewhere must not leave a new instance.
        instance = Path(env.get("KB_INSTANCE") or PROJECT_ROOT / "instance").resolve()
        instance.mkdir(parents=True, exist_ok=True)
        database_url = env.get("KB_DATABASE_URL") or f"sqlite:///{instance / 'kb.sqlite3'}"
        index_dir = Path(env.get("KB_INDEX_DIR") or instance / "index").resolve()
        secret = env.get("KB_SECRET_KEY") or _instance_secret(instance)
        seed_dir = Path(env.get("KB_SEED_DIR") or DEFAULT_SEED_DIR).resolve()
        behind_proxy = env.get("KB_BEHIND_PROXY", "") in ("1", "true", "yes")
        return cls(
            instance,
            database_url,
            index_dir,
            secret,
            seed_dir,
            behind_proxy,
            base_url,
            trusted_hosts,
            keep_days,
            poll,
        )


def parse_number(name: str, value: str, default: float, minimum: float) -> float:
    """A number setting (`default` when not set); anything else than a number of at least
    `minimum` raises ConfigurationError naming the variable."""
    value = value.strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not number >= minimum or number == float("inf"):  # also catches nan
        raise ConfigurationError(
            _(
                "%(name)s: %(value)s ist keine Zahl ab %(minimum)s",
                name=name,
                value=repr(value),
                minimum=format(minimum, "g"),
            )
        )
    return number


def parse_base_url(value: str) -> str:
    """KB_BASE_URL normalised to "scheme://host[:port]/[path/]" (lower-case scheme and host,
    one trailing slash), or "" when it is not set."""
    value = value.strip()
    if not value:
        return ""
    example = _("z. B. %(url)s", url="https://kooperationsmodelle.example")
    malformed = ConfigurationError(
        _(
            "KB_BASE_URL: %(value)s ist keine gültige Adresse (%(example)s)",
            value=repr(value),
            example=example,
        )
    )
    if any(c.isspace() for c in value):
        raise malformed
    try:
        parts = urlsplit(value)
        port = parts.port  # a port that is no number or above 65535 raises ValueError
    except ValueError:
        raise malformed from None
    problem = ""
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https"):
        problem = _("muss mit http:// oder https:// beginnen")
    elif not host:
        problem = _("braucht einen Rechnernamen")
    elif "?" in value or "#" in value:
        problem = _("darf keine Abfrage (?…) und keinen Anker (#…) enthalten")
    elif "@" in parts.netloc:
        problem = _("darf keinen Benutzernamen und kein Passwort enthalten")
    elif not _HOST.fullmatch(host) or host.startswith("."):
        problem = _(
            "braucht einen Rechnernamen oder eine IPv4-Adresse (keine IPv6-Adresse; "
            "Umlaut-Domains als xn--…)"
        )
    if problem:
        raise ConfigurationError(
            _(
                "KB_BASE_URL: %(problem)s (%(example)s), nicht %(value)s",
                problem=problem,
                example=example,
                value=repr(value),
            )
        )
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}/"


def parse_trusted_hosts(value: str) -> tuple[str, ...]:
    """KB_TRUSTED_HOSTS: comma-separated host names without port ("kb.example, .example.org"
    trusts kb.example and every subdomain of example.org); () when it is not set."""
    hosts: list[str] = []
    for entry in value.split(","):
        host = entry.strip().lower()
        if not host:
            continue
        if not _HOST.fullmatch(host):
            raise ConfigurationError(
                _(
                    "KB_TRUSTED_HOSTS: %(entry)s ist kein Rechnername (erlaubt: Namen und "
                    "IPv4-Adressen ohne Schema und Port, keine IPv6-Adressen, durch Kommas "
                    "getrennt, z. B. kooperationsmodelle.example,localhost)",
                    entry=repr(entry.strip()),
                )
            )
        if host not in hosts:
            hosts.append(host)
    return tuple(hosts)


def _instance_secret(instance: Path) -> str:
    """Generate the secret key once into the instance folder, so it survives restarts but never
    enters the repository."""
    path = instance / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()
