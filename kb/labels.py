"""The one table of the German labels of fields: what a history diff, a facet, a compare row, the
codebook and an edit form call a field of a case, talk, series or note.

Keys are the dotted paths of the canonical states (kb.catalogue.cases.case_state, talk_state,
series_state, note_state): "governance.type", "municipality.population", a list by its name
("actors") and a field of its items below it ("actors.role"). Two more kinds of key:

- `kind:path` gives one kind of item its own wording of a shared path ("talk:summary"); a lookup
  that names the kind finds it before the common entry, one that does not gets the common one.
- `path@view` names what a view derives from a field ("actors@municipal": the actors of the
  municipal side, "funding@programmes": the programmes of the funding), and a few plain keys
  name what the catalogue derives for a case ("presented", "talks", "latest_notes").

Each entry is a small record of wordings, so that a translation can add its own slot (`en`)
next to `de` once, here, for every place that shows the field.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

Use = Literal["name", "form", "about"]


@dataclass(frozen=True)
class Label:
    """The German wording of one field.

    `de` is its name wherever a field is named: a history diff, a facet, a compare row, a form.
    The other slots hold the wording a place needs beyond the name; empty means "the name":
    `form` is what the edit form's control says where it names a unit or format ("Beginn
    (Jahr)"), `about` what the codebook says of the download column holding the field ("Jahr des
    Beginns"), and `item` names one entry of a list ("Akteur" of "Akteure")."""

    de: str
    form: str = ""
    about: str = ""
    item: "Label | None" = None

    def wording(self, use: Use = "name") -> str:
        if use == "form":
            return self.form or self.de
        if use == "about":
            return self.about or self.de
        return self.de


