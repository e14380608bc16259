"""Dead links: collect every source URL of the catalogue and check that it still answers.

`collect_links` reads the database (cases, talks, series) into plain `Link`s that say where each
address is used; `check_links` fetches them with the standard library (no database connection is
held meanwhile), and `LinkReport.to_json` is the documented file format of
`<instance>/link-check.json` (see README, "Dead links").

Politeness: one User-Agent naming the project, HEAD first (GET only when HEAD is refused or
answers an error, to confirm it), at most `workers` requests at once and `per_host` per host, a
timeout per request, at most one retry after a network error, and no redirect followed
automatically: each hop is requested by us (at most MAX_HOPS) and recorded.
"""

import json
import os
import queue
import socket
import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any, Literal
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from urllib.request import HTTPRedirectHandler, OpenerDirector, Request, build_opener

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kb.editorial.kinds import noun
from kb.i18n import N_, ngettext, number, translate
from kb.unit_of_work import UnitOfWork
from models import Case, Series, Talk

Status = Literal["ok", "moved", "redirected", "dead", "error"]
STATUSES: tuple[Status, ...] = ("ok", "moved", "redirected", "dead", "error")
# Translated where shown (LastCheck.labels, render_report). The reasons of the results are not:
# they are said in the checker's threads (which speak German, kb.i18n's default) and stored in
# link-check.json.
STATUS_LABELS: dict[Status, str] = {
    "ok": N_("in Ordnung"),
    "moved": N_("dauerhaft umgezogen"),
    "redirected": N_("vorübergehend weitergeleitet"),
    "dead": N_("tot"),
    "error": N_("nicht erreichbar"),
}
RESULT_FILE = "link-check.json"
FORMAT_VERSION = 1
# Where the User-Agent points when KB_BASE_URL is not set.
PROJECT_URL = "https://kooperationsmodelle.example/"
USER_AGENT = "Wissensbasis-Kooperationsmodelle-Linkpruefung/0.1 (+{url})"
MAX_HOPS = 5
PERMANENT = (301, 308)
TEMPORARY = (302, 303, 307)
# HEAD refused outright: ask again with GET. Other error answers to HEAD are confirmed with GET
# too, because many servers answer HEAD wrongly (403, 404, 500) while GET works.
HEAD_REFUSED = (405, 501)
REASONS = {
    400: "ungültige Anfrage",
    401: "Anmeldung nötig",
    403: "Zugriff verweigert",
    404: "nicht gefunden",
    410: "entfernt",
    429: "zu viele Anfragen, später erneut prüfen",
    500: "Serverfehler",
    502: "Fehler des vorgeschalteten Servers",
    503: "Dienst nicht verfügbar",
    504: "Zeitüberschreitung beim vorgeschalteten Server",
}


@dataclass(frozen=True)
class Usage:
    """Where an address is used: the item (kind + slug, its title) and the field path."""

    kind: str
    slug: str
    title: str
    field: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "slug": self.slug, "title": self.title, "field": self.field}

    def label(self) -> str:
        return f"{translate(noun(self.kind))} {self.slug}: {self.field}"


@dataclass
class Link:
    url: str
    used_by: list[Usage] = field(default_factory=list)


@dataclass(frozen=True)
class Hop:
    """One request: the address asked, the method, the answer's status code and Location."""

    url: str
    method: str
    code: int | None
    location: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "method": self.method,
            "code": self.code,
            "location": self.location,
        }


@dataclass
class LinkResult:
    url: str
    status: Status
    code: int | None  # the first answer's status code (None: no answer)
    location: str  # moved/redirected: where the chain of redirects ends
    reason: str  # a short German explanation (stored in link-check.json as it is)
    hops: list[Hop]
    used_by: list[Usage]

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "code": self.code,
            "location": self.location,
            "reason": self.reason,
            "hops": [h.to_json() for h in self.hops],
            "used_by": [u.to_json() for u in self.used_by],
        }


