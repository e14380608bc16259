"""A note's text is bounded (issue 11, item 1): the form says the limit, a longer text is
refused next to the field with everything typed kept (and not rendered as a preview), and a
pathological preview is answered, never a 500 or a stalled thread."""

import re
import time

import pytest
from flask.testing import FlaskClient

from kb.catalogue.schemas import MAX_BODY
from tests.webapp.helpers import csrf_token

TALK = "talk-3-altstadtquartier-buechel-aachen"
NEW = f"/talks/{TALK}/notes/new"


def _post(client: FlaskClient, body: str, **extra: str) -> tuple[int, str]:
    data = {"title": "Grenze", "created": "2022-04-14", "body": body, **extra}
    response = client.post(NEW, data={**data, "csrf_token": csrf_token(client, NEW)})
    return response.status_code, response.text


def test_the_form_says_the_limit_a_save_is_held_to(editor: FlaskClient) -> None:
    hint = re.search(r"Höchstens (\d{1,3}(?:\.\d{3})*) Zeichen\.", editor.get(NEW).text)
    assert hint, "the form names no limit"
    limit = int(hint[1].replace(".", ""))

    def text(length: int) -> str:
        return ("Wort " * length)[: length - 1] + "."

    status, page = _post(editor, text(limit))
    assert status == 302, page[:500]  # saved
    status, page = _post(editor, text(limit + 1))
    assert status == 400
    assert f"ist zu lang (höchstens {hint[1]} Zeichen)" in page


@pytest.mark.parametrize("button", ["save", "preview"])
def test_a_text_over_the_limit_is_refused_at_the_field_and_kept(
    editor: FlaskClient, button: str
) -> None:
    body = "Ein Satz über die Kooperation. " * (MAX_BODY // 31) + "Ende der Notiz " * 20
    assert len(body) > MAX_BODY
    status, page = _post(editor, body, **{button: "1"})
    assert status == 400
    assert "ist zu lang (höchstens 200.000 Zeichen)" in page
    assert "Ende der Notiz Ende der Notiz" in page  # the typed text is given back
    assert 'class="preview"' not in page  # and not rendered


def test_a_pathological_preview_is_answered(editor: FlaskClient) -> None:
    start = time.perf_counter()
    status, page = _post(editor, "[" * MAX_BODY, preview="1")
    assert status == 200, page[:500]
    assert "[[[[[[[[" in page
    assert time.perf_counter() - start < 60  # Python-Markdown: hours


def test_a_preview_over_the_limit_is_refused_not_rendered(editor: FlaskClient) -> None:
    status, page = _post(editor, "[" * (MAX_BODY + 1), preview="1")
    assert status == 400
    assert "ist zu lang" in page
