"""`every_hit`: a whole result set as one page, past the paging limit of interactive requests,
in the same order as paging through it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from search_index.documents import SearchDocument, SearchRequest
from search_index.engine import MAX_PER_PAGE, SearchEngine

COUNT = 2 * MAX_PER_PAGE + 37


@pytest.fixture
def big(tmp_path: Path) -> Iterator[SearchEngine]:
    engine = SearchEngine(tmp_path / "index")
    engine.store.create_empty()
    docs = [
        SearchDocument(
            kind="case" if i % 3 else "talk",
            slug=f"fall-{i}",
            title=f"Quartier {i:03d}",
            body="Quartier " * (1 + i % 7) + "Beteiligung",
            date=str(2000 + i % 20),
        )
        for i in range(COUNT)
    ]
    with engine.store.writer(timeout=1) as batch:
        batch.apply(docs, [])
    yield engine
    engine.close()


@pytest.mark.parametrize("sort", ["relevance", "date", "name"])
def test_every_hit_equals_all_pages_in_order(big: SearchEngine, sort: str) -> None:
    request = SearchRequest("Quartier", {"kind": ("case",)}, sort=sort)
    every = big.search(request, snippets=False, every_hit=True)
    paged = []
    for page in range(1, 4):
        paged += big.search(
            SearchRequest("Quartier", {"kind": ("case",)}, sort, page, MAX_PER_PAGE)
        ).hits
    assert every.total == len(every.hits) == len([i for i in range(COUNT) if i % 3]) > MAX_PER_PAGE
    assert [h.id for h in every.hits] == [h.id for h in paged]
