"""The index store over time: a long-lived process that searches while other writers save and
merge sees exactly what a fresh process sees."""

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from search_index import store
from search_index.documents import SearchDocument, SearchRequest
from search_index.engine import SearchEngine


def _note(i: int) -> SearchDocument:
    return SearchDocument(
        kind="note",
        slug=f"n{i}",
        title=f"Notiz {i}",
        body=f"Beteiligung im Quartier, Wort{'x' * (i % 7)} und eindeutigeswort{chr(97 + i % 26)}",
        parent="t",
        date="2022-05-01",
    )


def test_a_long_lived_searcher_counts_like_a_fresh_process(tmp_path: Path) -> None:
    root = tmp_path / "index"
    long_lived = SearchEngine(root)
    long_lived.store.create_empty()
    for i in range(120):
        # One commit per save, as the background indexer does: Whoosh merges small segments
        # away now and then, and re-saves delete the older copy of a document.
        with long_lived.store.writer(timeout=5) as batch:
            batch.apply([_note(i % 80)], [])
        if i % 10 == 9:
            fresh = SearchEngine(root)
            for query in ("Beteiligung", "eindeutigeswortc", "Notiz"):
                seen = long_lived.search(SearchRequest(query))
                truth = fresh.search(SearchRequest(query))
                assert seen.total == truth.total, (i, query)
                assert sorted(h.id for h in seen.hits) == sorted(h.id for h in truth.hits)
            fresh.store.close()
            searcher = long_lived.store.searcher()
            listed = whoosh_index.open_dir(str(root / "current")).reader()
            assert len(searcher.reader().leaf_readers()) == len(listed.leaf_readers())
            listed.close()
    assert long_lived.search(SearchRequest("Beteiligung")).total == 80
    hits = long_lived.search(SearchRequest("Notiz 7")).hits
    assert [h.id for h in hits].count("note:n7") == 1


def test_a_writer_reads_the_contents_again_when_a_commit_removed_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between listing the index's table of contents and reading it, another process's commit
    can remove it: the writer reads the newest one again instead of failing the catch-up."""
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    real = store.open_index
    misses = [2]  # the first two opens find their table of contents gone

    def racing(folder: str) -> Any:
        if misses[0]:
            misses[0] -= 1
            raise FileNotFoundError(f"{folder}/_MAIN_4.toc")
        return real(folder)

    monkeypatch.setattr(store, "open_index", racing)
    with engine.store.writer(timeout=5) as batch:
        batch.apply([_note(1)], [])
    assert misses == [0]
    assert engine.search(SearchRequest("Notiz")).total == 1
    # A file that stays missing is damage, not a race: it is raised.
    misses[0] = 100
    with pytest.raises(FileNotFoundError), engine.store.writer(timeout=5):
        pass
    engine.close()


@dataclass(frozen=True)
class KilledInPart:
    """A document source whose worker for part `killed` dies by SIGKILL, as the kernel's
    out-of-memory killer ends a process (picklable: handed to rebuild workers)."""

    killed: int

    def __call__(self, part: int, parts: int) -> Iterator[SearchDocument]:
        if part == self.killed:
            os.kill(os.getpid(), signal.SIGKILL)
        yield from (_note(i) for i in range(part, 40, parts))


def test_a_rebuild_worker_killed_without_a_word_fails_the_rebuild_instead_of_hanging(
    tmp_path: Path,
) -> None:
    engine = SearchEngine(tmp_path / "index")
    with pytest.raises(RuntimeError, match=r"part 1: exit code -9"):
        engine.store.build(KilledInPart(killed=1), parts=2)
    assert not list((tmp_path / "index").glob("gen-*"))  # the half-built generation is gone


def test_parts_are_one_per_process_or_more_when_a_part_would_be_too_large() -> None:
    assert store.parts_for(0, 2) == 2
    assert store.parts_for(110_200, 2) == 2  # 55,100 a part
    assert store.parts_for(1_100_200, 2) == 18  # 61,122 a part, nine rounds of two
    assert store.parts_for(store.PART_DOCUMENTS + 1, 1) == 2
    assert store.parts_for(10, 1) == 1


@dataclass(frozen=True)
class TimedParts:
    """A picklable source that notes when each part was read (start, end) in `folder`."""

    folder: str

    def __call__(self, part: int, parts: int) -> Iterator[SearchDocument]:
        start = time.monotonic()
        time.sleep(0.3)  # long enough for parts that run together to overlap
        yield from (_note(i) for i in range(part, 50, parts))
        Path(self.folder, f"part-{part}").write_text(
            f"{start} {time.monotonic()} {os.getpid()} {parts}"
        )


def _timings(folder: Path) -> dict[int, tuple[float, float, int, int]]:
    out = {}
    for path in folder.glob("part-*"):
        start, end, pid, parts = path.read_text().split()
        out[int(path.name[5:])] = (float(start), float(end), int(pid), int(parts))
    return out


@pytest.mark.parametrize("parts, processes", [(5, 2), (3, 1)])
def test_parts_run_at_most_processes_at_a_time_each_its_own_segment(
    tmp_path: Path, parts: int, processes: int
) -> None:
    """More parts than processes: workers take turns; processes=1: the parts one after the
    other in this process."""
    marks = tmp_path / "marks"
    marks.mkdir()
    engine = SearchEngine(tmp_path / "index")
    target, count = engine.store.build(TimedParts(str(marks)), parts=parts, processes=processes)
    engine.store.publish(target)
    assert count == 50
    assert engine.search(SearchRequest("Notiz")).total == 50
    with store.open_index(str(target)).searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == parts  # a segment per part
    timings = _timings(marks)
    assert sorted(timings) == list(range(parts)) and {t[3] for t in timings.values()} == {parts}
    in_here = [t[2] == os.getpid() for t in timings.values()]
    assert all(in_here) if processes == 1 else not any(in_here)
    for start, _, _, _ in timings.values():
        running = sum(1 for s, e, _, _ in timings.values() if s <= start < e)
        assert running <= processes, timings
    engine.close()
