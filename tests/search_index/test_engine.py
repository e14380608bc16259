from search_index.documents import Overlay, SearchDocument, SearchRequest
from search_index.engine import SearchEngine


def ids(results) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.id for h in results.hits]


def test_plain_words_are_and_combined(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest("Büchel Aachen", exact=True))
    assert set(ids(results)) == {"case:buechel", "talk:talk-3"}
    # Fewer than three hits: those with one of the two words follow, marked as such.
    forgiven = engine.search(SearchRequest("Büchel Aachen"))
    assert set(ids(forgiven)[:2]) == {"case:buechel", "talk:talk-3"}
    assert forgiven.exact_total == 2 and forgiven.partial
    assert all(len(h.missing) == 1 for h in forgiven.hits[2:])


def test_a_compound_part_ranks_below_the_word_itself(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest("Beteiligung"))
    assert ids(results)[0] == "case:werkstadt"
    assert "case:leitlinien" in ids(results)


def test_snippets_escape_html_and_mark_matches(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest("Quartiersfonds"))
    snippet = results.hits[0].snippet
    assert "<mark>Quartiersfonds</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_a_compound_match_is_highlighted_whole(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest("Fonds"))
    assert "<mark>Quartiersfonds</mark>" in results.hits[0].snippet


def test_note_hits_point_at_the_talk(engine: SearchEngine) -> None:
    hit = engine.search(SearchRequest("Quartiersfonds")).hits[0]
    assert (hit.kind, hit.slug, hit.anchor) == ("note", "talk-3", "notiz-1")


def test_facet_counts_leave_out_their_own_filter(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest("", filters={"governance": ("cross-over",)}))
    assert results.total == 2
    assert results.facets["governance"] == {"top-down": 3, "cross-over": 2}
    assert results.facets["kind"] == {"case": 2}
    assert results.facets["land"] == {"baden-wuerttemberg": 1, "brandenburg": 1}


def test_filters_of_one_facet_are_or_combined_and_facets_and_combined(
    engine: SearchEngine,
) -> None:
    request = SearchRequest(
        "", filters={"land": ("brandenburg", "baden-wuerttemberg"), "kind": ("case",)}
    )
    assert sorted(ids(engine.search(request))) == ["case:leitlinien", "case:werkstadt"]


def test_paging_and_sorting(engine: SearchEngine) -> None:
    by_date = engine.search(SearchRequest("", sort="date", per_page=2))
    assert by_date.total == 5
    assert ids(by_date) == ["note:notiz-1", "talk:talk-3"]
    second = engine.search(SearchRequest("", sort="date", per_page=2, page=2))
    assert ids(second) == ["case:buechel", "case:werkstadt"]
    by_name = engine.search(SearchRequest("", sort="name"))
    assert ids(by_name)[0] == "case:buechel"


def test_a_misspelling_gets_a_readable_suggestion(engine: SearchEngine) -> None:
    results = engine.search(SearchRequest("Bürgerbeteilgung", exact=True))
    assert results.total == 0
    assert results.suggestion == "bürgerbeteiligung"
    corrected = engine.search(SearchRequest("Bürgerbeteilgung"))
    assert corrected.total == 1 and corrected.exact_total == 0
    assert (corrected.query, corrected.corrected_from) == ("bürgerbeteiligung", "Bürgerbeteilgung")


def test_the_overlay_replaces_stale_documents_and_adds_new_ones(engine: SearchEngine) -> None:
    changed = SearchDocument(
        kind="case",
        slug="werkstadt",
        title="WerkStadt",
        body="Jetzt ganz anders: Gemeinwesenarbeit.",
        governance=("bottom-up",),
    )
    new = SearchDocument(
        kind="note",
        slug="neu",
        title="Neue Notiz",
        parent="t",
        body="Gemeinwesenarbeit im Quartier.",
    )
    overlay = Overlay((changed, new), frozenset({"case:werkstadt", "note:neu"}))
    results = engine.search(SearchRequest("Gemeinwesenarbeit"), overlay)
    assert sorted(ids(results)) == ["case:werkstadt", "note:neu"]
    assert engine.search(SearchRequest("Potsdam"), overlay).total == 0
    everything = engine.search(SearchRequest(""), overlay)
    assert everything.total == 6
    assert everything.facets["governance"]["bottom-up"] == 1
    assert everything.facets["governance"]["cross-over"] == 1


def test_similar_cases_share_key_terms(engine: SearchEngine) -> None:
    similar = [h.id for h in engine.similar("case:werkstadt", "case")]
    assert "case:werkstadt" not in similar
    assert similar[0] == "case:leitlinien"
    assert all(i.startswith("case:") for i in similar)


def test_deleting_a_document_removes_it_from_hits_and_counts(engine: SearchEngine) -> None:
    with engine.store.writer(timeout=1) as batch:
        batch.apply([], ["case:werkstadt"])
    results = engine.search(SearchRequest(""))
    assert results.total == 4
    assert results.facets["land"].get("brandenburg") is None
