"""The edit forms of cases, talks and series: which controls each form has (labels from kb.labels,
section titles and hints in the page's language, vocabulary-bound selects, repeated fieldsets for
nested lists), and the mapping between a submitted form, the nested dict that
kb.catalogue.schemas validates (the canonical state of case_state, talk_state and series_state)
and the form's values. Validation itself stays in kb.

Form names: a dotted state path with "-" (`governance-type`), list rows with their index
(`actors-0-kind`), lists of plain values with the index only (`cases-0`). The same name, with
`f-` before it, is the control's id; an error location such as ("actors", 2, "kind") maps to it.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from kb.catalogue.vocabulary import Vocabulary
from kb.errors import FieldError
from kb.labels import item_label, label

BLANK_ROWS = 2  # empty rows offered under the filled ones of every list
MORE_ROWS = 3  # what "Weitere Zeilen" adds
MAX_ROWS = 200  # rows beyond this index are ignored: a forged form cannot make huge pages
Options = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Field:
    """One control. `key` is the dotted state path (in a list row: the key within the row,
    "" for a list of plain values)."""

    key: str
    label: str
    kind: str = "text"  # text, textarea, int, decimal, date, time, url, select
    options: Options = ()  # (value, label) of a select
    required: bool = False
    hint: str = ""
    rows: int = 3  # height of a textarea
    options_lang: str = ""  # the language of the options' texts when they are content ("de")

    @property
    def name(self) -> str:
        return self.key.replace(".", "-")

    @property
    def optional_select(self) -> bool:
        return self.kind == "select" and not self.required


@dataclass(frozen=True)
class Group:
    """A nested list edited as repeated fieldsets, one per row."""

    key: str
    legend: str
    item: str  # what one row is called ("Akteur"): its fieldset says "Akteur 2"
    fields: tuple[Field, ...]
    hint: str = ""

    def row_name(self, index: int, f: Field) -> str:
        return f"{self.key}-{index}" + (f"-{f.name}" if f.key else "")


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Field | Group, ...]


@dataclass(frozen=True)
class FormSpec:
    sections: tuple[Section, ...]

    def fields(self) -> Iterator[Field]:
        for section in self.sections:
            yield from (i for i in section.items if isinstance(i, Field))

    def groups(self) -> Iterator[Group]:
        for section in self.sections:
            yield from (i for i in section.items if isinstance(i, Group))


@dataclass
class FormValues:
    """What the form shows: every control's text by form name, and how many rows each list
    has (filled or not)."""

    values: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def with_blank_rows(self, spec: FormSpec, count: int, only: str = "") -> "FormValues":
        rows = {
            g.key: self.rows.get(g.key, 0) + (count if only in ("", g.key) else 0)
            for g in spec.groups()
        }
        return FormValues(dict(self.values), rows)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _lookup(state: Mapping[str, Any], key: str) -> Any:
    value: Any = state
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def values_from_state(spec: FormSpec, state: Mapping[str, Any]) -> FormValues:
    """The form's values for a canonical state (an item being edited, or defaults)."""
    out = FormValues()
    for f in spec.fields():
        out.values[f.name] = _text(_lookup(state, f.key))
    for g in spec.groups():
        items = state.get(g.key) or []
        out.rows[g.key] = len(items)
        for i, item in enumerate(items):
            for f in g.fields:
                value = _lookup(item, f.key) if f.key else item
                out.values[g.row_name(i, f)] = _text(value)
    return out


def values_from_form(spec: FormSpec, form: Mapping[str, str], *, compact: bool) -> FormValues:
    """The submitted values. With `compact`, rows left completely empty are dropped and the
    rest renumbered, so that row i of the form is item i of the state (and of its errors)."""
    out = FormValues()
    for f in spec.fields():
        out.values[f.name] = form.get(f.name, "")
    for g in spec.groups():
        # ASCII digits, at most as many as MAX_ROWS has: int() refuses "²" and 5,000 digits.
        pattern = re.compile(rf"^{re.escape(g.key)}-([0-9]{{1,{len(str(MAX_ROWS))}}})(-|$)")
        indexes = [int(m[1]) for m in map(pattern.match, form.keys()) if m]
        submitted = max((i for i in indexes if i < MAX_ROWS), default=-1) + 1
        kept = 0
        for i in range(submitted):
            row = {f: form.get(g.row_name(i, f), "") for f in g.fields}
            if compact and not any(v.strip() for v in row.values()):
                continue
            for f, value in row.items():
                out.values[g.row_name(kept, f)] = value
            kept += 1
        out.rows[g.key] = kept
    return out


