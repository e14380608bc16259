"""Two fixes to Whoosh (whoosh-reloaded 2.7.5 is no longer maintained), applied on import of
search_index:

1. Field lengths: the per-document reader looks them up for every posting it writes and, for
   fields without a length column, asks the file system each time (one stat per posting: a
   third of a rebuild's time). It now remembers that the column is missing; segments are
   immutable, so the answer never changes.
2. Memory: every file opened inside a memory-mapped segment was wrapped in io.BytesIO, which
   copies it, so each searching process held a private copy of the whole index (300 MB for
   110,000 documents) and read every page of it when opening. Files are now read straight
   from the map: only the pages a search touches are loaded, and they are shared.
"""

from typing import Any

from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.filedb.structfile import BufferFile

_MISSING = object()


def _cached_reader(self, fieldname, column):  # type: ignore[no-untyped-def]
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


class ViewReader:
    """A read-only file over a memoryview, without copying it."""

    def __init__(self, view: Any) -> None:
        self._view = memoryview(view)
        self._pos = 0
        self.closed = False

    def read(self, n: int | None = -1) -> bytes:
        end = len(self._view) if n is None or n < 0 else min(self._pos + n, len(self._view))
        data = bytes(self._view[self._pos : end])
        self._pos = end
        return data

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self._view) - self._pos)
        buffer[:n] = self._view[self._pos : self._pos + n]
        self._pos += n
        return n

    def readline(self, size: int = -1) -> bytes:
        line = bytearray()
        while self._pos < len(self._view) and (size < 0 or len(line) < size):
            byte = self._view[self._pos]
            self._pos += 1
            line.append(byte)
            if byte == 10:
                break
        return bytes(line)

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._view)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self.closed = True

    def flush(self) -> None:
        pass


def _buffer_file_init(self, buf, name=None, onclose=None):  # type: ignore[no-untyped-def]
    self._buf = buf
    self._name = name
    self.file = ViewReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def apply() -> None:
    W3PerDocReader._cached_reader = _cached_reader
    BufferFile.__init__ = _buffer_file_init
