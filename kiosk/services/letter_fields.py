"""A letter type's asked fields: their schema, and checking what a resident or operator typed against it.

Pure (no database): the same rules run for the kiosk, the phone, the operator form and the API, and the
messages are i18n keys with parameters so every surface shows them in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping

from kiosk.identity import normalize_number
from kiosk.services.errors import ServiceError
from kiosk.services.text_checks import code_in

FIELD_TYPES = ("text", "textarea", "date", "number", "money", "select", "nik", "time")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TIME = re.compile(r"^([01]?\d|2[0-3])[.:]([0-5]\d)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FieldSpec:
    """One asked field. `max_length` bounds text; `min`/`max` bound numbers; `options` for a select."""

    name: str
    label: str
    type: str = "text"
    required: bool = True
    max_length: int = 200
    min: float | None = None
    max: float | None = None
    options: tuple[str, ...] = field(default_factory=tuple)
    help: str = ""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> "FieldSpec":
        """Build from the JSON form, refusing anything malformed (an admin-made type goes through here too)."""
        unknown = set(raw) - {"name", "label", "type", "required", "max_length", "min", "max", "options", "help"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        spec = cls(
            name=str(raw["name"]), label=str(raw["label"]), type=str(raw.get("type", "text")),
            required=bool(raw.get("required", True)), max_length=int(raw.get("max_length", 200)),
            min=None if raw.get("min") is None else float(raw["min"]),
            max=None if raw.get("max") is None else float(raw["max"]),
            options=tuple(str(option) for option in raw.get("options", ())), help=str(raw.get("help", "")),
        )
        if not _NAME.match(spec.name):
            raise ValueError(f"field name {spec.name!r}: lowercase letters, digits and _ only")
        if spec.type not in FIELD_TYPES:
            raise ValueError(f"field {spec.name!r}: type must be one of {', '.join(FIELD_TYPES)}")
        if spec.type == "select" and not spec.options:
            raise ValueError(f"field {spec.name!r}: a select needs options")
        if not 1 <= spec.max_length <= 2000:
            raise ValueError(f"field {spec.name!r}: max_length between 1 and 2000")
        if not spec.label.strip():
            raise ValueError(f"field {spec.name!r}: label is empty")
        if any(code_in(text) == "markup" for text in (spec.label, spec.help, *spec.options)):
            raise ValueError(f"field {spec.name!r}: no HTML or script in the label, help or options")
        return spec

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type, "required": self.required}
        if self.type in ("text", "textarea"):
            out["max_length"] = self.max_length
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.options:
            out["options"] = list(self.options)
        if self.help:
            out["help"] = self.help
        return out


def parse_specs(raw: object) -> tuple[FieldSpec, ...]:
    if not isinstance(raw, list):
        raise ValueError("fields must be a list")
    specs = tuple(FieldSpec.from_dict(item) for item in raw)
    names = [spec.name for spec in specs]
    if len(set(names)) != len(names):
        raise ValueError("field names must be unique")
    return specs


class FieldErrors(ServiceError):
    """Every problem of a submitted form at once, field name -> (i18n key, parameters)."""

    def __init__(self, problems: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__("letter.fields_invalid", status=422)
        self.problems = problems


def _check_one(spec: FieldSpec, raw: object) -> tuple[str, tuple[str, dict[str, Any]] | None]:
    """(clean value, problem or None). Empty optional fields come back as ''."""
    text = "" if raw is None else str(raw).strip()
    text = _CONTROL.sub("", text)
    if spec.type != "textarea":
        text = " ".join(text.split())
    if not text:
        return "", (("letter.field_required", {"label": spec.label}) if spec.required else None)
    if spec.type in ("text", "textarea"):
        if len(text) > spec.max_length:
            return text, ("letter.field_too_long", {"label": spec.label, "max": spec.max_length})
        return text, None
    if spec.type == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return text, ("letter.field_date", {"label": spec.label})
        if not date(1900, 1, 1) <= day <= date(2100, 12, 31):
            return text, ("letter.field_date", {"label": spec.label})
        return day.isoformat(), None
    if spec.type in ("number", "money"):
        digits = text.replace("Rp", "").replace(" ", "")
        if spec.type == "money":
            digits = digits.replace(".", "").replace(",00", "")
        try:
            value = float(digits.replace(",", "."))
        except ValueError:
            return text, ("letter.field_number", {"label": spec.label})
        low = spec.min if spec.min is not None else (0 if spec.type == "money" else None)
        if (low is not None and value < low) or (spec.max is not None and value > spec.max):
            return text, ("letter.field_range", {"label": spec.label, "min": _plain(low), "max": _plain(spec.max)})
        return _plain(value), None
    if spec.type == "select":
        if text not in spec.options:
            return text, ("letter.field_option", {"label": spec.label})
        return text, None
    if spec.type == "nik":
        digits = normalize_number(text)
        if not re.fullmatch(r"\d{16}", digits):
            return text, ("letter.field_nik", {"label": spec.label})
        return digits, None
    if spec.type == "time":
        match = _TIME.match(text)
        if not match:
            return text, ("letter.field_time", {"label": spec.label})
        return f"{int(match.group(1)):02d}.{match.group(2)}", None
    raise AssertionError(spec.type)


def _plain(value: float | None) -> str:
    if value is None:
        return "-"
    return str(int(value)) if float(value).is_integer() else str(value)


def clean_fields(specs: tuple[FieldSpec, ...], submitted: Mapping[str, object]) -> dict[str, str]:
    """The submitted answers cleaned, or `FieldErrors` listing every problem; unknown keys are refused too
    (a form must not smuggle values a template would print)."""
    problems: dict[str, tuple[str, dict[str, Any]]] = {}
    known = {spec.name for spec in specs}
    for name in submitted:
        if name not in known:
            problems[str(name)[:40]] = ("letter.field_unknown", {"label": str(name)[:40]})
    clean: dict[str, str] = {}
    for spec in specs:
        value, problem = _check_one(spec, submitted.get(spec.name))
        clean[spec.name] = value
        if problem:
            problems[spec.name] = problem
    if problems:
        raise FieldErrors(problems)
    return clean
