"""The registry of item kinds: every kind saves and reads back the same way, every versioned
model has one, and a kind registered in one place is imported, reported and exported."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kb.catalogue.schemas import Input, validate_or_raise
from kb.catalogue.vocabulary import Vocabulary
from kb.editorial import kinds
from kb.editorial.kinds import KINDS, Kind, kind_of, write_order
from kb.errors import ValidationError
from kb.exchange.exporting import export_catalogue
from kb.exchange.importing import import_paths
from kb.runtime import Runtime
from kb.unit_of_work import UnitOfWork
from models import Base, Revision

REAL = list(KINDS.values())


@pytest.fixture
def catalogue(seeded: Runtime) -> Runtime:
    """The seed and a note (the seed has none)."""
    with seeded.uow() as uow:
        talk = KINDS["talk"].list_all(uow)[0].slug
        data = {"slug": "notiz", "talk": talk, "title": "Notiz", "author": "A", "body": "Text"}
        note = validate_or_raise(KINDS["note"].schema, data, seeded.vocabulary)
        KINDS["note"].save(uow, note, seeded.vocabulary, actor="test")
        uow.commit()
    return seeded


@pytest.mark.parametrize("kind", REAL, ids=[k.code for k in REAL])
def test_every_kind_round_trips_state_save_get_state(catalogue: Runtime, kind: Kind) -> None:
    vocabulary = catalogue.vocabulary
    with catalogue.uow() as uow:
        item = kind.list_all(uow)[0]
        assert kind_of(item) is kind
        state = kind.state(item)
        data = validate_or_raise(kind.schema, state, vocabulary)
        assert data.model_dump(mode="json") == state
        saved, changed = kind.save(uow, data, vocabulary, actor="t", expected_version=item.version)
        assert (saved, changed) == (item, False)
        again = kind.get(uow, state["slug"])
        assert kind.find(uow, state["slug"]) is again
        assert kind.state(again) == state

        # A change: saved with its revision, read back as it was saved.
        state[kind.title_field] += " (geändert)"
        data = validate_or_raise(kind.schema, state, vocabulary)
        saved, changed = kind.save(uow, data, vocabulary, actor="t", reason="Test")
        assert changed and kind.state(kind.get(uow, state["slug"])) == state
        revisions = uow.session.scalars(
            select(Revision).where(
                Revision.entity_type == kind.code, Revision.entity_id == saved.id
            )
        ).all()
        assert revisions[-1].state == state and revisions[-1].reason == "Test"


def test_every_model_with_revisions_has_a_kind(catalogue: Runtime) -> None:
    versioned = {m.class_ for m in Base.registry.mappers if hasattr(m.class_, "version")}
    assert versioned == {k.model for k in KINDS.values()}
    with catalogue.uow() as uow:
        recorded = set(uow.session.scalars(select(Revision.entity_type).distinct()))
    assert recorded == set(KINDS)


@pytest.mark.parametrize("kind", REAL, ids=[k.code for k in REAL])
def test_every_kind_is_named_in_both_languages(kind: Kind) -> None:
    for name in (kind.noun, kind.plural, kind.noun_en, kind.plural_en, kind.folder):
        assert name.strip()
    assert kind.the.startswith(("Der ", "Das ", "Die ")) and kind.new_title.startswith("Neu")
    assert kind.extension in (".yaml", ".md")


def test_write_order_puts_referenced_kinds_first() -> None:
    order = [k.code for k in write_order()]
    assert order == ["series", "case", "talk", "note"]
    for kind in KINDS.values():
        for ref in kind.references:
            assert order.index(ref.kind) < order.index(kind.code)


# --- a fourth kind, registered in one place -----------------------------------------------------


class MemoIn(Input):
    slug: str
    title: str
    talk: str


@dataclass
class Memo:
    slug: str
    title: str
    talk: str
    version: int = 1


def _memo_kind(store: dict[str, Memo]) -> Kind:
    def find(uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Memo | None:
        return store.get(slug)

    def save(
        uow: UnitOfWork,
        data: Any,
        vocabulary: Vocabulary,
        *,
        actor: str,
        reason: str = "",
        user_id: int | None = None,
        expected_version: int | None = None,
        as_action: str | None = None,
    ) -> tuple[Memo, bool]:
        new = Memo(**data.model_dump())
        old = store.get(data.slug)
        if old == new:
            return old, False
        store[data.slug] = new
        return new, True

    return Kind(
        code="memo",
        model=Memo,
        schema=MemoIn,
        noun="Vermerk",
        plural="Vermerke",
        article="der",
        noun_en="memo",
        plural_en="memos",
        folder="memos",
        body_field=None,
        title_field="title",
        find=find,
        get=lambda uow, slug: store[slug],
        list_all=lambda uow: list(store.values()),
        state=lambda memo: {"slug": memo.slug, "title": memo.title, "talk": memo.talk},
        save=save,
        references=(kinds.Reference("talk", "talk"),),
    )


def test_a_kind_registered_once_is_imported_and_exported(
    seeded: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: dict[str, Memo] = {}
    monkeypatch.setitem(KINDS, "memo", _memo_kind(store))
    assert [k.code for k in write_order()][-2:] in (["talk", "memo"], ["note", "memo"])
    with seeded.uow() as uow:
        talk = KINDS["talk"].list_all(uow)[0].slug
    files = tmp_path / "in"
    files.mkdir()
    (files / "m.yaml").write_text(f"type: memo\nslug: m1\ntitle: Ein Vermerk\ntalk: {talk}\n")
    (files / "bad.yaml").write_text("type: memo\nslug: m2\ntitle: X\ntalk: gibt-es-nicht\n")
    with seeded.uow() as uow, pytest.raises(ValidationError, match="unbekannte\\(r\\) Gespräch"):
        import_paths(uow, [files], seeded.vocabulary, actor="test")
    (files / "bad.yaml").unlink()
    with seeded.uow() as uow:
        report = import_paths(uow, [files], seeded.vocabulary, actor="test")
    assert store["m1"] == Memo("m1", "Ein Vermerk", talk)
    assert report.created["memo"] == 1
    assert "Vermerke: 1 neu, 0 geändert, 0 unverändert" in report.lines()
    with seeded.uow() as uow:
        out = tmp_path / "out"
        export_catalogue(uow, "yaml", out, seeded.vocabulary, seeded.settings.vocabulary_file)
    assert (out / "memos" / "m1.yaml").read_text() == (
        f"type: memo\nslug: m1\ntitle: Ein Vermerk\ntalk: {talk}\n"
    )
