"""The village budget service: years, hand-typed lines, import (dry run, commit, refusals that change
nothing), publishing, and the totals and bars residents see."""

from __future__ import annotations

import pytest

from kiosk.budget_rules import format_percent, format_rupiah
from kiosk.i18n import translate
from kiosk.models import AuditLog, BudgetLine, BudgetYear
from kiosk.services import budget
from kiosk.services.errors import ServiceError
from tests.support.budget_sheets import (GOOD_INCOME, GOOD_INCOME_REALISED, GOOD_SPENDING, GOOD_SPENDING_REALISED,
                                         good_sheet, messy_sheet, sheet_with, workbook_bytes)

pytestmark = pytest.mark.usefixtures("db")


def _refused(call, *args, **kwargs) -> ServiceError:  # noqa: ANN001
    with pytest.raises(ServiceError) as refused:
        call(*args, **kwargs)
    return refused.value


def _snapshot() -> tuple[list[tuple], list[tuple]]:
    years = list(BudgetYear.select(BudgetYear.year, BudgetYear.published).order_by(BudgetYear.year).tuples())
    lines = list(BudgetLine.select(BudgetLine.section, BudgetLine.code, BudgetLine.name, BudgetLine.budget,
                                   BudgetLine.realised).order_by(BudgetLine.id).tuples())
    return years, lines


def test_rupiah_and_percent_formatting() -> None:
    assert format_rupiah(1_250_000) == "Rp 1.250.000"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(-75_000_000) == "-Rp 75.000.000"
    assert budget.rupiah(999) == "Rp 999"
    assert format_percent(875, 1000) == "87,5%"
    assert format_percent(5, 5) == "100%"
    assert format_percent(1, 0) == "0%"


def test_years_and_hand_typed_lines_with_audit() -> None:
    assert budget.years() == []
    assert budget.create_year("2026", actor="siti", client="10.0.0.5") == 2026
    assert _refused(budget.create_year, 2026, actor="siti").key == "budget.year_exists"
    assert _refused(budget.create_year, "dua ribu", actor="siti").key == "budget.year_invalid"
    assert _refused(budget.create_year, 1999, actor="siti").key == "budget.year_invalid"

    income = budget.add_line(2026, "pendapatan", "4.2.1", "Dana Desa", "850.000.000", "", actor="siti")
    spend = budget.add_line(2026, "belanja", "2.2.01", "  Pembangunan   Jalan ", "Rp 500.000.000", 450_000_000,
                            actor="siti")
    # The same code may exist in two sections (4.1 is income and a sub-bidang of bidang 4), not twice in one.
    budget.add_line(2026, "pendapatan", "4.1", "Pendapatan Asli Desa", 10, 0, actor="siti")
    budget.add_line(2026, "belanja", "4.1", "Kelautan dan Perikanan", 20, 0, actor="siti")
    assert _refused(budget.add_line, 2026, "belanja", "4.1", "Lagi", 1, actor="siti").key == "budget.code_taken"

    found = budget.lines(2026)
    assert [(line.section, line.code) for line in found] == [
        ("pendapatan", "4.1"), ("pendapatan", "4.2.1"), ("belanja", "2.2.01"), ("belanja", "4.1")]
    assert found[1].budget == 850_000_000 and found[1].realised == 0
    assert found[2].name == "Pembangunan Jalan"

    budget.update_line(spend, "belanja", "2.2.02", "Jalan Usaha Tani", "600.000.000", "100.000", actor="budi")
    assert [(line.code, line.budget, line.realised) for line in budget.lines(2026) if line.id == spend] == [
        ("2.2.02", 600_000_000, 100_000)]
    budget.delete_line(income, actor="budi")
    assert all(line.id != income for line in budget.lines(2026))
    assert _refused(budget.delete_line, income, actor="budi").key == "budget.line_unknown"
    assert [info.lines for info in budget.years()] == [3]

    actions = [row.action for row in AuditLog.select().where(AuditLog.action.startswith("budget."))]
    assert actions == ["budget.year.create", "budget.line.add", "budget.line.add", "budget.line.add",
                       "budget.line.add", "budget.line.edit", "budget.line.delete"]