def _typed(f: Field, raw: str) -> tuple[bool, Any]:
    """The value a control contributes to the state, or (False, None) to leave the key out
    (a required select or date left empty: the schema then says "Pflichtfeld fehlt")."""
    if f.kind in ("text", "textarea", "url", "time"):
        return True, raw  # the schema strips whitespace and knows which may be empty
    value = raw.strip()
    if value:
        return True, value  # pydantic turns "2019" into 2019 and says what is wrong otherwise
    return (False, None) if f.required else (True, None)


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    *path, last = key.split(".")
    for part in path:
        target = target.setdefault(part, {})
    target[last] = value


def to_state(spec: FormSpec, form: FormValues) -> dict[str, Any]:
    """The nested dict of the schema (CaseIn, TalkIn, SeriesIn) from compacted form values."""
    state: dict[str, Any] = {}
    for f in spec.fields():
        keep, value = _typed(f, form.get(f.name))
        if keep:
            _put(state, f.key, value)
    for g in spec.groups():
        items: list[Any] = []
        for i in range(form.rows.get(g.key, 0)):
            item: dict[str, Any] = {}
            for f in g.fields:
                keep, value = _typed(f, form.get(g.row_name(i, f)))
                if not f.key:
                    items.append(value)
                elif keep:
                    _put(item, f.key, value)
            if g.fields[0].key:
                items.append(item)
        state[g.key] = items
    return state


def name_of(loc: tuple[Any, ...] | str) -> str:
    """The form name of an error location: ("actors", 2, "kind") or "actors[2].kind" ->
    "actors-2-kind"."""
    if isinstance(loc, str):
        loc = tuple(p for p in re.split(r"[.\[\]]+", loc) if p)
    return "-".join(str(p) for p in loc)


def messages_by_name(errors: list[tuple[tuple[Any, ...], FieldError]]) -> dict[str, str]:
    """kb.catalogue.schemas.validate's errors by form name (several on one field joined with
    "; ")."""
    out: dict[str, str] = {}
    for loc, error in errors:
        name = name_of(loc)
        out[name] = f"{out[name]}; {error.message}" if name in out else error.message
    return out


def label_of(spec: FormSpec, name: str) -> tuple[str, bool]:
    """The label of a form name for the error summary ("Akteur 3 – Art"), and whether
    the form has a control (or fieldset) with that name to link to."""
    for f in spec.fields():
        if f.name == name:
            return f.label, True
    for g in spec.groups():
        if name == g.key:
            return g.legend, True
        found = re.match(rf"^{re.escape(g.key)}-([0-9]+)(?:-(.+))?$", name)
        if found:
            sub = next((f for f in g.fields if f.name == (found[2] or "")), None)
            row = f"{g.item} {int(found[1]) + 1}"
            return (f"{row} – {sub.label}" if sub and sub.key else row), sub is not None
    return name, False


# --- The three forms -------------------------------------------------------------------------


def vocabulary_options(vocabulary: Vocabulary, name: str) -> Options:
    return tuple((t.code, t.label) for t in vocabulary.terms[name].values())


def _label(path: str, kind: str = "") -> str:
    """The label of a control: the field's form wording from kb.labels."""
    return label(path, "form", kind=kind)


def _group(key: str, fields: tuple[Field, ...], *, kind: str = "", hint: str = "") -> Group:
    """A list edited as fieldsets, its legend and the name of one row from kb.labels."""
    return Group(key, _label(key, kind), item_label(key, "form", kind=kind), fields, hint=hint)


def _sources() -> Group:
    return _group(
        "sources",
        (
            Field("url", _label("sources.url"), "url", hint=_("beginnt mit http:// oder https://")),
            Field("supports", _label("sources.supports"), "textarea", rows=2),
        ),
    )


