"""Letter types: the built-in ones shipped in kiosk/data/letter_types, and those an admin adds or edits.

Built-ins are copied into the database at start when missing, never over an admin's edit; "reset" brings
a built-in template back. Every save checks the definition and compiles the template first, so a broken
template is refused with its error instead of breaking letters later.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kiosk.data import letter_classifications, letter_type_files
from kiosk.db import database, reading
from kiosk.models import LetterType
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import NotFound, ServiceError
from kiosk.services.letter_fields import FieldSpec, parse_specs
from kiosk.services.text_checks import code_in
from kiosk.services.letter_templates import (RESIDENT_FIELD_LABELS, TemplateProblem, check_template, render_body,
                                             sample_context)

_CODE = re.compile(r"^[A-Z0-9]{2,12}$")


@dataclass(frozen=True)
class Definition:
    """A letter type as written in a definition file or the admin form, checked. `for_deceased`: the type may
    be asked for someone who is no longer a living resident (a death certificate)."""

    code: str
    name: str
    klasifikasi: str
    requirements: tuple[str, ...]
    resident_fields: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    body: str
    for_deceased: bool = False


@dataclass(frozen=True)
class LetterTypeInfo(Definition):
    """A stored letter type: its definition plus the database's id and state."""

    id: int = 0
    builtin: bool = False
    enabled: bool = True

    def public(self) -> dict[str, Any]:
        """What the API and the kiosk show (no template source)."""
        return {"code": self.code, "name": self.name, "klasifikasi": self.klasifikasi,
                "requirements": list(self.requirements), "resident_fields": list(self.resident_fields),
                "for_deceased": self.for_deceased,
                "fields": [spec.to_dict() for spec in self.fields]}


def parse_definition(raw: dict[str, Any], body: str) -> Definition:
    """Check a definition; raises ServiceError("letter_type.invalid", detail=...) naming the problem."""
    try:
        code = str(raw["code"]).strip().upper()
        if not _CODE.match(code):
            raise ValueError("code: 2-12 capital letters or digits")
        name = " ".join(str(raw["name"]).split())
        if not 5 <= len(name) <= 120:
            raise ValueError("name: 5-120 characters")
        if code_in(name) == "markup":  # shown on kiosk tiles, phones and the hub: text only, like other forms
            raise ValueError("name: no HTML or script")
        klasifikasi = str(raw["klasifikasi"]).strip()
        if klasifikasi not in letter_classifications():
            raise ValueError(f"klasifikasi {klasifikasi!r} is not in the classification list")
        requirements = tuple(" ".join(str(item).split()) for item in raw.get("requirements", []) if str(item).strip())
        resident_fields = tuple(str(item) for item in raw.get("resident_fields", []))
        unknown = [item for item in resident_fields if item not in RESIDENT_FIELD_LABELS]
        if unknown:
            raise ValueError(f"resident_fields: unknown {unknown}")
        fields = parse_specs(raw.get("fields", []))
        for_deceased = raw.get("for_deceased", False)
        if not isinstance(for_deceased, bool):
            raise ValueError("for_deceased: true or false")
    except (KeyError, TypeError, ValueError) as error:
        raise ServiceError("letter_type.invalid", detail=str(error)) from error
    if len(body) > 50_000:
        raise ServiceError("letter_type.invalid", detail="template longer than 50,000 characters")
    try:
        check_template(body)
        # Both with every answer and with the optional ones left empty: an error in either branch of an
        # {% if %} is found now, not when a resident's letter is signed.
        render_body(body, sample_context(resident_fields, fields))
        render_body(body, sample_context(resident_fields, fields, blank_optional=True))
    except TemplateProblem as error:
        raise ServiceError("letter_type.template_error", detail=str(error)) from error
    return Definition(code, name, klasifikasi, requirements, resident_fields, fields, body, for_deceased)


def builtin_definitions() -> list[Definition]:
    """Every definition shipped with this release (a broken file is a release bug: it raises)."""
    found = []
    for definition_file, body_file in letter_type_files():
        raw = json.loads(definition_file.read_text(encoding="utf-8"))
        found.append(parse_definition(raw, body_file.read_text(encoding="utf-8")))
    return found