@dataclass
class LinkReport:
    checked_at: datetime
    duration: float
    options: dict[str, Any]
    results: list[LinkResult]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {status: 0 for status in STATUSES}
        for result in self.results:
            counts[result.status] += 1
        return {**counts, "total": len(self.results)}

    def by_status(self, status: Status) -> list[LinkResult]:
        return [r for r in self.results if r.status == status]

    def failed(self, *, strict: bool = False) -> bool:
        """Dead or unreachable links fail the check; moved and redirected ones only if strict."""
        bad = ("dead", "error", "moved", "redirected") if strict else ("dead", "error")
        return any(r.status in bad for r in self.results)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "checked_at": self.checked_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "duration_seconds": round(self.duration, 3),
            "options": self.options,
            "counts": self.counts(),
            "links": [r.to_json() for r in self.results],
        }


# --- collecting ---------------------------------------------------------------------------


def collect_links(uow: UnitOfWork, prefixes: Sequence[str] = ()) -> list[Link]:
    """Every address the catalogue cites (not deleted cases and talks, and series), once each,
    with every place it is used; only those starting with one of `prefixes` if any are given."""
    usages: list[tuple[str, Usage]] = []
    cases = uow.session.scalars(
        select(Case)
        .where(Case.deleted_at.is_(None))
        .options(
            selectinload(Case.sources),
            selectinload(Case.actors),
            selectinload(Case.funding),
            selectinload(Case.awards),
            selectinload(Case.key_dates),
        )
        .order_by(Case.slug)
    )
    for case in cases:

        def used(url: str, path: str, case: Case = case) -> None:
            usages.append((url, Usage("case", case.slug, case.name, path)))

        used(case.website, "website")
        used(case.population_source, "municipality.population_source")
        for i, source in enumerate(case.sources):
            used(source.url, f"sources[{i}].url")
        for i, actor in enumerate(case.actors):
            used(actor.source, f"actors[{i}].source")
        for i, funding in enumerate(case.funding):
            used(funding.source, f"funding[{i}].source")
        for i, award in enumerate(case.awards):
            used(award.source, f"awards[{i}].source")
        for i, key_date in enumerate(case.key_dates):
            used(key_date.source, f"key_dates[{i}].source")
    talks = uow.session.scalars(
        select(Talk)
        .where(Talk.deleted_at.is_(None))
        .options(selectinload(Talk.sources))
        .order_by(Talk.slug)
    )
    for talk in talks:
        for i, talk_source in enumerate(talk.sources):
            usages.append(
                (talk_source.url, Usage("talk", talk.slug, talk.title, f"sources[{i}].url"))
            )
    series_list = uow.session.scalars(
        select(Series).options(selectinload(Series.sources)).order_by(Series.slug)
    )
    for series in series_list:
        for i, series_source in enumerate(series.sources):
            usages.append(
                (series_source.url, Usage("series", series.slug, series.title, f"sources[{i}].url"))
            )
    links: dict[str, Link] = {}
    for url, usage in usages:
        url = (url or "").strip()
        if not url or (prefixes and not url.startswith(tuple(prefixes))):
            continue
        links.setdefault(url, Link(url)).used_by.append(usage)
    return list(links.values())


# --- checking -----------------------------------------------------------------------------


class _NoRedirects(HTTPRedirectHandler):
    """Every 3xx answer comes back as it is: the checker records the hop and decides."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class _Answer:
    code: int | None
    location: str = ""
    error: str = ""  # set when there was no answer (German)
    retry: bool = False  # a network error worth one more try


def request_url(url: str) -> str:
    """The address as it goes on the wire: IDN host in its xn-- form, non-ASCII and spaces in
    path and query percent-encoded (existing %xx kept), the fragment left off."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    netloc = host.encode("idna").decode("ascii") if host else ""
    if ":" in netloc:  # an IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    safe = "/%:@!$&'()*+,;=-._~"
    return urlunsplit(
        (
            parts.scheme.lower(),
            netloc,
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?"),
            "",
        )
    )


