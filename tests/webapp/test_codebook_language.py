"""The codebook's files in English under /en/ (kb builds it in the request's language): English
labels, definitions and descriptions, the same codes and column names, German unchanged."""

from flask.testing import FlaskClient

from tests.case_exports import read_csv


def test_codebook_files_in_english_keep_the_codes(web: FlaskClient) -> None:
    german, english = (
        read_csv(web.get("/codebook.csv").data),
        read_csv(web.get("/en/codebook.csv").data),
    )
    assert [(r["section"], r["table"], r["name"]) for r in english] == [
        (r["section"], r["table"], r["name"]) for r in german
    ]
    value = {(r["table"], r["name"]): r for r in english if r["section"] == "value"}
    assert value["lands", "niedersachsen"]["label"] == "Lower Saxony"
    assert value["actor_sides", "civil-society"]["label"] == "Civil-society side"
    assert {(r["table"], r["name"]): r for r in german}["lands", "niedersachsen"][
        "label"
    ] == "Niedersachsen"

    data = web.get("/en/codebook.json").json
    assert data is not None
    assert data["vocabularies"]["scales"]["title"] == "Scales"
    assert data["vocabularies"]["scales"]["values"][0]["label"] == "Project / neighbourhood"
    assert data["notes"][0].startswith("Protection against formulas")
    assert web.get("/codebook.json").json["vocabularies"]["scales"]["title"] == "Maßstäbe"  # type: ignore[index]