@pytest.mark.parametrize(("section", "code", "name", "amount", "realised", "key"), [
    ("belanja", "7.1", "Bidang tak dikenal", 1, 0, "budget.bidang_unknown"),
    ("belanja", "0", "Nol", 1, 0, "budget.bidang_unknown"),
    ("pendapatan", "5.1", "Bukan pendapatan", 1, 0, "budget.code_not_income"),
    ("pendapatan", "4", "Tanpa kelompok", 1, 0, "budget.code_income_group"),
    ("pembiayaan", "6.3", "Salah", 1, 0, "budget.code_financing_group"),
    ("pembiayaan", "4.1", "Salah", 1, 0, "budget.code_not_financing"),
    ("lainnya", "4.1", "Salah", 1, 0, "budget.section_invalid"),
    ("belanja", "2.a", "Kode huruf", 1, 0, "budget.code_invalid"),
    ("belanja", "", "Tanpa kode", 1, 0, "budget.code_missing"),
    ("belanja", "2.1", "", 1, 0, "budget.name_missing"),
    ("belanja", "2.1", "x" * 201, 1, 0, "budget.name_too_long"),
    ("belanja", "2.1", "<script>alert(1)</script>", 1, 0, "budget.name_markup"),
    ("belanja", "2.1", "Jalan <b>desa</b>", 1, 0, "budget.name_markup"),
    ("belanja", "2.1", "<img src=x onerror=alert(1)>", 1, 0, "budget.name_markup"),
    ("belanja", "2.1", "Jalan'; DROP TABLE budget_line; --", 1, 0, "budget.name_sql"),
    ("belanja", "2.1", "1' OR '1'='1", 1, 0, "budget.name_sql"),
    ("belanja", "2.1", "x UNION SELECT password FROM user", 1, 0, "budget.name_sql"),
    ("belanja", "2.1", "Jalan\x00desa", 1, 0, "budget.name_control"),
    ("belanja", "2.1", "Jalan", "-500.000", 0, "budget.amount_negative"),
    ("belanja", "2.1", "Jalan", -1, 0, "budget.amount_negative"),
    ("belanja", "2.1", "Jalan", "lima juta", 0, "budget.amount_not_number"),
    ("belanja", "2.1", "Jalan", "1.25.000", 0, "budget.amount_not_number"),
    ("belanja", "2.1", "Jalan", "", 0, "budget.amount_missing"),
    ("belanja", "2.1", "Jalan", 10 ** 14, 0, "budget.amount_too_large"),
    ("belanja", "2.1", "Jalan", 1000, "(500)", "budget.amount_negative"),
])
def test_a_bad_line_is_refused_and_changes_nothing(section: str, code: str, name: str, amount: object,
                                                   realised: object, key: str) -> None:
    budget.create_year(2026, actor="siti")
    budget.add_line(2026, "belanja", "2.1", "Posyandu", 1000, 0, actor="siti")
    before = _snapshot()
    audits = AuditLog.select().count()
    error = _refused(budget.add_line, 2026, section, code, name, amount, realised, actor="siti")
    assert error.key == key
    line_id = budget.lines(2026)[0].id
    assert _refused(budget.update_line, line_id, section, code, name, amount, realised, actor="siti").key == key
    assert _snapshot() == before and AuditLog.select().count() == audits
    # Every refusal has words in both languages, never the bare key.
    for lang in ("id", "en"):
        assert translate(key, lang, **error.params) != key


def test_import_dry_run_then_commit_replaces_the_year_in_one_go() -> None:
    budget.create_year(2026, actor="siti")
    budget.add_line(2026, "belanja", "3.1", "Baris lama", 1, 0, actor="siti")
    before = _snapshot()

    report = budget.plan_import(good_sheet(), "apbdes-2026.xlsx", 2026)
    assert (report.lines, report.errors, report.warnings, report.replaced) == (18, 0, 0, 1)
    assert report.income == GOOD_INCOME and report.spending == GOOD_SPENDING
    assert report.sections == {"pendapatan": 7, "belanja": 9, "pembiayaan": 2}
    assert _snapshot() == before  # a dry run writes nothing

    saved = budget.commit_import(good_sheet(), "apbdes-2026.xlsx", 2026, actor="siti", client="10.0.0.5")
    assert saved.lines == 18 and saved.replaced == 1
    assert "Baris lama" not in {line.name for line in budget.lines(2026)}
    assert len(budget.lines(2026)) == 18
    bidang_one = next(line for line in budget.lines(2026) if line.section == "belanja" and line.code == "1")
    assert bidang_one.parent and (bidang_one.sum_budget, bidang_one.sum_realised) == (460_000_000, 420_000_000)
    assert not next(line for line in budget.lines(2026) if line.code == "1.1.01").parent
    entry = AuditLog.select().where(AuditLog.action == "budget.import").get()
    assert entry.target == "2026" and entry.actor == "siti" and "18 baris" in entry.detail

    # Importing the same file again changes nothing but the audit trail; a new year is created by an import.
    budget.commit_import(good_sheet(), "apbdes-2026.xlsx", 2026, actor="siti")
    assert len(budget.lines(2026)) == 18
    budget.commit_import(good_sheet(), "apbdes-2025.xlsx", 2025, actor="siti")
    assert [info.year for info in budget.years()] == [2026, 2025]
    assert [issue.key for issue in budget.plan_import(good_sheet(), "a.xlsx", 2025).issues] == [
        "budget.year_mismatch"]


