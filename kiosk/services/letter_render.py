"""From database rows to a letter on paper: the resident's facts as letter text, the template context, and
the `printing.letters` document. No writes here; signing and previews call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup
from printing.letters import LetterDocument, LetterHead, LetterSignature, render_letter_pdf

from kiosk.models import Penduduk, User, Village
from kiosk.services.codes import label
from kiosk.services.letter_fields import FieldSpec
from kiosk.services.letter_templates import TemplateContext, render_body, rupiah, tanggal
from kiosk.services.letter_types import LetterTypeInfo
from kiosk.services.residents import age_on


@dataclass(frozen=True)
class LetterLayout:
    """The paper settings and where the village logo lives: from the office's settings."""

    paper: str = "F4"
    margins_mm: tuple[float, float, float, float] = (20, 20, 20, 30)
    logo_file: Path | None = None

    def logo(self) -> bytes | None:
        if self.logo_file is not None and self.logo_file.is_file():
            return self.logo_file.read_bytes()
        return None


def resident_facts(person: Penduduk, today: date) -> dict[str, str]:
    """A resident as the words a letter prints (codes turned into labels, dates in Indonesian)."""
    family = person.keluarga
    area = person.wilayah or (family.wilayah if family else None)
    birth = person.tanggallahir if isinstance(person.tanggallahir, date) else None
    born = tanggal(birth) if birth else "-"
    place = (person.tempatlahir or "").strip() or "-"
    address = (person.alamat or (family.alamat if family else "") or "").strip()
    if area is not None:
        parts = [address] if address else []
        if area.rt or area.rw:
            parts.append(f"RT {area.rt or '-'} RW {area.rw or '-'}")
        if area.dusun:
            parts.append(area.dusun)
        address = ", ".join(parts)
    age = age_on(birth, today)
    return {
        "nama": person.nama, "nik": person.nik, "no_kk": family.no_kk if family else "-",
        "tempat_lahir": place, "tanggal_lahir": born, "ttl": f"{place}, {born}",
        "umur": f"{age} tahun" if age is not None else "-",
        "jenis_kelamin": label("sex", person.sex), "agama": label("agama", person.agama_id),
        "status_kawin": label("status_kawin", person.status_kawin), "pekerjaan": label("pekerjaan", person.pekerjaan_id),
        "pendidikan": label("pendidikan_kk", person.pendidikan_kk_id),
        "kewarganegaraan": label("warganegara", person.warganegara_id),
        "golongan_darah": label("golongan_darah", person.golongan_darah_id),
        "shdk": label("kk_level", person.kk_level), "nama_ayah": person.nama_ayah or "-",
        "nama_ibu": person.nama_ibu or "-", "alamat": address or "-",
        "rt": area.rt if area else "", "rw": area.rw if area else "", "dusun": area.dusun if area else "",
    }


def village_facts(village: Village, head_name: str = "") -> dict[str, str]:
    return {"nama": village.name, "kecamatan": village.kecamatan or "-", "kabupaten": village.kabupaten or "-",
            "alamat": village.address or "", "kode": village.code, "kepala_desa": head_name}


def shown_fields(specs: tuple[FieldSpec, ...], values: dict[str, str]) -> dict[str, str]:
    """Asked answers as templates print them: money with thousands dots stays digits for `| rupiah`, dates
    stay ISO for `| tanggal`, so a template decides the form; missing optional answers are ''."""
    return {spec.name: values.get(spec.name, "") for spec in specs}


@dataclass(frozen=True)
class Signer:
    name: str
    title: str


def signer_of(user: User | None, village: Village) -> Signer:
    """Who signs: the signing account's name, and its title or 'Kepala Desa <name>'."""
    if user is None:
        return Signer("", f"Kepala Desa {village.name}")
    return Signer(user.full_name or user.username, user.title or f"Kepala Desa {village.name}")


def letter_body(letter_type: LetterTypeInfo, person_facts: dict[str, str], fields: dict[str, str],
                village: dict[str, str], number: str, letter_date: date) -> Markup:
    surat = {"nama": letter_type.name, "kode": letter_type.code, "nomor": number, "tanggal": tanggal(letter_date)}
    context = TemplateContext(person_facts, shown_fields(letter_type.fields, fields), village, surat,
                              letter_type.resident_fields)
    return render_body(letter_type.body, context)


def document(letter_type: LetterTypeInfo, body: str, village: Village, signer: Signer, number: str | None,
             letter_date: date, layout: LetterLayout, qr_text: str | None) -> LetterDocument:
    head = LetterHead(kabupaten=village.kabupaten or "-", kecamatan=village.kecamatan or "-", desa=village.name,
                      address=village.address or "", logo_png=layout.logo())
    signature = LetterSignature(place_date=f"Desa {village.name}, {tanggal(letter_date)}", title=signer.title,
                                name=signer.name)
    return LetterDocument(head=head, title=letter_type.name.upper(), number=number, body_html=str(body),
                          signature=signature, qr_text=qr_text, paper=layout.paper, margins_mm=layout.margins_mm,
                          draft=number is None)


def pdf(doc: LetterDocument) -> bytes:
    return render_letter_pdf(doc)


__all__ = ["LetterLayout", "Signer", "document", "letter_body", "pdf", "resident_facts", "rupiah", "signer_of",
           "village_facts"]
