"""Comparing revisions: which fields a change touched, by their German labels."""

from kb.editorial.history import changed_fields


def test_changed_fields_names_the_fields_that_differ() -> None:
    old = {"name": "A", "summary": "x", "actors": [{"name": "B"}], "governance": {"type": "a"}}
    new = {"name": "A", "summary": "y", "actors": [{"name": "C"}], "governance": {"type": "b"}}
    assert changed_fields(old, new) == ["Kurzfassung", "Akteure", "Governance-Typ"]
    assert changed_fields(new, dict(new)) == []
    assert changed_fields(None, {"name": "A"}) == ["Name"]
