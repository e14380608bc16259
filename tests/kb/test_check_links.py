"""`kb check-links` against a local HTTP server (never the internet): every classification, where
each link is used, the JSON result file, the exit status, the per-host limit and the time bound."""

import json
import socket
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.editorial.links import (
    FORMAT_VERSION,
    Link,
    LinkResult,
    check_links,
    collect_links,
    read_last_result,
    request_url,
)
from kb.runtime import Runtime

SLOW_SECONDS = 2.0  # the slow page answers after this long (or as soon as the server stops)
TIMEOUT = 0.5  # the checker's timeout in these tests: well below SLOW_SECONDS


@dataclass
class ServerState:
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    active: int = 0
    max_active: int = 0
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, UA


class Handler(BaseHTTPRequestHandler):
    state: ServerState  # set on a subclass per server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def _answer(self, *, send_body: bool) -> None:
        state = self.state
        with state.lock:
            state.requests.append((self.command, self.path, self.headers.get("User-Agent", "")))
            state.active += 1
            state.max_active = max(state.max_active, state.active)
        try:
            code, location = self._route()
        finally:
            # Counted down before the answer goes out: the count never includes a request whose
            # client may already have started the next one.
            with state.lock:
                state.active -= 1
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        body = b"" if not send_body else f"{code}\n".encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _route(self) -> tuple[int, str]:
        path = self.path
        if path == "/ok":
            return 200, ""
        if path == "/moved":
            return 301, "/ok"
        if path == "/temp":
            return 302, "/ok"
        if path == "/moved-to-gone":
            return 308, "/gone"
        if path == "/loop":
            return 302, "/loop"
        if path == "/gone":
            return 410, ""
        if path == "/slow":
            self.state.stop.wait(SLOW_SECONDS)
            return 200, ""
        if path == "/head-refused":
            return (405, "") if self.command == "HEAD" else (200, "")
        if path.startswith("/pause/"):
            time.sleep(0.2)
            return 200, ""
        return 404, ""


@dataclass
class LocalServer:
    base: str
    state: ServerState


