"""All input validation: the shapes of cases, series, talks and notes, shared by the file import,
the web forms and the CLI. Collects every error at once and rejects unknown keys."""

import datetime as dt
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from kb.catalogue.vocabulary import Vocabulary
from kb.errors import FieldError, ValidationError
from kb.i18n import N_, _, ngettext, number, translate

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Characters of a note body or a long text: larger input is refused with a message at the field.
# 200.000 is twenty times the longest seed text, and keeps rendering any text (kb.markup, linear
# but up to ~40 times slower than prose for pathological Markdown) within seconds.
MAX_BODY = 200_000
# The largest value of an integer column (PostgreSQL `integer`): every integer that reaches the
# database is bounded below it, because a larger one is an error of the database, not a message.
MAX_DB_INT = 2**31 - 1
# Inhabitants of a municipality: far above any German city, far below MAX_DB_INT.
MAX_POPULATION = 100_000_000
# Germany's bounding box in degrees (WGS 84), rounded outwards: a coordinate outside it is a
# typing error (swapped latitude and longitude, a missing digit), not a German municipality.
LAT_RANGE = (47.2, 55.1)
LON_RANGE = (5.8, 15.1)


def bounded_int(raw: str | None, low: int, high: int) -> int | None:
    """`raw` as an integer if it is written in ASCII digits and lies within [low, high], else
    None. For numbers in URLs and hidden form fields: str.isdigit() also accepts "²" (which
    int() refuses), and int() refuses more than 4,300 digits; neither may end as an error."""
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def _vocab_code(vocabulary_name: str) -> AfterValidator:
    def check(value: str, info: ValidationInfo) -> str:
        vocab: Vocabulary = (info.context or {})["vocabulary"]
        if not vocab.has(vocabulary_name, value):
            # Said now, in the current language; no context, so pydantic leaves it as it is.
            raise PydanticCustomError(
                "vocabulary",
                _(
                    "unbekannter Wert '%(value)s' (erlaubt: %(allowed)s)",
                    value=value,
                    allowed=", ".join(vocab.codes(vocabulary_name)),
                ),
            )
        return value

    return AfterValidator(check)


def _partial_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _degrees(
    bounds: tuple[float, float], not_a_number: str, outside: str
) -> tuple[BeforeValidator, AfterValidator]:
    """A coordinate in decimal degrees within `bounds`; a German decimal comma is accepted.
    The messages are N_() constants, `outside` with %(low)s and %(high)s."""

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
            try:
                return float(value)
            except ValueError:
                raise PydanticCustomError("degrees", translate(not_a_number)) from None
        return value

    def check(value: float) -> float:
        low, high = bounds
        if not low <= value <= high:  # also refuses NaN
            raise PydanticCustomError(
                "degrees", translate(outside) % {"low": number(low), "high": number(high)}
            )
        return value

    return BeforeValidator(parse), AfterValidator(check)


Latitude = Annotated[
    float,
    *_degrees(
        LAT_RANGE,
        N_("Die geografische Breite muss eine Zahl in Grad sein, z. B. 51,3397"),
        N_("Die geografische Breite muss zwischen %(low)s und %(high)s liegen (Deutschland)"),
    ),
]
Longitude = Annotated[
    float,
    *_degrees(
        LON_RANGE,
        N_("Die geografische Länge muss eine Zahl in Grad sein, z. B. 51,3397"),
        N_("Die geografische Länge muss zwischen %(low)s und %(high)s liegen (Deutschland)"),
    ),
]


