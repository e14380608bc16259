"""Importing files into the catalogue: validate everything first, then write all or nothing."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from kb.catalogue.files import ParsedFile, read_files
from kb.catalogue.schemas import validate
from kb.catalogue.vocabulary import Vocabulary
from kb.editorial.kinds import KINDS, file_types, noun_in_text, write_order
from kb.errors import FieldError, ValidationError
from kb.i18n import _, translate
from kb.revisions import latest_revision
from kb.unit_of_work import UnitOfWork

# "update": the files are what the user wants (kb import). "seed": files fill in what is missing
# and follow seed changes, but never overwrite an edit made since (kb init).
Policy = Literal["update", "seed"]


@dataclass
class Item:
    kind: str
    data: Any
    file: ParsedFile


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)  # items whose later edit the seed did not touch

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def lines(self) -> list[str]:
        out = []
        for kind in write_order():
            c, u, n = (counts[kind.code] for counts in (self.created, self.updated, self.unchanged))
            if c or u or n:
                out.append(
                    _(
                        "%(kinds)s: %(created)d neu, %(updated)d geändert, "
                        "%(unchanged)d unverändert",
                        kinds=translate(kind.plural),
                        created=c,
                        updated=u,
                        unchanged=n,
                    )
                )
        out.extend(_("behalten (seit dem Laden bearbeitet): %(item)s", item=k) for k in self.kept)
        return out


def read(paths: Iterable[Path]) -> tuple[list[ParsedFile], list[FieldError]]:
    """Read the files of every kind of item."""
    return read_files(paths, file_types())


def validate_files(
    files: Iterable[ParsedFile], vocabulary: Vocabulary
) -> tuple[list[Item], list[FieldError]]:
    items, errors = [], []
    for f in files:
        obj, problems = validate(KINDS[f.type].schema, f.data, vocabulary, f.path)
        for loc, problem in problems:
            errors.append(f.error(loc, problem.message))
        if obj is not None:
            items.append(Item(f.type, obj, f))
    return items, errors


def _existing_slugs(uow: UnitOfWork | None, kind: str, slugs: set[str]) -> set[str]:
    if not slugs or uow is None:
        return set()
    table = KINDS[kind].model
    stmt = select(table.slug).where(table.slug.in_(slugs))
    if hasattr(table, "deleted_at"):
        stmt = stmt.where(table.deleted_at.is_(None))
    return set(uow.session.scalars(stmt))


def check_references(uow: UnitOfWork | None, items: list[Item]) -> list[FieldError]:
    """Duplicate slugs within the import, and references to series, cases, talks that exist
    neither in the import nor in the database (none, when `uow` is None)."""
    errors: list[FieldError] = []
    first: dict[tuple[str, str], Item] = {}
    for item in items:
        key = (item.kind, item.data.slug)
        if key in first:
            errors.append(
                item.file.error(
                    ("slug",),
                    _(
                        "Kürzel '%(slug)s' kommt auch in %(path)s vor",
                        slug=item.data.slug,
                        path=first[key].file.path,
                    ),
                )
            )
        else:
            first[key] = item
    order = [kind.code for kind in write_order()]
    in_batch = {kind: {slug for (k, slug) in first if k == kind} for kind in order}
    wanted: dict[str, list[tuple[Item, tuple[Any, ...], str]]] = {k: [] for k in order}
    for item in items:
        for ref in KINDS[item.kind].references:
            value = getattr(item.data, ref.field)
            if isinstance(value, list):
                wanted[ref.kind].extend(
                    (item, (ref.field, i), slug) for i, slug in enumerate(value)
                )
            else:
                wanted[ref.kind].append((item, (ref.field,), value))
    for kind, refs in wanted.items():
        missing = {slug for _, _, slug in refs} - in_batch[kind]
        missing -= _existing_slugs(uow, kind, missing)
        for item, loc, slug in refs:
            if slug in missing:
                message = _("unbekannte(r) %(kind)s '%(slug)s'", kind=noun_in_text(kind), slug=slug)
                errors.append(item.file.error(loc, message))
    return errors


def prepare(uow: UnitOfWork, paths: Iterable[Path], vocabulary: Vocabulary) -> list[Item]:
    """Read and validate every file and every reference; raise ValidationError with all problems."""
    files, errors = read(paths)
    items, problems = validate_files(files, vocabulary)
    errors.extend(problems)
    errors.extend(check_references(uow, items))
    if errors:
        raise ValidationError(errors)
    return items


def write_items(
    uow: UnitOfWork,
    items: list[Item],
    vocabulary: Vocabulary,
    *,
    actor: str,
    policy: Policy,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Write validated items in dependency order inside the caller's unit of work;
    `progress(done, total)` is called before each item."""
    report = ImportReport()
    done = 0
    for kind in write_order():
        for item in (i for i in items if i.kind == kind.code):
            if progress is not None:
                progress(done, len(items))
            done += 1
            existing = kind.find(uow, item.data.slug, include_deleted=True)
            if existing is not None and policy == "seed":
                last = latest_revision(uow, kind.code, existing.id)
                if last is not None and last.actor != "seed":
                    report.kept.append(f"{kind.code} {item.data.slug} ({last.actor})")
                    continue
            _, changed = kind.save(uow, item.data, vocabulary, actor=actor)
            if existing is None:
                report.created[kind.code] += 1
            elif changed:
                report.updated[kind.code] += 1
            else:
                report.unchanged[kind.code] += 1
    return report


def import_paths(
    uow: UnitOfWork,
    paths: Iterable[Path],
    vocabulary: Vocabulary,
    *,
    actor: str,
    policy: Policy = "update",
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every file, then write them all (`progress(done, total)` counts the items)."""
    items = prepare(uow, paths, vocabulary)
    report = write_items(uow, items, vocabulary, actor=actor, policy=policy, progress=progress)
    if progress is not None:
        progress(len(items), len(items))
    return report
