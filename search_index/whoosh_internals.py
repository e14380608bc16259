"""The one door to Whoosh's private API: every use of a Whoosh name that starts with an underscore
(attributes, methods, functions, keyword arguments) is here, and nowhere else in the project
(tests/search_index/test_whoosh_door.py checks the source; setup.cfg's import contract keeps
Whoosh's codec modules here too).

That private API is only known for one Whoosh release, so importing this module checks the
installed version against WHOOSH_VERSION (the pin in setup.cfg and constraints.txt) and refuses
any other. To upgrade Whoosh: read the code below against the new release, adapt it, then change
the pin, WHOOSH_VERSION and run tests/search_index (test_bulk compares a rebuild with what
Whoosh's own writer writes, test_executor the scores with Whoosh's).

The patches to Whoosh (install) are applied explicitly, not on import: by the index store and the
search engine when they are made, and by a rebuild worker before it writes.

What is here, and what uses it:
- read_postings, field_lengths, pattern_terms: reading a segment's postings, field lengths and
  expanded prefixes for the numpy executor (search_index.executor, facets);
- postings_writer, add_postings, UnlockedSegmentWriter: writing a rebuild's segment in one go
  (search_index.bulk);
- commit_segments: a rebuild's table of contents (search_index.store);
- TextBlockColumn, text_column: the column of snippet texts (search_index.schema, engine);
- set_log_position, log_position: the change-log position an index has applied, kept in its
  table of contents (search_index.store).
"""

import bisect
import pickle
import struct
import threading
import zlib
from array import array
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

import whoosh.codec.whoosh3 as _whoosh3  # noqa: E402
from whoosh.codec.whoosh3 import (  # noqa: E402
    LENGTHS_COLUMN,
    W3LeafMatcher,
    W3PerDocReader,
    _lenfield,
)
from whoosh.columns import Column, ColumnReader, ColumnWriter  # noqa: E402
from whoosh.index import Index  # noqa: E402
from whoosh.matching import ListMatcher  # noqa: E402
from whoosh.query import PatternQuery  # noqa: E402
from whoosh.reading import TermNotFound  # noqa: E402
from whoosh.util.numeric import _length_byte_cache  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

# --- the patches --------------------------------------------------------------------------------

_MISSING = object()
_install_lock = threading.Lock()


def _cached_reader(self: Any, fieldname: str, column: Any) -> Any:
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


# Pickle protocol 4 reads back with any Python 3 (loads takes every protocol).
POSTINGS_PICKLE_PROTOCOL = 4


def _dumps(obj: Any, protocol: int = 2) -> bytes:
    return pickle.dumps(obj, POSTINGS_PICKLE_PROTOCOL)


def install() -> None:
    """Apply the two fixes to Whoosh (whoosh-reloaded 2.7.5 is no longer maintained);
    idempotent.

    Field lengths: the per-document reader looks them up for every posting it writes (when
    segments are merged) and, for fields without a length column, asks the file system each
    time (one stat per posting: a third of a rebuild's time). It now remembers that the column
    is missing; segments are immutable, so the answer never changes.

    Posting blocks: the whoosh3 codec pickles them with protocol 2, which writes each
    posting's positions (bytes) as a call to `codecs.encode` of a latin-1 string. Protocol 4
    writes bytes as bytes: the postings take 40 % less space on disk (zlib cannot remove all of
    that overhead) and unpickle faster. Segments written either way read alike, as `loads`
    takes every protocol; the format on disk is otherwise unchanged.
    """
    if installed():
        return
    with _install_lock:
        W3PerDocReader._cached_reader = _cached_reader
        _whoosh3.dumps = _dumps


def installed() -> bool:
    """Whether install() has patched Whoosh in this process."""
    return W3PerDocReader._cached_reader is _cached_reader and _whoosh3.dumps is _dumps


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


# --- the applied change-log position ---------------------------------------------------------

# Whoosh writes a commit's table of contents (TOC) as the pickled schema and segment list, and
# a writer starts from the newest TOC's schema object: an attribute set on the writer's schema
# is written atomically with that commit's documents, kept by every later commit (each writer
# unpickles it with the schema), and read back with the schema of a reader of that commit.
_POSITION = "kb_log_position"


def set_log_position(writer: Any, position: int) -> None:
    """Record `position` in the commit `writer` is about to make."""
    setattr(writer.schema, _POSITION, int(position))


def log_position(schema: Any) -> int | None:
    """The position recorded with the commit whose schema this is (None: never recorded)."""
    value = getattr(schema, _POSITION, None)
    return None if value is None else int(value)


# --- the column of snippet texts ------------------------------------------------------------


