import pytest

from search_index.analysis import german_analyzer, german_normalize, parts_analyzer


def tokens(text: str, analyzer=None) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.text for t in (analyzer or german_analyzer())(text)]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Büchel", "Buechel"),
        ("Büchel", "Buchel"),
        ("Straße", "Strasse"),
        ("Kooperationsmodell", "Kooperationsmodelle"),
        ("Initiative", "Initiativen"),
        ("Bürgerbeteiligung", "Buergerbeteiligung"),
    ],
)
def test_spellings_and_inflections_meet_at_one_token(a: str, b: str) -> None:
    assert tokens(a) == tokens(b)


def test_stop_words_are_removed_even_with_umlauts() -> None:
    assert tokens("für die Stadt über alles") == tokens("Stadt alles")


@pytest.mark.parametrize(
    ("compound", "part"),
    [
        ("Bürgerbeteiligung", "Beteiligung"),
        ("Stadtentwicklung", "Entwicklung"),
        ("Quartiersfonds", "Fonds"),
        ("Verfügungsfonds", "Fonds"),
        ("Zwischennutzung", "Nutzung"),
        ("Liegenschaftspolitik", "Politik"),
    ],
)
def test_compound_parts_go_to_the_parts_field_only(compound: str, part: str) -> None:
    assert tokens(part)[0] in tokens(compound, parts_analyzer())
    assert tokens(part)[0] not in tokens(compound)


def test_a_query_is_not_decompounded() -> None:
    analyzer = parts_analyzer()
    assert [t.text for t in analyzer("Bürgerbeteiligung", mode="query")] == tokens(
        "Bürgerbeteiligung"
    )


def test_normalization_keeps_ue_after_vowels() -> None:
    assert german_normalize("neue") == "neue"
    assert german_normalize("buechel") == "buchel"


def test_compounds_with_an_elided_head_are_completed_as_parts() -> None:
    from search_index.analysis import elided_parts, index_form, parts_analyzer

    text = "Verfügungs- und Quartiersfonds, Anlauf-, Beratungs- und Koordinierungsstelle"
    assert elided_parts(text) == (
        index_form("verfügungsfonds"),
        index_form("anlaufstelle"),
        index_form("beratungsstelle"),
    )
    assert index_form("verfügungsfonds") in [t.text for t in parts_analyzer()(text)]
    # Not an Ergänzungsstrich: a hyphenated word, or no conjunction after it.
    assert elided_parts("Nord-Süd-Verbindung und Bahnhof") == ()
    assert elided_parts("Verfügungs- Quartiersfonds") == ()
    # A query is not completed: it is looked up as written.
    assert [t.text for t in parts_analyzer()(text, mode="query")][:1] == [index_form("verfügungs")]