def _columns(definition: Definition) -> dict[str, Any]:
    return {"code": definition.code, "name": definition.name, "klasifikasi": definition.klasifikasi,
            "requirements": json.dumps(list(definition.requirements), ensure_ascii=False),
            "resident_fields": json.dumps(list(definition.resident_fields)),
            "fields": json.dumps([spec.to_dict() for spec in definition.fields], ensure_ascii=False),
            "body": definition.body, "for_deceased": int(definition.for_deceased)}


def install_builtins() -> int:
    """At start: add built-in types this database does not have yet. Returns how many were added.

    Only the missing ones are checked and their templates rendered: a normal start reads the codes and stops."""
    with reading():
        existing = {code.upper() for (code,) in LetterType.select(LetterType.code).tuples()}
    missing = []
    for definition_file, body_file in letter_type_files():
        raw = json.loads(definition_file.read_text(encoding="utf-8"))
        if str(raw.get("code", "")).upper() not in existing:
            missing.append(parse_definition(raw, body_file.read_text(encoding="utf-8")))
    if not missing:
        return 0
    with database.atomic():
        present = {code.upper() for (code,) in LetterType.select(LetterType.code).tuples()}
        added = 0
        for definition in missing:
            if definition.code in present:
                continue
            LetterType.create(**_columns(definition), builtin=1, enabled=1, updated_at=utc_now(), updated_by="system")
            added += 1
        return added


def _info(row: LetterType) -> LetterTypeInfo:
    return LetterTypeInfo(
        id=row.id, code=row.code, name=row.name, klasifikasi=row.klasifikasi,
        requirements=tuple(json.loads(row.requirements)), resident_fields=tuple(json.loads(row.resident_fields)),
        fields=parse_specs(json.loads(row.fields)), body=row.body, for_deceased=bool(row.for_deceased),
        builtin=bool(row.builtin), enabled=bool(row.enabled))


def list_types(*, include_disabled: bool = False) -> list[LetterTypeInfo]:
    with reading():
        query = LetterType.select().order_by(LetterType.name)
        if not include_disabled:
            query = query.where(LetterType.enabled == 1)
        return [_info(row) for row in query]


def get_type(code: str) -> LetterTypeInfo:
    with reading():
        row = LetterType.get_or_none(LetterType.code == str(code).strip().upper())
        if row is None:
            raise NotFound("letter_type.not_found")
        return _info(row)


def get_type_by_id(type_id: int) -> LetterTypeInfo:
    with reading():
        row = LetterType.get_or_none(LetterType.id == type_id)
        if row is None:
            raise NotFound("letter_type.not_found")
        return _info(row)


def save_type(raw: dict[str, Any], body: str, *, actor: str, client: str = "", create: bool = False) -> LetterTypeInfo:
    """Add (create=True) or change a type. Requests already signed keep their stored content and PDF."""
    definition = parse_definition(raw, body)
    with database.atomic():
        row = LetterType.get_or_none(LetterType.code == definition.code)
        if create and row is not None:
            raise ServiceError("letter_type.exists", status=409)
        if not create and row is None:
            raise NotFound("letter_type.not_found")
        columns = _columns(definition)
        if row is None:
            row = LetterType.create(**columns, builtin=0, enabled=1, updated_at=utc_now(), updated_by=actor)
        else:
            LetterType.update(**columns, updated_at=utc_now(), updated_by=actor).where(LetterType.id == row.id).execute()
        audit.record(actor, "letter_type.create" if create else "letter_type.update", definition.code, "", client)
    return get_type(definition.code)


def set_enabled(code: str, enabled: bool, *, actor: str, client: str = "") -> None:
    with database.atomic():
        updated = LetterType.update(enabled=int(enabled), updated_at=utc_now(), updated_by=actor) \
            .where(LetterType.code == code.upper()).execute()
        if not updated:
            raise NotFound("letter_type.not_found")
        audit.record(actor, "letter_type.enable" if enabled else "letter_type.disable", code.upper(), "", client)


def reset_builtin(code: str, *, actor: str, client: str = "") -> LetterTypeInfo:
    """Bring back the shipped definition and template of a built-in type."""
    shipped = {definition.code: definition for definition in builtin_definitions()}
    definition = shipped.get(code.upper())
    if definition is None:
        raise NotFound("letter_type.not_found")
    with database.atomic():
        LetterType.update(**_columns(definition), updated_at=utc_now(), updated_by=actor) \
            .where(LetterType.code == definition.code).execute()
        audit.record(actor, "letter_type.reset", definition.code, "", client)
    return get_type(definition.code)
