"""`make loadtest`: the real server (`kb serve`) under load, killed and with a damaged index, on
SQLite and (when KB_TEST_DATABASE_URL is set) on PostgreSQL; traffic only to 127.0.0.1.

Per backend, on a fresh instance in instance/loadtest/<backend> (`kb init`, two editors):

1. `--seconds` s of `--clients` clients: readers over the start page, the catalogue with filters,
   case and talk pages, search, the JSON API, the CSV downloads and the comparison; two editors
   saving notes, each with a made-up word of its own.
2. `--kills` times kill -9 of the server while the editors save, each followed by a restart on
   the same port; connection errors while it is down are expected and counted apart.
3. Index damage with the server running: the index folder deleted, then one segment file
   truncated to half, each followed by `--damage-seconds` s of reading and searching. A search
   may answer 503 while the index is rebuilt, never 500; the server must stay up and /healthz and
   search must answer again within `--recovery-timeout` s.

Afterwards every acknowledged note (the save answered with the redirect to the note) must be in
the database exactly once and found by searching its word exactly once. The report (requests/s,
median/p95 per kind, errors by kind, notes, kill rounds, damage outcome) is printed and written
to docs/loadtest-results.md. Exit status 1 on any 5xx (but 503 during the damage phase), other
unexpected status, unexpected connection error, lost or duplicated note, or a server that died
or did not come back.

    python -m bench.loadtest [--seconds 60] [--clients 8] [--backend sqlite|postgresql|both]
                             [--kills 3] [--damage-seconds 20]
"""

import argparse
import contextlib
import datetime as dt
import html
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPException
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only host this script ever talks to
REQUEST_TIMEOUT = 30.0
START_TIMEOUT = 90.0
WORD_PREFIX = "lastwort"
EDITORS = 2
SEARCH_WORDS = [
    "Beteiligung",
    "Halle",
    "Quartier",
    '"Freiraum"',
    "Verfügungsfonds",
    "Bürger*",
    "Halle OR Aachen",
    "Beteiligung -Berlin",
    '"Zentraler Raum für Beteiligung"',
    "Leitlinien land:berlin",
]
SEARCH_KINDS = ("search", "api-search")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# --- HTTP --------------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses (HTTPError with code 3xx): a save is acknowledged only
    by its own redirect, which must be seen, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (refused, reset, timeout)
    body: bytes
    location: str
    error: str  # the connection error, when status is None
    ms: float


