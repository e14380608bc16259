"""Browser tests: the real server (`kb serve`) on a fresh SQLite instance and a free port,
Debian's Chromium driven by Playwright, and the rule that these tests skip locally when Chromium
or axe-core is missing but fail in CI (CI set), so CI can never pass by skipping them.

Fixtures: `live_server` (base URL), `kb_cli` (kb commands on the server's instance), `browser`,
`page` (a fresh context per test; a failing test's screenshot is saved and named in the report).
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.e2e.axe import AXE_JS

E2E_DIR = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# The network here is closed: without these flags Chromium keeps trying to reach Google's
# services (updates, sync, QUIC probes) and logs refused connections at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0
# Playwright waits 30 s by default; a page of this app answers in well under a second, so a
# missing element should fail the test soon rather than stall the suite.
ACTION_TIMEOUT_MS = 10_000

_SCREENSHOT = pytest.StashKey[Path]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false")


def _missing_tools() -> list[str]:
    """What has to be installed before browser tests can run, as the commands that install it."""
    missing = []
    if not CHROMIUM.exists():
        missing.append("apt-get install chromium chromium-driver")
    if not AXE_JS.exists():
        missing.append("npm ci (im Projektordner; `make test` tut das, wenn npm da ist)")
    return missing


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook deselects by `-m`
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test below tests/e2e as `e2e`, so `-m "not e2e"` leaves them out."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Screenshot a failing test's page while it is still open (the fixture's teardown would be
    too late to add it to the report) and name the file in the report."""
    report: pytest.TestReport = yield
    if report.when == "call" and report.failed:
        page = getattr(item, "funcargs", {}).get("page")
        path = item.stash.get(_SCREENSHOT, None)
        if isinstance(page, Page) and not page.is_closed() and path is not None:
            try:
                page.screenshot(path=path, full_page=True)
                report.sections.append(("Screenshot", f"{path} (URL {page.url})"))
            except Exception as exc:  # the failure may be a crashed page; report, don't mask
                report.sections.append(("Screenshot", f"nicht möglich: {exc}"))
    return report


@pytest.fixture(scope="session", autouse=True)
def _e2e_tools() -> None:
    """Skip (locally) or fail (in CI) every browser test when a tool is missing. Session scope,
    so it runs before the other session fixtures try to start Chromium."""
    missing = _missing_tools()
    if not missing:
        return
    message = "Browser-Tests brauchen: " + "; ".join(missing)
    if _in_ci():
        pytest.fail(f"CI ist gesetzt, Browser-Tests dürfen nicht übersprungen werden. {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def live_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh instance folder; the SQLite database and the index are derived inside it."""
    return tmp_path_factory.mktemp("e2e-instance")


@dataclass(frozen=True)
class KbCli:
    """The `kb` command on the live server's instance."""

    script: str
    env: dict[str, str]

    def __call__(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> "subprocess.CompletedProcess[str]":
        """Run `kb ARGS...`; fails the test with its output if it exits non-zero (pass
        `check=False` to look at a failure yourself)."""
        done = subprocess.run(
            [self.script, *args],
            env=self.env,
            input=input,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and done.returncode != 0:
            pytest.fail(
                f"kb {' '.join(args)} endete mit {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done


@pytest.fixture(scope="session")
def kb_cli(live_instance: Path) -> KbCli:
    """`kb_cli("user", "add", "anna", "--role", "editor", input="geheim\\n")` runs a kb command
    on the instance the live server uses (SQLite: both may write at the same time)."""
    script = shutil.which("kb", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.fail(f"kein `kb` neben {sys.executable}: pip install -e . (make test tut das)")
    # Every KB_* setting from outside (the Makefile's KB_INSTANCE, the unit tests'
    # KB_TEST_DATABASE_URL, a developer's KB_DATABASE_URL) is dropped: the browser tests run on
    # their own SQLite instance, whatever the unit tests run on.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["KB_INSTANCE"] = str(live_instance)
    return KbCli(script, env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health_status(url: str) -> int | None:
    # No proxy: a proxy from the environment must not be asked for our own loopback server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


@pytest.fixture(scope="session")
def live_server(kb_cli: KbCli, live_instance: Path) -> Iterator[str]:
    """The real server: `kb init` on the fresh instance (seed catalogue loaded), then
    `kb serve` (waitress) on a free port. Yields the base URL without a trailing slash,
    e.g. `http://127.0.0.1:45123`; the server is stopped at the end of the session."""
    kb_cli("init")
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = live_instance / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [kb_cli.script, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=kb_cli.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while (status := _health_status(f"{base_url}/healthz")) != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"kb serve antwortete nicht mit 200 auf /healthz (zuletzt: {status}, "
                    f"Exit-Status: {server.poll()}). Ausgabe ({log}):\n{log.read_text()}"
                )
            time.sleep(0.2)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium; Playwright never downloads a browser of its own here."""
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies or storage shared between tests), German
    locale as the app's users have. CSP is bypassed only so axe can be injected as a script."""
    context = browser.new_context(locale="de-DE", bypass_csp=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    request.node.stash[_SCREENSHOT] = tmp_path / "failure.png"
    try:
        yield context.new_page()
    finally:
        context.close()
