"""Whether the files of an index are whole: each segment's compound file against its own
directory, and each pair array against its header. Checked when a searcher opens a segment
for the first time, so that a truncated or missing file is reported as a damaged index
(search_index.documents.IndexUnavailable) instead of failing a search somewhere inside Whoosh.

A check reads a few hundred bytes per segment (the compound file's header and directory, the
arrays' headers); a segment that passed is remembered by its file's identity (size, inode,
modification time), so that a file replaced or cut later is checked again.
"""

import pickle
import struct
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from search_index.documents import IndexUnavailable
from search_index.pairs import ARRAY_FILES, NpyColumn

_HEADER = struct.Struct(">qi")  # Whoosh's compound file: directory offset (long), length (int)
_checked: set[tuple[str, int, int, int]] = set()
_lock = threading.Lock()


def _identity(path: Path) -> tuple[str, int, int, int]:
    st = path.stat()
    return (str(path), st.st_size, st.st_ino, st.st_mtime_ns)


def _check_compound(path: Path) -> None:
    """The compound file's directory lies inside the file, and so does every file it lists."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(_HEADER.size)
        if len(head) < _HEADER.size:
            raise IndexUnavailable("damaged", f"{path.name}: {size} bytes, no header")
        offset, length = _HEADER.unpack(head)
        if not 0 < offset < size or offset + length > size:
            raise IndexUnavailable("damaged", f"{path.name}: directory at {offset} of {size}")
        f.seek(offset)
        try:
            directory = pickle.load(f)
        except Exception as exc:  # any unpickling failure means the bytes are not Whoosh's
            raise IndexUnavailable("damaged", f"{path.name}: unreadable directory") from exc
    for name, info in directory.items():
        if info["offset"] + info["length"] > offset:
            raise IndexUnavailable("damaged", f"{path.name}: {name} reaches past its data")


def _check_array(path: Path) -> None:
    """A .npy file holds exactly the bytes its header promises."""
    try:
        column = NpyColumn(str(path))
        column.close()
        expected = column.expected_bytes
    except Exception as exc:  # numpy raises ValueError and others for a cut header
        raise IndexUnavailable("damaged", f"{path.name}: unreadable header") from exc
    if path.stat().st_size != expected:
        raise IndexUnavailable("damaged", f"{path.name}: {path.stat().st_size} of {expected}")


def segment_files(folder: Path, segments: Iterable[Any]) -> list[Path]:
    """The files of these Whoosh segments: compound files and pair arrays."""
    files = []
    for segment in segments:
        segment_id = segment.segment_id()
        if segment.is_compound():
            files.append(folder / segment.make_filename(".seg"))
        arrays = [folder / name.format(segment_id) for name in ARRAY_FILES]
        present = [p for p in arrays if p.exists()]
        if present and len(present) != len(arrays):
            raise IndexUnavailable("damaged", f"segment {segment_id}: a pair array is missing")
        files += present
    return files


def sizes(files: Iterable[Path]) -> list[int]:
    """The files' sizes now (FileNotFoundError when one is gone)."""
    return [path.stat().st_size for path in files]


def check_segments(folder: Path, segments: Iterable[Any]) -> list[Path]:
    """Raise IndexUnavailable("damaged") unless every file of these Whoosh segments is whole;
    returns the files."""
    files = segment_files(folder, segments)
    for path in files:
        identity = _identity(path)  # FileNotFoundError: merged away, or lost
        with _lock:
            if identity in _checked:
                continue
        if path.suffix == ".seg":
            _check_compound(path)
        else:
            _check_array(path)
        with _lock:
            if len(_checked) > 10_000:
                _checked.clear()
            _checked.add(identity)
    return files
