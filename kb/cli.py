"""The `kb` command line: set up, import, check, export, serve, manage users.

Each command imports what it needs inside its function: loading every part of kb (the
database, the search engine, the importer, the exporter, migrations, password hashing) took a
second before `kb --help` could answer. Only click, the standard library and kb.errors load
with this module; tests/kb/test_cli_startup.py keeps it so.

Long work reports its progress through a callback (kb itself never prints); `_progress` shows
it: a bar on a terminal, a plain line now and then otherwise, nothing with --quiet.
"""

import html
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kb.errors import FieldError, KbError, ValidationError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

    from kb.config import Settings
    from kb.exchange.codebook import CodebookFormat
    from kb.exchange.exporting import Format
    from kb.runtime import Runtime

# Seconds between two progress lines when stderr is not a terminal (a log): work done sooner
# prints none, so short commands keep their output as it was.
PROGRESS_EVERY = 10.0
# kb.publishing.compare.FORMATS, named here so that the module loads only for `kb compare`
# (tests/kb/test_cli_startup.py checks that both agree).
COMPARE_FORMATS = ("csv", "json", "markdown", "text")
# The kinds with a history (kb.editorial.kinds.deletable) and the kinds the index holds
# (search_index.documents.KINDS), named here for the same reason and checked the same way.
HISTORY_KINDS = ("case", "talk", "note")
SEARCH_KINDS = ("case", "talk", "note")
QUIET = click.option(
    "--quiet", "-q", is_flag=True, help="Keine Fortschrittsanzeige (auf der Standardfehlerausgabe)."
)


@contextmanager
def _runtime(settings: "Settings | None" = None) -> Iterator["Runtime"]:
    from kb.config import Settings
    from kb.runtime import Runtime

    runtime = Runtime.from_settings(settings or Settings.from_env())
    try:
        yield runtime
    finally:
        runtime.close()


class _Progress:
    """Shows a progress callback's (done, total): click's progress bar when stderr is a
    terminal, else a line "… done/total unit" to stderr every PROGRESS_EVERY seconds and, if
    there was one, a last one at the end; nothing when quiet. Callable from several threads."""

    def __init__(self, label: str, unit: str, quiet: bool) -> None:
        self.label, self.unit, self.quiet = label, unit, quiet
        self.terminal = sys.stderr.isatty()
        self._bar: Any = None
        self._lock = threading.Lock()
        self._last: tuple[int, int] | None = None  # the newest (done, total)
        self._shown: tuple[int, int] | None = None  # the last line printed
        self._shown_at = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        with self._lock:
            self._last = (done, total)
            if self.terminal:
                if self._bar is None:
                    self._bar = click.progressbar(
                        length=total, label=self.label, file=sys.stderr, show_pos=True
                    )
                    self._bar.__enter__()
                self._bar.update(done - self._bar.pos)
            elif time.monotonic() - self._shown_at >= PROGRESS_EVERY:
                self._line()

    def _line(self) -> None:
        if self._last is None or self._last == self._shown:
            return
        done, total = self._shown = self._last
        self._shown_at = time.monotonic()
        click.echo(f"… {done}/{total} {self.unit}", err=True)

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.__exit__(None, None, None)
                self._bar = None
            elif self._shown is not None:
                self._line()  # the last count, if it was not shown yet


@contextmanager
def _progress(label: str, unit: str, quiet: bool) -> Iterator[_Progress]:
    display = _Progress(label, unit, quiet)
    try:
        yield display
    finally:
        display.close()