def _slug(editable: bool) -> Field:
    if editable:
        return Field(
            "slug",
            _label("slug"),
            hint=_(
                "Kleinbuchstaben, Ziffern, Bindestriche; leer lassen: wird aus dem Namen gebildet"
            ),
        )
    # Renaming would change the item's address and every link to it; out of scope for now.
    return Field("slug", _label("slug"), "readonly", hint=_("kann nicht geändert werden"))


def case_form(vocabulary: Vocabulary, *, new: bool) -> FormSpec:
    """Every field of the fact sheet, in the order of the case page."""

    def vocab(name: str) -> Options:
        return vocabulary_options(vocabulary, name)

    year_hint = _("vierstellig, z. B. 2019")
    return FormSpec(
        (
            Section(
                _("Grunddaten"),
                (
                    Field("name", _label("name"), required=True),
                    _slug(new),
                    Field("city", _label("city"), required=True),
                    Field("land", _label("land"), "select", vocab("lands"), required=True),
                    Field("website", _label("website"), "url", hint=_("leer oder mit http(s)://")),
                    _group(
                        "aliases",
                        (
                            Field("name", _label("aliases.name")),
                            Field("note", _label("aliases.note")),
                        ),
                    ),
                ),
            ),
            Section(
                _("Einordnung"),
                (
                    Field(
                        "governance.type",
                        _label("governance.type"),
                        "select",
                        vocab("governance_types"),
                        required=True,
                    ),
                    Field(
                        "governance.rationale",
                        _label("governance.rationale"),
                        "textarea",
                        required=True,
                    ),
                    Field(
                        "scale.type",
                        _label("scale.type"),
                        "select",
                        vocab("scales"),
                        required=True,
                    ),
                    Field("scale.rationale", _label("scale.rationale"), "textarea", required=True),
                ),
            ),
            Section(
                _("Stadtgröße"),
                (
                    Field("municipality.population", _label("municipality.population"), "int"),
                    Field(
                        "municipality.population_year",
                        _label("municipality.population_year"),
                        "int",
                        hint=year_hint,
                    ),
                    Field(
                        "municipality.population_source",
                        _label("municipality.population_source"),
                        "url",
                    ),
                    Field(
                        "municipality.size_class",
                        _label("municipality.size_class"),
                        "select",
                        vocab("size_classes"),
                    ),
                    Field(
                        "municipality.size_class_rationale",
                        _label("municipality.size_class_rationale"),
                        "textarea",
                    ),
                ),
            ),
            Section(
                _("Lage"),
                (
                    Field("municipality.lat", _label("municipality.lat"), "decimal"),
                    Field("municipality.lon", _label("municipality.lon"), "decimal"),
                ),
            ),
            Section(
                _("Organisation und Zeitraum"),
                (
                    Field("carrier.name", _label("carrier.name")),
                    Field("carrier.legal_form", _label("carrier.legal_form")),
                    Field("start_year", _label("start_year"), "int", hint=year_hint),
                    Field("end_year", _label("end_year"), "int", hint=year_hint),
                    Field("status", _label("status"), "select", vocab("statuses"), required=True),
                ),
            ),
            Section(
                _("Akteure, Instrumente, Förderung"),
                (
                    _group(
                        "actors",
                        (
                            Field("name", _label("actors.name")),
                            Field(
                                "kind",
                                _label("actors.kind"),
                                "select",
                                vocab("actor_kinds"),
                                required=True,
                            ),
                            Field("role", _label("actors.role"), "textarea"),
                            Field("source", _label("actors.source"), "url"),
                        ),
                    ),
                    _group(
                        "instruments",
                        (
                            Field(
                                "code",
                                _label("instruments.code"),
                                "select",
                                vocab("instruments"),
                                required=True,
                            ),
                            Field("note", _label("instruments.note"), "textarea"),
                        ),
                    ),
                    _group(
                        "funding",
                        (
                            Field("programme", _label("funding.programme")),
                            Field("funder", _label("funding.funder")),
                            Field("amount", _label("funding.amount")),
                            Field("period", _label("funding.period")),
                            Field("note", _label("funding.note"), "textarea", rows=2),
                            Field("source", _label("funding.source"), "url"),
                        ),
                    ),
                    _group(
                        "awards",
                        (
                            Field("name", _label("awards.name")),
                            Field("year", _label("awards.year"), "int"),
                            Field("note", _label("awards.note"), "textarea", rows=2),
                            Field("source", _label("awards.source"), "url"),
                        ),
                    ),
                    _group(
                        "key_dates",
                        (
                            Field(
                                "date",
                                _label("key_dates.date"),
                                hint=_("JJJJ, JJJJ-MM oder JJJJ-MM-TT"),
                            ),
                            Field("event", _label("key_dates.event"), "textarea", rows=2),
                            Field("source", _label("key_dates.source"), "url"),
                        ),
                    ),
                ),
            ),
            Section(
                _("Texte"),
                (
                    Field("summary", _label("summary"), "textarea", required=True, rows=5),
                    Field("summary_en", _label("summary_en"), "textarea", rows=5),
                    Field(
                        "description",
                        _label("description"),
                        "textarea",
                        hint=_("## Zwischenüberschrift, **fett**, *kursiv*, [Link](https://…)"),
                        rows=16,
                    ),
                ),
            ),
            Section(_("Belege"), (_sources(),)),
        )
    )


