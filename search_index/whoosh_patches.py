"""A fix to Whoosh (whoosh-reloaded 2.7.5 is no longer maintained), applied on import of
search_index.

Field lengths: the per-document reader looks them up for every posting it writes and, for
fields without a length column, asks the file system each time (one stat per posting: a third
of a rebuild's time). It now remembers that the column is missing; segments are immutable, so
the answer never changes.

(A second fix, reading memory-mapped segments without copying them, went with the maps: the
index files are read, not mapped; search_index.store._Reading.open says why.)
"""

from whoosh.codec.whoosh3 import W3PerDocReader

_MISSING = object()


def _cached_reader(self, fieldname, column):  # type: ignore[no-untyped-def]
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


def apply() -> None:
    W3PerDocReader._cached_reader = _cached_reader