def _fail(exc: KbError) -> None:
    if isinstance(exc, ValidationError):
        click.echo(f"Fehler ({len(exc.errors)}), nichts wurde geschrieben:", err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
    else:
        click.echo(f"Fehler: {exc}", err=True)
    sys.exit(1)


def _reports_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn kb's errors into a clear message and exit status 1 instead of a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KbError as exc:
            _fail(exc)

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


class _Commands(click.Group):
    """Adds the commands that other packages register under the entry point group `kb.commands`
    (the web app's `serve`), so that kb never imports the web app. A plugin is loaded only when
    it runs or shows its own help: `kb --help` lists it without importing it (loading the web
    app took longer than all of kb)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(e.name for e in _plugins())})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            for entry in _plugins():
                if entry.name == name:
                    loaded: click.Command = entry.load()
                    return loaded
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)
        for name in names:
            command = super().get_command(ctx, name)
            if command is not None and command.hidden:
                continue
            if command is None:
                package = next(e.module for e in _plugins() if e.name == name).split(".")[0]
                text = f"Aus dem Paket {package} (Hilfe: kb {name} --help)."
            else:
                text = command.get_short_help_str(limit)
            rows.append((name, text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _plugins() -> list["EntryPoint"]:
    from importlib.metadata import entry_points  # a few hundredths of a second: not for kb search

    return list(entry_points(group="kb.commands"))


@click.group(
    cls=_Commands,
    help="Wissensbasis kommunaler Kooperationsmodelle. Konfiguration über KB_INSTANCE, "
    "KB_DATABASE_URL, KB_INDEX_DIR, KB_SECRET_KEY (siehe README).",
)
def main() -> None:
    pass


@main.command("init")
@QUIET
@_reports_errors
def init_command(quiet: bool) -> None:
    """Datenbank anlegen oder aktualisieren und den Grundbestand aus seed_data/ laden.

    Wiederholt ausgeführt ändert der Befehl nichts; seit dem Laden bearbeitete Einträge
    bleiben, wie sie sind.
    """
    with _runtime() as runtime, _progress("Suchindex", "Dokumente", quiet) as progress:
        report = runtime.init(progress=progress)
    for line in report.lines():
        click.echo(line)
    click.echo("Grundbestand geladen." if report.changed else "Nichts zu tun: alles aktuell.")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@QUIET
@_reports_errors
def import_command(paths: tuple[Path, ...], quiet: bool) -> None:
    """Fälle (YAML), Reihen (YAML), Gespräche und Notizen (Markdown) importieren.

    Alles wird zuerst geprüft; bei einem Fehler wird nichts geschrieben. Ordner werden
    rekursiv gelesen.
    """
    with _runtime() as runtime, _progress("Import", "Einträge", quiet) as progress:
        report = runtime.import_files(list(paths), progress=progress)
    for line in report.lines():
        click.echo(line)


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--completeness",
    is_flag=True,
    help="Vollständigkeit aller Fälle der Datenbank ausgeben (Kürzel, Wert 0–100, was fehlt), "
    "die lückenhaftesten zuerst.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Warnungen (Angaben ohne Quelle, Quellen, die nichts belegen) als Fehler werten.",
)
@_reports_errors
def check_command(paths: tuple[Path, ...], completeness: bool, strict: bool) -> None:
    """Dateien prüfen, ohne zu schreiben (Verweise auch gegen die Datenbank, falls vorhanden).

    Warnt außerdem vor Angaben ohne Quelle (Akteursrollen, Einwohnerzahl, Förderung,
    Auszeichnungen, Chronik), vor zitierten Quellen, die in der Quellenliste fehlen, und vor
    Quellen, die keine Angabe zitiert und deren „supports“ leer ist.

    Mit --completeness: die Arbeitsliste der Redaktion, was jedem Fall noch fehlt.
    """
    if not paths and not completeness:
        raise click.UsageError("Dateien angeben oder --completeness.")
    if completeness:
        _print_completeness()
    if not paths:
        return
    from kb.catalogue.provenance import warnings as provenance_warnings
    from kb.exchange.importing import check_references, read, validate_files

    with _runtime() as runtime:
        files, errors = read(paths)
        items, problems = validate_files(files, runtime.vocabulary)
        errors.extend(problems)
        if runtime.has_schema():
            with runtime.uow() as uow:
                errors.extend(check_references(uow, items))
        else:
            errors.extend(check_references(None, items))
    if errors:
        raise ValidationError(errors)
    warnings = [
        item.file.error(loc, message)
        for item in items
        if item.kind == "case"
        for loc, message in provenance_warnings(item.data.model_dump())
    ]
    for warning in warnings:
        click.echo(f"Warnung: {warning}")
    if strict and warnings:
        _fail(KbError(f"{len(warnings)} Warnung(en); mit --strict ist das ein Fehler."))
    tail = f", {len(warnings)} Warnung(en)" if warnings else ""
    click.echo(f"{len(items)} Datei(en) geprüft: keine Fehler{tail}.")


def _print_completeness() -> None:
    from kb.catalogue.completeness import queue

    with _runtime() as runtime:
        if not runtime.has_schema():
            raise KbError("Keine Datenbank: zuerst `kb init` ausführen.")
        with runtime.uow() as uow:
            found = queue(uow, runtime.vocabulary)
    for item in found:
        gaps = ", ".join(g.code for g in item.gaps) or "vollständig"
        click.echo(f"{item.slug}\t{item.score}\t{gaps}")
    click.echo(f"{len(found)} Fall/Fälle, {sum(1 for i in found if i.gaps)} mit Lücken.")


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json", "csv"]),
    default="yaml",
    show_default=True,
    help="yaml: wieder importierbare Dateien; json; csv.",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Zielordner."
)
@QUIET
@_reports_errors
def export_command(fmt: "Format", out: Path, quiet: bool) -> None:
    """Den ganzen Katalog exportieren."""
    from kb.exchange.exporting import export_catalogue

    with (
        _runtime() as runtime,
        runtime.uow() as uow,
        _progress("Export", "Dateien", quiet) as progress,
    ):
        written = export_catalogue(
            uow, fmt, out, runtime.vocabulary, runtime.settings.vocabulary_file, progress
        )
    click.echo(f"{len(written)} Datei(en) nach {out} geschrieben.")


@main.command("codebook")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "markdown"]),
    default="markdown",
    show_default=True,
    help="csv: eine Tabelle; json; markdown: zum Lesen.",
)
@_reports_errors
def codebook_command(fmt: "CodebookFormat") -> None:
    """Das Codebuch der Downloads ausgeben: jede Spalte der CSV-Dateien (breit und lang) und
    jeder Wert jedes Vokabulars mit Code, Bezeichnung und Definition."""
    from kb.exchange.codebook import build_codebook, render_codebook

    with _runtime() as runtime:
        book = build_codebook(runtime.vocabulary)
    click.echo(render_codebook(book, fmt), nl=False)


@main.command("search")
@click.argument("query", nargs=-1)
@click.option(
    "--kind",
    multiple=True,
    type=click.Choice(SEARCH_KINDS),
    help="Nur diese Art (mehrfach möglich).",
)
@click.option("--governance", multiple=True, help="Governance-Typ (Code, mehrfach möglich).")
@click.option("--scale", multiple=True, help="Maßstab (Code, mehrfach möglich).")
@click.option("--land", multiple=True, help="Land (Code, mehrfach möglich).")
@click.option("--size-class", multiple=True, help="Größenklasse (Code, mehrfach möglich).")
@click.option("--year", multiple=True, help="Jahr (mehrfach möglich).")
@click.option(
    "--sort",
    type=click.Choice(["relevance", "date", "name"]),
    default="relevance",
    show_default=True,
)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option(
    "--exact",
    is_flag=True,
    help="Nur genau diese Wörter: ohne Korrektur von Tippfehlern, Wortformen und Teiltreffer.",
)
@click.option("--json", "as_json", is_flag=True, help="Ergebnis als JSON ausgeben.")
@_reports_errors
def search_command(
    query: tuple[str, ...],
    kind: tuple[str, ...],
    governance: tuple[str, ...],
    scale: tuple[str, ...],
    land: tuple[str, ...],
    size_class: tuple[str, ...],
    year: tuple[str, ...],
    sort: str,
    page: int,
    per_page: int,
    exact: bool,
    as_json: bool,
) -> None:
    """Volltextsuche über Fälle, Gespräche und Notizen.

    Wörter werden UND-verknüpft; "Phrasen", ODER/OR, NICHT/NOT oder -wort, Präfix*, und
    Feldfilter wie land:berlin oder typ:bottom-up sind möglich. Findet das weniger als drei
    Treffer, sucht sie auch Schreibvarianten, verwandte Wortformen und Treffer mit einigen
    Wörtern (außer mit --exact); Fragewörter werden übergangen.
    """
    from kb.config import Settings
    from kb.search.direct import QuerySyntaxError, SearchRequest, search_index_only

    request = SearchRequest(
        query=" ".join(query),
        filters={
            "kind": kind,
            "governance": governance,
            "scale": scale,
            "land": land,
            "size_class": size_class,
            "year": year,
        },
        sort=sort,
        page=page,
        per_page=per_page,
        exact=exact,
    )
    settings = Settings.from_env()
    try:
        # With nothing pending (mostly), the index alone answers: no database layer to load.
        results = search_index_only(settings.database_url, settings.index_dir, request)
        if results is None:
            with _runtime(settings) as runtime, runtime.uow() as uow:
                results = runtime.search_index.search(uow, request)
    except QuerySyntaxError as exc:
        raise ValidationError([FieldError("query", str(exc))]) from exc
    if as_json:
        click.echo(json.dumps(results.to_json(), ensure_ascii=False, indent=2))
        return
    if results.message:
        click.echo(results.message)
    if results.corrected_from:
        click.echo(
            f"Ergebnisse für: {results.query} (stattdessen genau so suchen: "
            f"kb search --exact {results.corrected_from})"
        )
    click.echo(f"{results.total} Treffer (Seite {results.page})")
    if results.partial:
        some = "Treffer mit einigen Wörtern"
        click.echo(
            f"Nur {results.exact_total} Treffer mit allen Wörtern – dazu {some}"
            if results.exact_total
            else f"Keine Treffer mit allen Wörtern – {some}"
        )
    for hit in results.hits:
        click.echo(f"- [{hit.kind}] {hit.title}  {_where(hit.slug, hit.anchor)}")
        click.echo(f"    {_plain_snippet(hit.snippet)}")
        if hit.missing:
            click.echo(f"    es fehlt: {', '.join(hit.missing)}")
    if results.suggestion:
        click.echo(f"Meinten Sie: {results.suggestion}?")


def _where(slug: str, anchor: str = "") -> str:
    """Where an item is, by slug (kb knows no site addresses; those are the web app's): a note
    is on its talk's page, as "talk-slug#note-slug"."""
    return f"{slug}#{anchor}" if anchor else slug


def _plain_snippet(snippet: str) -> str:
    """A snippet for the terminal: <mark> becomes [...], a details line's label stays as its
    text ("Instrument: …"), entities are unescaped."""
    plain = snippet.replace("<mark>", "[").replace("</mark>", "]")
    plain = plain.replace('<span class="snippet-label">', "").replace("</span>", "")
    return html.unescape(plain)


@main.command("compare")
@click.argument("slugs", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(COMPARE_FORMATS),
    default="text",
    show_default=True,
    help="Ausgabeformat.",
)
@_reports_errors
def compare_command(slugs: tuple[str, ...], fmt: str) -> None:
    """Zwei bis vier Fälle Feld für Feld vergleichen (wie /compare im Web)."""
    from kb.publishing.compare import FORMATS, compare, parse_slugs

    wanted = parse_slugs(slugs)
    with _runtime() as runtime, runtime.uow() as uow:
        comparison = compare(uow, wanted, runtime.vocabulary)
    click.echo(FORMATS[fmt](comparison), nl=False)


@main.command("check-links")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    help="Sekunden je Anfrage.",
)
@click.option(
    "--workers", type=click.IntRange(1, 32), default=8, show_default=True, help="Anfragen zugleich."
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 8),
    default=2,
    show_default=True,
    help="Anfragen zugleich an denselben Server.",
)
@click.option(
    "--max-time",
    type=click.FloatRange(1, 86400),
    default=900.0,
    show_default=True,
    help="Sekunden für die ganze Prüfung; was dann offen ist, gilt als nicht erreichbar.",
)
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    help="Nur Adressen, die so beginnen (mehrfach möglich), z. B. https://example.org/.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ergebnis als JSON hierhin schreiben (Standard: <instance>/link-check.json).",
)
@click.option("--json", "as_json", is_flag=True, help="Das Ergebnis als JSON ausgeben.")
@click.option(
    "--strict", is_flag=True, help="Auch umgezogene und weitergeleitete Adressen ergeben Status 1."
)
@QUIET
@_reports_errors
def check_links_command(
    timeout: float,
    workers: int,
    per_host: int,
    max_time: float,
    prefixes: tuple[str, ...],
    out: Path | None,
    as_json: bool,
    strict: bool,
    quiet: bool,
) -> None:
    """Jede Quellenadresse der Fälle, Gespräche und Reihen abrufen und tote, umgezogene und
    weitergeleitete Adressen mit Fall/Gespräch und Feld melden.

    Exit-Status: 0 alle erreichbar (umgezogene und weitergeleitete sind nur Warnungen, außer
    mit --strict), 1 mindestens eine tot oder nicht erreichbar.
    """
    from kb.editorial.links import (
        LinkResult,
        check_links,
        collect_links,
        default_result_path,
        render_report,
        user_agent_for,
        write_report,
    )

    with _runtime() as runtime:
        if not runtime.has_schema():
            raise KbError("Die Datenbank ist noch nicht angelegt: zuerst `kb init` ausführen.")
        with runtime.uow() as uow:
            links = collect_links(uow, prefixes)
        settings = runtime.settings
    with _progress("Adressen", "Adressen", quiet) as progress:
        checked = 0
        count = threading.Lock()

        def one_more(_: LinkResult) -> None:
            nonlocal checked
            with count:
                checked += 1
                progress(checked, len(links))

        report = check_links(
            links,
            timeout=timeout,
            workers=workers,
            per_host=per_host,
            max_duration=max_time,
            user_agent=user_agent_for(settings.base_url),
            progress=one_more,
        )
    path = out or default_result_path(settings.instance_dir)
    write_report(report, path)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in render_report(report):
            click.echo(line)
        click.echo(f"Ergebnis gespeichert: {path}")
    if report.failed(strict=strict):
        sys.exit(1)