@pytest.fixture
def server() -> Iterator[LocalServer]:
    state = ServerState()
    handler = type("BoundHandler", (Handler,), {"state": state})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield LocalServer(f"http://127.0.0.1:{httpd.server_address[1]}", state)
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def refused_base() -> str:
    """An address nobody listens on: a port the system just gave us, closed again."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


def catalogue(base: str, refused: str) -> dict[str, str]:
    """A series, a case and a talk whose every address points at the local servers."""
    series = f"""\
        type: series
        slug: linkreihe
        title: Linkreihe
        sources:
          - url: {base}/ok
            supports: Ankündigung
        """
    case = f"""\
        type: case
        slug: linkfall
        name: Linkfall
        city: Teststadt
        land: sachsen
        governance:
          type: bottom-up
          rationale: Von einer Initiative gegründet.
        scale:
          type: project
          rationale: Ein einzelnes Haus.
        summary: Ein Fall für die Linkprüfung.
        website: {base}/ok
        funding:
          - programme: Testprogramm
            source: {base}/head-refused
        key_dates:
          - date: "2020"
            event: Start
            source: {base}/moved-to-gone
        sources:
          - url: {base}/ok
          - url: {base}/moved
          - url: {base}/temp
          - url: {base}/gone
          - url: {base}/missing
          - url: {base}/slow
          - url: {refused}/nirgends
          - url: {base}/loop
        """
    talk = f"""\
        ---
        type: talk
        slug: linkgespraech
        series: linkreihe
        title: Linkgespräch
        date: 2022-03-01
        cases: [linkfall]
        sources:
          - url: {base}/temp
        ---
        Worum es ging.
        """
    return {
        "series.yaml": textwrap.dedent(series),
        "case.yaml": textwrap.dedent(case),
        "talk.md": textwrap.dedent(talk),
    }


@pytest.fixture
def linked(
    runtime: Runtime, server: LocalServer, refused_base: str, tmp_path: Path
) -> tuple[Runtime, LocalServer, str]:
    """An empty database with just the local catalogue: no test ever fetches a real address."""
    folder = tmp_path / "import"
    folder.mkdir()
    for name, text in catalogue(server.base, refused_base).items():
        (folder / name).write_text(text, encoding="utf-8")
    runtime.import_files([folder])
    return runtime, server, refused_base


def by_url(results: list[LinkResult]) -> dict[str, LinkResult]:
    return {r.url: r for r in results}


def test_collects_every_source_with_where_it_is_used(
    linked: tuple[Runtime, LocalServer, str],
) -> None:
    runtime, server, refused = linked
    base = server.base
    with runtime.uow() as uow:
        links = {link.url: link for link in collect_links(uow)}
        only_moved = collect_links(uow, [f"{base}/moved"])
    assert set(links) == {
        f"{base}/{p}"
        for p in ("ok", "moved", "temp", "gone", "missing", "slow", "loop", "head-refused")
    } | {f"{base}/moved-to-gone", f"{refused}/nirgends"}
    used = {(u.kind, u.slug, u.field) for u in links[f"{base}/ok"].used_by}
    assert used == {
        ("case", "linkfall", "website"),
        ("case", "linkfall", "sources[0].url"),
        ("series", "linkreihe", "sources[0].url"),
    }
    assert {(u.kind, u.field) for u in links[f"{base}/temp"].used_by} == {
        ("case", "sources[2].url"),
        ("talk", "sources[0].url"),
    }
    assert [u.field for u in links[f"{base}/head-refused"].used_by] == ["funding[0].source"]
    assert [u.field for u in links[f"{base}/moved-to-gone"].used_by] == ["key_dates[0].source"]
    assert links[f"{base}/ok"].used_by[0].title == "Linkfall"
    # A prefix narrows the check ("/moved" also starts "/moved-to-gone").
    assert {link.url for link in only_moved} == {f"{base}/moved", f"{base}/moved-to-gone"}


def test_classifies_each_answer(linked: tuple[Runtime, LocalServer, str]) -> None:
    runtime, server, refused = linked
    base = server.base
    with runtime.uow() as uow:
        links = collect_links(uow)
    started = time.monotonic()
    report = check_links(links, timeout=TIMEOUT, workers=4, per_host=2)
    assert time.monotonic() - started < 10
    results = by_url(report.results)

    def outcome(path: str) -> tuple[str, int | None, str]:
        result = results[f"{base}{path}"]
        return result.status, result.code, result.location

    assert outcome("/ok") == ("ok", 200, "")
    assert outcome("/head-refused") == ("ok", 200, "")
    assert outcome("/moved") == ("moved", 301, f"{base}/ok")
    assert outcome("/temp") == ("redirected", 302, f"{base}/ok")
    assert outcome("/gone") == ("dead", 410, "")
    assert outcome("/missing") == ("dead", 404, "")
    assert outcome("/moved-to-gone") == ("dead", 308, f"{base}/gone")
    assert outcome("/slow") == ("error", None, "")
    assert outcome("/loop") == ("error", 302, "")
    refused_result = results[f"{refused}/nirgends"]
    assert (refused_result.status, refused_result.code) == ("error", None)

    assert results[f"{base}/gone"].reason == "entfernt (410)"
    assert results[f"{base}/missing"].reason == "nicht gefunden (404)"
    assert results[f"{base}/moved"].reason == f"dauerhaft umgezogen (301) nach {base}/ok"
    assert results[f"{base}/temp"].reason.startswith("vorübergehend weitergeleitet (302)")
    assert "entfernt (410)" in results[f"{base}/moved-to-gone"].reason
    assert results[f"{base}/slow"].reason.startswith("Zeitüberschreitung")
    assert refused_result.reason == "Verbindung abgelehnt"
    assert results[f"{base}/loop"].reason == "Weiterleitungsschleife"
    # Every hop is recorded; HEAD first, GET only after HEAD was refused or answered an error.
    assert [(h.method, h.code) for h in results[f"{base}/head-refused"].hops] == [
        ("HEAD", 405),
        ("GET", 200),
    ]
    assert [(h.url, h.code) for h in results[f"{base}/moved"].hops] == [
        (f"{base}/moved", 301),
        (f"{base}/ok", 200),
    ]
    assert report.counts() == {
        "ok": 2,
        "moved": 1,
        "redirected": 1,
        "dead": 3,
        "error": 3,
        "total": 10,
    }
    assert report.failed()

    requests = server.state.requests
    # A timeout is tried once more, never again; a dead page is confirmed with GET once.
    assert [m for m, p, _ in requests if p == "/slow"] == ["HEAD", "HEAD"]
    assert [m for m, p, _ in requests if p == "/gone"].count("GET") == 2  # direct + via 308
    assert {ua for _, _, ua in requests} == {
        "Wissensbasis-Kooperationsmodelle-Linkpruefung/0.1 (+https://kooperationsmodelle.example/)"
    }


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check-links", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_cli_reports_and_writes_the_result_file(
    linked: tuple[Runtime, LocalServer, str], cli_env: dict[str, str]
) -> None:
    runtime, server, refused = linked
    base = server.base
    code, output = run(cli_env, "--timeout", str(TIMEOUT), "--prefix", base, "--prefix", refused)
    assert code == 1, output
    assert output.startswith("10 Adresse(n) geprüft in ")
    assert "2 in Ordnung, 1 dauerhaft umgezogen, 1 vorübergehend weitergeleitet, 3 tot" in output
    assert "3 nicht erreichbar." in output
    lines = output.splitlines()
    dead = lines.index("Tot (3):")
    assert lines[dead + 1 : dead + 4] == [
        f"  {base}/gone",
        "    entfernt (410)",
        "    – Fall linkfall: sources[3].url",
    ]
    assert "Nicht erreichbar (3):" in lines
    assert f"    dauerhaft umgezogen (301) nach {base}/ok" in lines
    assert "    – Gespräch linkgespraech: sources[0].url" in lines
    path = runtime.settings.instance_dir / "link-check.json"
    assert f"Ergebnis gespeichert: {path}" in output

    data = json.loads(path.read_text("utf-8"))
    assert read_last_result(path) == data
    assert set(data) == {"format", "checked_at", "duration_seconds", "options", "counts", "links"}
    assert data["format"] == FORMAT_VERSION and data["checked_at"].endswith("Z")
    assert data["counts"]["total"] == 10 and data["counts"]["dead"] == 3
    assert data["options"]["timeout"] == TIMEOUT and data["options"]["per_host"] == 2
    entry = next(e for e in data["links"] if e["url"] == f"{base}/moved")
    assert set(entry) == {"url", "status", "code", "location", "reason", "hops", "used_by"}
    assert (entry["status"], entry["code"], entry["location"]) == ("moved", 301, f"{base}/ok")
    assert entry["used_by"] == [
        {"kind": "case", "slug": "linkfall", "title": "Linkfall", "field": "sources[1].url"}
    ]
    assert entry["hops"][0] == {
        "url": f"{base}/moved",
        "method": "HEAD",
        "code": 301,
        "location": "/ok",
    }


def test_cli_exit_status_and_options(
    linked: tuple[Runtime, LocalServer, str], cli_env: dict[str, str], tmp_path: Path
) -> None:
    _, server, _ = linked
    base = server.base
    out = tmp_path / "ergebnis" / "links.json"
    code, output = run(cli_env, "--prefix", f"{base}/ok", "--out", str(out))
    assert code == 0, output
    assert "1 Adresse(n) geprüft" in output and "1 in Ordnung" in output
    assert json.loads(out.read_text("utf-8"))["counts"]["ok"] == 1
    # Moved and redirected are warnings: exit 0, unless --strict.
    code, output = run(cli_env, "--prefix", f"{base}/temp", "--json")
    assert code == 0, output
    data = json.loads(output)
    assert [e["status"] for e in data["links"]] == ["redirected"]
    assert len(data["links"][0]["used_by"]) == 2
    code, _ = run(cli_env, "--prefix", f"{base}/temp", "--strict")
    assert code == 1
    code, output = run(cli_env, "--workers", "0")
    assert code == 2 and "--workers" in output


def test_cli_without_a_database_says_so(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'leer.sqlite3'}"}
    code, output = run(env)
    assert code == 1 and "kb init" in output


@pytest.mark.parametrize("per_host", [1, 2])
def test_per_host_limit_holds(server: LocalServer, per_host: int) -> None:
    links = [Link(f"{server.base}/pause/{i}") for i in range(8)]
    report = check_links(links, timeout=5, workers=8, per_host=per_host)
    assert report.counts()["ok"] == 8
    assert server.state.max_active == per_host


def test_total_time_is_bounded(server: LocalServer) -> None:
    started = time.monotonic()
    report = check_links([Link(f"{server.base}/slow")], timeout=5, retries=0, max_duration=0.5)
    assert time.monotonic() - started < 1.5
    [result] = report.results
    assert result.status == "error" and "Zeitlimit der Prüfung" in result.reason


def test_addresses_go_on_the_wire_encoded() -> None:
    assert request_url("https://Büchel-Aachen.de/Straße mit Leerzeichen?q=ä#anker") == (
        "https://xn--bchel-aachen-dlb.de/Stra%C3%9Fe%20mit%20Leerzeichen?q=%C3%A4"
    )
    assert request_url("https://example.org/a%20b?x=1&y=2") == "https://example.org/a%20b?x=1&y=2"
