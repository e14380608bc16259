from kb.markup import plain_text


def test_plain_text_keeps_the_words_and_drops_the_markup() -> None:
    source = (
        "## Wie verändert sich die Zusammenarbeit?\n\n"
        "- **Kommune** und *Initiative* treffen sich [monatlich](https://example.org).\n"
        "- Das `Freiraumbüro` vermittelt &amp; berät.\n\n"
        "> Zitat <b>fett</b>\n"
    )
    assert plain_text(source) == (
        "Wie verändert sich die Zusammenarbeit?\n"
        "Kommune und Initiative treffen sich monatlich.\n"
        "Das Freiraumbüro vermittelt & berät.\n"
        "Zitat fett"
    )


def test_plain_text_of_nothing_is_empty() -> None:
    assert plain_text("") == ""
