"""Loads Whoosh without two imports it makes for nothing, so that `kb search` starts sooner.

whoosh-reloaded 2.7.5 imports `urllib.request` in whoosh.compat (for a `urlretrieve` that no
Whoosh module calls) and the `cached_property` package in whoosh.reading (for one property,
which functools.cached_property serves alike); the first pulls in http.client, email and ssl,
the second asyncio: together about 50 ms of a 0.3 s command. While Whoosh is imported, stand-ins
take their places in sys.modules, and are taken out again right after, so that anyone importing
either module later gets the real one; whoosh.compat.urlretrieve still works (it imports the
real function when called).

Only a process with a single thread does this: a stand-in in sys.modules would be seen by a
thread importing the same module meanwhile. A server or a worker simply imports Whoosh as is.
The package's __init__ calls load_whoosh() before any of its modules imports Whoosh.
"""

import functools
import sys
import threading
import types
from typing import Any


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


def _stand_ins() -> dict[str, types.ModuleType]:
    request = types.ModuleType("urllib.request", "stand-in while Whoosh is imported")
    request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
    cached = types.ModuleType("cached_property", "stand-in while Whoosh is imported")
    cached.cached_property = functools.cached_property  # type: ignore[attr-defined]
    return {"urllib.request": request, "cached_property": cached}


def load_whoosh() -> None:
    """Import the Whoosh modules that import the two, with stand-ins when that is safe."""
    if "whoosh.reading" in sys.modules or threading.active_count() > 1:
        return
    stand_ins = {name: m for name, m in _stand_ins().items() if name not in sys.modules}
    sys.modules.update(stand_ins)
    try:
        import whoosh.compat
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
