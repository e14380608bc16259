"""The controlled vocabularies (governance types, scales, Länder, ...) from their YAML file.

Every value has a code and a label and definition in every language of kb.i18n.LANGUAGES
(`label`/`definition` in German, `label_en`/`definition_en`, ...); loading refuses a file that
lacks one, naming the vocabulary, the value and the missing key."""

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kb.errors import FieldError, ValidationError
from kb.i18n import DEFAULT, LANGUAGES, _, current

# The vocabularies every file must define, in the order the codebook lists them.
NAMES = (
    "governance_types",
    "scales",
    "lands",
    "size_classes",
    "actor_sides",
    "actor_kinds",
    "statuses",
    "talk_formats",
    "instruments",
)


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary: its code (never translated) and its label and definition in
    every language (`labels["de"]`, `labels["en"]`, ...). `label` and `definition` are those of
    the current language (kb.i18n), German where a language lacks them."""

    code: str
    labels: dict[str, str]
    definitions: dict[str, str]
    extra: dict[str, str] = field(default_factory=dict)

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels[DEFAULT]

    def definition_in(self, lang: str) -> str:
        return self.definitions.get(lang) or self.definitions[DEFAULT]

    @property
    def label(self) -> str:
        return self.label_in(current())

    @property
    def definition(self) -> str:
        return self.definition_in(current())


@dataclass(frozen=True)
class Vocabulary:
    terms: dict[str, dict[str, Term]]

    def codes(self, name: str) -> list[str]:
        return list(self.terms[name])

    def has(self, name: str, code: str) -> bool:
        return code in self.terms[name]

    def term(self, name: str, code: str) -> Term:
        return self.terms[name][code]

    def label(self, name: str, code: str | None, lang: str | None = None) -> str:
        """A code's label in `lang` (the current language if None); an unknown code as it is."""
        if code is None:
            return ""
        term = self.terms[name].get(code)
        return term.label_in(lang or current()) if term else code

    def side_of(self, actor_kind: str) -> str:
        return self.terms["actor_kinds"][actor_kind].extra["side"]


def _parse(data: Any, source: str) -> Vocabulary:
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        raise ValidationError(
            [FieldError("", _("muss eine Zuordnung von Vokabularen sein"), source)]
        )
    terms: dict[str, dict[str, Term]] = {}
    for name in NAMES:
        entries = data.get(name)
        if not isinstance(entries, list) or not entries:
            errors.append(FieldError(name, _("Vokabular fehlt oder ist leer"), source))
            continue
        terms[name] = {}
        for i, entry in enumerate(entries):
            where = f"{name}[{i}]"
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry.get(k)
                for k in ("code", "label", "definition")
            ):
                errors.append(FieldError(where, _("braucht code, label und definition"), source))
                continue
            code = entry["code"]
            if code in terms[name]:
                errors.append(FieldError(where, _("Code '%(code)s' doppelt", code=code), source))
            translated = [f"{k}_{lang}" for lang in LANGUAGES[1:] for k in ("label", "definition")]
            # Every language shows every term: a missing translation is an error, not German.
            missing = [k for k in translated if not (isinstance(entry.get(k), str) and entry[k])]
            errors += [
                FieldError(f"{where} ({code})", _("%(key)s fehlt", key=key), source)
                for key in missing
            ]
            labels = {DEFAULT: entry["label"]}
            definitions = {DEFAULT: entry["definition"]}
            for lang in LANGUAGES[1:]:
                labels[lang] = str(entry.get(f"label_{lang}") or "")
                definitions[lang] = str(entry.get(f"definition_{lang}") or "")
            extra = {
                k: str(v)
                for k, v in entry.items()
                if k not in ("code", "label", "definition") and k not in translated
            }
            terms[name][code] = Term(code, labels, definitions, extra)
    for unknown in sorted(set(data) - set(NAMES)):
        errors.append(FieldError(unknown, _("unbekanntes Vokabular"), source))
    for code, term in terms.get("actor_kinds", {}).items():
        if term.extra.get("side") not in terms.get("actor_sides", {}):
            errors.append(
                FieldError(f"actor_kinds.{code}", _("side muss eine actor_side sein"), source)
            )
    if errors:
        raise ValidationError(errors)
    return Vocabulary(terms)


@cache
def load_vocabulary(path: Path) -> Vocabulary:
    """Load and check the vocabulary file (cached per path: it changes only with a deploy)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValidationError(
            [FieldError("", _("kein gültiges YAML: %(error)s", error=exc), str(path))]
        ) from exc
    return _parse(data, str(path))
