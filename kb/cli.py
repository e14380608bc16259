"""The `kb` command line: set up, import, check, export, serve, manage users.

Each command imports what it needs inside its function: loading every part of kb (the
database, the search engine, the importer, the exporter, migrations, password hashing) took a
second before `kb --help` could answer. Only click, the standard library, kb.errors and kb.i18n
load with this module; tests/kb/test_cli_startup.py keeps it so.

Long work reports its progress through a callback (kb itself never prints); `_progress` shows
it: a bar on a terminal, a plain line now and then otherwise, nothing with --quiet.

The CLI speaks German unless `--lang` or the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG)
asks for another language of kb.i18n; `--lang` wins. Every message is marked for the catalogue;
the help texts are marked with N_() and translated when a command starts (`_translate_help`),
because click keeps them from import on.
"""

import html
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from kb.errors import FieldError, KbError, ValidationError
from kb.i18n import LANGUAGES, N_, _, from_environment, set_language, translate, using

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
# The file that marks a folder as a static edition (webapp.edition.MARKER, checked alike): only
# such a folder is replaced by `kb export --format site`.
EDITION_MARKER = ".kb-edition"
SEARCH_KINDS = ("case", "talk", "note")
QUIET = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help=N_("Keine Fortschrittsanzeige (auf der Standardfehlerausgabe)."),
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
            # Threads report in any order: a count computed earlier may arrive later.
            if self._last is None or done >= self._last[0] or total != self._last[1]:
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
        click.echo(_("Fehler (%(n)d), nichts wurde geschrieben:", n=len(exc.errors)), err=True)
        for error in exc.errors:
            click.echo(f"  {error}", err=True)
    else:
        click.echo(_("Fehler: %(error)s", error=exc), err=True)
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


def _choose_language(ctx: click.Context, _param: click.Parameter, lang: str | None) -> None:
    """--lang: speak `lang` from now on (eager, so that a --help after it is translated too)."""
    if lang:
        set_language(lang)
        _translate_help(ctx.find_root().command)


