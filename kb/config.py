"""Settings from the environment: instance folder, database URL, index folder, secret key."""

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED_DIR = PROJECT_ROOT / "seed_data"


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    index_dir: Path
    secret_key: str
    seed_dir: Path
    # Behind a reverse proxy that terminates HTTPS: trust its X-Forwarded-Proto/-Host headers.
    behind_proxy: bool = False

    @property
    def vocabulary_file(self) -> Path:
        return self.seed_dir / "vocabularies.yaml"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Read KB_INSTANCE, KB_DATABASE_URL, KB_INDEX_DIR, KB_SECRET_KEY, KB_SEED_DIR and
        KB_BEHIND_PROXY."""
        env = os.environ if env is None else env
        instance = Path(env.get("KB_INSTANCE") or "instance").resolve()
        instance.mkdir(parents=True, exist_ok=True)
        database_url = env.get("KB_DATABASE_URL") or f"sqlite:///{instance / 'kb.sqlite3'}"
        index_dir = Path(env.get("KB_INDEX_DIR") or instance / "index").resolve()
        secret = env.get("KB_SECRET_KEY") or _instance_secret(instance)
        seed_dir = Path(env.get("KB_SEED_DIR") or DEFAULT_SEED_DIR).resolve()
        behind_proxy = env.get("KB_BEHIND_PROXY", "") in ("1", "true", "yes")
        return cls(instance, database_url, index_dir, secret, seed_dir, behind_proxy)


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
