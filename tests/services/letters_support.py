"""Shared set-up for the letters tests: a demo village with a signer, two residents and a simple type."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kiosk.services import accounts, resident_edit
from kiosk.services.letter_signing import LetterOptions, options_from_settings, publish_public_key
from kiosk.services.letter_types import save_type
from kiosk.services.resident_edit import PersonInput
from kiosk.settings import Settings

SIMPLE_TYPE = {
    "code": "TES", "name": "Surat Keterangan Percobaan", "klasifikasi": "470",
    "requirements": ["Fotokopi KTP"], "resident_fields": ["nama", "nik", "ttl", "alamat"],
    "fields": [{"name": "keperluan", "label": "Keperluan", "type": "text", "required": True, "max_length": 100},
               {"name": "tanggal_acara", "label": "Tanggal Acara", "type": "date", "required": False}],
}
SIMPLE_BODY = ("<p>Menerangkan bahwa:</p>{{ biodata }}<p>Untuk keperluan <b>{{ isian.keperluan }}</b>"
               "{% if isian.tanggal_acara %} pada {{ isian.tanggal_acara | tanggal }}{% endif %}.</p>")


@dataclass(frozen=True)
class LetterWorld:
    settings: Settings
    options: LetterOptions
    siti: int
    budi: int


def make_world(settings: Settings) -> LetterWorld:
    """Needs an open, demo-seeded database (the `demo_db` fixture)."""
    accounts.create_user("kades", "Rahasia-Kades-2026", "signer", full_name="H. Asep Saepudin")
    siti, _ = resident_edit.create_person(
        PersonInput(nik="3204125505900001", nama="Siti Aminah", sex=2, tanggallahir=date(1990, 5, 15),
                    tempatlahir="Bandung", agama_id=1, kk_level=1, status_kawin=2),
        family_id=None, first_event="datang", event_date=date(2020, 1, 1), actor="op")
    budi, _ = resident_edit.create_person(
        PersonInput(nik="3204120101850003", nama="Budi Santoso", sex=1, tanggallahir=date(1985, 1, 1),
                    tempatlahir="Garut", agama_id=1, kk_level=1, status_kawin=2),
        family_id=None, first_event="datang", event_date=date(2020, 1, 1), actor="op")
    save_type(SIMPLE_TYPE, SIMPLE_BODY, actor="admin", create=True)
    options = options_from_settings(settings, "http://192.168.1.10:8080")
    publish_public_key(options.key)
    return LetterWorld(settings, options, siti, budi)
