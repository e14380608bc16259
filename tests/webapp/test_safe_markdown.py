"""Known XSS vectors, saved into notes, case descriptions and talk summaries, never reach a page
as active content."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from kb.catalogue.cases import case_state, get_case, save_case
from kb.catalogue.schemas import CaseIn, NoteIn, TalkIn
from kb.catalogue.talks import get_talk, save_talk, talk_state
from kb.editorial.notes import save_note
from kb.runtime import Runtime

VECTORS = [
    line
    for line in (Path(__file__).parents[1] / "data" / "xss_vectors.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("# ")
]
TALK = "talk-2-freiraumbuero-halle"
CASE = "freiraumbuero-halle"
ACTIVE = [
    re.compile(
        r"<\s*/?\s*(script|iframe|object|embed|form|meta|link|base|style|svg|math|img|input|body|details)\b",
        re.I,
    ),
    re.compile(r"\son\w+\s*=", re.I),
    re.compile(r"(href|src|action|data)\s*=\s*[\"']?\s*(javascript|vbscript|data):", re.I),
    re.compile(r"\sstyle\s*=", re.I),
]


def test_the_vector_file_has_at_least_twenty_vectors() -> None:
    assert len(VECTORS) >= 20


def _prose(html: str) -> list[str]:
    return re.findall(r'<div class="prose">(.*?)</div>', html, re.S)


def _save(runtime: Runtime, surface: str, text: str) -> str:
    """Save `text` where `surface` says; return the page that shows it."""
    with runtime.uow() as uow:
        if surface == "note":
            note = NoteIn(slug="xss-probe", talk=TALK, title="Probe", body=text)
            save_note(uow, note, actor="test")
            page = f"/talks/{TALK}"
        elif surface == "case":
            state = case_state(get_case(uow, CASE))
            state["description"] = text
            context = {"vocabulary": runtime.vocabulary}
            save_case(
                uow, CaseIn.model_validate(state, context=context), runtime.vocabulary, actor="test"
            )
            page = f"/cases/{CASE}"
        else:
            state = talk_state(get_talk(uow, TALK))
            state["summary"] = text
            context = {"vocabulary": runtime.vocabulary}
            save_talk(uow, TalkIn.model_validate(state, context=context), actor="test")
            page = f"/talks/{TALK}"
        uow.commit()
    return page


@pytest.mark.parametrize("surface", ["note", "case", "talk"])
def test_no_vector_survives(seeded: Runtime, make_app: Callable[..., Flask], surface: str) -> None:
    page = _save(seeded, surface, "\n\n".join(VECTORS))
    html = make_app(seeded.settings).test_client().get(page).text
    fragments = _prose(html)
    assert fragments, "the saved text is not on the page"
    rendered = "\n".join(fragments)
    assert "klick" in rendered  # the harmless text is kept
    for pattern in ACTIVE:
        found = pattern.search(rendered)
        assert found is None, (surface, found.group(0) if found else "")