FIELDS: dict[str, Label] = {
    # --- every kind -------------------------------------------------------------------------
    "slug": Label(
        "Kürzel",
        form="Kürzel (in der Adresse)",
        about="Kürzel des Falls; stabil, Teil der Adresse seiner Seite",
    ),
    "name": Label("Name", about="Name des Falls, wie ihn die Quellen nennen"),
    "title": Label("Titel"),
    "summary": Label("Kurzfassung"),
    "summary_en": Label(
        "Kurzfassung (englisch)",
        about="Kurzfassung auf Englisch, wo die Redaktion eine geschrieben hat (sonst leer)",
    ),
    "description": Label("Beschreibung", form="Beschreibung (Markdown)"),
    "sources": Label(
        "Quellen", item=Label("Quelle", about="Eine Quelle (URL) und wofür sie belegt.")
    ),
    "sources.url": Label("Adresse", form="Adresse (URL)"),
    "sources.supports": Label("Was sie belegt"),
    "venue": Label("Ort"),
    # --- cases ------------------------------------------------------------------------------
    "aliases": Label(
        "Andere Namen",
        about="Andere Namen des Falls",
        item=Label("Anderer Name", about="Ein anderer Name, unter dem der Fall bekannt ist."),
    ),
    "aliases.name": Label("Name"),
    "aliases.note": Label("Anmerkung"),
    "city": Label("Stadt oder Gemeinde"),
    "land": Label("Bundesland", about="Bundesland (Bezeichnung, nicht Code)"),
    "municipality.population": Label("Einwohnerzahl", about="Einwohnerzahl, nur wenn belegt"),
    "municipality.population_year": Label("Einwohner (Jahr)", form="Stand (Jahr)"),
    "municipality.population_source": Label(
        "Einwohner (Quelle)", form="Quelle Einwohnerzahl (URL)"
    ),
    "municipality.size_class": Label("Stadtgröße", about="Stadt- oder Gemeindegröße (Bezeichnung)"),
    "municipality.size_class_rationale": Label("Begründung Stadtgröße"),
    "municipality.lat": Label(
        "Geografische Breite",
        form="Geografische Breite (Grad, z. B. 51,3397)",
        about=(
            "Geografische Breite der Gemeinde in Grad (WGS 84), bei Berliner Bezirken des "
            "Bezirks; in den mitgelieferten Fällen aus GeoNames (CC BY 4.0), als Quelle belegt"
        ),
    ),
    "municipality.lon": Label(
        "Geografische Länge",
        form="Geografische Länge (Grad, z. B. 12,3731)",
        about=(
            "Geografische Länge der Gemeinde in Grad (WGS 84), bei Berliner Bezirken des "
            "Bezirks; in den mitgelieferten Fällen aus GeoNames (CC BY 4.0), als Quelle belegt"
        ),
    ),
    "governance.type": Label("Governance-Typ", about="Governance-Typ (redaktionelle Einordnung)"),
    "governance.rationale": Label(
        "Begründung Governance-Typ", about="Begründung der Einordnung des Governance-Typs"
    ),
    "scale.type": Label("Maßstab", about="Maßstab (redaktionelle Einordnung)"),
    "scale.rationale": Label("Begründung Maßstab", about="Begründung der Einordnung des Maßstabs"),
    "start_year": Label("Beginn", form="Beginn (Jahr)", about="Jahr des Beginns"),
    "end_year": Label("Ende", form="Ende (Jahr)", about="Jahr des Endes"),
    "status": Label("Status", about="Stand des Falls"),
    "carrier": Label("Träger und Rechtsform"),
    "carrier.name": Label("Träger", about="Name des Trägers"),
    "carrier.legal_form": Label("Rechtsform", about="Rechtsform des Trägers"),
    "actors": Label(
        "Akteure",
        item=Label("Akteur", about="Ein beteiligter Akteur mit seiner Art und Rolle."),
    ),
    "actors.name": Label("Name"),
    "actors.kind": Label("Art"),
    "actors.role": Label("Rolle"),
    "actors.source": Label("Quelle", form="Quelle (URL)"),
    "actors@municipal": Label(
        "Kommunale Seite", about="Akteure der kommunalen Seite als „Name (Art)“"
    ),
    "actors@civil-society": Label(
        "Zivilgesellschaftliche Seite",
        about="Akteure der zivilgesellschaftlichen Seite als „Name (Art)“",
    ),
    "actors@other": Label("Weitere Akteure", about="Weitere Akteure als „Name (Art)“"),
    "instruments": Label(
        "Instrumente",
        about="Genutzte Instrumente (Bezeichnungen)",
        item=Label("Instrument", about="Ein genutztes Instrument der Kooperation."),
    ),
    "instruments.code": Label("Instrument"),
    "instruments.note": Label("Wie der Fall es nutzt"),
    "funding": Label(
        "Förderung und Finanzierung",
        item=Label("Förderung", about="Eine Förderung: Programm, Geldgeber, Betrag, Zeitraum."),
    ),
    "funding@programmes": Label("Förderprogramme"),
    "funding.programme": Label("Programm"),
    "funding.funder": Label("Geldgeber", about="Förderung: Geldgeber"),
    "funding.amount": Label("Betrag", about="Förderung: Betrag, wie belegt"),
    "funding.period": Label("Zeitraum", about="Förderung: Zeitraum"),
    "funding.note": Label("Anmerkung"),
    "funding.source": Label("Quelle", form="Quelle (URL)"),
    "awards": Label(
        "Auszeichnungen",
        about="Auszeichnungen als „Name Jahr“",
        item=Label("Auszeichnung", about="Ein Preis oder eine Auszeichnung mit Jahr."),
    ),
    "awards.name": Label("Name"),
    "awards.year": Label("Jahr", about="Auszeichnung: Jahr"),
    "awards.note": Label("Anmerkung"),
    "awards.source": Label("Quelle", form="Quelle (URL)"),
    "key_dates": Label(
        "Chronik",
        item=Label(
            "Wichtiges Datum",
            form="Ereignis",
            about="Ein Ereignis der Geschichte des Falls mit Datum.",
        ),
    ),
    "key_dates.date": Label("Datum", about="Wichtiges Datum: JJJJ, JJJJ-MM oder JJJJ-MM-TT"),
    "key_dates.event": Label("Was geschah"),
    "key_dates.source": Label("Quelle", form="Quelle (URL)"),
    "website": Label("Website", about="Website des Falls"),
    # What the catalogue derives for a case (facets, compare rows).
    "presented": Label("In der Reihe"),
    "talks": Label("Gespräche"),
    "latest_notes": Label("Neueste Notizen"),
    # --- talks ------------------------------------------------------------------------------
    "series": Label("Reihe"),
    "number": Label("Nummer in der Reihe"),
    "format": Label("Format"),
    "date": Label("Datum"),
    "announced_date": Label("Angekündigtes Datum", form="Angekündigt für (Datum)"),
    "start_time": Label("Beginn (Uhrzeit)"),
    "end_time": Label("Ende (Uhrzeit)"),
    "announced_as": Label("Angekündigt als"),
    "cases": Label("Vorgestellte Fälle", item=Label("Fall")),
    "speakers": Label("Gäste", form="Gäste und Moderation", item=Label("Person")),
    "speakers.name": Label("Name"),
    "speakers.side": Label("Seite"),
    "speakers.organisation": Label("Organisation"),
    "speakers.role": Label("Rolle"),
    # A talk's summary: history diffs name fields without their kind and say "Kurzfassung".
    "talk:summary": Label("Zusammenfassung", form="Zusammenfassung (Markdown)"),
    # --- notes ------------------------------------------------------------------------------
    "talk": Label("Gespräch"),
    "author": Label("Autorin/Autor"),
    "created": Label("Datum der Notiz"),
    "body": Label("Text"),
    # --- series -----------------------------------------------------------------------------
    "organiser": Label("Veranstalter"),
    "year": Label("Jahr"),
    "schedule": Label("Termine"),
    "questions": Label("Leitfragen", item=Label("Leitfrage")),
}

