"""Reading APBDes sheets as offices really make them: header spellings, section headings, codes typed as
numbers, amounts as text, subtotal and JUMLAH rows; and the per-row findings of the dry run."""

from __future__ import annotations

import pytest

from kiosk.budget_rules import BudgetRuleError, clean_code, parse_amount
from kiosk.importing.budget_sheet import MAX_ROWS, SheetError, read_budget, write_template
from tests.support.budget_sheets import good_sheet, messy_sheet, workbook_bytes


@pytest.mark.parametrize(("text", "amount", "rounded"), [
    ("1.250.000", 1_250_000, False), ("Rp 1.250.000", 1_250_000, False), ("Rp1.250.000,-", 1_250_000, False),
    ("1.250.000,00", 1_250_000, False), ("1,250,000", 1_250_000, False), ("1250000", 1_250_000, False),
    ("Rp. 850.000.000,00", 850_000_000, False), ("IDR 5.000", 5_000, False), ("\u00a01.000\u00a0", 1_000, False),
    (1_250_000, 1_250_000, False), (1_250_000.0, 1_250_000, False), (1_250_000.4, 1_250_000, True),
    ("1.250.000,50", 1_250_000, True), ("-", 0, False), ("", 0, False), (None, 0, False),
])
def test_amounts_as_offices_type_them(text: object, amount: int, rounded: bool) -> None:
    assert parse_amount(text, required=False) == (amount, rounded)


@pytest.mark.parametrize(("text", "key"), [
    ("-1.000", "budget.amount_negative"), ("(1.000)", "budget.amount_negative"), (-0.5, "budget.amount_negative"),
    ("satu juta", "budget.amount_not_number"), ("1.25.000", "budget.amount_not_number"), (True, "budget.amount_not_number"),
    ("1e9", "budget.amount_not_number"), (float("nan"), "budget.amount_not_number"),
    ("99.999.999.999.999.999", "budget.amount_too_large"),
])
def test_amounts_that_are_refused(text: object, key: str) -> None:
    with pytest.raises(BudgetRuleError) as refused:
        parse_amount(text)
    assert refused.value.key == key


def test_codes_are_normalised() -> None:
    assert clean_code(" 2. 2. 01. ") == "2.2.01"
    assert clean_code(4.3) == "4.3"
    assert clean_code(4.0) == "4"
    with pytest.raises(BudgetRuleError):
        clean_code("2..1")


def test_the_clean_sheet_reads_without_findings() -> None:
    sheet = read_budget(good_sheet(), "apbdes.xlsx")
    assert (sheet.sheet, sheet.header_row, sheet.year_hint, len(sheet.lines), sheet.issues) == (
        "APBDes", 4, 2026, 18, [])
    assert {line.section for line in sheet.lines} == {"pendapatan", "belanja", "pembiayaan"}


def test_the_messy_sheet_reads_row_by_row() -> None:
    sheet = read_budget(messy_sheet(), "LAMPIRAN.XLSX")
    assert (sheet.sheet, sheet.header_row, sheet.year_hint) == ("Lampiran I", 6, 2025)
    got = {(line.section, line.code): (line.row, line.budget, line.realised) for line in sheet.lines}
    assert got[("pendapatan", "4.1.1")] == (9, 25_000_000, 20_000_000)
    assert got[("pendapatan", "4.2.3")] == (12, 400_000_000, 0)        # realisation empty -> 0
    assert got[("pendapatan", "4.3")] == (13, 5_000_000, 0)            # a code typed as a number, "-" realisation
    assert got[("belanja", "4.1")] == (17, 50_000_000, 10_000_000)     # 4.1 again, now a sub-bidang of bidang 4
    assert got[("belanja", "4.3.01")][0] == 18                          # "4.3.01." with a trailing dot
    assert ("pembiayaan", "6.1.1") in got
    assert [(issue.row, issue.key) for issue in sheet.issues] == [(19, "budget.amount_rounded")]


def test_findings_a_dry_run_reports() -> None:
    data = workbook_bytes([
        ["Kd Rek", "Uraian Kegiatan", "Pagu", "Jumlah Realisasi", "Kelompok"],
        ["4.2", "Transfer", 100, 0, "Pendapatan"],
        ["4.2.1", "Dana Desa", 80, 0, "Pendapatan"],
        ["4.2.3", "ADD", 30, 0, "Pendapatan"],             # 80 + 30 is not the 100 above
        ["2.2.01", "Jalan", 50, 60, "Belanja"],             # realised more than budgeted
        [None, "catatan tanpa kode", 5, None, None],         # skipped, with a warning
        [None, "Jumlah Belanja", 50, None, None],            # a total row: skipped quietly
        ["4.1", "Kelautan", 10, 0, "Belanja"],               # the Kelompok column decides the section
    ])
    sheet = read_budget(data, "a.xlsm")
    assert [(issue.row, issue.column, issue.level, issue.key) for issue in sheet.issues] == [
        (2, "anggaran", "warning", "budget.parent_mismatch"),
        (5, "realisasi", "warning", "budget.realised_over"),
        (6, "kode", "warning", "budget.row_no_code_skipped"),
    ]
    assert sheet.issues[0].params == {"value": "Rp 100", "total": "Rp 110"}
    assert [(line.section, line.code) for line in sheet.lines] == [
        ("pendapatan", "4.2"), ("pendapatan", "4.2.1"), ("pendapatan", "4.2.3"), ("belanja", "2.2.01"),
        ("belanja", "4.1")]


def test_whole_file_refusals() -> None:
    with pytest.raises(SheetError) as refused:
        read_budget(workbook_bytes([["Kode", "Uraian"]] + [["2.1", "x"]]), "a.xlsx")
    assert refused.value.key == "budget.file_columns" and refused.value.params == {"columns": "anggaran"}
    with pytest.raises(SheetError) as refused:
        read_budget(workbook_bytes([["Kode", "Uraian", "Anggaran"]] + [["2.1", "x", 1]] * (MAX_ROWS + 1)), "a.xlsx")
    assert refused.value.key == "budget.file_too_many_rows"
    with pytest.raises(SheetError) as refused:
        read_budget(good_sheet(), "apbdes.ods")
    assert refused.value.key == "budget.file_extension" and refused.value.params["value"] == ".ods"


def test_template_has_one_sheet_the_reader_finds() -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    data = write_template(2026, "Sukamaju", [("belanja", "2.2.01", "Jalan & Jembatan", 500, 10)])
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["APBDes"]
    assert book["APBDes"]["A2"].value == "Tahun Anggaran 2026"
    assert [c.value for c in book["APBDes"][4]] == ["Kode Rekening", "Uraian", "Anggaran (Rp)", "Realisasi (Rp)"]
    sheet = read_budget(data, "templat.xlsx")
    assert [(line.section, line.code, line.name, line.budget, line.realised) for line in sheet.lines] == [
        ("belanja", "2.2.01", "Jalan & Jembatan", 500, 10)]
    assert sheet.year_hint == 2026 and sheet.issues == []


@pytest.mark.parametrize("name", [
    "Pembangunan Jalan; Drainase", "Honor RT/RW -- triwulan I", "Sarana & Prasarana (Tahap 1)",
    "Kegiatan 2024--2025", "Belanja > Rp 10 juta?", "Insentif Guru PAUD/TK 'Melati'", "Posyandu Lansia: 12x",
])
def test_ordinary_descriptions_are_not_mistaken_for_markup_or_sql(name: str) -> None:
    from kiosk.budget_rules import clean_name

    assert clean_name(name) == name
