"""The live preview of a letter type while an admin edits it: unsaved text in, a DRAF PDF out.

The same checks as saving (`parse_definition`), then the body rendered for a made-up resident with made-up
answers (`sample_context`) under this village's real letterhead, through the same `printing.letters` layout
as a signed letter. Nothing is written. Callers run it off the event loop (it renders a PDF).
"""

from __future__ import annotations

from typing import Any

from kiosk.db import reading
from kiosk.models import Village
from kiosk.services.clock import local_day, utc_now
from kiosk.services.errors import ServiceError
from kiosk.services.letter_render import LetterLayout, document, pdf, signer_of, village_facts
from kiosk.services.letter_templates import TemplateContext, TemplateProblem, render_body, sample_context
from kiosk.services.letter_types import LetterTypeInfo, parse_definition

# What the preview assumes while the admin has not filled these in yet (a new type).
_PLACEHOLDERS = {"code": "CONTOH", "name": "Surat Keterangan", "klasifikasi": "470"}


def preview_pdf(raw: dict[str, Any], body: str, layout: LetterLayout) -> bytes:
    """The letter this (unsaved) definition would make, marked DRAF, with no number and no QR. Raises
    ServiceError("letter_type.invalid" / "letter_type.template_error", detail=...) as saving would."""
    filled = {**_PLACEHOLDERS, **{key: value for key, value in raw.items() if value not in (None, "")}}
    definition = parse_definition(filled, body)
    with reading():
        village = Village.get_or_none(Village.id == 1)
    if village is None:
        raise ServiceError("error.not_set_up", status=503)
    sample = sample_context(definition.resident_fields, [spec.name for spec in definition.fields])
    surat = {**sample.surat, "nama": definition.name, "kode": definition.code}
    desa = {**village_facts(village, sample.desa["kepala_desa"])}
    context = TemplateContext(sample.penduduk, sample.isian, desa, surat, definition.resident_fields)
    try:
        body_html = render_body(definition.body, context)
    except TemplateProblem as error:
        raise ServiceError("letter_type.template_error", detail=str(error)) from error
    info = LetterTypeInfo(id=0, code=definition.code, name=definition.name, klasifikasi=definition.klasifikasi,
                          requirements=definition.requirements, resident_fields=definition.resident_fields,
                          fields=definition.fields, body=definition.body, builtin=False, enabled=True)
    today = local_day(utc_now(), village.timezone)
    return pdf(document(info, body_html, village, signer_of(None, village), None, today, layout, None))