# Columns of the long CSV download (cases.long.csv) that hold several fields at once, depending on
# the row's item type: no name of their own, only what the codebook says of them.
COLUMNS: dict[str, Label] = {
    "case_slug": Label("", about="Kürzel des Falls, zu dem die Zeile gehört"),
    "case_name": Label("", about="Name des Falls, zu dem die Zeile gehört"),
    "item_type": Label("", about="Art des Eintrags (siehe Werte unten)"),
    "position": Label("", about="Reihenfolge des Eintrags innerhalb seiner Art im Fall, ab 1"),
    "name": Label(
        "",
        about="Name des Akteurs, Förderprogramm, Name der Auszeichnung, Ereignis eines Datums "
        "oder anderer Name des Falls",
    ),
    "kind_or_code": Label("", about="Akteur: Art (actor_kinds); Instrument: Code (instruments)"),
    "label": Label("", about="Bezeichnung zu kind_or_code (aus dem Vokabular)"),
    "side": Label("", about="Akteur: Seite der Kooperation, die zur Art gehört"),
    "role_or_note": Label("", about="Akteur: Rolle; Quelle: wofür sie belegt; sonst: Anmerkung"),
    "source": Label("", about="Quelle: URL; Förderung, Auszeichnung, Datum: Beleg-URL"),
}


def entry(path: str, kind: str = "") -> Label:
    """The record of `path`; with `kind`, that kind's own wording ("talk:summary") first.
    KeyError for a path the table does not know."""
    if kind and f"{kind}:{path}" in FIELDS:
        return FIELDS[f"{kind}:{path}"]
    return FIELDS[path]


def label(path: str, use: Use = "name", *, kind: str = "", default: str | None = None) -> str:
    """The German label of the field `path` for `use` (see Label); `default` for a path the
    table does not know (without one: KeyError)."""
    try:
        record = entry(path, kind)
    except KeyError:
        if default is None:
            raise
        return default
    return record.wording(use)


def item_entry(path: str, kind: str = "") -> Label:
    """The record of one entry of the list `path` ("Akteur"); KeyError if it has none."""
    item = entry(path, kind).item
    if item is None:
        raise KeyError(f"{path}: no label of its entries")
    return item


def item_label(path: str, use: Use = "name", *, kind: str = "") -> str:
    """What one entry of the list `path` is called ("Akteur")."""
    return item_entry(path, kind).wording(use)


def column_about(column: str) -> str:
    """What the codebook says of a column of the long CSV that holds several fields."""
    return COLUMNS[column].wording("about")


class Labels(Mapping[str, str]):
    """A read-only mapping name -> label that reads the table on every lookup: `paths` maps each
    name (a facet, say) to its field path; without it, the names are the table's paths."""

    def __init__(self, paths: Mapping[str, str] | None = None, use: Use = "name") -> None:
        self._paths = paths
        self._use: Use = use

    def __getitem__(self, name: str) -> str:
        return label(name if self._paths is None else self._paths[name], self._use)

    def __iter__(self) -> Iterator[str]:
        return iter(FIELDS if self._paths is None else self._paths)

    def __len__(self) -> int:
        return len(FIELDS if self._paths is None else self._paths)
