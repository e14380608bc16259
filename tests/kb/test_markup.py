from kb.markup import plain_text, render_html


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


def test_rendered_markdown_keeps_structure_and_drops_active_content() -> None:
    html = render_html(
        "## Titel\n\nText mit **fett** und [Link](https://example.org).\n\n"
        "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)"> <a href="#" onclick="alert(1)">k</a>\n\n'
        '<p style="background:url(javascript:alert(1))">s</p>\n\n| a | b |\n|---|---|\n| 1 | 2 |'
    )
    assert "<h3>Titel</h3>" in html
    assert "<strong>fett</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<table>" in html and "<td>1</td>" in html
    for bad in ("<script", "javascript:", "onerror", "onclick", "style=", "<img"):
        assert bad not in html.lower(), bad


def test_headings_start_at_the_requested_level() -> None:
    assert render_html("# A\n\n## B", top=2).startswith("<h2>A</h2>\n<h3>B</h3>")
    assert render_html("### only", top=3) == "<h3>only</h3>"
