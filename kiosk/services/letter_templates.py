"""The letter body templates: a sandboxed Jinja environment, the facts a template may use, and their labels.

Templates are edited by the village admin in the browser, so they run in Jinja's sandbox with autoescape on:
a template can format what it is given but cannot reach Python objects, files or the database, and a
resident's text (a purpose, a business name) can never become markup. A template that fails to render
raises `TemplateProblem` with a readable message; it never takes other letter types down with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from kiosk.services.clock import MONTHS_ID, format_date

# Resident facts a letter type may list in `resident_fields`, with the label printed before each.
RESIDENT_FIELD_LABELS: dict[str, str] = {
    "nama": "Nama Lengkap",
    "nik": "NIK",
    "no_kk": "Nomor KK",
    "ttl": "Tempat/Tanggal Lahir",
    "umur": "Umur",
    "jenis_kelamin": "Jenis Kelamin",
    "agama": "Agama",
    "status_kawin": "Status Perkawinan",
    "pekerjaan": "Pekerjaan",
    "pendidikan": "Pendidikan",
    "kewarganegaraan": "Kewarganegaraan",
    "golongan_darah": "Golongan Darah",
    "shdk": "Hubungan dalam Keluarga",
    "nama_ayah": "Nama Ayah",
    "nama_ibu": "Nama Ibu",
    "alamat": "Alamat",
}


class TemplateProblem(ValueError):
    """A letter template that cannot be compiled or rendered; `str()` is shown to the admin as is."""


def rupiah(value: object) -> str:
    """`1250000` -> 'Rp 1.250.000' (dot thousands, as Indonesian readers expect)."""
    try:
        amount = int(round(float(str(value).replace(".", "").replace(",", "."))))
    except ValueError:
        return str(value)
    return "Rp " + f"{amount:,}".replace(",", ".")


def tanggal(value: object) -> str:
    """A date (or ISO date text) as '22 November 2026'."""
    if isinstance(value, date):
        return format_date(value)
    text = str(value or "")
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        year, month, day = (int(part) for part in match.groups())
        if 1 <= month <= 12:
            return f"{day} {MONTHS_ID[month - 1]} {year}"
    return text


def terbilang(value: object) -> str:
    """A whole number in Indonesian words ('1250000' -> 'satu juta dua ratus lima puluh ribu'), as money in
    letters is written twice: in figures and in words."""
    try:
        number = int(round(float(str(value))))
    except ValueError:
        return str(value)
    return _words(number).strip() or "nol"


_ONES = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas"]


def _words(n: int) -> str:
    if n < 0:
        return "minus " + _words(-n)
    if n < 12:
        return _ONES[n]
    if n < 20:
        return f"{_words(n - 10)} belas"
    if n < 100:
        return f"{_words(n // 10)} puluh {_words(n % 10)}".strip()
    if n < 200:
        return f"seratus {_words(n - 100)}".strip()
    if n < 1000:
        return f"{_words(n // 100)} ratus {_words(n % 100)}".strip()
    if n < 2000:
        return f"seribu {_words(n - 1000)}".strip()
    for size, word in ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu")):
        if n >= size:
            return f"{_words(n // size)} {word} {_words(n % size)}".strip()
    return str(n)


def angka(value: object) -> str:
    """'1250000' -> '1.250.000', '3.5' -> '3,5': numbers as Indonesian readers write them."""
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    whole, _, fraction = f"{number:,.2f}".rstrip("0").rstrip(".").partition(".")
    whole = whole.replace(",", ".")
    return f"{whole},{fraction}" if fraction else whole


def baris(value: object) -> Markup:
    """Text with line breaks (a list of heirs, an address over lines) kept as lines, escaped."""
    return Markup("<br>").join(escape(line) for line in str(value or "").splitlines())


def hari(value: object) -> str:
    """A date as 'Senin, 22 November 2026' (the 'Hari/Tanggal' of events)."""
    from kiosk.services.clock import format_long_date

    day = value if isinstance(value, date) else None
    if day is None:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return format_long_date(day)


def table(rows: Iterable[tuple[object, object]]) -> Markup:
    """Rows of (label, value) as the two-column 'label : value' table letters use; values escaped."""
    cells = "".join(
        f"<tr><td class=\"label\">{escape(label)}</td><td class=\"colon\">:</td><td>{escape(value)}</td></tr>"
        for label, value in rows)
    return Markup(f"<table class=\"biodata\">{cells}</table>")


def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, trim_blocks=True,
                                       lstrip_blocks=True)
    environment.filters.update(rupiah=rupiah, tanggal=tanggal, terbilang=terbilang, angka=angka, baris=baris,
                               hari=hari)
    environment.globals.update(tabel=table)
    return environment


_ENVIRONMENT = _environment()


@dataclass(frozen=True)
class TemplateContext:
    """Everything a body template sees. `penduduk` and `isian` hold display text, already formatted."""

    penduduk: Mapping[str, str]
    isian: Mapping[str, str]
    desa: Mapping[str, str]
    surat: Mapping[str, str]
    resident_fields: tuple[str, ...]

    def variables(self) -> dict[str, Any]:
        biodata = table((RESIDENT_FIELD_LABELS[name], self.penduduk.get(name, "-"))
                        for name in self.resident_fields)
        return {"penduduk": dict(self.penduduk), "isian": dict(self.isian), "desa": dict(self.desa),
                "surat": dict(self.surat), "biodata": biodata}


def check_template(body: str) -> None:
    """Compile only: a syntax error is reported with its line before the template is ever saved."""
    try:
        _ENVIRONMENT.from_string(body)
    except TemplateError as error:
        raise TemplateProblem(_describe(error)) from error


def render_body(body: str, context: TemplateContext) -> Markup:
    """The letter body as trusted HTML for the page layout, or `TemplateProblem` naming what went wrong."""
    try:
        return Markup(_ENVIRONMENT.from_string(body).render(context.variables()))
    except TemplateError as error:
        raise TemplateProblem(_describe(error)) from error
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise TemplateProblem(f"{type(error).__name__}: {error}") from error


def _describe(error: TemplateError) -> str:
    line = getattr(error, "lineno", None)
    where = f" (baris {line})" if line else ""
    return f"{error.message or type(error).__name__}{where}"


def sample_answer(field_type: str, options: tuple[str, ...] = (), blank: bool = False) -> str:
    """A plausible stored answer of a field type (what `clean_fields` would keep), or '' for `blank`."""
    if blank:
        return ""
    return {"date": "2026-11-22", "money": "1250000", "number": "3", "time": "09.30", "nik": "3204120101900001",
            "select": options[0] if options else "Contoh"}.get(field_type, "Contoh isian")


def sample_context(resident_fields: Iterable[str], field_names: Iterable[str] | Iterable[Any],
                   blank_optional: bool = False) -> TemplateContext:
    """A made-up resident and made-up answers, for the live preview while an admin edits a template and
    for checking a template before it is saved. `field_names` may be names or FieldSpecs (then answers
    fit each type, and `blank_optional` leaves optional ones empty to try the other branches)."""
    penduduk = {
        "nama": "SITI AMINAH", "nik": "3204124107850002", "no_kk": "3204120101090011",
        "tempat_lahir": "Bandung", "tanggal_lahir": "1 Juli 1985", "ttl": "Bandung, 1 Juli 1985", "umur": "41 tahun",
        "jenis_kelamin": "Perempuan", "agama": "Islam", "status_kawin": "Kawin", "pekerjaan": "Wiraswasta",
        "pendidikan": "SLTA/Sederajat", "kewarganegaraan": "WNI", "golongan_darah": "O", "shdk": "Istri",
        "nama_ayah": "AHMAD SUBARJA", "nama_ibu": "KOKOM KOMARIAH",
        "alamat": "Kp. Sukamaju RT 002 RW 003, Dusun I", "rt": "002", "rw": "003", "dusun": "Dusun I",
    }
    isian = {}
    for item in field_names:
        if isinstance(item, str):
            isian[item] = f"[{item}]"
        else:
            isian[item.name] = sample_answer(item.type, item.options, blank_optional and not item.required)
    desa = {"nama": "Sukamaju", "kecamatan": "Ciparay", "kabupaten": "Bandung", "alamat": "Jl. Raya Sukamaju No. 1",
            "kode": "32.04.12.2003", "kepala_desa": "H. ASEP SAEPUDIN"}
    surat = {"nama": "Surat Keterangan", "kode": "CONTOH", "nomor": "470/001/2003/XI/2026",
             "tanggal": "22 November 2026"}
    return TemplateContext(penduduk, isian, desa, surat, tuple(resident_fields))
