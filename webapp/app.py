"""The application factory: one kb runtime per app, one unit of work per request, the
blueprints, error pages, headers and the template helpers."""

from typing import Any

from flask import Flask, jsonify
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

from kb.catalogue.schemas import MAX_BODY
from kb.catalogue.talks import presented_cases
from kb.config import Settings
from kb.markup import render_html
from kb.publishing.compare import MAX_CASES
from kb.runtime import Runtime
from webapp import (
    api,
    auth,
    citation,
    compare,
    downloads,
    editing,
    edition,
    errors,
    feeds,
    headers,
    history,
    hosts,
    i18n,
    limits,
    links,
    maps,
    notes,
    pages,
    search,
    series,
    typology,
)
from webapp.context import close_uow, runtime, vocabulary
from webapp.params import current_path

# A note may hold kb.catalogue.schemas.MAX_BODY (200.000) characters; percent-encoded in a
# form that is up to 1.2 MB of German text. The request limit stays well above it, so that a
# text a little too long still arrives and gets the schema's message next to the field, with
# the typed text kept.
MAX_REQUEST_BYTES = 2 * 1024 * 1024


def create_app(settings: Settings | None = None, **config: Any) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        # Flask's own default (500 kB of form fields) would refuse a long text with a bare 413
        # instead of the schema's message next to the field.
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        JSON_AS_ASCII=False,
        **config,
    )
    kb_runtime = app.extensions["kb"] = Runtime.from_settings(settings)
    kb_runtime.wake_on_pending = True  # what a stopped process left is written, not searched
    if settings.behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    hosts.install(app)  # first: nothing else may run for a host that is not trusted
    limits.install(app)  # then: no view sees an oversized URL
    i18n.install(app)  # the page's language, from its URL's prefix
    app.teardown_appcontext(close_uow)
    blueprints = (
        pages,
        series,
        search,
        downloads,
        api,
        compare,
        auth,
        notes,
        history,
        citation,
        feeds,
        editing,
        typology,
        maps,
    )
    for blueprint in (module.bp for module in blueprints):
        app.register_blueprint(blueprint)
    errors.install(app)
    auth.install(app)
    headers.install(app)
    links.install(app)
    edition.install(app)

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["markdown"] = lambda text, top=3: Markup(render_html(text or "", top=top))
    app.jinja_env.globals["label"] = lambda name, code: vocabulary().label(name, code)
    app.jinja_env.globals["vocab"] = vocabulary
    app.jinja_env.globals["presented_cases"] = presented_cases
    app.jinja_env.globals["compare_basket"] = compare.basket
    app.jinja_env.globals["current_path"] = current_path
    app.jinja_env.globals["compare_max"] = MAX_CASES
    app.jinja_env.globals["max_body"] = MAX_BODY

    @app.get("/healthz")
    def healthz() -> Any:
        """The database and the search index: 200 only while both work (a load balancer takes
        the process out of rotation otherwise); the index is "ok", "rebuilding" or "damaged"."""
        database = runtime().database_ok()
        index = runtime().search_index.state(repair=database)
        ok = database and index == "ok"
        body = jsonify(status="ok" if ok else "error", database=database, index=index)
        return body, (200 if ok else 503)

    return app
