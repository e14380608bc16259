"""`kb serve --workers N`: the web app in N worker processes under gunicorn (pre-fork, each with
`--threads` threads), for a server with more than one core.

Each worker builds its own app after the fork (gunicorn loads it in the worker, `preload_app`
off): a kb runtime holds database connections, the open index and background threads, none of
which survive a fork. The workers share the server's index directory, as several processes of one
server always could (the index's lock serialises writers; every reader sees committed segments).
"""

import threading
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from kb.config import Settings
from kb.search.service import warm_up
from webapp.app import create_app


class Workers(BaseApplication):  # type: ignore[misc]  # an untyped base class
    """gunicorn run from Python with kb's options, not from a configuration file."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = create_app(self.settings)
        # Each worker follows the change log (what other servers save); the workers of one
        # server share its index, and the first catch-up writes what the others then find done.
        app.extensions["kb"].follow_log()
        threading.Thread(target=warm_up, name="kb-families", daemon=True).start()
        return app


def serve(settings: Settings, host: str, port: int, workers: int, threads: int) -> None:
    """Serve until stopped (SIGTERM or SIGINT: the workers finish their requests first)."""
    Workers(
        settings,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            # A worker silent this long is killed and replaced (a stuck request, not a slow one:
            # the slowest page, a full export, takes a few seconds).
            "timeout": 60,
            "graceful_timeout": 30,
            "preload_app": False,
            "proc_name": "kb",
            "accesslog": None,
            "errorlog": "-",
        },
    ).run()