class _Speaking(click.Command):
    """A command with the option --lang, so that it goes after `kb` or after the command's name
    (`kb --lang en check`, `kb codebook --lang en`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(
            click.Option(
                ["--lang"],
                type=click.Choice(LANGUAGES),
                is_eager=True,
                expose_value=False,
                callback=_choose_language,
                help=N_(
                    "Sprache der Ausgabe (Standard: aus LANGUAGE, LC_ALL, LC_MESSAGES oder LANG, "
                    "sonst Deutsch)."
                ),
            )
        )


class _Group(_Speaking, click.Group):
    """A group of commands that all take --lang."""

    command_class = _Speaking


_Group.group_class = _Group


class _Commands(_Group):
    """Adds the commands that other packages register under the entry point group `kb.commands`
    (the web app's `serve`), so that kb never imports the web app. A plugin is loaded only when
    it runs or shows its own help: `kb --help` lists it without importing it (loading the web
    app took longer than all of kb)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        # The environment's language from the start (--help may answer while the arguments are
        # parsed), and for this command only: the caller's language is the same afterwards.
        with using(from_environment()):
            _translate_help(self)
            return super().main(*args, **kwargs)

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
                text = _(
                    "Aus dem Paket %(package)s (Hilfe: kb %(name)s --help).",
                    package=package,
                    name=name,
                )
            else:
                text = command.get_short_help_str(limit)
            rows.append((name, text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _translate_help(command: click.Command) -> None:
    """Put the help texts of `command`, of its options and of its subcommands into the current
    language. click keeps them from import on; the German ones, the catalogue's msgids, stay in
    `_help_de` of each."""
    for thing in (command, *command.params):
        if isinstance(thing, (click.Command, click.Option)):
            german = vars(thing).setdefault("_help_de", thing.help)
            thing.help = translate(german) if german else german
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _translate_help(sub)


def _plugins() -> list["EntryPoint"]:
    from importlib.metadata import entry_points  # a few hundredths of a second: not for kb search

    return list(entry_points(group="kb.commands"))


@click.group(
    cls=_Commands,
    help=N_(
        "Wissensbasis kommunaler Kooperationsmodelle. Konfiguration über KB_INSTANCE, "
        "KB_DATABASE_URL, KB_INDEX_DIR, KB_SECRET_KEY (siehe README)."
    ),
)
def main() -> None:
    pass


@main.command(
    "init",
    help=N_(
        "Datenbank anlegen oder aktualisieren und den Grundbestand aus seed_data/ laden.\n\n"
        "Wiederholt ausgeführt ändert der Befehl nichts; seit dem Laden bearbeitete Einträge "
        "bleiben, wie sie sind."
    ),
)
@QUIET
@_reports_errors
def init_command(quiet: bool) -> None:
    with _runtime() as runtime, _progress(_("Suchindex"), _("Dokumente"), quiet) as progress:
        report = runtime.init(progress=progress)
    for line in report.lines():
        click.echo(line)
    click.echo(_("Grundbestand geladen.") if report.changed else _("Nichts zu tun: alles aktuell."))


@main.command(
    "import",
    help=N_(
        "Fälle (YAML), Reihen (YAML), Gespräche und Notizen (Markdown) importieren.\n\n"
        "Alles wird zuerst geprüft; bei einem Fehler wird nichts geschrieben. Ordner werden "
        "rekursiv gelesen."
    ),
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@QUIET
@_reports_errors
def import_command(paths: tuple[Path, ...], quiet: bool) -> None:
    with _runtime() as runtime, _progress(_("Import"), _("Einträge"), quiet) as progress:
        report = runtime.import_files(list(paths), progress=progress)
    for line in report.lines():
        click.echo(line)


@main.command(
    "check",
    help=N_(
        "Dateien prüfen, ohne zu schreiben (Verweise auch gegen die Datenbank, falls "
        "vorhanden).\n\n"
        "Warnt außerdem vor Angaben ohne Quelle (Akteursrollen, Einwohnerzahl, Förderung, "
        "Auszeichnungen, Chronik), vor zitierten Quellen, die in der Quellenliste fehlen, und vor "
        "Quellen, die keine Angabe zitiert und deren „supports“ leer ist.\n\n"
        "Mit --completeness: die Arbeitsliste der Redaktion, was jedem Fall noch fehlt."
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--completeness",
    is_flag=True,
    help=N_(
        "Vollständigkeit aller Fälle der Datenbank ausgeben (Kürzel, Wert 0–100, was fehlt), "
        "die lückenhaftesten zuerst."
    ),
)
@click.option(
    "--strict",
    is_flag=True,
    help=N_("Warnungen (Angaben ohne Quelle, Quellen, die nichts belegen) als Fehler werten."),
)
@_reports_errors
def check_command(paths: tuple[Path, ...], completeness: bool, strict: bool) -> None:
    if not paths and not completeness:
        raise click.UsageError(_("Dateien angeben oder --completeness."))
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
        click.echo(_("Warnung: %(warning)s", warning=warning))
    if strict and warnings:
        _fail(KbError(_("%(n)d Warnung(en); mit --strict ist das ein Fehler.", n=len(warnings))))
    if warnings:
        done = _(
            "%(files)d Datei(en) geprüft: keine Fehler, %(warnings)d Warnung(en).",
            files=len(items),
            warnings=len(warnings),
        )
    else:
        done = _("%(files)d Datei(en) geprüft: keine Fehler.", files=len(items))
    click.echo(done)


def _print_completeness() -> None:
    from kb.catalogue.completeness import queue

    with _runtime() as runtime:
        if not runtime.has_schema():
            raise KbError(_("Keine Datenbank: zuerst `kb init` ausführen."))
        with runtime.uow() as uow:
            found = queue(uow, runtime.vocabulary)
    for item in found:
        gaps = ", ".join(g.code for g in item.gaps) or _("vollständig")
        click.echo(f"{item.slug}\t{item.score}\t{gaps}")
    gappy = sum(1 for i in found if i.gaps)
    click.echo(_("%(n)d Fall/Fälle, %(gappy)d mit Lücken.", n=len(found), gappy=gappy))


@main.command("export", help=N_("Den ganzen Katalog exportieren."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json", "csv", "site"]),
    default="yaml",
    show_default=True,
    help=N_(
        "yaml: wieder importierbare Dateien; json; csv; site: die statische Ausgabe der ganzen "
        "Website (HTML mit relativen Verweisen und Pagefind-Suche, für jeden Webserver, einen "
        "Ordner oder USB-Stick)."
    ),
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help=N_("Zielordner."),
)
@QUIET
@_reports_errors
def export_command(fmt: "Format | Literal['site']", out: Path, quiet: bool) -> None:
    if fmt == "site":
        _export_site(out, quiet)
        return
    from kb.exchange.exporting import export_catalogue

    with (
        _runtime() as runtime,
        runtime.uow() as uow,
        _progress(_("Export"), _("Dateien"), quiet) as progress,
    ):
        written = export_catalogue(
            uow, fmt, out, runtime.vocabulary, runtime.settings.vocabulary_file, progress
        )
    click.echo(_("%(n)d Datei(en) nach %(out)s geschrieben.", n=len(written), out=out))


def _exporters() -> list["EntryPoint"]:
    from importlib.metadata import entry_points

    return list(entry_points(group="kb.exporters"))


def _export_site(out: Path, quiet: bool) -> None:
    """The static edition is the web app's pages: another package builds it (entry point group
    kb.exporters, name site: webapp.edition.export_site), as `kb serve` comes from kb.commands,
    so that kb never imports the web app."""
    import shutil

    from kb.config import Settings

    found = [e for e in _exporters() if e.name == "site"]
    if not found:
        raise KbError(_("Die statische Ausgabe braucht die Web-Anwendung (Paket webapp)."))
    settings = Settings.from_env()
    if out.exists() and not out.is_dir():
        raise KbError(_("%(out)s ist kein Ordner.", out=out))
    if out.is_dir() and any(out.iterdir()):
        # Only a previous edition is replaced: a mistyped --out never deletes anyone's files.
        if not (out / EDITION_MARKER).is_file():
            raise KbError(
                _(
                    "%(out)s ist nicht leer und keine statische Ausgabe: bitte einen leeren oder "
                    "neuen Ordner angeben.",
                    out=out,
                )
            )
        shutil.rmtree(out)
    export_site = found[0].load()
    with _progress(_("Statische Ausgabe"), _("Dateien"), quiet) as progress:
        report = export_site(settings, out, progress)
    click.echo(
        _(
            "Statische Ausgabe vom %(date)s: %(pages)d Seiten, %(files)d Dateien in %(out)s; "
            "%(indexed)d Seiten im Suchindex (Pagefind).",
            date=report["date"],
            pages=report["pages"],
            files=report["files"],
            out=report["out"],
            indexed=report["indexed"],
        )
    )
    if report["dropped"]:
        kinds = ", ".join(f"{kind} ({n})" for kind, n in report["dropped"][:8])
        click.echo(
            _(
                "Verweise auf Seiten, die die Ausgabe nicht enthält, entfernt: %(kinds)s",
                kinds=kinds,
            )
        )


@main.command(
    "codebook",
    help=N_(
        "Das Codebuch der Downloads ausgeben: jede Spalte der CSV-Dateien (breit und lang) und "
        "jeder Wert jedes Vokabulars mit Code, Bezeichnung und Definition (in der Sprache der "
        "Ausgabe, siehe kb --lang)."
    ),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "markdown"]),
    default="markdown",
    show_default=True,
    help=N_("csv: eine Tabelle; json; markdown: zum Lesen."),
)
@_reports_errors
def codebook_command(fmt: "CodebookFormat") -> None:
    from kb.exchange.codebook import build_codebook, render_codebook

    with _runtime() as runtime:
        book = build_codebook(runtime.vocabulary)
    click.echo(render_codebook(book, fmt), nl=False)


@main.command(
    "search",
    help=N_(
        "Volltextsuche über Fälle, Gespräche und Notizen.\n\n"
        'Wörter werden UND-verknüpft; "Phrasen", ODER/OR, NICHT/NOT oder -wort, Präfix*, und '
        "Feldfilter wie land:berlin oder typ:bottom-up sind möglich. Findet das weniger als drei "
        "Treffer, sucht sie auch Schreibvarianten, verwandte Wortformen und Treffer mit einigen "
        "Wörtern (außer mit --exact); Fragewörter werden übergangen."
    ),
)
@click.argument("query", nargs=-1)
@click.option(
    "--kind",
    multiple=True,
    type=click.Choice(SEARCH_KINDS),
    help=N_("Nur diese Art (mehrfach möglich)."),
)
@click.option("--governance", multiple=True, help=N_("Governance-Typ (Code, mehrfach möglich)."))
@click.option("--scale", multiple=True, help=N_("Maßstab (Code, mehrfach möglich)."))
@click.option("--land", multiple=True, help=N_("Land (Code, mehrfach möglich)."))
@click.option("--size-class", multiple=True, help=N_("Größenklasse (Code, mehrfach möglich)."))
@click.option("--year", multiple=True, help=N_("Jahr (mehrfach möglich)."))
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
    help=N_("Nur genau diese Wörter: ohne Korrektur von Tippfehlern, Wortformen und Teiltreffer."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Ergebnis als JSON ausgeben."))
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
            _(
                "Ergebnisse für: %(query)s (stattdessen genau so suchen: "
                "kb search --exact %(original)s)",
                query=results.query,
                original=results.corrected_from,
            )
        )
    click.echo(_("%(n)d Treffer (Seite %(page)d)", n=results.total, page=results.page))
    if results.partial:
        click.echo(
            _(
                "Nur %(n)d Treffer mit allen Wörtern – dazu Treffer mit einigen Wörtern",
                n=results.exact_total,
            )
            if results.exact_total
            else _("Keine Treffer mit allen Wörtern – Treffer mit einigen Wörtern")
        )
    for hit in results.hits:
        click.echo(f"- [{hit.kind}] {hit.title}  {_where(hit.slug, hit.anchor)}")
        click.echo(f"    {_plain_snippet(hit.snippet)}")
        if hit.missing:
            click.echo("    " + _("es fehlt: %(words)s", words=", ".join(hit.missing)))
    if results.suggestion:
        click.echo(_("Meinten Sie: %(suggestion)s?", suggestion=results.suggestion))


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


@main.command(
    "compare",
    help=N_("Zwei bis vier Fälle Feld für Feld vergleichen (wie /compare im Web)."),
)
@click.argument("slugs", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(COMPARE_FORMATS),
    default="text",
    show_default=True,
    help=N_("Ausgabeformat."),
)
@_reports_errors
def compare_command(slugs: tuple[str, ...], fmt: str) -> None:
    from kb.publishing.compare import FORMATS, compare, parse_slugs

    wanted = parse_slugs(slugs)
    with _runtime() as runtime, runtime.uow() as uow:
        comparison = compare(uow, wanted, runtime.vocabulary)
    click.echo(FORMATS[fmt](comparison), nl=False)


@main.command(
    "check-links",
    help=N_(
        "Jede Quellenadresse der Fälle, Gespräche und Reihen abrufen und tote, umgezogene und "
        "weitergeleitete Adressen mit Fall/Gespräch und Feld melden.\n\n"
        "Exit-Status: 0 alle erreichbar (umgezogene und weitergeleitete sind nur Warnungen, außer "
        "mit --strict), 1 mindestens eine tot oder nicht erreichbar."
    ),
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    help=N_("Sekunden je Anfrage."),
)
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=8,
    show_default=True,
    help=N_("Anfragen zugleich."),
)
@click.option(
    "--per-host",
    type=click.IntRange(1, 8),
    default=2,
    show_default=True,
    help=N_("Anfragen zugleich an denselben Server."),
)
@click.option(
    "--max-time",
    type=click.FloatRange(1, 86400),
    default=900.0,
    show_default=True,
    help=N_("Sekunden für die ganze Prüfung; was dann offen ist, gilt als nicht erreichbar."),
)
@click.option(
    "--prefix",
    "prefixes",
    multiple=True,
    help=N_("Nur Adressen, die so beginnen (mehrfach möglich), z. B. https://example.org/."),
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=N_("Ergebnis als JSON hierhin schreiben (Standard: <instance>/link-check.json)."),
)
@click.option("--json", "as_json", is_flag=True, help=N_("Das Ergebnis als JSON ausgeben."))
@click.option(
    "--strict",
    is_flag=True,
    help=N_("Auch umgezogene und weitergeleitete Adressen ergeben Status 1."),
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
            raise KbError(_("Die Datenbank ist noch nicht angelegt: zuerst `kb init` ausführen."))
        with runtime.uow() as uow:
            links = collect_links(uow, prefixes)
        settings = runtime.settings
    with _progress(_("Adressen"), _("Adressen"), quiet) as progress:
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
        click.echo(_("Ergebnis gespeichert: %(path)s", path=path))
    if report.failed(strict=strict):
        sys.exit(1)


@main.command(
    "reindex",
    help=N_(
        "Suchindex aus der Datenbank neu aufbauen (in einen neuen Ordner, dann umgeschaltet; "
        "Suchen laufen währenddessen weiter)."
    ),
)
@QUIET
@_reports_errors
def reindex_command(quiet: bool) -> None:
    with (
        _runtime() as runtime,
        runtime.uow() as uow,
        _progress(_("Suchindex"), _("Dokumente"), quiet) as progress,
    ):
        count = runtime.search_index.rebuild(uow, progress=progress)
    click.echo(_("Suchindex neu aufgebaut: %(n)d Dokumente.", n=count))


@main.group("user", help=N_("Konten für Redaktion und Administration verwalten."))
def user_group() -> None:
    pass


@user_group.command(
    "add",
    help=N_("Konto anlegen. Das Passwort wird abgefragt oder aus der Standardeingabe gelesen."),
)
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "admin"]), required=True)
@click.option("--display-name", default="", help=N_("Angezeigter Name (Standard: NAME)."))
@_reports_errors
def user_add(name: str, role: str, display_name: str) -> None:
    from kb.editorial.users import add_user

    if sys.stdin.isatty():
        password = click.prompt(_("Passwort"), hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    with _runtime() as runtime, runtime.uow() as uow:
        add_user(uow, name, password, role, display_name)
        uow.commit()
    click.echo(_("Konto '%(name)s' (%(role)s) angelegt.", name=name, role=role))


@user_group.command(
    "passwd",
    help=N_(
        "Neues Passwort setzen (z. B. vergessen); alle Sitzungen des Kontos enden. Das Passwort "
        "wird abgefragt oder aus der Standardeingabe gelesen."
    ),
)
@click.argument("name")
@_reports_errors
def user_passwd(name: str) -> None:
    from kb.editorial.users import set_password

    if sys.stdin.isatty():
        password = click.prompt(_("Neues Passwort"), hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    with _runtime() as runtime, runtime.uow() as uow:
        set_password(uow, name, password)
        uow.commit()
    click.echo(
        _("Neues Passwort für '%(name)s' gesetzt; alle seine Sitzungen sind beendet.", name=name)
    )


@main.group("note", help=N_("Notizen zu Gesprächen."))
def note_group() -> None:
    pass


@note_group.command(
    "add",
    help=N_(
        "Eine Notiz aus einer Markdown-Datei mit Front Matter (title, optional slug und "
        "created) zum Gespräch TALK hinzufügen."
    ),
)
@click.argument("talk")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--author", required=True, help=N_("Benutzername der Redakteurin/des Redakteurs."))
@click.option("--reason", default="", help=N_("Grund (für den Verlauf)."))
@_reports_errors
def note_add(talk: str, file: Path, author: str, reason: str) -> None:
    from kb.editorial.notes import add_note_file

    with _runtime() as runtime, runtime.uow() as uow:
        note = add_note_file(uow, talk, file, author, runtime.vocabulary, reason=reason)
        uow.commit()
        click.echo(
            _(
                "Notiz '%(note)s' zum Gespräch '%(talk)s' gespeichert.",
                note=note.slug,
                talk=note.talk.slug,
            )
        )


KIND_CHOICE = click.Choice(HISTORY_KINDS)


@main.command(
    "history",
    help=N_("Alle Fassungen eines Falls, Gesprächs oder einer Notiz mit ihren Änderungen."),
)
@click.argument("kind", type=KIND_CHOICE)
@click.argument("slug")
@_reports_errors
def history_command(kind: str, slug: str) -> None:
    from kb.editorial.history import history

    with _runtime() as runtime, runtime.uow() as uow:
        _item, entries = history(uow, kind, slug, runtime.vocabulary)
        for entry in entries:
            r = entry.revision
            reason = f" – {r.reason}" if r.reason else ""
            when = r.created_at.strftime("%Y-%m-%d %H:%M")
            click.echo(
                _(
                    "Fassung %(number)d (%(when)s, %(actor)s): %(action)s",
                    number=r.number,
                    when=when,
                    actor=r.actor,
                    action=entry.action_label,
                )
                + reason
            )
            for change in entry.changes:
                click.echo(f"  {change}")


@main.command(
    "restore",
    help=N_("Eine ältere Fassung wiederherstellen (als neue Fassung; nichts geht verloren)."),
)
@click.argument("kind", type=KIND_CHOICE)
@click.argument("slug")
@click.argument("number", type=click.IntRange(min=1))
@click.option("--author", required=True, help=N_("Benutzername, der im Verlauf erscheint."))
@click.option("--reason", default="", help=N_("Grund (für den Verlauf)."))
@_reports_errors
def restore_command(kind: str, slug: str, number: int, author: str, reason: str) -> None:
    from kb.editorial.history import restore_revision
    from kb.editorial.users import find_user

    with _runtime() as runtime, runtime.uow() as uow:
        user = find_user(uow, author)
        if user is None or not user.active:
            raise ValidationError(
                [FieldError("author", _("kein aktives Konto '%(name)s'", name=author))]
            )
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
    click.echo(_("Fassung %(number)d von '%(slug)s' wiederhergestellt.", number=number, slug=slug))