def talk_form(vocabulary: Vocabulary, series: Options, cases: Options, *, new: bool) -> FormSpec:
    """A talk; its series and presented cases are chosen from the existing ones."""
    return FormSpec(
        (
            Section(
                _("Gespräch"),
                (
                    Field("title", _label("title"), required=True),
                    _slug(new),
                    Field(
                        "series",
                        _label("series"),
                        "select",
                        series,
                        required=True,
                        options_lang="de",
                    ),
                    Field("number", _label("number"), "int", hint=_("leer bei Sonderformaten")),
                    Field(
                        "format",
                        _label("format"),
                        "select",
                        vocabulary_options(vocabulary, "talk_formats"),
                        required=True,
                    ),
                    Field("date", _label("date"), "date", required=True),
                    Field("announced_date", _label("announced_date"), "date"),
                    Field("start_time", _label("start_time"), "time", hint=_("HH:MM")),
                    Field("end_time", _label("end_time"), "time", hint=_("HH:MM")),
                    Field("venue", _label("venue")),
                    Field("announced_as", _label("announced_as")),
                ),
            ),
            Section(
                _("Fälle und Gäste"),
                (
                    _group(
                        "cases",
                        (
                            Field(
                                "",
                                item_label("cases", "form"),
                                "select",
                                cases,
                                required=True,
                                options_lang="de",
                            ),
                        ),
                    ),
                    _group(
                        "speakers",
                        (
                            Field("name", _label("speakers.name")),
                            Field(
                                "side",
                                _label("speakers.side"),
                                "select",
                                vocabulary_options(vocabulary, "actor_sides"),
                            ),
                            Field("organisation", _label("speakers.organisation")),
                            Field("role", _label("speakers.role")),
                        ),
                    ),
                ),
            ),
            Section(
                _("Zusammenfassung und Belege"),
                (
                    Field(
                        "summary",
                        _label("summary", "talk"),
                        "textarea",
                        hint=_("**fett**, *kursiv*, [Link](https://…), Listen mit „- “"),
                        rows=12,
                    ),
                    _sources(),
                ),
            ),
        )
    )


def series_form(*, new: bool) -> FormSpec:
    return FormSpec(
        (
            Section(
                _("Reihe"),
                (
                    Field("title", _label("title"), required=True),
                    _slug(new),
                    Field("organiser", _label("organiser")),
                    Field("year", _label("year"), "int"),
                    Field("schedule", _label("schedule"), hint=_("z. B. donnerstags 17–18:30 Uhr")),
                    Field("venue", _label("venue")),
                    _group(
                        "questions",
                        (Field("", item_label("questions", "form"), "textarea", rows=2),),
                        hint=_("Notizen zu den Gesprächen folgen diesen Fragen."),
                    ),
                    Field("description", _label("description"), "textarea", rows=10),
                ),
            ),
            Section(_("Belege"), (_sources(),)),
        )
    )
