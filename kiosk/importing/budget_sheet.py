"""The village budget (APBDes) from one Excel sheet, and the template the operator page offers.

Real sheets come from Siskeudes exports, the kecamatan's own templates and hand-made workbooks, so the reader
looks for its header (Kode rekening / Uraian / Anggaran / Realisasi, in many spellings) in the first 25 rows
of any sheet, takes amounts as numbers or as text ("1.250.000", "Rp 1.250.000,00"), reads an empty
realisation as 0, follows the section headings (PENDAPATAN, BELANJA, PEMBIAYAAN) that say which part a code
belongs to, and skips total rows (JUMLAH ..., SURPLUS/DEFISIT). Reading never writes anything and never stops
at the first bad cell: every problem comes back with the row number the operator sees in Excel.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Iterable, Literal

from python_calamine import CalamineWorkbook

from kiosk.budget_rules import (BudgetRuleError, check_code, clean_code, clean_name, format_rupiah, parse_amount,
                                segments)

Level = Literal["error", "warning"]
EXTENSIONS = (".xlsx", ".xlsm", ".xls")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 25
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Header spellings, compared without case, spaces or punctuation ("Kode Rek.", "ANGGARAN (Rp)").
_HEADERS: dict[str, tuple[str, ...]] = {
    "kode": ("kode", "koderekening", "koderek", "kdrek", "kdrekening", "norek", "nomorrekening", "rekening",
             "kodering", "kodeakun", "kode rekening"),
    "uraian": ("uraian", "uraianrekening", "nama", "namarekening", "keterangan", "uraiankegiatan", "kegiatan",
               "uraianbelanja"),
    "anggaran": ("anggaran", "anggaranrp", "jumlahanggaran", "pagu", "paguanggaran", "apbdes", "anggaranapbdes",
                 "jumlahrp", "jumlah", "nilaianggaran", "rencana"),
    "realisasi": ("realisasi", "realisasirp", "jumlahrealisasi", "nilairealisasi", "realisasianggaran"),
    "kelompok": ("kelompok", "bagian", "jenis"),
}
REQUIRED = ("kode", "uraian", "anggaran")
_SECTION_WORDS = {"pendapatan": "pendapatan", "pendapatandesa": "pendapatan", "belanja": "belanja",
                  "belanjadesa": "belanja", "pembiayaan": "pembiayaan", "pembiayaandesa": "pembiayaan"}
_TOTAL_WORDS = ("jumlah", "total", "surplus", "defisit", "pembiayaanneto", "pembiayaannetto", "silpa",
                "sisalebih", "selisih")
_YEAR = re.compile(r"\b(?:tahun|t\.?a\.?)\s*(?:anggaran\s*)?(20\d\d)\b", re.IGNORECASE)


class SheetError(Exception):
    """The file as a whole cannot be used; `key`/`params` say why (kiosk/i18n/budget.py)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class SheetIssue:
    row: int
    column: str
    level: Level
    key: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SheetLine:
    row: int
    section: str
    code: str
    name: str
    budget: int
    realised: int


@dataclass
class BudgetSheet:
    sheet: str
    header_row: int
    lines: list[SheetLine]
    issues: list[SheetIssue]
    year_hint: int | None = None

    @property
    def errors(self) -> int:
        return sum(1 for issue in self.issues if issue.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for issue in self.issues if issue.level == "warning")


def _key(cell: object) -> str:
    return re.sub(r"[^0-9a-z]", "", str(cell).casefold()) if cell is not None else ""


def _open(data: bytes, filename: str) -> CalamineWorkbook:
    name = (filename or "").lower()
    if not name.endswith(EXTENSIONS):
        suffix = name[name.rfind("."):] if "." in name else (filename or "?")
        raise SheetError("budget.file_extension", value=suffix[:20], allowed=", ".join(EXTENSIONS))
    if len(data) > MAX_BYTES:
        raise SheetError("budget.file_too_large", megabytes=MAX_BYTES // (1024 * 1024))
    if not data:
        raise SheetError("budget.file_not_excel")
    if not (data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC)):
        raise SheetError("budget.file_not_excel")  # a CSV, an HTML page or a picture renamed to .xlsx
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - calamine raises several unrelated types for broken or locked files
        raise SheetError("budget.file_not_excel") from None


