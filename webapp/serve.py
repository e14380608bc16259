"""`kb serve`: the web app behind waitress, a production WSGI server (a kb command)."""

import sys
import threading

import click
import waitress

from kb.config import Settings
from kb.errors import ConfigurationError
from kb.search.service import warm_up
from webapp.app import create_app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 256))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Prozesse; mehr als einer: gunicorn, jeder mit --threads Threads",
)
def serve_command(host: str, port: int, threads: int, workers: int) -> None:
    """Die Web-Anwendung mit einem Produktions-WSGI-Server bereitstellen (waitress; mit
    --workers N gunicorn mit N Prozessen)."""
    try:
        settings = Settings.from_env()
    except ConfigurationError as exc:
        # Like kb's other commands: the message naming the variable, no traceback.
        click.echo(f"Fehler: {exc}", err=True)
        sys.exit(1)
    if workers > 1:
        from webapp.workers import serve as serve_workers  # gunicorn only where it is used

        click.echo(f"Wissensbasis läuft auf http://{host}:{port}/ ({workers} Prozesse)")
        serve_workers(settings, host, port, workers, threads)
        return
    app = create_app(settings)
    # Changes saved by other processes (other app servers on the same database, each with an
    # index directory of its own) are indexed here within about a second.
    app.extensions["kb"].follow_log()
    # The word families' dictionary takes about a second to load: load it now, beside the
    # server, rather than in the first search that widens its query.
    threading.Thread(target=warm_up, name="kb-families", daemon=True).start()
    click.echo(f"Wissensbasis läuft auf http://{host}:{port}/")
    waitress.serve(app, host=host, port=port, threads=threads, ident="kb")