class TextBlockColumn(Column):
    """A column of byte strings compressed a block of documents at a time (zlib), for long
    texts read only for the few documents of a page. Whoosh's stored fields compress each
    document alone (about 1,300 bytes for the benchmark's average texts of 1,700); blocks of
    about 8 KiB compress them to about 620 bytes a document, as neighbouring documents share
    most of their words. A read decompresses its block only up to its row's end (about 15 µs;
    16 KiB blocks would save 50 bytes a document and cost twice the time). Whoosh's own
    CompressedBlockColumn finds a block by a linear scan and decompresses all of it.

    On disk: the compressed blocks, then three tables (each block's first row, uint32; each
    block's offset from the column's start, uint64; each row's end within its block, uint32),
    then TRAILER: where the tables start, the number of blocks and rows."""

    TRAILER = struct.Struct("<QII")

    def __init__(self, block_bytes: int = 8_192, level: int = 6) -> None:
        self._block_bytes = block_bytes
        self._level = level

    def writer(self, dbfile: Any) -> "_TextBlockWriter":
        return _TextBlockWriter(dbfile, self._block_bytes, self._level)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> "_TextBlockReader":
        return _TextBlockReader(dbfile, basepos, length, doccount)

    def default_value(self, reverse: bool = False) -> bytes:
        return b""


class _TextBlockWriter(ColumnWriter):
    def __init__(self, dbfile: Any, block_bytes: int, level: int) -> None:
        super().__init__(dbfile)
        self._start = dbfile.tell()
        self._block_bytes = block_bytes
        self._level = level
        self._values: list[bytes] = []
        self._size = 0  # bytes in the open block
        self._block_first = 0  # the open block's first row
        self._ends = array("I")  # every row's end within its block
        self._firsts = array("I")
        self._offsets = array("Q")

    def add(self, docnum: int, value: bytes) -> None:
        ends = self._ends
        while len(ends) < docnum:  # rows without a value: empty, in the open block
            ends.append(self._size)
        self._values.append(value)
        self._size += len(value)
        ends.append(self._size)
        if self._size >= self._block_bytes:
            self._flush()

    def _flush(self) -> None:
        if len(self._ends) == self._block_first:
            return
        self._firsts.append(self._block_first)
        self._offsets.append(self._dbfile.tell() - self._start)
        self._dbfile.write(zlib.compress(b"".join(self._values), self._level))
        self._values, self._size, self._block_first = [], 0, len(self._ends)

    def finish(self, doccount: int) -> None:
        while len(self._ends) < doccount:
            self._ends.append(self._size)
        self._flush()
        tables = self._dbfile.tell() - self._start
        for table in (self._firsts, self._offsets, self._ends):
            self._dbfile.write(table.tobytes())
        trailer = TextBlockColumn.TRAILER.pack(tables, len(self._firsts), len(self._ends))
        self._dbfile.write(trailer)


class _TextBlockReader(ColumnReader):
    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        super().__init__(dbfile, basepos, length, doccount)
        size = TextBlockColumn.TRAILER.size
        tables, blocks, rows = TextBlockColumn.TRAILER.unpack(
            dbfile.get(basepos + length - size, size)
        )
        raw = bytes(dbfile.get(basepos + tables, length - size - tables))
        self._firsts = array("I", raw[: 4 * blocks]).tolist()
        offsets = array("Q", raw[4 * blocks : 12 * blocks]).tolist()
        self._offsets = [*offsets, tables]
        self._ends = array("I", raw[12 * blocks : 12 * blocks + 4 * rows])

    def _block(self, block: int, upto: int = -1) -> bytes:
        """A block's rows, decompressed up to `upto` bytes (-1: all of them)."""
        at, stop = self._offsets[block], self._offsets[block + 1]
        data = self._dbfile.get(self._basepos + at, stop - at)
        if upto < 0:
            return zlib.decompress(data)
        return zlib.decompressobj().decompress(data, upto)

    def __getitem__(self, docnum: int) -> bytes:
        if not 0 <= docnum < len(self._ends):
            return b""
        block = bisect.bisect_right(self._firsts, docnum) - 1
        end = self._ends[docnum]
        start = 0 if docnum == self._firsts[block] else self._ends[docnum - 1]
        if start == end:
            return b""
        return self._block(block, end)[start:end]

    def __iter__(self) -> Iterator[bytes]:
        """Every row in order, each block decompressed once (a merge reads them all)."""
        firsts = [*self._firsts, len(self._ends)]
        for block in range(len(self._firsts)):
            data, start = self._block(block), 0
            for row in range(firsts[block], firsts[block + 1]):
                end = self._ends[row]
                yield data[start:end]
                start = end


def text_column(reader: Any, fieldname: str, column: TextBlockColumn) -> Any:
    """A segment reader's reader of a TextBlockColumn (None without one), made once per
    segment reader: it lives and closes with it."""
    return reader._perdoc._cached_reader(fieldname, column)
