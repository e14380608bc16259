"""The one door to Whoosh's private API: every use of a Whoosh name that starts with an underscore
(attributes, methods, functions, keyword arguments) is here, and nowhere else in the project
(tests/search_index/test_whoosh_door.py checks the source; setup.cfg's import contract keeps
Whoosh's codec modules here too).

That private API is only known for one Whoosh release, so importing this module checks the
installed version against WHOOSH_VERSION (the pin in setup.cfg and constraints.txt) and refuses
any other. To upgrade Whoosh: read the code below against the new release, adapt it, then change
the pin, WHOOSH_VERSION and run tests/search_index (test_bulk compares a rebuild with what
Whoosh's own writer writes, test_executor the scores with Whoosh's).

The patch to Whoosh (install) is applied explicitly, not on import: by the index store and the
search engine when they are made, and by a rebuild worker before it writes.

What is here, and what uses it:
- read_postings, field_lengths, pattern_terms: reading a segment's postings, field lengths and
  expanded prefixes for the numpy executor (search_index.executor, facets);
- postings_writer, add_postings, UnlockedSegmentWriter: writing a rebuild's segment in one go
  (search_index.bulk);
- commit_segments: a rebuild's table of contents (search_index.store).
"""

import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import whoosh
from numpy.typing import NDArray

WHOOSH_VERSION = (2, 7, 5)  # whoosh-reloaded, as pinned in setup.cfg and constraints.txt


class WhooshVersionError(ImportError):
    """The installed Whoosh is not the release whose private API this module knows."""


def check_version(found: tuple[int, ...] | None = None) -> None:
    """Raise WhooshVersionError unless Whoosh (or `found`) is WHOOSH_VERSION."""
    version = tuple(whoosh.__version__) if found is None else tuple(found)
    if version != WHOOSH_VERSION:
        expected = ".".join(map(str, WHOOSH_VERSION))
        raise WhooshVersionError(
            f"search_index needs Whoosh (whoosh-reloaded) {expected}, found "
            f"{'.'.join(map(str, version))}: search_index.whoosh_internals uses Whoosh's private "
            f"API as it is in {expected}; install the pinned version (pip install -c "
            "constraints.txt) or adapt that module to the new release first"
        )


# Before Whoosh's private names are imported: another release may lack them.
check_version()

from whoosh.codec.whoosh3 import (  # noqa: E402
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3PerDocReader,
    _lenfield,
)
from whoosh.index import Index  # noqa: E402
from whoosh.matching import ListMatcher  # noqa: E402
from whoosh.query import PatternQuery  # noqa: E402
from whoosh.reading import TermNotFound  # noqa: E402
from whoosh.util.numeric import _length_byte_cache  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

# --- the patch ----------------------------------------------------------------------------------

_MISSING = object()
_install_lock = threading.Lock()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


def install() -> None:
    """Apply the fix to Whoosh (whoosh-reloaded 2.7.5 is no longer maintained); idempotent.

    Field lengths: the per-document reader looks them up for every posting it writes (when
    segments are merged) and, for fields without a length column, asks the file system each
    time (one stat per posting: a third of a rebuild's time). It now remembers that the column
    is missing; segments are immutable, so the answer never changes.
    """
    if W3PerDocReader._cached_reader is _cached_reader:
        return
    with _install_lock:
        W3PerDocReader._cached_reader = _cached_reader


def installed() -> bool:
    """Whether install() has patched Whoosh in this process."""
    return W3PerDocReader._cached_reader is _cached_reader


# --- reading ------------------------------------------------------------------------------------

# Whoosh's quantised field lengths by their byte code (byte_to_length for every byte).
_BYTE_TO_LENGTH = np.array(_length_byte_cache, dtype=np.float64)


