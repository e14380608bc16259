import pytest

from search_index.documents import QuerySyntaxError
from search_index.query import MAX_CHARS, clean, make_parser, parse
from tests.helpers import HOSTILE


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_gives_a_query_or_a_clear_message(text: str) -> None:
    cleaned, _ = clean(text)
    try:
        query = parse(make_parser(), cleaned)
    except QuerySyntaxError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        assert query is not None


def test_a_long_query_is_shortened_with_a_note() -> None:
    cleaned, note = clean("Beteiligung " * 300)
    assert len(cleaned) <= MAX_CHARS
    assert note is not None and "gekürzt" in note


def test_too_many_words_get_a_message() -> None:
    with pytest.raises(QuerySyntaxError, match="höchstens 32"):
        parse(make_parser(), " ".join(f"wort{i}" for i in range(40)))


def test_german_operators_and_minus_mean_the_same_as_english() -> None:
    parser = make_parser()
    assert parse(parser, clean("Halle ODER Aachen")[0]) == parse(parser, "Halle OR Aachen")
    assert parse(parser, clean("Beteiligung -Berlin")[0]) == parse(parser, "Beteiligung NOT Berlin")
    assert parse(parser, clean("Beteiligung NICHT Berlin")[0]) == parse(
        parser, "Beteiligung NOT Berlin"
    )


def test_a_leading_wildcard_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="Platzhalter"):
        parse(make_parser(), "*beteiligung")


def test_field_aliases_and_facet_values_are_understood() -> None:
    parser = make_parser()
    assert str(parse(parser, "land:Thüringen")) == "land:thueringen"
    assert str(parse(parser, "typ:bottom-up")) == "governance:bottom-up"


def test_only_stop_words_get_a_message() -> None:
    with pytest.raises(QuerySyntaxError, match="Füllwörter"):
        parse(make_parser(), "und die der")