def test_messy_real_world_sheet_reads_with_subtotals_counted_once() -> None:
    report = budget.plan_import(messy_sheet(), "Lampiran APBDes.XLSX", 2025)
    assert report.errors == 0
    assert report.sheet == "Lampiran I" and report.header_row == 6
    assert report.lines == 11
    # 4.1 (40 jt) is the parent of 4.1.1 + 4.1.2: counted once. Income 25+15+850+400+5 = 1.295 M.
    assert report.income == 1_295_000_000
    # Bidang 4 (250 jt) is the parent of 4.1 (50) and 4.3.01 (200); plus 2.2.01 (500).
    assert report.spending == 750_000_000
    assert [(issue.row, issue.key) for issue in report.issues] == [(19, "budget.amount_rounded")]
    budget.commit_import(messy_sheet(), "Lampiran APBDes.XLSX", 2025, actor="siti")
    budget.set_published(2025, True, actor="siti")
    summary = budget.summary(2025)
    assert summary is not None
    assert (summary.income.budget, summary.spending.budget) == (1_295_000_000, 750_000_000)
    assert {bar.key: bar.budget for bar in summary.bidang}["4"] == 250_000_000
    assert {bar.key for bar in summary.income_groups} == {"pades", "dana_desa", "add", "lain"}
    assert summary.financing_in.budget == 20_000_000