def read_postings(
    reader: Any, fieldname: str, btext: bytes
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """All postings of a term in one segment (deleted documents included) as arrays (int32
    document numbers: half the memory of the cache). The whoosh3 codec's posting blocks are
    decoded a block at a time (a block holds up to the writer's block limit, 128 postings;
    document numbers are deltas unless stored as bytes); a term short enough to be inlined in
    its term info comes as a ListMatcher."""
    try:
        matcher = reader._terms.matcher(fieldname, btext, reader.schema[fieldname].format)
    except TermNotFound:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    if isinstance(matcher, ListMatcher):
        ids = np.asarray(matcher._ids, dtype=np.int32)
        weights = matcher._weights
        w = np.ones(len(ids), np.float32) if weights is None else np.asarray(weights, np.float32)
        return ids, w
    if not isinstance(matcher, W3LeafMatcher):  # an unknown codec: the slow, general way
        ids_list, weights_list = [], []
        while matcher.is_active():
            ids_list.append(matcher.id())
            weights_list.append(matcher.weight())
            matcher.next()
        return np.array(ids_list, dtype=np.int32), np.array(weights_list, dtype=np.float32)
    id_blocks, weight_blocks = [], []
    m = matcher
    while True:
        m._read_data()
        ids, weights = m._data[0], m._data[1]
        block = np.asarray(ids, dtype=np.int32)
        id_blocks.append(block if m._byteids else np.cumsum(block, dtype=np.int32))
        if weights is None:
            weight_blocks.append(np.ones(m._blocklength, dtype=np.float32))
        elif isinstance(weights, float):
            weight_blocks.append(np.full(m._blocklength, weights, dtype=np.float32))
        else:
            weight_blocks.append(np.asarray(weights, dtype=np.float32))
        if m._lastblock:
            break
        m._goto(m._nextoffset)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def field_lengths(reader: Any, fieldname: str) -> NDArray[np.float64]:
    """Every document's (quantised) length of a field in one segment, as Whoosh scores it: the
    segment's length column (one byte per document) read in one piece."""
    size = reader.doc_count_all()
    column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.ones(size, dtype=np.float64)
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    codes = np.zeros(size, dtype=np.uint8)
    codes[: column._count] = np.frombuffer(raw, dtype=np.uint8)
    lengths = _BYTE_TO_LENGTH[codes]
    lengths[codes == 0] = 1.0  # Whoosh's default for "no length"
    return lengths


def pattern_terms(query: PatternQuery, reader: Any) -> Iterator[bytes]:
    """The indexed terms (bytes) a prefix or wildcard query expands to in a reader."""
    terms: Iterator[bytes] = query._btexts(reader)
    return terms


# --- writing ------------------------------------------------------------------------------------


def postings_writer(fieldwriter: Any) -> Any:
    """The whoosh3 field writer's postings writer of the field it has started (start_field):
    the same object for every term of that field."""
    return fieldwriter._postwriter


def add_postings(
    postwriter: Any, postings: list[tuple[int, float, bytes]], lengths: dict[int, int]
) -> None:
    """W3PostingsWriter.add_posting for all postings (document number, weight, encoded value)
    of a term between start_term and finish_term, a block at a time: the same blocks and
    statistics without a method call and four type checks per posting. `lengths` are the
    documents' field lengths as Whoosh's reader returns them (quantised)."""
    limit = postwriter._blocklimit
    for start in range(0, len(postings), limit):
        if start:
            postwriter._write_block()  # the block is full (add_posting writes it then too)
        block = postings[start : start + limit]
        postwriter._ids.extend([p[0] for p in block])
        weights = [p[1] for p in block]
        postwriter._weights.extend(weights)
        postwriter._maxweight = max(postwriter._maxweight, max(weights))
        postwriter._values.extend([p[2] for p in block if p[2]])
        known = [n for p in block if (n := lengths.get(p[0], 0))]
        if known:
            shortest, longest = min(known), max(known)
            if postwriter._minlength is None or shortest < postwriter._minlength:
                postwriter._minlength = shortest
            postwriter._maxlength = max(postwriter._maxlength, longest)


class UnlockedSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter without the index's write lock (for a generation nobody else
    writes yet), finished into a segment instead of committed."""

    def __init__(self, ix: Index) -> None:
        super().__init__(ix, _lk=False)

    def close_segment(self) -> Any:
        """Close the segment's files (per-document and field writers already closed by the
        caller) and return the segment, for a table of contents written elsewhere."""
        if self.docnum:
            self._added = True  # as add_document leaves it
        self._close_segment()
        self._assemble_segment()
        self.is_closed = True
        return self.get_segment()


def commit_segments(writer: SegmentWriter, segments: list[Any]) -> None:
    """Commit exactly these segments as the index's new generation: the writer's own segment
    stays empty, its lock is released."""
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()
