"""Comparing revisions: which fields a change touched."""

from kb.revisions import changed_fields


def test_changed_fields_names_top_level_keys_that_differ() -> None:
    old = {"name": "A", "summary": "x", "actors": [{"name": "B"}], "gone": 1}
    new = {"name": "A", "summary": "y", "actors": [{"name": "C"}], "added": 2}
    assert changed_fields(old, new) == ["actors", "added", "gone", "summary"]
    assert changed_fields(None, new) == []
    assert changed_fields(new, dict(new)) == []
