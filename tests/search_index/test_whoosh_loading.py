"""Whoosh is loaded without the two imports it never uses here (search_index.whoosh_loading),
and nothing else is changed by it: each check runs in a fresh interpreter."""

import subprocess
import sys
from pathlib import Path


def run(code: str) -> str:
    process = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return process.stdout.strip()


def test_a_single_threaded_process_loads_whoosh_without_them(tmp_path: Path) -> None:
    source = tmp_path / "source.txt"
    source.write_text("kopiert")
    code = (
        "import functools, sys\n"
        "import search_index.engine, whoosh.compat, whoosh.reading\n"
        "print(sorted({'urllib.request', 'asyncio', 'cached_property'} & set(sys.modules)))\n"
        "print(whoosh.reading.cached_property is functools.cached_property)\n"
        # Whoosh's urlretrieve still works, by importing the real one when called.
        f"whoosh.compat.urlretrieve({source.as_uri()!r}, {str(tmp_path / 'copy.txt')!r})\n"
        "import urllib.request\n"
        "print(hasattr(urllib.request, 'urlopen'))\n"
    )
    assert run(code).splitlines() == ["[]", "True", "True"]
    assert (tmp_path / "copy.txt").read_text() == "kopiert"


def test_a_process_with_threads_loads_whoosh_as_it_is() -> None:
    code = (
        "import threading, time\n"
        "stop = threading.Event()\n"
        "threading.Thread(target=stop.wait).start()\n"
        "import cached_property, search_index.engine, whoosh.reading\n"
        "print(whoosh.reading.cached_property is cached_property.cached_property)\n"
        "stop.set()\n"
    )
    assert run(code) == "True"