# A case's summary: required in German; in English optional, and None rather than "" when
# absent (a form left empty, a file without the key), so that every way of saying "none" is one.
Summary = Annotated[str, Field(min_length=1, max_length=5000)]
OptionalSummary = Annotated[Summary | None, BeforeValidator(_blank_to_none)]
Slug = Annotated[str, Field(min_length=1, max_length=120, pattern=SLUG_PATTERN)]
Name = Annotated[str, Field(min_length=1, max_length=300)]
Short = Annotated[str, Field(max_length=300)]
Text = Annotated[str, Field(max_length=100_000)]
Url = Annotated[str, BeforeValidator(_strip), Field(max_length=2000, pattern=r"^https?://\S+$")]
OptionalUrl = Annotated[
    str, BeforeValidator(_strip), Field(max_length=2000, pattern=r"^(https?://\S+)?$")
]
MIN_YEAR, MAX_YEAR = 1800, 2100
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Time = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
OptionalTime = Annotated[str, Field(pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$")]
PartialDate = Annotated[
    str, BeforeValidator(_partial_date), Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?$")
]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)


class SourceIn(Input):
    url: Url
    supports: Annotated[str, Field(max_length=1000)] = ""


class AliasIn(Input):
    name: Name
    note: Annotated[str, Field(max_length=500)] = ""


class MunicipalityIn(Input):
    population: Annotated[int, Field(ge=0, le=MAX_POPULATION)] | None = None
    population_year: Year | None = None
    population_source: OptionalUrl = ""
    size_class: Annotated[str, _vocab_code("size_classes")] | None = None
    size_class_rationale: Text = ""
    lat: Latitude | None = None
    lon: Longitude | None = None

    @model_validator(mode="after")
    def _both_coordinates_or_neither(self) -> "MunicipalityIn":
        if (self.lat is None) != (self.lon is None):
            missing = "lat" if self.lat is None else "lon"
            raise PydanticCustomError(
                "coordinates",
                _("Breite und Länge gehören zusammen: bitte beide angeben oder beide leer lassen"),
                {"field": missing},
            )
        return self


class ClassificationIn(Input):
    type: str
    rationale: Annotated[str, Field(min_length=1, max_length=5000)]


class GovernanceIn(ClassificationIn):
    type: Annotated[str, _vocab_code("governance_types")]


class ScaleIn(ClassificationIn):
    type: Annotated[str, _vocab_code("scales")]


class CarrierIn(Input):
    name: Short = ""
    legal_form: Annotated[str, Field(max_length=100)] = ""


class ActorIn(Input):
    name: Name
    kind: Annotated[str, _vocab_code("actor_kinds")]
    role: Text = ""
    source: OptionalUrl = ""


class CaseInstrumentIn(Input):
    code: Annotated[str, _vocab_code("instruments")]
    note: Text = ""


class FundingIn(Input):
    programme: Name
    funder: Short = ""
    amount: Annotated[str, Field(max_length=200)] = ""
    period: Annotated[str, Field(max_length=100)] = ""
    note: Text = ""
    source: OptionalUrl = ""


class AwardIn(Input):
    name: Name
    year: Year | None = None
    note: Text = ""
    source: OptionalUrl = ""


class KeyDateIn(Input):
    date: PartialDate
    event: Annotated[str, Field(min_length=1, max_length=5000)]
    source: OptionalUrl = ""


class CaseIn(Input):
    """A case as it is written in `cases/<slug>.yaml`, a web form or an export."""

    slug: Slug
    name: Name
    aliases: list[AliasIn] = []
    city: Name
    land: Annotated[str, _vocab_code("lands")]
    municipality: MunicipalityIn = MunicipalityIn()
    governance: GovernanceIn
    scale: ScaleIn
    start_year: Year | None = None
    end_year: Year | None = None
    status: Annotated[str, _vocab_code("statuses")] = "unknown"
    carrier: CarrierIn = CarrierIn()
    actors: list[ActorIn] = []
    instruments: list[CaseInstrumentIn] = []
    funding: list[FundingIn] = []
    awards: list[AwardIn] = []
    key_dates: list[KeyDateIn] = []
    summary: Summary
    summary_en: OptionalSummary = None
    description: Annotated[str, Field(max_length=MAX_BODY)] = ""
    website: OptionalUrl = ""
    sources: Annotated[list[SourceIn], Field(min_length=1)]

    @model_validator(mode="after")
    def _years_in_order(self) -> "CaseIn":
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise PydanticCustomError(
                "years",
                _(
                    "end_year (%(end)s) liegt vor start_year (%(start)s)",
                    end=self.end_year,
                    start=self.start_year,
                ),
                {"field": "end_year"},
            )
        return self


class SeriesIn(Input):
    slug: Slug
    title: Name
    organiser: Short = ""
    year: Year | None = None
    schedule: Short = ""
    venue: Short = ""
    questions: list[Annotated[str, Field(min_length=1, max_length=1000)]] = []
    description: Annotated[str, Field(max_length=MAX_BODY)] = ""
    sources: list[SourceIn] = []


class SpeakerIn(Input):
    name: Name
    side: Annotated[str, _vocab_code("actor_sides")] | None = None  # None: not documented
    organisation: Short = ""
    role: Short = ""


class TalkIn(Input):
    """A talk as written in `talks/<slug>.md`: front matter plus `summary` (the Markdown body)."""

    slug: Slug
    series: Slug
    number: Annotated[int, Field(ge=1, le=1000)] | None = None
    format: Annotated[str, _vocab_code("talk_formats")] = "talk"
    title: Name
    date: dt.date
    announced_date: dt.date | None = None
    start_time: OptionalTime = ""
    end_time: OptionalTime = ""
    venue: Short = ""
    announced_as: Short = ""
    cases: list[Slug] = []
    speakers: list[SpeakerIn] = []
    sources: list[SourceIn] = []
    summary: Annotated[str, Field(max_length=MAX_BODY)] = ""


class NoteIn(Input):
    """A note as written in `notes/<slug>.md`: front matter plus `body` (the Markdown text)."""

    slug: Slug
    talk: Slug
    title: Name
    author: Annotated[str, Field(max_length=100)] = ""
    created: dt.date | None = None
    body: Annotated[str, Field(min_length=1, max_length=MAX_BODY)]


# Messages for pydantic's error types (pydantic speaks English only), translated where said.
_MESSAGES = {
    "missing": N_("Pflichtfeld fehlt"),
    "extra_forbidden": N_("unbekanntes Feld"),
    "string_type": N_("muss Text sein"),
    "int_type": N_("muss eine ganze Zahl sein"),
    "int_parsing": N_("muss eine ganze Zahl sein"),
    "int_from_float": N_("muss eine ganze Zahl sein"),
    "int_parsing_size": N_("muss eine ganze Zahl sein"),
    "bool_type": N_("muss ja oder nein sein"),
    "list_type": N_("muss eine Liste sein"),
    "dict_type": N_("muss ein Abschnitt mit Schlüsseln sein"),
    "model_type": N_("muss ein Abschnitt mit Schlüsseln sein"),
    "model_attributes_type": N_("muss ein Abschnitt mit Schlüsseln sein"),
    "date_type": N_("muss ein Datum JJJJ-MM-TT sein"),
    "date_parsing": N_("muss ein Datum JJJJ-MM-TT sein"),
    "date_from_datetime_parsing": N_("muss ein Datum JJJJ-MM-TT sein"),
    "date_from_datetime_inexact": N_("muss ein Datum ohne Uhrzeit sein"),
    "float_type": N_("muss eine Zahl sein"),
    "float_parsing": N_("muss eine Zahl sein"),
}
_PATTERN_MESSAGES = {
    SLUG_PATTERN: N_("nur Kleinbuchstaben a–z, Ziffern und einzelne Bindestriche"),
    r"^https?://\S+$": N_("muss eine Adresse sein, die mit http:// oder https:// beginnt"),
    r"^(https?://\S+)?$": N_("muss leer sein oder mit http:// oder https:// beginnen"),
    r"^([01]\d|2[0-3]):[0-5]\d$": N_("muss eine Uhrzeit HH:MM sein"),
    r"^(([01]\d|2[0-3]):[0-5]\d)?$": N_("muss leer sein oder eine Uhrzeit HH:MM"),
    r"^\d{4}(-(0[1-9]|1[0-2])(-\d{2})?)?$": N_("muss JJJJ, JJJJ-MM oder JJJJ-MM-TT sein"),
}


def _message(error: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _MESSAGES:
        return translate(_MESSAGES[kind])
    if kind == "string_pattern_mismatch":
        pattern = _PATTERN_MESSAGES.get(ctx.get("pattern", ""))
        return translate(pattern) if pattern else _("hat nicht die erwartete Form")
    if kind == "string_too_short":
        return _("darf nicht leer sein") if ctx.get("min_length") == 1 else error["msg"]
    if kind == "string_too_long":
        return _("ist zu lang (höchstens %(max)s Zeichen)", max=number(ctx.get("max_length", 0)))
    if kind == "too_short":
        # The German says both numbers at once (as it always has); English chooses.
        return ngettext(
            "braucht mindestens %(num)d Eintrag/Einträge",
            "braucht mindestens %(num)d Eintrag/Einträge",
            int(ctx.get("min_length", 0)),
        )
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = int(ctx.get("ge", ctx.get("le", 0)))
        # Digit groups for large bounds (100.000.000), none for years (1800).
        shown = number(bound) if abs(bound) >= 10_000 else str(bound)
        if kind == "greater_than_equal":
            return _("muss mindestens %(bound)s sein", bound=shown)
        return _("muss höchstens %(bound)s sein", bound=shown)
    # The custom errors above (vocabulary, degrees, coordinates, years) are said already.
    return str(error["msg"])


def dotted(loc: tuple[Any, ...]) -> str:
    """("actors", 2, "kind") -> "actors[2].kind"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


M = TypeVar("M", bound=Input)


def validate(
    model: type[M], data: Any, vocabulary: Vocabulary, source: str = ""
) -> tuple[M | None, list[tuple[tuple[Any, ...], FieldError]]]:
    """Validate `data` into `model`; return the object or every error with its location path."""
    try:
        return model.model_validate(data, context={"vocabulary": vocabulary}), []
    except PydanticValidationError as exc:
        errors = []
        for e in exc.errors():
            # A model-level check has no location of its own; attach it to the field it is about.
            about = (e.get("ctx") or {}).get("field")
            loc = tuple(e["loc"]) + ((about,) if about else ())
            errors.append((loc, FieldError(dotted(loc), _message(e), source)))
        return None, errors


def validate_or_raise(model: type[M], data: Any, vocabulary: Vocabulary, source: str = "") -> M:
    obj, errors = validate(model, data, vocabulary, source)
    if obj is None:
        raise ValidationError(e for _, e in errors)
    return obj