class Client:
    """One browser: its own cookies, no redirects followed, every request with a timeout."""

    def __init__(self, port: int) -> None:
        self.base = f"http://{HOST}:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> Answer:
        assert path.startswith("/")
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data)
        t = time.perf_counter()
        try:
            with self.opener.open(req, timeout=REQUEST_TIMEOUT) as resp:
                body = resp.read()
                status, location = resp.status, resp.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read()
            except (OSError, HTTPException):
                body = b""
            status, location = exc.code, exc.headers.get("Location", "") if exc.headers else ""
        except (urllib.error.URLError, OSError, HTTPException) as exc:
            reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            return Answer(None, b"", "", type(reason).__name__, ms(t))
        return Answer(status, body, location, "", ms(t))


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(page: bytes) -> str | None:
    m = CSRF.search(page.decode("utf-8", "replace"))
    return html.unescape(m[1]) if m else None


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def group_members(pgid: int) -> list[int]:
    """The living (not zombie) processes of a process group, from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


class Server:
    """`kb serve` on 127.0.0.1:<port> as a child process in a session of its own (so that the
    index workers of its fork server can be found and, at the end, killed); `down` is set while
    it was killed on purpose and not yet answering again, `generation` counts the restarts."""

    def __init__(self, kb: Path, env: dict[str, str], port: int, log: Path) -> None:
        self.kb, self.env, self.port, self.log = kb, env, port, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.down = threading.Event()
        self.generation = 0
        self.groups: list[int] = []  # every server's process group (= its pid)
        self.leftovers: list[str] = []  # processes that outlived their server

    def reap_leftovers(self, event: str, wait: float = 5.0) -> None:
        """Processes of an ended server (its fork server's index workers) must end with it: wait
        `wait` seconds for them, then record and kill them (they may hold the port)."""
        current = self.proc.pid if self.alive() and self.proc is not None else None
        deadline = time.monotonic() + wait
        while True:
            pids = [p for g in self.groups if g != current for p in group_members(g)]
            if not pids or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
        if pids:
            self.leftovers.append(
                f"{event}: {len(pids)} process(es) of the ended server still alive after "
                f"{wait:.0f} s (pids {', '.join(map(str, pids))}); killed"
            )
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def start(self, event: str = "") -> None:
        if event:
            self.reap_leftovers(event)
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(self.kb), "serve", "--host", HOST, "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.env,
                cwd=ROOT,
                start_new_session=True,
            )
        self.groups.append(self.proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def exit_reason(self) -> str:
        code = self.proc.poll() if self.proc is not None else None
        if code is None:
            return "running"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exit status {code}"

    def wait_ready(self, timeout: float = START_TIMEOUT) -> float | None:
        """Seconds until /healthz answered 200, or None (timeout, or the process ended)."""
        client, t0 = Client(self.port), time.monotonic()
        deadline = t0 + timeout
        while time.monotonic() < deadline and self.alive():
            if client.request("/healthz").status == 200:
                return time.monotonic() - t0
            time.sleep(0.1)
        return None

    def kill9(self) -> None:
        assert self.proc is not None
        self.down.set()
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    def cleanup(self) -> None:
        """Stop the server and make sure nothing it started lives on."""
        self.stop()
        self.reap_leftovers("after the last stop")


# --- what was measured -------------------------------------------------------------------------


@dataclass
class Stats:
    """Requests of one phase: latency and statuses per kind, errors by kind and label."""

    name: str
    allow_503: bool = False  # index damage: 503 "Suche wird neu aufgebaut" is expected
    latency: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, Counter[str]] = field(default_factory=dict)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    expected: Counter[tuple[str, str]] = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # a few paths each
    seconds: float = 0.0
    first_bad: float | None = None  # time.monotonic() of the first and last answer not ok
    last_bad: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self,
        kind: str,
        path: str,
        answer: Answer,
        ok: tuple[int, ...],
        server: Server,
        gen: int,
        down_before: bool,
    ) -> bool:
        """Count one request; True when it got one of the `ok` statuses."""
        with self.lock:
            self.latency.setdefault(kind, []).append(answer.ms)
            label = str(answer.status) if answer.status is not None else answer.error
            self.statuses.setdefault(kind, Counter())[label] += 1
            if answer.status in ok:
                return True
            started = time.monotonic() - answer.ms / 1000
            self.first_bad = min(self.first_bad or started, started)
            self.last_bad = max(self.last_bad or started, started)
            if answer.status is None:
                # Expected only around a kill on purpose: the server was down when the request
                # started or ended, or was restarted meanwhile.
                if down_before or server.down.is_set() or server.generation != gen:
                    self.expected[(kind, f"connection error while killed ({label})")] += 1
                    return False
                key = (kind, f"connection error ({label})")
            elif answer.status == 503 and self.allow_503:
                self.expected[(kind, "503 (index rebuild)")] += 1
                return False
            elif answer.status >= 500:
                key = (kind, f"HTTP {answer.status}")
            else:
                key = (kind, f"unexpected HTTP {answer.status}")
            self.errors[key] += 1
            examples = self.examples.setdefault(key, [])
            if len(examples) < 3 and path not in examples:
                examples.append(path)
            return False

    def error(self, kind: str, label: str) -> None:
        """An answer that had the right status but not the right content."""
        with self.lock:
            self.errors[(kind, label)] += 1

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.latency.values())

    def server_errors(self) -> int:
        return sum(n for (_, label), n in self.errors.items() if label.startswith("HTTP 5"))

    def error_summary(self) -> list[str]:
        """The errors by label, with the kinds they hit."""
        by_label: dict[str, tuple[int, set[str]]] = {}
        for (kind, label), n in self.errors.items():
            count, kinds = by_label.get(label, (0, set()))
            by_label[label] = (count + n, kinds | {kind})
        return [
            f"{self.name}: {n} x {label} ({', '.join(sorted(kinds))})"
            for label, (n, kinds) in sorted(by_label.items())
        ]


@dataclass
class Note:
    word: str
    talk: str
    editor: int
    phase: str
    acknowledged: bool = False
    slug: str = ""  # from the acknowledging redirect


@dataclass
class Notes:
    items: list[Note] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)  # indexed forms of the words handed out
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_word(self, rng: random.Random) -> str:
        """A made-up lowercase word the German analysis keeps whole (no compound parts, not a
        stop word) and whose indexed form no other note's word shares."""
        from search_index.analysis import index_form, part_forms

        for _ in range(1000):
            word = WORD_PREFIX + "".join(rng.choices(string.ascii_lowercase, k=12))
            form = index_form(word)
            with self.lock:
                if form and form not in self.forms and not part_forms(word):
                    self.forms.add(form)
                    return word
        raise RuntimeError("no unique word found")

    def add(self, note: Note) -> None:
        with self.lock:
            self.items.append(note)


# --- the clients -------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """The URLs the readers choose from, by kind (slugs and facet values read from the API)."""

    urls: dict[str, list[str]]
    talks: list[str]

    @classmethod
    def load(cls, port: int, seed: int) -> "Catalogue":
        client = Client(port)
        cases_answer = client.request("/api/cases?per_page=100")
        talks_answer = client.request("/api/talks")
        if cases_answer.status != 200 or talks_answer.status != 200:
            raise RuntimeError(
                f"/api/cases: {cases_answer.status}, /api/talks: {talks_answer.status}"
            )
        cases = json.loads(cases_answer.body)
        case_slugs = [c["slug"] for c in cases["cases"]]
        talk_slugs = [t["slug"] for t in json.loads(talks_answer.body)["talks"]]
        rng = random.Random(seed)
        facets = {
            facet: [code for code, count in counts.items() if count]
            for facet, counts in cases["facets"].items()
        }
        filters = []
        for facet, codes in sorted(facets.items()):
            for code in codes[:4]:
                filters.append(f"{facet}={code}")
        combos = [f"{a}&{b}" for a in filters for b in filters if a.split("=")[0] < b.split("=")[0]]
        chosen = [*rng.sample(filters, min(6, len(filters))), *rng.sample(combos, 6)]
        compare = [",".join(rng.sample(case_slugs, rng.choice((2, 3, 4)))) for _ in range(8)]
        q = [urllib.parse.quote(w) for w in SEARCH_WORDS]
        urls = {
            "start": ["/"],
            "catalogue": ["/cases", *(f"/cases?{f}" for f in chosen), "/cases?sort=city&page=2"],
            "case": [f"/cases/{s}" for s in case_slugs],
            "talk": ["/talks", *(f"/talks/{s}" for s in talk_slugs)],
            "search": [
                *(f"/search?q={w}" for w in q),
                f"/search?q={q[0]}&governance=top-down",
                f"/search?q={q[2]}&kind=case&sort=date",
            ],
            "api": [
                "/api/cases",
                *(f"/api/cases?{f}" for f in chosen[:4]),
                *(f"/api/cases/{s}" for s in rng.sample(case_slugs, 5)),
                "/api/talks",
                *(f"/api/talks/{s}" for s in talk_slugs[:3]),
            ],
            "api-search": [f"/api/search?q={w}" for w in q],
            "csv": ["/cases.csv", "/cases.long.csv", *(f"/cases.csv?{f}" for f in chosen[:3])],
            "compare": [f"/compare?cases={c}" for c in compare],
        }
        return cls(urls, talk_slugs)


@dataclass
class Phase:
    stats: Stats
    server: Server
    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)
    max_requests: int = 1_000_000

    def over(self) -> bool:
        return self.stop.is_set() or time.monotonic() >= self.deadline

    def call(
        self,
        client: Client,
        kind: str,
        path: str,
        form: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> tuple[bool, Answer]:
        gen, down = self.server.generation, self.server.down.is_set()
        answer = client.request(path, form)
        good = self.stats.record(kind, path, answer, ok, self.server, gen, down)
        if answer.status is None:
            time.sleep(0.05)  # refused: do not spin while the server is away
        return good, answer


def reader(phase: Phase, catalogue: Catalogue, seed: int, kinds: list[str]) -> None:
    rng = random.Random(seed)
    client = Client(phase.server.port)
    for _ in range(phase.max_requests):
        if phase.over():
            return
        kind = rng.choice(kinds)
        phase.call(client, kind, rng.choice(catalogue.urls[kind]))


class Editor:
    """Signs in once, then keeps opening a talk's note form and saving a note with a unique
    word; a note counts as acknowledged only when the save answers with its redirect."""

    def __init__(self, number: int, username: str, password: str, notes: Notes, seed: int):
        self.number, self.username, self.password = number, username, password
        self.notes, self.rng = notes, random.Random(seed)
        self.client: Client | None = None
        self.logged_in = False
        self.tried = 0

    def login(self, phase: Phase) -> bool:
        assert self.client is not None
        good, page = phase.call(self.client, "login-form", "/login")
        token = csrf_token(page.body) if good else None
        if token is None:
            return False
        form = {
            "csrf_token": token,
            "next": "/",
            "username": self.username,
            "password": self.password,
        }
        good, _ = phase.call(self.client, "login", "/login", form, ok=(302, 303))
        return good

    def run(self, phase: Phase, talks: list[str]) -> None:
        if self.client is None or self.client.base != f"http://{HOST}:{phase.server.port}":
            self.client, self.logged_in = Client(phase.server.port), False
        for _ in range(phase.max_requests):
            if phase.over():
                return
            if not self.logged_in:
                self.logged_in = self.login(phase)
                continue
            talk = self.rng.choice(talks)
            path = f"/talks/{talk}/notes/new"
            good, page = phase.call(self.client, "note-form", path, ok=(200, 302))
            if page.status == 302:  # the session is gone (should not happen): sign in again
                phase.stats.error("note-form", f"redirect to {page.location}")
                self.logged_in = False
                continue
            token = csrf_token(page.body) if good else None
            if token is None:
                continue
            self.tried += 1
            note = Note(self.notes.new_word(self.rng), talk, self.number, phase.stats.name)
            self.notes.add(note)  # tried: a save cut off by a kill may or may not be stored
            form = {
                "csrf_token": token,
                "version": "",
                "title": f"Lasttest {self.username} {self.tried}",
                "created": dt.date.today().isoformat(),
                "body": "## Weitere Beobachtungen\n\n"
                f"Lasttest-Notiz mit dem Merkwort {note.word}.\n",
                "save": "1",
            }
            good, answer = phase.call(self.client, "note-save", path, form, ok=(302, 303))
            target = urllib.parse.urlsplit(answer.location)
            if good and target.path == f"/talks/{talk}" and target.fragment.startswith("notiz-"):
                note.acknowledged, note.slug = True, target.fragment.removeprefix("notiz-")
            elif good:
                phase.stats.error("note-save", f"redirect to {answer.location}")


def run_clients(
    phase: Phase,
    catalogue: Catalogue,
    editors: list[Editor],
    readers: int,
    kinds: list[str],
    seed: int,
    during: Callable[[], None] | None = None,
) -> None:
    """Readers and editors until the phase's deadline; `during` runs meanwhile in this thread."""
    threads = [
        threading.Thread(target=reader, args=(phase, catalogue, seed * 100 + i, kinds), daemon=True)
        for i in range(readers)
    ] + [
        threading.Thread(target=e.run, args=(phase, catalogue.talks), daemon=True) for e in editors
    ]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    try:
        if during is not None:
            during()
        while not phase.over():
            time.sleep(0.1)
    finally:
        phase.stop.set()
        for t in threads:
            t.join(timeout=REQUEST_TIMEOUT + 5)
        phase.stats.seconds = time.monotonic() - t0


# --- one backend -------------------------------------------------------------------------------


@dataclass
class DamageStep:
    name: str
    stats: Stats
    detail: str = ""
    died: str = ""  # how the server ended during the step, if it did
    damaged_at: float = 0.0  # time.monotonic()
    recovered_s: float | None = None  # after the step, until healthz and search answered
    note: str = ""


@dataclass
class Result:
    backend: str
    phase1: Stats | None = None
    phase2: Stats | None = None
    kills: list[float | None] = field(default_factory=list)  # seconds until healthy again
    damage: list[DamageStep] = field(default_factory=list)
    notes: Notes = field(default_factory=Notes)
    check: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    setup_s: float = 0.0


def run_kb(kb: Path, env: dict[str, str], *args: str, stdin: str = "") -> None:
    out = subprocess.run(
        [str(kb), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    if out.returncode:
        raise RuntimeError(f"kb {' '.join(args)}: {out.returncode}\n{out.stdout}\n{out.stderr}")


def reset_postgresql(url: str) -> None:
    """Drop and recreate the public schema (as tests/conftest.py pg_migrated does)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, connect_args={"connect_timeout": 10})
    try:
        with engine.begin() as conn:
            conn.execute(text("SET lock_timeout = '30s'"))  # a forgotten server holds locks
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def index_healthy(port: int) -> bool:
    answer = Client(port).request("/api/search?q=Halle")
    if answer.status != 200:
        return False
    try:
        return int(json.loads(answer.body)["total"]) > 0
    except (ValueError, KeyError, TypeError):
        return False


def wait_recovered(server: Server, timeout: float) -> float | None:
    """Seconds until /healthz says 200 and a search finds the seed again; None if not."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    client = Client(server.port)
    while time.monotonic() < deadline and server.alive():
        if client.request("/healthz").status == 200 and index_healthy(server.port):
            return time.monotonic() - t0
        time.sleep(0.25)
    return None


def damage_phase(
    res: Result,
    args: argparse.Namespace,
    server: Server,
    catalogue: Catalogue,
    editors: list[Editor],
    index_dir: Path,
    kb: Path,
    env: dict[str, str],
) -> None:
    kinds = ["search", "search", "api-search", "api-search", "start", "case", "talk", "catalogue"]

    def delete() -> str:
        # Gone at once for the server (a rename), then deleted: a rebuild the server starts
        # meanwhile writes a new folder, which must not be deleted too.
        gone = index_dir.with_name(f"{index_dir.name}.deleted")
        shutil.rmtree(gone, ignore_errors=True)
        index_dir.rename(gone)
        for _ in range(100):  # files may still be written into it for a moment
            shutil.rmtree(gone, ignore_errors=True)
            if not gone.exists():
                break
            time.sleep(0.02)
        return f"deleted {index_dir.relative_to(ROOT)}"

    def truncate() -> str:
        segments = sorted((index_dir / "current").glob("*.seg"), key=lambda p: p.stat().st_size)
        if not segments:
            return ""
        seg = segments[-1]
        size = seg.stat().st_size
        os.truncate(seg, size // 2)
        return f"truncated {seg.name} from {size:,} to {size // 2:,} bytes"

    for name, damage in (("index folder deleted", delete), ("segment truncated", truncate)):
        step = DamageStep(name, Stats(name, allow_503=True))
        res.damage.append(step)
        if not server.alive():
            server.start(f"before damage ({name})")
            if server.wait_ready() is None:
                step.note = "server did not start"
                return
        if name == "segment truncated" and not list((index_dir / "current").glob("*.seg")):
            # The deletion was not repaired: rebuild by hand so the truncation can be tried.
            server.stop()
            run_kb(kb, env, "reindex")
            server.start("stop for kb reindex")
            server.wait_ready()
            step.note = "no index after the deletion step; rebuilt with `kb reindex` first. "
        phase = Phase(step.stats, server, time.monotonic() + args.damage_seconds)

        def during(
            phase: Phase = phase, step: DamageStep = step, damage: Callable[[], str] = damage
        ) -> None:
            time.sleep(min(1.0, args.damage_seconds / 4))  # traffic first, then the damage
            step.damaged_at = time.monotonic()
            step.detail = damage() or "no segment file found"
            while not phase.over():
                if not server.alive():
                    after = time.monotonic() - step.damaged_at
                    step.died = f"{server.exit_reason()} +{after:.1f} s after the damage"
                    time.sleep(1.0)  # a little traffic against the dead port, then stop
                    phase.stop.set()
                    break
                time.sleep(0.1)

        run_clients(phase, catalogue, editors, max(1, args.clients - EDITORS), kinds, 3, during)
        if not server.alive() and not step.died:
            step.died = server.exit_reason()
        if not step.died:
            step.recovered_s = wait_recovered(server, args.recovery_timeout)
        if step.died:
            res.failures.append(f"damage ({name}): the server died ({step.died})")
            server.start(f"death in damage ({name})")  # for the next step and the checks
            server.wait_ready()
        elif step.recovered_s is None:
            res.failures.append(
                f"damage ({name}): healthz/search not back within {args.recovery_timeout:.0f} s"
            )


def verify_notes(res: Result, server: Server, database_url: str, timeout: float) -> None:
    """Every acknowledged note in the database once and found by its word exactly once; every
    note in doubt (its save cut off) at most once."""
    from sqlalchemy import text

    from models import make_engine

    pg = database_url.startswith("postgresql")
    engine = make_engine(database_url, connect_args={"connect_timeout": 10} if pg else {})
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT slug, body FROM note WHERE deleted_at IS NULL"))
            in_db: Counter[str] = Counter()
            slugs: dict[str, set[str]] = {}
            for slug, body in rows:
                for word in set(re.findall(rf"\b{WORD_PREFIX}[a-z]+\b", body)):
                    in_db[word] += 1
                    slugs.setdefault(word, set()).add(slug)
    finally:
        engine.dispose()
    notes = res.notes.items
    acked = [n for n in notes if n.acknowledged]
    doubt = [n for n in notes if not n.acknowledged]
    check: dict[str, Any] = {
        "attempted": len(notes),
        "acknowledged": len(acked),
        "in doubt": len(doubt),
        "in doubt, stored": sum(in_db[n.word] > 0 for n in doubt),
        "lost in database": sum(in_db[n.word] == 0 for n in acked),
        "wrong slug": sum(n.slug not in slugs.get(n.word, {n.slug}) for n in acked),
        "duplicated in database": sum(in_db[n.word] > 1 for n in notes),
    }
    expected = {n.word: min(in_db[n.word], 1) for n in notes}
    url_of = {n.word: n.slug for n in acked}

    def search(word: str) -> tuple[str, int | None]:
        """The answer's status and the number of hits (None: no usable answer)."""
        # exact=1: the note's own word, not its close spellings in other notes' words.
        answer = Client(server.port).request(f"/api/search?exact=1&q={word}")
        label = str(answer.status) if answer.status is not None else answer.error
        if answer.status != 200:
            return label, None
        data = json.loads(answer.body)
        slug = url_of.get(word)
        if slug and data["total"] == 1 and not data["hits"][0]["url"].endswith(f"#notiz-{slug}"):
            return "200, but another note's hit", None
        return label, int(data["total"])

    found: dict[str, tuple[str, int | None]] = {}
    pending = list(expected)
    t0 = time.monotonic()
    deadline = t0 + timeout
    with ThreadPoolExecutor(4) as pool:
        for _ in range(10_000):
            for word, answer in zip(pending, pool.map(search, pending), strict=True):
                found[word] = answer
            pending = [w for w in pending if found[w][1] != expected[w]]
            if not pending or time.monotonic() >= deadline:
                break
            time.sleep(1.0)
    check["checked after s"] = round(time.monotonic() - t0, 1)
    check["caught up"] = not pending
    check["lost in search"] = sum(found[w][1] == 0 and expected[w] == 1 for w in pending)
    check["duplicated in search"] = sum((found[w][1] or 0) > 1 for w in pending)
    check["search errors"] = sum(found[w][1] is None for w in pending)
    check["search answers"] = Counter(found[w][0] for w in found)
    res.check = check
    for key in (
        "lost in database",
        "duplicated in database",
        "wrong slug",
        "lost in search",
        "duplicated in search",
        "search errors",
    ):
        if check[key]:
            res.failures.append(f"notes: {check[key]} {key}")


def run_backend(backend: str, database_url: str, args: argparse.Namespace) -> Result:
    res = Result(backend)
    folder = ROOT / "instance" / "loadtest" / backend
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if backend == "sqlite":
        database_url = f"sqlite:///{folder / 'kb.sqlite3'}"
    else:
        reset_postgresql(database_url)
    index_dir = folder / "index"
    env = {
        **os.environ,
        "KB_INSTANCE": str(folder),
        "KB_DATABASE_URL": database_url,
        "KB_INDEX_DIR": str(index_dir),
        "KB_SECRET_KEY": secrets.token_hex(32),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("KB_BEHIND_PROXY", None)
    kb = Path(sys.executable).parent / "kb"
    t0 = time.monotonic()
    run_kb(kb, env, "init")
    password = secrets.token_urlsafe(16)
    names = [f"loadtest-editor-{i + 1}" for i in range(EDITORS)]
    for name in names:
        run_kb(kb, env, "user", "add", name, "--role", "editor", stdin=password + "\n")
    res.setup_s = time.monotonic() - t0
    server = Server(kb, env, free_port(), folder / "server.log")
    print(f"[{backend}] server on http://{HOST}:{server.port}/, log {server.log}", flush=True)
    try:
        server.start()
        if server.wait_ready() is None:
            res.failures.append(f"server did not start ({server.exit_reason()}), see {server.log}")
            return res
        catalogue = Catalogue.load(server.port, args.seed)
        editors = [
            Editor(i + 1, n, password, res.notes, args.seed * 10 + i) for i, n in enumerate(names)
        ]
        readers = max(0, args.clients - EDITORS)
        all_kinds = list(catalogue.urls)

        # 1. steady load
        print(f"[{backend}] phase 1: {args.clients} clients for {args.seconds:.0f} s", flush=True)
        res.phase1 = Stats("load")
        phase = Phase(res.phase1, server, time.monotonic() + args.seconds)
        run_clients(phase, catalogue, editors, readers, all_kinds, args.seed)
        if not server.alive():
            res.failures.append(f"load: the server died ({server.exit_reason()})")
            return res

        # 2. kill -9 under writes
        print(f"[{backend}] phase 2: kill -9 x {args.kills} under writes", flush=True)
        res.phase2 = Stats("kill -9")
        interval = args.kill_interval
        phase = Phase(res.phase2, server, time.monotonic() + (args.kills + 1) * interval + 600)

        def kills(phase: Phase = phase) -> None:
            for _ in range(args.kills):
                time.sleep(interval)
                server.kill9()
                server.start(f"kill -9 #{len(res.kills) + 1}")
                res.kills.append(server.wait_ready())
                server.generation += 1
                server.down.clear()
                if res.kills[-1] is None:
                    res.failures.append(f"kill -9: the server did not come back, see {server.log}")
                    break
            time.sleep(interval)
            phase.stop.set()

        run_clients(phase, catalogue, editors, min(2, readers), all_kinds, args.seed + 1, kills)
        if not server.alive():
            return res

        # 3. index damage
        print(f"[{backend}] phase 3: index damage", flush=True)
        damage_phase(res, args, server, catalogue, editors, index_dir, kb, env)

        # the checks
        if not server.alive():
            server.start("before the checks")
        if server.wait_ready() is None:
            res.failures.append("the server did not start for the checks")
            return res
        print(f"[{backend}] checking {len(res.notes.items)} notes", flush=True)
        verify_notes(res, server, database_url, args.verify_timeout)
    except Exception as exc:  # report what was measured so far, and fail
        traceback.print_exc()
        res.failures.append(f"the load test itself failed: {type(exc).__name__}: {exc}")
    finally:
        server.cleanup()
        res.failures += server.leftovers
        for stats in (res.phase1, res.phase2, *(s.stats for s in res.damage)):
            if stats is None:
                continue
            res.failures += stats.error_summary()
    return res


# --- the report --------------------------------------------------------------------------------


def fmt_statuses(counter: Counter[str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counter.items()))


def stats_table(stats: Stats) -> list[str]:
    lines = [
        "| kind | requests | median ms | p95 ms | statuses |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for kind in sorted(stats.latency):
        values = stats.latency[kind]
        lines.append(
            f"| {kind} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 95):.1f} | {fmt_statuses(stats.statuses[kind])} |"
        )
    return lines


def error_lines(stats: Stats) -> list[str]:
    lines = []
    for (kind, label), n in sorted(stats.errors.items()):
        examples = stats.examples.get((kind, label), [])
        also = f" (e.g. {', '.join(f'`{e}`' for e in examples)})" if examples else ""
        lines.append(f"- **error** {kind}: {n} x {label}{also}")
    for (kind, label), n in sorted(stats.expected.items()):
        lines.append(f"- expected: {kind}: {n} x {label}")
    return lines or ["- no errors"]


def report(res: Result, args: argparse.Namespace) -> list[str]:
    title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[res.backend]
    lines = [f"## {title}", ""]
    p1 = res.phase1
    if p1 is not None and p1.seconds:
        lines += [
            f"**Load**: {args.clients} clients ({max(0, args.clients - EDITORS)} readers, "
            f"{EDITORS} editors) for {p1.seconds:.1f} s: {p1.total} requests, "
            f"**{p1.total / p1.seconds:.1f} requests/s**.",
            "",
            *stats_table(p1),
            "",
            *error_lines(p1),
            "",
        ]
    p2 = res.phase2
    if p2 is not None:
        downs = ", ".join("did not come back" if s is None else f"{s:.1f} s" for s in res.kills)
        lines += [
            f"**kill -9 under writes**: {len(res.kills)} rounds (editors saving, "
            f"{min(2, max(0, args.clients - EDITORS))} readers), killed every "
            f"{args.kill_interval:.0f} s; until /healthz answered again: {downs}; "
            f"{p2.total} requests in {p2.seconds:.1f} s.",
            "",
            *stats_table(p2),
            "",
            *error_lines(p2),
            "",
        ]
    if res.damage:
        lines += [
            f"**Index damage** (server running, {args.damage_seconds:.0f} s of reading and "
            "searching after each):",
            "",
            "| step | requests | 200 | 503 (rebuild) | 5xx other | other errors | "
            "answers not 200 | server | healthz and search after the step |",
            "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |",
        ]
        for step in res.damage:
            s = step.stats
            all_status: Counter[str] = Counter()
            for counts in s.statuses.values():
                all_status.update(counts)
            five = s.server_errors()
            other = sum(s.errors.values()) - five
            back = (
                "-"
                if step.died
                else f"not within {args.recovery_timeout:.0f} s"
                if step.recovered_s is None
                else f"OK after {step.recovered_s:.1f} s"
            )
            window = "none"
            if s.first_bad is not None and s.last_bad is not None:
                first, last = s.first_bad - step.damaged_at, s.last_bad - step.damaged_at
                window = f"{first:+.1f} to {last:+.1f} s"
            lines.append(
                f"| {step.name} | {s.total} | {all_status['200']} | {all_status['503']} | "
                f"{five} | {other} | {window} | "
                f"{f'died ({step.died})' if step.died else 'stayed up'} | {back} |"
            )
        lines.append("")
        for step in res.damage:
            lines += [
                f"{step.name}: {step.note}{step.detail}.",
                "",
                *stats_table(step.stats),
                "",
                *error_lines(step.stats),
                "",
            ]
    if res.check:
        c = res.check
        lines += [
            f"**Notes**: {c['attempted']} saves tried, {c['acknowledged']} acknowledged, "
            f"{c['in doubt']} in doubt (cut off by a kill or an error; {c['in doubt, stored']} "
            f"of them stored). Lost: {c['lost in database']} in the database, "
            f"{c['lost in search']} in search; duplicated: {c['duplicated in database']} in the "
            f"database, {c['duplicated in search']} in search; not checkable (search did not "
            f"answer): {c['search errors']}. "
            + (
                f"Every word found as expected {c['checked after s']} s after the load."
                if c["caught up"]
                else f"Gave up after {c['checked after s']} s."
            )
            + f" Last answers of /api/search: {fmt_statuses(c['search answers'])}.",
            "",
        ]
    verdict = "**PASS**" if not res.failures else "**FAIL**"
    lines.append(f"Result: {verdict}")
    lines += [f"- {f}" for f in res.failures]
    return [*lines, ""]


def describe_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.stdout.strip() or "?"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase")
    parser.add_argument("--clients", type=int, default=8, help="readers + 2 editors")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql", "both", "auto"],
        default="auto",
        help="auto: both when KB_TEST_DATABASE_URL is set, else SQLite",
    )
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--kill-interval", type=float, default=4.0, help="seconds between kills")
    parser.add_argument("--damage-seconds", type=float, default=20.0)
    parser.add_argument("--recovery-timeout", type=float, default=60.0)
    parser.add_argument("--verify-timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "loadtest-results.md", help="the report"
    )
    parser.add_argument("--note", default="", help="a sentence for the report's header")
    args = parser.parse_args()
    if args.clients <= EDITORS:
        parser.error(f"--clients must be more than the {EDITORS} editors")
    pg_url = os.environ.get("KB_TEST_DATABASE_URL", "")
    backends = {
        "sqlite": ["sqlite"],
        "postgresql": ["postgresql"],
        "both": ["sqlite", "postgresql"],
        "auto": ["sqlite", "postgresql"] if pg_url else ["sqlite"],
    }[args.backend]
    if "postgresql" in backends and not pg_url:
        print("PostgreSQL: KB_TEST_DATABASE_URL is not set (its schema is dropped and recreated)")
        return 2
    if args.backend == "auto" and not pg_url:
        print(
            "PostgreSQL skipped: set KB_TEST_DATABASE_URL=postgresql+psycopg://kb:kb@127.0.0.1:"
            "5432/kb_test (a database whose schema may be dropped) to run it too"
        )
    results = []
    for backend in backends:
        try:
            results.append(run_backend(backend, pg_url, args))
        except Exception as exc:  # the setup failed (kb init, the database)
            traceback.print_exc()
            res = Result(backend, failures=[f"{type(exc).__name__}: {exc}"])
            results.append(res)
    now = dt.datetime.now().astimezone()
    lines = [
        "# Load test results",
        "",
        f"`python -m bench.loadtest --seconds {args.seconds:g} --clients {args.clients} "
        f"--kills {args.kills} --damage-seconds {args.damage_seconds:g}` on "
        f"{now:%Y-%m-%d %H:%M %Z}, {os.cpu_count()} cores, commit {describe_commit()}; "
        "`kb serve` (waitress, 4 threads) on the seed catalogue (25 cases, 7 talks). Produced by "
        "`make loadtest`; see the README, section Load test."
        + (f" {args.note}" if args.note else ""),
        "",
    ]
    for res in results:
        lines += report(res, args)
    text = "\n".join(lines)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"written to {args.out}")
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