def _describe_network_error(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """A short German reason for a failed request, and whether one retry may help."""
    reason: object = exc.reason if isinstance(exc, URLError) else exc
    if isinstance(reason, TimeoutError | socket.timeout):
        return f"Zeitüberschreitung (keine Antwort nach {timeout:g} s)", True
    if isinstance(reason, ConnectionRefusedError):
        return "Verbindung abgelehnt", False
    if isinstance(reason, socket.gaierror):
        return "Rechnername unbekannt (DNS)", False
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"TLS-Zertifikat ungültig ({reason.verify_message})", False
    if isinstance(reason, ssl.SSLError):
        return f"TLS-Fehler ({reason.reason or reason})", False
    if isinstance(reason, ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return "Verbindung unterbrochen", True
    if isinstance(reason, HTTPException):
        return f"ungültige HTTP-Antwort ({type(reason).__name__})", True
    if isinstance(reason, OSError):
        return f"Netzwerkfehler ({reason.strerror or type(reason).__name__})", True
    return f"Fehler ({reason})", False


class Checker:
    """Checks addresses politely; one instance per run (it holds the per-host semaphores)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        per_host: int = 2,
        retries: int = 1,
        user_agent: str = USER_AGENT.format(url=PROJECT_URL),
        retry_pause: float = 1.0,
    ) -> None:
        self.timeout = timeout
        self.retries = min(retries, 1)  # never a retry storm
        self.user_agent = user_agent
        self.retry_pause = retry_pause
        self.per_host = per_host
        self._opener: OpenerDirector = build_opener(_NoRedirects())
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()

    def _semaphore(self, url: str) -> threading.BoundedSemaphore:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{(parts.hostname or '').lower()}:{parts.port or ''}"
        with self._hosts_lock:
            if key not in self._hosts:
                self._hosts[key] = threading.BoundedSemaphore(self.per_host)
            return self._hosts[key]

    def _fetch(self, url: str, method: str) -> _Answer:
        request = Request(
            url,
            method=method,
            headers={"User-Agent": self.user_agent, "Accept": "*/*"},
        )
        with self._semaphore(url):
            try:
                response = self._opener.open(request, timeout=self.timeout)
            except HTTPError as exc:  # every status >= 300 (redirects are not followed)
                try:
                    return _Answer(exc.code, exc.headers.get("Location", "") or "")
                finally:
                    exc.close()
            except (URLError, OSError, HTTPException, ValueError) as exc:
                if isinstance(exc, ValueError):
                    return _Answer(None, error=f"ungültige Adresse ({exc})")
                reason, retry = _describe_network_error(exc, self.timeout)
                return _Answer(None, error=reason, retry=retry)
            with response:  # the body is never read
                return _Answer(response.status, response.headers.get("Location", "") or "")

    def _ask(self, url: str) -> tuple[list[Hop], _Answer]:
        """One hop: HEAD, then GET if HEAD was refused or answered an error; one retry after a
        network error that may pass."""
        hops: list[Hop] = []
        for method in ("HEAD", "GET"):
            for attempt in range(self.retries + 1):
                answer = self._fetch(url, method)
                if answer.code is not None or not answer.retry or attempt == self.retries:
                    break
                time.sleep(self.retry_pause)
            hops.append(Hop(url, method, answer.code, answer.location))
            if answer.code is None or answer.code < 400:
                break
        return hops, answer

    def check(self, link: Link) -> LinkResult:
        url = link.url
        try:
            current = request_url(url)
        except (ValueError, UnicodeError) as exc:
            return LinkResult(
                url, "error", None, "", f"ungültige Adresse ({exc})", [], link.used_by
            )
        if urlsplit(current).scheme not in ("http", "https"):
            reason = "keine http(s)-Adresse"
            return LinkResult(url, "error", None, "", reason, [], link.used_by)
        hops: list[Hop] = []
        first_code: int | None = None
        first_redirect = 0
        seen = {current}
        while True:
            asked, answer = self._ask(current)
            hops.extend(asked)
            if first_code is None:
                first_code = answer.code
            code = answer.code
            if code is None:
                return self._result(
                    link, "error", first_code, current, answer.error, hops, first_redirect
                )
            if 300 <= code < 400 and code != 304:
                first_redirect = first_redirect or code
                if not answer.location:
                    reason = f"Weiterleitung ({code}) ohne Ziel"
                    return self._result(link, "error", first_code, "", reason, hops, 0)
                try:
                    target = request_url(urljoin(current, answer.location))
                except (ValueError, UnicodeError):
                    target = ""
                if urlsplit(target).scheme not in ("http", "https"):
                    reason = f"Weiterleitung ({code}) auf ein ungültiges Ziel: {answer.location}"
                    return self._result(link, "error", first_code, "", reason, hops, 0)
                if target in seen or len(seen) > MAX_HOPS:
                    reason = (
                        "Weiterleitungsschleife" if target in seen else "zu viele Weiterleitungen"
                    )
                    return self._result(link, "error", first_code, target, reason, hops, 0)
                seen.add(target)
                current = target
                continue
            if code >= 400:
                status: Status = "error" if code == 429 else "dead"
                reason = f"{REASONS.get(code, 'Fehler')} ({code})"
                return self._result(link, status, first_code, current, reason, hops, first_redirect)
            reason = f"erreichbar ({code})"
            return self._result(link, "ok", first_code, current, reason, hops, first_redirect)

    def _result(
        self,
        link: Link,
        status: Status,
        first_code: int | None,
        final: str,
        reason: str,
        hops: list[Hop],
        first_redirect: int,
    ) -> LinkResult:
        """Name the redirect chain in the result: its first step decides moved vs. redirected
        for a chain that ends well; a chain that ends badly says where it ended."""
        if not first_redirect:
            return LinkResult(link.url, status, first_code, "", reason, hops, link.used_by)
        if status == "ok":
            if first_redirect in PERMANENT:
                status, reason = "moved", f"dauerhaft umgezogen ({first_redirect}) nach {final}"
            else:
                status, reason = (
                    "redirected",
                    f"vorübergehend weitergeleitet ({first_redirect}) nach {final}",
                )
        else:
            reason = f"Weiterleitung ({first_redirect}) nach {final}: {reason}"
        return LinkResult(link.url, status, first_code, final, reason, hops, link.used_by)


def _interleave_hosts(links: Iterable[Link]) -> list[Link]:
    """One host after another (a, b, c, a, b, ...), so that the workers spread over the hosts
    instead of all waiting for the same host's limit."""
    by_host: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        by_host[(urlsplit(link.url).hostname or "").lower()].append(link)
    queues = list(by_host.values())
    order: list[Link] = []
    for i in range(max((len(q) for q in queues), default=0)):
        order.extend(q[i] for q in queues if i < len(q))
    return order


def check_links(
    links: Sequence[Link],
    *,
    timeout: float = 10.0,
    workers: int = 8,
    per_host: int = 2,
    retries: int = 1,
    user_agent: str = USER_AGENT.format(url=PROJECT_URL),
    max_duration: float = 900.0,
    progress: Callable[[LinkResult], None] | None = None,
) -> LinkReport:
    """Check every link; results in the order of `links`. The workers are daemon threads, so a
    run never outlasts `max_duration` seconds: a link still open then is reported as an error."""
    started = time.monotonic()
    checked_at = datetime.now(UTC)
    checker = Checker(timeout=timeout, per_host=per_host, retries=retries, user_agent=user_agent)
    deadline = started + max_duration
    jobs: queue.SimpleQueue[Link] = queue.SimpleQueue()
    for link in _interleave_hosts(links):
        jobs.put(link)
    results: dict[str, LinkResult] = {}
    done = threading.Condition()

    def work() -> None:
        while True:
            try:
                link = jobs.get_nowait()
            except queue.Empty:
                return
            if time.monotonic() >= deadline:
                return
            try:
                result = checker.check(link)
            except Exception as exc:  # one strange answer must not end the run
                reason = f"unerwarteter Fehler ({type(exc).__name__}: {exc})"
                result = LinkResult(link.url, "error", None, "", reason, [], link.used_by)
            with done:
                # Reported before the result counts as done: the caller's last progress line
                # must not come after the run has ended (nor two counts at once).
                if progress is not None:
                    progress(result)
                results[link.url] = result
                done.notify_all()

    threads = [
        threading.Thread(target=work, name=f"link-check-{i}", daemon=True)
        for i in range(max(1, min(workers, len(links))))
    ]
    for thread in threads:
        thread.start()
    with done:
        while len(results) < len(links) and any(t.is_alive() for t in threads):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            done.wait(min(remaining, 0.5))
        finished = dict(results)
    ordered = []
    for link in links:
        result = finished.get(link.url)
        if result is None:
            reason = f"nicht geprüft: Zeitlimit der Prüfung ({max_duration:g} s) erreicht"
            result = LinkResult(link.url, "error", None, "", reason, [], link.used_by)
        ordered.append(result)
    options = {
        "timeout": timeout,
        "workers": workers,
        "per_host": per_host,
        "retries": checker.retries,
        "user_agent": user_agent,
    }
    return LinkReport(checked_at, time.monotonic() - started, options, ordered)


def user_agent_for(base_url: str) -> str:
    """The User-Agent names the project and where to find it: the site's address if known."""
    return USER_AGENT.format(url=base_url or PROJECT_URL)


# --- the result file ----------------------------------------------------------------------


def default_result_path(instance_dir: Path) -> Path:
    return instance_dir / RESULT_FILE


def write_report(report: LinkReport, path: Path) -> None:
    """Write the JSON result atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    os.replace(tmp, path)


def read_last_result(path: Path) -> dict[str, Any] | None:
    """The last result written to `path` (for the editors' queue), or None if there is none or
    it cannot be read."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        return None
    return data


@dataclass(frozen=True)
class LastCheck:
    """The last stored result as the editors' queue shows it: when, how many of each status,
    every link that is not ok (dead and unreachable first) and the problems per case."""

    checked_at: datetime | None
    counts: dict[str, int]
    problems: list[dict[str, Any]]
    per_case: dict[str, int]

    @property
    def labels(self) -> dict[Status, str]:
        """The statuses' labels in the current language."""
        return {status: translate(label) for status, label in STATUS_LABELS.items()}


def last_check(path: Path) -> LastCheck | None:
    """The last result at `path` summarised for the editors' queue, or None if there is none."""
    data = read_last_result(path)
    if data is None:
        return None
    order: dict[str, int] = {"dead": 0, "error": 1, "moved": 2, "redirected": 3}
    problems = sorted(
        (link for link in data.get("links", []) if link.get("status") in order),
        key=lambda link: (order[link["status"]], link.get("url", "")),
    )
    per_case: dict[str, int] = {}
    for link in problems:
        for slug in {u["slug"] for u in link.get("used_by", []) if u.get("kind") == "case"}:
            per_case[slug] = per_case.get(slug, 0) + 1
    try:
        checked_at: datetime | None = datetime.fromisoformat(str(data.get("checked_at")))
    except ValueError:
        checked_at = None
    return LastCheck(checked_at, dict(data.get("counts", {})), problems, per_case)


def render_report(report: LinkReport) -> list[str]:
    """The text report in the current language (the reasons stay German, as stored): the counts,
    then every link that is not ok, grouped by status, with the items and fields that cite it."""
    counts = report.counts()
    summary = ", ".join(f"{counts[s]} {translate(STATUS_LABELS[s])}" for s in STATUSES)
    lines = [
        # The German says singular and plural at once (as it always has); English chooses.
        ngettext(
            "%(num)d Adresse(n) geprüft in %(seconds)s s: %(summary)s.",
            "%(num)d Adresse(n) geprüft in %(seconds)s s: %(summary)s.",
            counts["total"],
            seconds=number(report.duration, "0.0"),
            summary=summary,
        )
    ]
    problems: tuple[Status, ...] = ("dead", "error", "moved", "redirected")
    for status in problems:
        bad = report.by_status(status)
        if not bad:
            continue
        lines.append("")
        lines.append(f"{translate(STATUS_LABELS[status]).capitalize()} ({len(bad)}):")
        for result in bad:
            lines.append(f"  {result.url}")
            lines.append(f"    {result.reason}")
            lines.extend(f"    – {usage.label()}" for usage in result.used_by)
    return lines
