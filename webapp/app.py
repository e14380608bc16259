"""The application factory: one kb runtime per app, one unit of work per request."""

from typing import Any

from flask import Flask, jsonify

from kb.config import Settings
from kb.runtime import Runtime


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, **config)
    runtime = Runtime.from_settings(settings)
    app.extensions["kb"] = runtime

    @app.get("/healthz")
    def healthz() -> Any:
        ok = runtime.database_ok()
        return jsonify(status="ok" if ok else "error", database=ok), (200 if ok else 503)

    return app
