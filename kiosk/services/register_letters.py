"""Buku Agenda Surat Keluar: every letter the village signed in a period, in number order.

Filled from the signed letters themselves (number, date, type, subject, signer), so the book can never
disagree with what was issued; a revoked letter stays in the book with the reason, as paper books keep a
struck-through line rather than a missing one.
"""

from __future__ import annotations

from datetime import date

from kiosk.db import reading
from kiosk.models import Keluarga, LetterRequest, LetterType, Penduduk, Wilayah
from kiosk.services.clock import format_date
from printing.register_pdf import RegisterTable

TITLE = "Buku Agenda Surat Keluar"
COLUMNS = ["No", "Nomor Surat", "Tanggal Surat", "Perihal", "Ditujukan Kepada", "Alamat", "Penandatangan",
           "Keterangan"]


def _remark(row: LetterRequest) -> str:
    if row.revoked_at is not None:
        return f"Dicabut: {row.revoke_reason or '-'}"
    if row.picked_up_at is not None:
        return "Sudah diambil"
    return "Belum diambil"


def agenda_surat_keluar(period: tuple[date, date], dusun: str | None = None) -> RegisterTable:
    with reading():
        letters = list(LetterRequest.select(LetterRequest, LetterType, Penduduk).join(LetterType)
                       .switch(LetterRequest).join(Penduduk)
                       .where(LetterRequest.signed_at.is_null(False)
                              & (LetterRequest.letter_date >= period[0].isoformat())
                              & (LetterRequest.letter_date <= period[1].isoformat()))
                       .order_by(LetterRequest.letter_date, LetterRequest.signed_at, LetterRequest.id))
        family_ids = {row.penduduk.keluarga_id for row in letters if row.penduduk.keluarga_id}
        families = {f.id: f for f in Keluarga.select().where(Keluarga.id.in_(family_ids))} if family_ids else {}
        area_ids = {f.wilayah_id for f in families.values() if f.wilayah_id}
        area_ids |= {row.penduduk.wilayah_id for row in letters if row.penduduk.wilayah_id}
        areas = {a.id: a for a in Wilayah.select().where(Wilayah.id.in_(area_ids))} if area_ids else {}
    rows = []
    for row in letters:
        person = row.penduduk
        family = families.get(person.keluarga_id)
        place = areas.get(person.wilayah_id or (family.wilayah_id if family else None))
        if dusun and (place is None or place.dusun != dusun):
            continue
        address = ", ".join(part for part in (
            person.alamat or (family.alamat if family else "") or "",
            f"RT {place.rt}/RW {place.rw}" if place and (place.rt or place.rw) else "",
            place.dusun if place else "") if part) or "-"
        rows.append([row.number, format_date(date.fromisoformat(row.letter_date)), row.letter_type.name,
                     person.nama, address, row.signer_name or row.signed_by or "-", _remark(row)])
    numbered = [[str(i), *cells] for i, cells in enumerate(rows, start=1)]
    scope = f" — {dusun}" if dusun else ""
    subtitle = f"{format_date(period[0])} s.d. {format_date(period[1])}{scope}; {len(rows)} surat"
    return RegisterTable(TITLE, subtitle, COLUMNS, numbered, None)