BAD_FILES = {
    "csv renamed": (b"Kode,Uraian,Anggaran\n4.1,PADesa,1000\n", "apbdes.xlsx", "budget.file_not_excel"),
    "picture renamed": (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "apbdes.xlsx", "budget.file_not_excel"),
    "html saved as xls": (b"<html><table><tr><td>4.1</td></tr></table></html>", "apbdes.xls",
                          "budget.file_not_excel"),
    "broken zip": (b"PK\x03\x04" + b"\0" * 200, "apbdes.xlsx", "budget.file_not_excel"),
    "empty": (b"", "apbdes.xlsx", "budget.file_not_excel"),
    "csv extension": (b"Kode,Uraian\n", "apbdes.csv", "budget.file_extension"),
    "pdf": (b"%PDF-1.4\n%%EOF", "apbdes.pdf", "budget.file_extension"),
    "too large": (b"PK\x03\x04" + b"\0" * (5 * 1024 * 1024 + 1), "apbdes.xlsx", "budget.file_too_large"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_is_not_a_usable_sheet_is_refused(case: str) -> None:
    budget.commit_import(good_sheet(), "a.xlsx", 2026, actor="siti")
    before = _snapshot()
    data, name, key = BAD_FILES[case]
    assert _refused(budget.plan_import, data, name, 2026).key == key
    error = _refused(budget.commit_import, data, name, 2026, actor="siti")
    assert error.key == key and error.status in (413, 422, 400)
    assert _snapshot() == before
    assert translate(key, "id", **error.params) != key and translate(key, "en", **error.params) != key


def test_missing_columns_and_no_lines_are_refused() -> None:
    no_amounts = workbook_bytes([["Kode", "Uraian", "Keterangan"], ["4.1", "PADesa", ""]])
    error = _refused(budget.plan_import, no_amounts, "a.xlsx", 2026)
    assert error.key == "budget.file_columns" and error.params["columns"] == "anggaran"
    headings_only = workbook_bytes([["Kode", "Uraian", "Anggaran"], ["", "PENDAPATAN", None]])
    assert _refused(budget.plan_import, headings_only, "a.xlsx", 2026).key == "budget.file_no_lines"


BAD_ROWS = [
    (("4.2.1", "Dana Desa", "-850.000.000", None), "anggaran", "budget.amount_negative"),
    (("4.2.1", "Dana Desa", "delapan ratus", None), "anggaran", "budget.amount_not_number"),
    (("4.2.1", "Dana Desa", 850, "banyak"), "realisasi", "budget.amount_not_number"),
    (("4.2.1", "Dana Desa", 850, -5), "realisasi", "budget.amount_negative"),
    (("4.2.1", "Dana Desa", None, 5), "anggaran", "budget.amount_missing"),
    (("4.2.1", "<script>alert('x')</script>", 850, 0), "uraian", "budget.name_markup"),
    (("4.2.1", "Dana'; DELETE FROM budget_line; --", 850, 0), "uraian", "budget.name_sql"),
    (("4.2.1", None, 850, 0), "uraian", "budget.name_missing"),
    (("4.9", "Pendapatan aneh", 850, 0), "kode", "budget.code_income_group"),
    (("4.x", "Kode rusak", 850, 0), "kode", "budget.code_invalid"),
]


@pytest.mark.parametrize(("line", "column", "key"), BAD_ROWS)
def test_a_bad_row_is_reported_by_row_and_nothing_is_saved(line: tuple, column: str, key: str) -> None:
    budget.commit_import(good_sheet(), "a.xlsx", 2026, actor="siti")
    before = _snapshot()
    data = sheet_with([("4.1", "Pendapatan Asli Desa", 10, 0), line])
    report = budget.plan_import(data, "b.xlsx", 2026)
    assert [(issue.row, issue.column, issue.level, issue.key) for issue in report.issues] == [
        (7, column, "error", key)]
    error = _refused(budget.commit_import, data, "b.xlsx", 2026, actor="siti")
    assert error.key == "budget.import_has_errors" and error.params == {"errors": 1}
    assert _snapshot() == before


def test_unknown_bidang_and_duplicate_codes_in_a_sheet() -> None:
    data = sheet_with([("4.1", "PADesa", 10, 0), ("BELANJA", None, None, None), ("7.1", "Bidang tujuh", 5, 0),
                       ("2.1", "Posyandu", 5, 0), ("2.1", "Posyandu lagi", 5, 0)])
    report = budget.plan_import(data, "a.xlsx", 2026)
    assert [(issue.row, issue.key, issue.params.get("first_row")) for issue in report.issues] == [
        (8, "budget.bidang_unknown", None), (10, "budget.code_duplicate", 9)]
    assert _refused(budget.commit_import, data, "a.xlsx", 2026, actor="siti").key == "budget.import_has_errors"
    assert budget.years() == []


def test_publishing_and_what_residents_see() -> None:
    budget.commit_import(good_sheet(), "a.xlsx", 2026, actor="siti")
    budget.commit_import(good_sheet(), "a.xlsx", 2025, actor="siti")
    budget.create_year(2027, actor="siti")
    assert budget.summary(2026) is None  # drafts are not for residents
    assert budget.summary(2026, published_only=False) is not None
    assert budget.latest_published() is None
    assert _refused(budget.set_published, 2027, True, actor="siti").key == "budget.publish_empty"
    assert _refused(budget.set_published, 2030, True, actor="siti").key == "budget.year_unknown"
    budget.set_published(2026, True, actor="siti")
    budget.set_published(2025, True, actor="siti")
    assert budget.latest_published() == 2026
    assert [info.year for info in budget.years(published_only=True)] == [2026, 2025]
    budget.set_published(2026, False, actor="siti")
    assert budget.latest_published() == 2025
    budget.set_published(2026, True, actor="siti")

    summary = budget.summary(2026)
    assert summary is not None and summary.published
    assert (summary.income.budget, summary.income.realised) == (GOOD_INCOME, GOOD_INCOME_REALISED)
    assert (summary.spending.budget, summary.spending.realised) == (GOOD_SPENDING, GOOD_SPENDING_REALISED)
    assert summary.surplus == 75_000_000
    assert summary.financing_net == -40_000_000
    assert [bar.key for bar in summary.bidang] == ["1", "2", "3", "4", "5"]
    assert [bar.budget for bar in summary.bidang] == [460_000_000, 560_000_000, 30_000_000, 200_000_000,
                                                      60_000_000]
    assert summary.bidang[1].percent_text == "90,1%"  # 505 of 560 million, rounded down
    assert [bar.key for bar in summary.income_groups] == ["pades", "dana_desa", "bagi_hasil", "add", "bantuan",
                                                          "lain"]
    assert [bar.name for bar in summary.activities["2"]] == ["Penyelenggaraan Posyandu",
                                                             "Pembangunan Jalan Desa & Drainase"]


def test_template_reads_back_and_carries_the_year() -> None:
    fresh = budget.template(2026, "Sukamaju")
    assert fresh.startswith(b"PK")
    report = budget.plan_import(fresh, "templat.xlsx", 2026)  # standard lines, amounts still to fill in
    assert report.errors == 14 and {issue.key for issue in report.issues} == {"budget.amount_missing"}
    budget.commit_import(good_sheet(), "a.xlsx", 2026, actor="siti")
    filled = budget.template(2026, "Sukamaju")
    again = budget.plan_import(filled, "templat.xlsx", 2026)
    assert again.errors == 0 and again.lines == 18 and again.income == GOOD_INCOME
