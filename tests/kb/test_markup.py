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


def test_skipping_patterns_that_cannot_match_changes_nothing() -> None:
    """plain_text runs a pattern only when its characters occur; on real Markdown (the seed
    catalogue, the XSS vectors, a sample with every construct) that gives exactly what running
    every pattern gives."""
    from html import unescape
    from pathlib import Path

    from kb.markup import _STRIP

    def every_pattern(source: str) -> str:
        text = source
        for _, pattern, replacement in _STRIP:
            text = pattern.sub(replacement, text)
        lines = (" ".join(line.split()) for line in unescape(text).splitlines())
        return "\n".join(line for line in lines if line)

    root = Path(__file__).parents[2]
    samples = [p.read_text(encoding="utf-8") for p in (root / "seed_data").rglob("*.*")]
    samples.append((root / "tests" / "data" / "xss_vectors.txt").read_text(encoding="utf-8"))
    samples.append(
        "# T\n\n1.\tEins\n-\tzwei\n* drei\n\n> Zitat\n\n---\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n"
        "```\ncode\n```\n\n![Bild](x.png) [Link](https://x) [Ref][r]\n\n[r]: https://y\n\n"
        "**fett** _kursiv_ ~~weg~~ `code` <b>html</b> Ende ##"
    )
    samples.append("Jahr\n2022.\nweiter\n-\nfrei\n3)\r\nvier")
    for sample in samples:
        assert plain_text(sample) == every_pattern(sample)
