"""The kinds of item the knowledge base keeps (cases, series, talks, notes), one record each:
what it is stored as, what validates it, what it is called, where its files live and how it is
found, listed, turned into its canonical state and saved. Everything that treats items by their
kind (import, export, history, restore, the editing forms, labels) reads this registry; adding a
kind is one `register` call."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kb.catalogue.cases import case_state, find_case, get_case, list_cases, save_case
from kb.catalogue.schemas import CaseIn, Input, NoteIn, SeriesIn, TalkIn
from kb.catalogue.talks import (
    find_series,
    find_talk,
    get_series,
    get_talk,
    list_series,
    list_talks,
    save_series,
    save_talk,
    series_state,
    talk_state,
)
from kb.catalogue.vocabulary import Vocabulary
from kb.editorial.notes import find_note, get_note, list_notes, note_state, save_note
from kb.i18n import DEFAULT, N_, current, translate
from kb.unit_of_work import UnitOfWork
from models import Case, Note, Series, Talk


class Find(Protocol):
    def __call__(self, uow: UnitOfWork, slug: str, *, include_deleted: bool = False) -> Any: ...


class Save(Protocol):
    """Create or update the item `data.slug` with a revision; return it and whether anything
    changed. The same parameters for every kind (a kind that needs no vocabulary ignores it)."""

    def __call__(
        self,
        uow: UnitOfWork,
        data: Any,
        vocabulary: Vocabulary,
        *,
        actor: str,
        reason: str = "",
        user_id: int | None = None,
        expected_version: int | None = None,
        as_action: str | None = None,
    ) -> tuple[Any, bool]: ...


@dataclass(frozen=True)
class Reference:
    """A field of a kind's schema naming items of another kind by slug (one, or a list)."""

    kind: str
    field: str


NEW = {"der": "Neuer", "das": "Neues", "die": "Neue"}


@dataclass(frozen=True)
class Kind:
    code: str  # as in revisions, files (`type:`) and the search index: "case"
    model: type[Any]
    schema: type[Input]
    noun: str  # German: "Fall" (marked N_: kb.i18n.translate(kind.noun) says it in English)
    plural: str  # "Fälle"
    article: str  # "der", "das" or "die"
    noun_en: str  # "case"
    plural_en: str  # "cases"
    folder: str  # the folder of its files in an export
    body_field: str | None  # Markdown files keep this field as the text below the front matter
    title_field: str  # the field that names an item ("name", "title")
    find: Find  # None when there is none; deleted ones only with include_deleted=True
    get: Callable[[UnitOfWork, str], Any]  # not deleted, else NotFound
    list_all: Callable[[UnitOfWork], Sequence[Any]]  # not deleted
    state: Callable[[Any], dict[str, Any]]  # the canonical state: the schema's shape
    save: Save
    references: tuple[Reference, ...] = ()

    @property
    def extension(self) -> str:
        return ".md" if self.body_field else ".yaml"

    @property
    def deletable(self) -> bool:
        """Soft-deletable, and so with a history of its own (series are neither, yet)."""
        return hasattr(self.model, "deleted_at")

    @property
    def the(self) -> str:
        """The noun with its article, to begin a sentence: "Der Fall"."""
        return f"{self.article.capitalize()} {self.noun}"

    @property
    def new_title(self) -> str:
        return f"{NEW[self.article]} {self.noun}"


# By code, in the order they are registered below (and so listed, e.g. in "type muss case oder
# series sein"); they are written in `write_order()`.
KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.code] = kind
    return kind


def kind_of(item: Any) -> Kind:
    """The kind of a stored item."""
    return next(k for k in KINDS.values() if isinstance(item, k.model))


def noun(code: str) -> str:
    """The German noun of a kind (an unknown code as it is)."""
    kind = KINDS.get(code)
    return kind.noun if kind else code


def noun_in_text(code: str) -> str:
    """A kind's noun inside a sentence, in the current language: German capitalises its nouns,
    the other languages write them small there ("unknown talk 'x'")."""
    said = translate(noun(code))
    return said if current() == DEFAULT else said[:1].lower() + said[1:]


def nouns() -> dict[str, str]:
    return {k.code: k.noun for k in KINDS.values()}


def deletable() -> list[Kind]:
    return [k for k in KINDS.values() if k.deletable]


def file_types() -> Mapping[str, str | None]:
    """For reading files: every kind's code and its Markdown body field (None: a YAML file)."""
    return {k.code: k.body_field for k in KINDS.values()}


def write_order() -> list[Kind]:
    """Every kind after the kinds it refers to, so that references point at rows that exist
    (series, cases, talks, notes)."""
    order: list[Kind] = []

    def visit(kind: Kind) -> None:
        if kind not in order:
            for ref in kind.references:
                visit(KINDS[ref.kind])
            order.append(kind)

    referred = {r.kind for k in KINDS.values() for r in k.references}
    for kind in [k for k in KINDS.values() if k.code not in referred] + list(KINDS.values()):
        visit(kind)
    return order


register(
    Kind(
        code="case",
        model=Case,
        schema=CaseIn,
        noun=N_("Fall"),
        plural=N_("Fälle"),
        article="der",
        noun_en="case",
        plural_en="cases",
        folder="cases",
        body_field=None,
        title_field="name",
        find=find_case,
        get=get_case,
        list_all=list_cases,
        state=case_state,
        save=save_case,
    )
)
register(
    Kind(
        code="series",
        model=Series,
        schema=SeriesIn,
        noun=N_("Reihe"),
        plural=N_("Reihen"),
        article="die",
        noun_en="series",
        plural_en="series",
        folder="series",
        body_field=None,
        title_field="title",
        find=find_series,
        get=get_series,
        list_all=list_series,
        state=series_state,
        save=save_series,
    )
)
register(
    Kind(
        code="talk",
        model=Talk,
        schema=TalkIn,
        noun=N_("Gespräch"),
        plural=N_("Gespräche"),
        article="das",
        noun_en="talk",
        plural_en="talks",
        folder="talks",
        body_field="summary",
        title_field="title",
        find=find_talk,
        get=get_talk,
        list_all=list_talks,
        state=talk_state,
        save=save_talk,
        references=(Reference("series", "series"), Reference("case", "cases")),
    )
)
register(
    Kind(
        code="note",
        model=Note,
        schema=NoteIn,
        noun=N_("Notiz"),
        plural=N_("Notizen"),
        article="die",
        noun_en="note",
        plural_en="notes",
        folder="notes",
        body_field="body",
        title_field="title",
        find=find_note,
        get=get_note,
        list_all=list_notes,
        state=note_state,
        save=save_note,
        references=(Reference("talk", "talk"),),
    )
)
