"""The one table of the labels of fields: what a history diff, a facet, a compare row, the
codebook and an edit form call a field of a case, talk, series or note.

Keys are the dotted paths of the canonical states (kb.catalogue.cases.case_state, talk_state,
series_state, note_state): "governance.type", "municipality.population", a list by its name
("actors") and a field of its items below it ("actors.role"). Two more kinds of key:

- `kind:path` gives one kind of item its own wording of a shared path ("talk:summary"); a lookup
  that names the kind finds it before the common entry, one that does not gets the common one.
- `path@view` names what a view derives from a field ("actors@municipal": the actors of the
  municipal side, "funding@programmes": the programmes of the funding), and a few plain keys
  name what the catalogue derives for a case ("presented", "talks", "latest_notes").

Each entry is a small record of German wordings, each marked with N_() for the gettext
catalogue (kb.i18n); a record's wording is translated when it is read, into the current
language (or the one asked for), so every place that shows a field names it in the page's
language. A new language is a catalogue, not a slot here.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from kb.i18n import N_, translate

Use = Literal["name", "form", "about"]


@dataclass(frozen=True)
class Label:
    """The wordings of one field, in German (the catalogue's source).

    `de` is its name wherever a field is named: a history diff, a facet, a compare row, a form.
    The other slots hold the wording a place needs beyond the name; empty means "the name":
    `form` is what the edit form's control says where it names a unit or format ("Beginn
    (Jahr)"), `about` what the codebook says of the download column holding the field ("Jahr des
    Beginns"), and `item` names one entry of a list ("Akteur" of "Akteure")."""

    de: str
    form: str = ""
    about: str = ""
    item: "Label | None" = None

    def wording(self, use: Use = "name", lang: str | None = None) -> str:
        """The wording for `use` in `lang` (the current language if None)."""
        if use == "form":
            text = self.form or self.de
        elif use == "about":
            text = self.about or self.de
        else:
            text = self.de
        return translate(text, lang)


FIELDS: dict[str, Label] = {
    # --- every kind -------------------------------------------------------------------------
    "slug": Label(
        N_("Kürzel"),
        form=N_("Kürzel (in der Adresse)"),
        about=N_("Kürzel des Falls; stabil, Teil der Adresse seiner Seite"),
    ),
    "name": Label(N_("Name"), about=N_("Name des Falls, wie ihn die Quellen nennen")),
    "title": Label(N_("Titel")),
    "summary": Label(N_("Kurzfassung")),
    "summary_en": Label(
        N_("Kurzfassung (englisch)"),
        about=N_("Kurzfassung auf Englisch, wo die Redaktion eine geschrieben hat (sonst leer)"),
    ),
    "description": Label(N_("Beschreibung"), form=N_("Beschreibung (Markdown)")),
    "sources": Label(
        N_("Quellen"), item=Label(N_("Quelle"), about=N_("Eine Quelle (URL) und wofür sie belegt."))
    ),
    "sources.url": Label(N_("Adresse"), form=N_("Adresse (URL)")),
    "sources.supports": Label(N_("Was sie belegt")),
    "venue": Label(N_("Ort")),
    # --- cases ------------------------------------------------------------------------------
    "aliases": Label(
        N_("Andere Namen"),
        about=N_("Andere Namen des Falls"),
        item=Label(
            N_("Anderer Name"), about=N_("Ein anderer Name, unter dem der Fall bekannt ist.")
        ),
    ),
    "aliases.name": Label(N_("Name")),
    "aliases.note": Label(N_("Anmerkung")),
    "city": Label(N_("Stadt oder Gemeinde")),
    "land": Label(N_("Bundesland"), about=N_("Bundesland (Bezeichnung, nicht Code)")),
    "municipality.population": Label(
        N_("Einwohnerzahl"), about=N_("Einwohnerzahl, nur wenn belegt")
    ),
    "municipality.population_year": Label(N_("Einwohner (Jahr)"), form=N_("Stand (Jahr)")),
    "municipality.population_source": Label(
        N_("Einwohner (Quelle)"), form=N_("Quelle Einwohnerzahl (URL)")
    ),
    "municipality.size_class": Label(
        N_("Stadtgröße"), about=N_("Stadt- oder Gemeindegröße (Bezeichnung)")
    ),
    "municipality.size_class_rationale": Label(N_("Begründung Stadtgröße")),
    "municipality.lat": Label(
        N_("Geografische Breite"),
        form=N_("Geografische Breite (Grad, z. B. 51,3397)"),
        about=(
            N_(
                "Geografische Breite der Gemeinde in Grad (WGS 84), bei Berliner Bezirken des "
                "Bezirks; in den mitgelieferten Fällen aus GeoNames (CC BY 4.0), als Quelle belegt"
            )
        ),
    ),
    "municipality.lon": Label(
        N_("Geografische Länge"),
        form=N_("Geografische Länge (Grad, z. B. 12,3731)"),
        about=(
            N_(
                "Geografische Länge der Gemeinde in Grad (WGS 84), bei Berliner Bezirken des "
                "Bezirks; in den mitgelieferten Fällen aus GeoNames (CC BY 4.0), als Quelle belegt"
            )
        ),
    ),
    "governance.type": Label(
        N_("Governance-Typ"), about=N_("Governance-Typ (redaktionelle Einordnung)")
    ),
    "governance.rationale": Label(
        N_("Begründung Governance-Typ"), about=N_("Begründung der Einordnung des Governance-Typs")
    ),
    "scale.type": Label(N_("Maßstab"), about=N_("Maßstab (redaktionelle Einordnung)")),
    "scale.rationale": Label(
        N_("Begründung Maßstab"), about=N_("Begründung der Einordnung des Maßstabs")
    ),
    "start_year": Label(N_("Beginn"), form=N_("Beginn (Jahr)"), about=N_("Jahr des Beginns")),
    "end_year": Label(N_("Ende"), form=N_("Ende (Jahr)"), about=N_("Jahr des Endes")),
    "status": Label(N_("Status"), about=N_("Stand des Falls")),
    "carrier": Label(N_("Träger und Rechtsform")),
    "carrier.name": Label(N_("Träger"), about=N_("Name des Trägers")),
    "carrier.legal_form": Label(N_("Rechtsform"), about=N_("Rechtsform des Trägers")),
    "actors": Label(
        N_("Akteure"),
        item=Label(N_("Akteur"), about=N_("Ein beteiligter Akteur mit seiner Art und Rolle.")),
    ),
    "actors.name": Label(N_("Name")),
    "actors.kind": Label(N_("Art")),
    "actors.role": Label(N_("Rolle")),
    "actors.source": Label(N_("Quelle"), form=N_("Quelle (URL)")),
    "actors@municipal": Label(
        N_("Kommunale Seite"), about=N_("Akteure der kommunalen Seite als „Name (Art)“")
    ),
    "actors@civil-society": Label(
        N_("Zivilgesellschaftliche Seite"),
        about=N_("Akteure der zivilgesellschaftlichen Seite als „Name (Art)“"),
    ),
    "actors@other": Label(N_("Weitere Akteure"), about=N_("Weitere Akteure als „Name (Art)“")),
    "instruments": Label(
        N_("Instrumente"),
        about=N_("Genutzte Instrumente (Bezeichnungen)"),
        item=Label(N_("Instrument"), about=N_("Ein genutztes Instrument der Kooperation.")),
    ),
    "instruments.code": Label(N_("Instrument")),
    "instruments.note": Label(N_("Wie der Fall es nutzt")),
    "funding": Label(
        N_("Förderung und Finanzierung"),
        item=Label(
            N_("Förderung"), about=N_("Eine Förderung: Programm, Geldgeber, Betrag, Zeitraum.")
        ),
    ),
    "funding@programmes": Label(N_("Förderprogramme")),
    "funding.programme": Label(N_("Programm")),
    "funding.funder": Label(N_("Geldgeber"), about=N_("Förderung: Geldgeber")),
    "funding.amount": Label(N_("Betrag"), about=N_("Förderung: Betrag, wie belegt")),
    "funding.period": Label(N_("Zeitraum"), about=N_("Förderung: Zeitraum")),
    "funding.note": Label(N_("Anmerkung")),
    "funding.source": Label(N_("Quelle"), form=N_("Quelle (URL)")),
    "awards": Label(
        N_("Auszeichnungen"),
        about=N_("Auszeichnungen als „Name Jahr“"),
        item=Label(N_("Auszeichnung"), about=N_("Ein Preis oder eine Auszeichnung mit Jahr.")),
    ),
    "awards.name": Label(N_("Name")),
    "awards.year": Label(N_("Jahr"), about=N_("Auszeichnung: Jahr")),
    "awards.note": Label(N_("Anmerkung")),
    "awards.source": Label(N_("Quelle"), form=N_("Quelle (URL)")),
    "key_dates": Label(
        N_("Chronik"),
        item=Label(
            N_("Wichtiges Datum"),
            form=N_("Ereignis"),
            about=N_("Ein Ereignis der Geschichte des Falls mit Datum."),
        ),
    ),
    "key_dates.date": Label(
        N_("Datum"), about=N_("Wichtiges Datum: JJJJ, JJJJ-MM oder JJJJ-MM-TT")
    ),
    "key_dates.event": Label(N_("Was geschah")),
    "key_dates.source": Label(N_("Quelle"), form=N_("Quelle (URL)")),
    "website": Label(N_("Website"), about=N_("Website des Falls")),
    # What the catalogue derives for a case (facets, compare rows).
    "presented": Label(N_("In der Reihe")),
    "talks": Label(N_("Gespräche")),
    "latest_notes": Label(N_("Neueste Notizen")),
    # --- talks ------------------------------------------------------------------------------
    "series": Label(N_("Reihe")),
    "number": Label(N_("Nummer in der Reihe")),
    "format": Label(N_("Format")),
    "date": Label(N_("Datum")),
    "announced_date": Label(N_("Angekündigtes Datum"), form=N_("Angekündigt für (Datum)")),
    "start_time": Label(N_("Beginn (Uhrzeit)")),
    "end_time": Label(N_("Ende (Uhrzeit)")),
    "announced_as": Label(N_("Angekündigt als")),
    "cases": Label(N_("Vorgestellte Fälle"), item=Label(N_("Fall"))),
    "speakers": Label(N_("Gäste"), form=N_("Gäste und Moderation"), item=Label(N_("Person"))),
    "speakers.name": Label(N_("Name")),
    "speakers.side": Label(N_("Seite")),
    "speakers.organisation": Label(N_("Organisation")),
    "speakers.role": Label(N_("Rolle")),
    # A talk's summary: history diffs name fields without their kind and say "Kurzfassung".
    "talk:summary": Label(N_("Zusammenfassung"), form=N_("Zusammenfassung (Markdown)")),
    # --- notes ------------------------------------------------------------------------------
    "talk": Label(N_("Gespräch")),
    "author": Label(N_("Autorin/Autor")),
    "created": Label(N_("Datum der Notiz")),
    "body": Label(N_("Text")),
    # --- series -----------------------------------------------------------------------------
    "organiser": Label(N_("Veranstalter")),
    "year": Label(N_("Jahr")),
    "schedule": Label(N_("Termine")),
    "questions": Label(N_("Leitfragen"), item=Label(N_("Leitfrage"))),
}

# Columns of the long CSV download (cases.long.csv) that hold several fields at once, depending on
# the row's item type: no name of their own, only what the codebook says of them.
COLUMNS: dict[str, Label] = {
    "case_slug": Label("", about=N_("Kürzel des Falls, zu dem die Zeile gehört")),
    "case_name": Label("", about=N_("Name des Falls, zu dem die Zeile gehört")),
    "item_type": Label("", about=N_("Art des Eintrags (siehe Werte unten)")),
    "position": Label("", about=N_("Reihenfolge des Eintrags innerhalb seiner Art im Fall, ab 1")),
    "name": Label(
        "",
        about=N_(
            "Name des Akteurs, Förderprogramm, Name der Auszeichnung, Ereignis eines Datums "
            "oder anderer Name des Falls"
        ),
    ),
    "kind_or_code": Label(
        "", about=N_("Akteur: Art (actor_kinds); Instrument: Code (instruments)")
    ),
    "label": Label("", about=N_("Bezeichnung zu kind_or_code (aus dem Vokabular)")),
    "side": Label("", about=N_("Akteur: Seite der Kooperation, die zur Art gehört")),
    "role_or_note": Label(
        "", about=N_("Akteur: Rolle; Quelle: wofür sie belegt; sonst: Anmerkung")
    ),
    "source": Label("", about=N_("Quelle: URL; Förderung, Auszeichnung, Datum: Beleg-URL")),
}


def entry(path: str, kind: str = "") -> Label:
    """The record of `path`; with `kind`, that kind's own wording ("talk:summary") first.
    KeyError for a path the table does not know."""
    if kind and f"{kind}:{path}" in FIELDS:
        return FIELDS[f"{kind}:{path}"]
    return FIELDS[path]


def label(path: str, use: Use = "name", *, kind: str = "", default: str | None = None) -> str:
    """The label of the field `path` for `use` (see Label) in the current language; `default`
    for a path the table does not know (without one: KeyError)."""
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
