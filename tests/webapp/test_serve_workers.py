"""`kb serve --workers N`: N worker processes under gunicorn answer on one port, sharing the
server's index directory, and stop cleanly on SIGTERM."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kb.runtime import Runtime

START_TIMEOUT = 60  # seconds: two workers each load the app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int | None, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code, ""
    except (urllib.error.URLError, OSError):
        return None, ""


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts worker processes in /proc (Linux)")
def test_two_workers_answer_on_one_port_and_stop_on_sigterm(
    seeded: Runtime, cli_env: dict[str, str], tmp_path: Path
) -> None:
    seeded.close()  # the workers open the database and the index themselves
    script = shutil.which("kb", path=str(Path(sys.executable).parent))
    assert script, "kb is installed beside the test's Python (pip install -e .)"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")} | cli_env
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [script, "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while (status := _get(f"{base}/healthz")[0]) != 200:
            assert server.poll() is None and time.monotonic() < deadline, (
                f"no 200 from /healthz (last: {status}): {log.read_text()}"
            )
            time.sleep(0.2)
        assert len(_children(server.pid)) == 2
        for _ in range(10):  # served by either worker: the same catalogue, the same index
            status, page = _get(f"{base}/search?q=Beirat")
            assert status == 200 and "Treffer" in page
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=40) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