def _header_columns(row: list[object]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        if not isinstance(cell, str) or "%" in cell:  # "Realisasi (%)" is a ratio, not an amount
            continue
        key = _key(cell)
        for column, spellings in _HEADERS.items():
            if column in found:
                continue
            if key in spellings or (column in ("anggaran", "realisasi") and key.startswith(column)):
                found[column] = index
                break
    return found


def _find_table(book: CalamineWorkbook) -> tuple[str, int, dict[str, int], list[list[object]]]:
    best: list[str] | None = None
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001
            raise SheetError("budget.file_not_excel") from None
        for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            columns = _header_columns(row)
            missing = [c for c in REQUIRED if c not in columns]
            if not missing:
                return name, index, columns, rows
            if len(missing) < len(REQUIRED) and (best is None or len(missing) < len(best)):
                best = missing
    raise SheetError("budget.file_columns", columns=", ".join(best or REQUIRED))


def _year_hint(rows: Iterable[list[object]]) -> int | None:
    for row in rows:
        for cell in row:
            if isinstance(cell, str):
                match = _YEAR.search(cell)
                if match:
                    return int(match.group(1))
    return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _heading(name: object) -> str | None:
    """'PENDAPATAN', 'A. BELANJA DESA', '6 PEMBIAYAAN' -> the section they open."""
    if not isinstance(name, str):
        return None
    text = re.sub(r"^\s*([a-z]|\d+)[.)]?\s+", "", name.strip(), flags=re.IGNORECASE)
    return _SECTION_WORDS.get(_key(text))


def _section_for(code: str, current: str | None) -> str:
    first = segments(code)[0]
    if first == 6:
        return "pembiayaan"
    if current == "belanja":
        return "belanja"
    if first == 4:
        return "pendapatan"
    return "belanja"  # 1, 2, 3 and 5 only exist as bidang; anything else is refused by check_code


def _prefixes(code: str) -> list[str]:
    """'2.2.01' -> ['2', '2.2']: the codes above it."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


def read_budget(data: bytes, filename: str) -> BudgetSheet:
    """Every budget line of the sheet with its problems; SheetError when the file as a whole is unusable."""
    book = _open(data, filename)
    try:
        sheet, header_index, columns, rows = _find_table(book)
    finally:
        book.close()
    if len(rows) - header_index > MAX_ROWS:
        raise SheetError("budget.file_too_many_rows", max=MAX_ROWS)
    width = max(columns.values()) + 1
    issues: list[SheetIssue] = []
    pending: list[tuple[int, str, str, str, int | None, int]] = []
    seen: dict[tuple[str, str], int] = {}
    section: str | None = None

    def problem(row: int, column: str, level: Level, key: str, **params: object) -> None:
        issues.append(SheetIssue(row, column, level, key, dict(params)))

    for index in range(header_index + 1, len(rows)):
        cells = list(rows[index]) + [None] * width
        row_number = index + 1
        raw_code, raw_name, raw_budget = cells[columns["kode"]], cells[columns["uraian"]], cells[columns["anggaran"]]
        raw_real = cells[columns["realisasi"]] if "realisasi" in columns else None
        raw_section = cells[columns["kelompok"]] if "kelompok" in columns else None
        if all(_blank(v) for v in (raw_code, raw_name, raw_budget, raw_real)):
            continue
        opened = _heading(raw_name)
        if opened is not None:  # "BELANJA", or "4 PENDAPATAN 1.000.000": the heading's total is not a line
            section = opened
            continue
        if _blank(raw_code):
            if not _key(raw_name).startswith(_TOTAL_WORDS):
                problem(row_number, "kode", "warning", "budget.row_no_code_skipped")
            continue
        try:
            code = clean_code(raw_code)
        except BudgetRuleError as error:
            problem(row_number, "kode", "error", error.key, **error.params)
            continue
        explicit = _heading(raw_section) if not _blank(raw_section) else None
        row_section = section = explicit or _section_for(code, section)
        failed = False
        try:
            code = check_code(row_section, code)
        except BudgetRuleError as error:
            problem(row_number, "kode", "error", error.key, **error.params)
            failed = True
        try:
            name = clean_name(raw_name)
        except BudgetRuleError as error:
            problem(row_number, "uraian", "error", error.key, **error.params)
            failed = True
            name = ""
        budget: int | None = None
        realised = 0
        for column, raw in (("anggaran", raw_budget), ("realisasi", raw_real)):
            try:
                amount, rounded = parse_amount(raw, required=False)
            except BudgetRuleError as error:
                problem(row_number, column, "error", error.key, **error.params)
                failed = True
                continue
            if rounded:
                problem(row_number, column, "warning", "budget.amount_rounded", value=str(raw)[:30])
            if column == "anggaran":
                budget = None if _blank(raw) else amount
            else:
                realised = amount
        first = seen.get((row_section, code))
        if first is not None:
            problem(row_number, "kode", "error", "budget.code_duplicate", value=code, first_row=first)
            failed = True
        seen.setdefault((row_section, code), row_number)
        if not failed:
            pending.append((row_number, row_section, code, name, budget, realised))

    # A parent row (2.2 above 2.2.01) may carry its own total; leaves are what count, so a parent's amount
    # only has to agree with the sum of the leaves below it, and may be left empty.
    leaf_sums: dict[tuple[str, str], int] = {}
    parents = {(p[1], prefix) for p in pending for prefix in _prefixes(p[2])}
    for _, line_section, code, _, budget, _ in pending:
        if (line_section, code) not in parents:
            for prefix in _prefixes(code):
                leaf_sums[(line_section, prefix)] = leaf_sums.get((line_section, prefix), 0) + (budget or 0)
    lines: list[SheetLine] = []
    for row_number, line_section, code, name, budget, realised in pending:
        has_children = (line_section, code) in parents
        if budget is None and not has_children:
            problem(row_number, "anggaran", "error", "budget.amount_missing")
            continue
        if has_children and budget is not None and leaf_sums.get((line_section, code), 0) != budget:
            problem(row_number, "anggaran", "warning", "budget.parent_mismatch", value=format_rupiah(budget),
                    total=format_rupiah(leaf_sums.get((line_section, code), 0)))
        if line_section == "belanja" and budget is not None and realised > budget and not has_children:
            problem(row_number, "realisasi", "warning", "budget.realised_over")
        lines.append(SheetLine(row_number, line_section, code, name, budget or 0, realised))
    issues.sort(key=lambda issue: (issue.row, ("kode", "uraian", "anggaran", "realisasi").index(issue.column)
                                   if issue.column in ("kode", "uraian", "anggaran", "realisasi") else 9))
    if not lines and not any(issue.level == "error" for issue in issues):
        raise SheetError("budget.file_no_lines")
    return BudgetSheet(sheet, header_index + 1, lines, issues, _year_hint(rows[:header_index]))


# The standard structure a new year starts from (Permendagri 20/2018, lampiran APBDes).
STANDARD_LINES: tuple[tuple[str, str, str], ...] = (
    ("pendapatan", "4.1", "Pendapatan Asli Desa"),
    ("pendapatan", "4.2.1", "Dana Desa"),
    ("pendapatan", "4.2.2", "Bagian dari Hasil Pajak dan Retribusi Daerah"),
    ("pendapatan", "4.2.3", "Alokasi Dana Desa"),
    ("pendapatan", "4.2.4", "Bantuan Keuangan Provinsi"),
    ("pendapatan", "4.2.5", "Bantuan Keuangan Kabupaten/Kota"),
    ("pendapatan", "4.3", "Pendapatan Lain-lain"),
    ("belanja", "1", "Bidang Penyelenggaraan Pemerintahan Desa"),
    ("belanja", "2", "Bidang Pelaksanaan Pembangunan Desa"),
    ("belanja", "3", "Bidang Pembinaan Kemasyarakatan Desa"),
    ("belanja", "4", "Bidang Pemberdayaan Masyarakat Desa"),
    ("belanja", "5", "Bidang Penanggulangan Bencana, Keadaan Darurat dan Mendesak Desa"),
    ("pembiayaan", "6.1.1", "Sisa Lebih Perhitungan Anggaran (SiLPA) Tahun Sebelumnya"),
    ("pembiayaan", "6.2.1", "Penyertaan Modal Desa"),
)
SECTION_HEADINGS = {"pendapatan": "PENDAPATAN", "belanja": "BELANJA", "pembiayaan": "PEMBIAYAAN"}


def write_template(year: int, village: str, lines: Iterable[tuple[str, str, str, int | None, int | None]] = ()) -> bytes:
    """An .xlsx the importer reads back: the year's lines when it has some, else the standard structure with
    empty amounts. One sheet; title rows above the header, as the offices' own sheets have them."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    rows = list(lines) or [(section, code, name, None, None) for section, code, name in STANDARD_LINES]
    book = Workbook()
    sheet = book.active
    sheet.title = "APBDes"
    sheet["A1"] = f"APBDes Desa {village}".strip()
    sheet["A2"] = f"Tahun Anggaran {year}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"].font = Font(bold=True)
    header = ("Kode Rekening", "Uraian", "Anggaran (Rp)", "Realisasi (Rp)")
    sheet.append(["Petunjuk: kode menentukan bidang (Belanja 1-5) dan sumber pendapatan (4.x). Realisasi kosong "
                  "dibaca 0. Baris JUMLAH tidak perlu diisi."])
    sheet["A3"].font = Font(italic=True, color="555555")
    sheet.append(header)
    for cell in sheet[4]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="115E59")
        cell.alignment = Alignment(horizontal="center")
    current = None
    for section, code, name, budget, realised in rows:
        if section != current:
            sheet.append(["", SECTION_HEADINGS[section], None, None])
            sheet.cell(sheet.max_row, 2).font = Font(bold=True)
            current = section
        sheet.append([code, name, budget, realised])
        for column in (3, 4):
            sheet.cell(sheet.max_row, column).number_format = "#,##0"
    for column, width in zip("ABCD", (16, 60, 20, 20)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
