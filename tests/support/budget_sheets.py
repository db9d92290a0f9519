"""Excel budget sheets made in the tests with openpyxl: a clean one, a messy real-world one, and bad ones."""

from __future__ import annotations

import io
from typing import Iterable

from openpyxl import Workbook

HEADER = ("Kode Rekening", "Uraian", "Anggaran (Rp)", "Realisasi (Rp)")

# (section heading or None, code, name, budget, realised)
GOOD_LINES: tuple[tuple[str, object, object, object], ...] = (
    ("4.1.1", "Hasil Usaha Desa", 25_000_000, 20_000_000),
    ("4.1.2", "Hasil Aset Desa", 15_000_000, 15_000_000),
    ("4.2.1", "Dana Desa", 850_000_000, 800_000_000),
    ("4.2.2", "Bagi Hasil Pajak dan Retribusi", 40_000_000, 30_000_000),
    ("4.2.3", "Alokasi Dana Desa", 400_000_000, 380_000_000),
    ("4.2.5", "Bantuan Keuangan Kabupaten", 50_000_000, 0),
    ("4.3", "Pendapatan Lain-lain", 5_000_000, 1_000_000),
    ("BELANJA", None, None, None),
    ("1", "Bidang Penyelenggaraan Pemerintahan Desa", None, None),
    ("1.1.01", "Penghasilan Tetap Kepala Desa dan Perangkat", 360_000_000, 330_000_000),
    ("1.1.02", "Tunjangan Kepala Desa dan Perangkat", 100_000_000, 90_000_000),
    ("2", "Bidang Pelaksanaan Pembangunan Desa", None, None),
    ("2.1.01", "Penyelenggaraan Posyandu", 60_000_000, 55_000_000),
    ("2.2.01", "Pembangunan Jalan Desa & Drainase", 500_000_000, 450_000_000),
    ("3.1.01", "Pembinaan Linmas", 30_000_000, 28_000_000),
    ("4.3.01", "Pelatihan Pengelola BUMDes", 200_000_000, 100_000_000),
    ("5.1.01", "Penanggulangan Bencana", 60_000_000, 10_000_000),
    ("PEMBIAYAAN", None, None, None),
    ("6.1.1", "SiLPA Tahun Sebelumnya", 20_000_000, 20_000_000),
    ("6.2.1", "Penyertaan Modal Desa", 60_000_000, 60_000_000),
)
GOOD_INCOME = 1_385_000_000
GOOD_INCOME_REALISED = 1_246_000_000
GOOD_SPENDING = 1_310_000_000
GOOD_SPENDING_REALISED = 1_063_000_000


def workbook_bytes(rows: Iterable[Iterable[object]], title: str = "APBDes") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(lines: Iterable[tuple[object, object, object, object]]) -> list[list[object]]:
    rows: list[list[object]] = [["APBDes Desa Sukamaju"], ["Tahun Anggaran 2026"], [], list(HEADER),
                                ["", "PENDAPATAN", None, None]]
    for code, name, budget, realised in lines:
        if code in ("BELANJA", "PEMBIAYAAN"):
            rows.append(["", code, None, None])
        else:
            rows.append([code, name, budget, realised])
    return rows


def good_sheet() -> bytes:
    return workbook_bytes(_rows(GOOD_LINES))


def sheet_with(lines: Iterable[tuple[object, object, object, object]]) -> bytes:
    """A clean sheet whose lines are `lines` (use 'BELANJA' / 'PEMBIAYAAN' codes for the headings)."""
    return workbook_bytes(_rows(lines))


def messy_sheet() -> bytes:
    """What offices really send: title block, header on row 6 in other words, a ratio column, amounts as text,
    subtotal and JUMLAH rows, lettered headings, a code typed as a number, a trailing dot, empty realisation."""
    rows: list[list[object]] = [
        ["PEMERINTAH DESA SUKAMAJU"],
        ["ANGGARAN PENDAPATAN DAN BELANJA DESA"],
        ["TAHUN ANGGARAN 2025"],
        [],
        [],
        ["No", "KODE REK.", "URAIAN", "ANGGARAN (Rp)", "REALISASI (Rp)", "Realisasi (%)", "Keterangan"],
        [None, None, "A. PENDAPATAN", None, None, None, None],
        [1, "4.1", "Pendapatan Asli Desa", "40.000.000", "35.000.000", "87,5", None],
        [2, "4.1.1", "Hasil Usaha Desa", "Rp 25.000.000,00", "Rp 20.000.000", None, None],
        [3, "4.1.2", "Hasil Aset Desa", 15000000, 15000000.0, None, None],
        [4, "4.2.1", "Dana Desa", "850.000.000", "800.000.000", None, None],
        [5, " 4.2.3 ", "Alokasi  Dana Desa", "400,000,000", None, None, "belum cair"],
        [6, 4.3, "Pendapatan Lain-lain", "5.000.000", "-", None, None],
        [None, None, "JUMLAH PENDAPATAN", "1.295.000.000", None, None, None],
        [None, None, "B. BELANJA", None, None, None, None],
        [7, "4", "Bidang Pemberdayaan Masyarakat Desa", "250.000.000", None, None, None],
        [8, "4.1", "Sub Bidang Kelautan dan Perikanan", "50.000.000", "10.000.000", None, None],
        [9, "4.3.01.", "Pelatihan Pengelola BUMDes", "200.000.000", "100.000.000", None, None],
        [10, "2.2.01", "Pembangunan Jalan Desa", 500000000, 450000000.4, None, None],
        [None, None, "JUMLAH BELANJA", "750.000.000", None, None, None],
        [None, None, "SURPLUS / (DEFISIT)", "545.000.000", None, None, None],
        [None, None, None, None, None, None, None],
        [None, "6", "PEMBIAYAAN", None, None, None, None],
        [11, "6.1.1", "SiLPA", "20.000.000", "20.000.000", None, None],
    ]
    return workbook_bytes(rows, title="Lampiran I")