@main.command("reindex")
@QUIET
@_reports_errors
def reindex_command(quiet: bool) -> None:
    """Suchindex aus der Datenbank neu aufbauen (in einen neuen Ordner, dann umgeschaltet;
    Suchen laufen währenddessen weiter)."""
    with (
        _runtime() as runtime,
        runtime.uow() as uow,
        _progress("Suchindex", "Dokumente", quiet) as progress,
    ):
        count = runtime.search_index.rebuild(uow, progress=progress)
    click.echo(f"Suchindex neu aufgebaut: {count} Dokumente.")


@main.group("user")
def user_group() -> None:
    """Konten für Redaktion und Administration verwalten."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "admin"]), required=True)
@click.option("--display-name", default="", help="Angezeigter Name (Standard: NAME).")
@_reports_errors
def user_add(name: str, role: str, display_name: str) -> None:
    """Konto anlegen. Das Passwort wird abgefragt oder aus der Standardeingabe gelesen."""
    from kb.editorial.users import add_user

    if sys.stdin.isatty():
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    with _runtime() as runtime, runtime.uow() as uow:
        add_user(uow, name, password, role, display_name)
        uow.commit()
    click.echo(f"Konto '{name}' ({role}) angelegt.")


@user_group.command("passwd")
@click.argument("name")
@_reports_errors
def user_passwd(name: str) -> None:
    """Neues Passwort setzen (z. B. vergessen); alle Sitzungen des Kontos enden. Das Passwort
    wird abgefragt oder aus der Standardeingabe gelesen."""
    from kb.editorial.users import set_password

    if sys.stdin.isatty():
        password = click.prompt("Neues Passwort", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    with _runtime() as runtime, runtime.uow() as uow:
        set_password(uow, name, password)
        uow.commit()
    click.echo(f"Neues Passwort für '{name}' gesetzt; alle seine Sitzungen sind beendet.")


@main.group("note")
def note_group() -> None:
    """Notizen zu Gesprächen."""


@note_group.command("add")
@click.argument("talk")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--author", required=True, help="Benutzername der Redakteurin/des Redakteurs.")
@click.option("--reason", default="", help="Grund (für den Verlauf).")
@_reports_errors
def note_add(talk: str, file: Path, author: str, reason: str) -> None:
    """Eine Notiz aus einer Markdown-Datei mit Front Matter (title, optional slug und
    created) zum Gespräch TALK hinzufügen."""
    from kb.editorial.notes import add_note_file

    with _runtime() as runtime, runtime.uow() as uow:
        note = add_note_file(uow, talk, file, author, runtime.vocabulary, reason=reason)
        uow.commit()
        click.echo(f"Notiz '{note.slug}' zum Gespräch '{note.talk.slug}' gespeichert.")


KIND_CHOICE = click.Choice(HISTORY_KINDS)


@main.command("history")
@click.argument("kind", type=KIND_CHOICE)
@click.argument("slug")
@_reports_errors
def history_command(kind: str, slug: str) -> None:
    """Alle Fassungen eines Falls, Gesprächs oder einer Notiz mit ihren Änderungen."""
    from kb.editorial.history import history

    with _runtime() as runtime, runtime.uow() as uow:
        _, entries = history(uow, kind, slug, runtime.vocabulary)
        for entry in entries:
            r = entry.revision
            reason = f" – {r.reason}" if r.reason else ""
            when = r.created_at.strftime("%Y-%m-%d %H:%M")
            click.echo(f"Fassung {r.number} ({when}, {r.actor}): {entry.action_label}{reason}")
            for change in entry.changes:
                click.echo(f"  {change}")


@main.command("restore")
@click.argument("kind", type=KIND_CHOICE)
@click.argument("slug")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--author", required=True, help="Benutzername, der im Verlauf erscheint.")
@click.option("--reason", default="", help="Grund (für den Verlauf).")
@_reports_errors
def restore_command(kind: str, slug: str, number: int, author: str, reason: str) -> None:
    """Eine ältere Fassung wiederherstellen (als neue Fassung; nichts geht verloren)."""
    from kb.editorial.history import restore_revision
    from kb.editorial.users import find_user

    with _runtime() as runtime, runtime.uow() as uow:
        user = find_user(uow, author)
        if user is None or not user.active:
            raise ValidationError([FieldError("author", f"kein aktives Konto '{author}'")])
        restore_revision(
            uow,
            kind,
            slug,
            number,
            runtime.vocabulary,
            actor=user.username,
            user_id=user.id,
            reason=reason,
        )
        uow.commit()
    click.echo(f"Fassung {number} von '{slug}' wiederhergestellt.")
