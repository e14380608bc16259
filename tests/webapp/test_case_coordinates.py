"""The case form's coordinates: shown, saved as a revision, refused with messages at the fields
while the typed text is kept."""

from flask import Flask

from kb.catalogue.cases import find_case
from kb.revisions import list_revisions
from kb.runtime import Runtime
from tests.webapp.helpers import FormFields, editor, field_error, form_of, revisions

CASE = "alte-feuerwache-weimar"


def test_the_form_shows_and_saves_the_coordinates(editors_app: Flask, seeded: Runtime) -> None:
    client = editor(editors_app)
    form = form_of(client, f"/cases/{CASE}/edit")
    assert (form["municipality-lat"], form["municipality-lon"]) == ("50.9803", "11.329")
    response = client.post(
        f"/cases/{CASE}/edit",
        data={**form, "municipality-lat": "50,9795", "municipality-lon": "11,3235"},
    )
    assert response.status_code == 302
    with seeded.uow() as uow:
        case = find_case(uow, CASE)
        assert case is not None and (case.lat, case.lon) == (50.9795, 11.3235)
        state = list_revisions(uow, "case", case.id)[-1].state["municipality"]
        assert (state["lat"], state["lon"]) == (50.9795, 11.3235)


def test_bad_coordinates_are_refused_at_their_fields_and_kept(
    editors_app: Flask, seeded: Runtime
) -> None:
    client = editor(editors_app)
    before = revisions(seeded)
    form = form_of(client, f"/cases/{CASE}/edit")
    response = client.post(
        f"/cases/{CASE}/edit",
        data={**form, "municipality-lat": "11,33", "municipality-lon": ""},
    )
    assert response.status_code == 400
    html = response.text
    assert "zwischen 47,2 und 55,1" in field_error(html, "municipality-lat")
    kept = FormFields(html).data
    assert (kept["municipality-lat"], kept["municipality-lon"]) == ("11,33", "")
    # A latitude without its longitude: the message is at the missing one.
    response = client.post(
        f"/cases/{CASE}/edit",
        data={**form, "municipality-lat": "50,98", "municipality-lon": ""},
    )
    assert response.status_code == 400 and "beide" in field_error(response.text, "municipality-lon")
    assert revisions(seeded) == before
