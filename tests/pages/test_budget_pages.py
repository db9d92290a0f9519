"""The village budget end to end: the operator adds a year, types and edits lines, imports a sheet after its
dry run, publishes; residents see it on the phone page, the kiosk and the kiosk's menu; drafts stay hidden;
stored text is always shown escaped; viewers cannot reach the operator page."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from kiosk.db import database
from kiosk.models import BudgetLine, BudgetYear
from kiosk.services import accounts, budget
from tests.pages import state
from tests.pages.test_operator_pages import login
from tests.support.budget_sheets import good_sheet, sheet_with

PASSWORD = "loket-satu-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
THIS_YEAR = date.today().year


async def _as_operator(user: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(user, "siti", PASSWORD)
    await user.should_see("Loket saya", retries=30)


async def _upload(user: User, name: str, content_type: str, data: bytes) -> None:
    upload = next(iter(user.find(marker="budget-upload").elements))
    assert isinstance(upload, ui.upload)
    with user:
        await upload.handle_uploads([SmallFileUpload(name, content_type, data)])


def _lines(year: int) -> list[tuple]:
    return list(BudgetLine.select(BudgetLine.section, BudgetLine.code, BudgetLine.name, BudgetLine.budget,
                                  BudgetLine.realised).join(BudgetYear).where(BudgetYear.year == year)
                .order_by(BudgetLine.id).tuples())


async def test_operator_enters_imports_and_publishes_a_year(office: User) -> None:
    await _as_operator(office)
    await office.should_see(marker="nav-budget")
    await office.open("/operator/budget")
    await office.should_see("Anggaran Desa (APBDes)", retries=30)
    await office.should_see(marker="budget-status", retries=30)  # the demo's current year, published

    office.find(marker="budget-new-year").type("20x0")
    office.find(marker="budget-add-year").click()
    await office.should_see("Tahun anggaran harus antara 2000 dan 2100.", retries=30)
    office.find(marker="budget-new-year").clear().type("2031")
    office.find(marker="budget-add-year").click()
    await office.should_see("Tahun 2031 ditambahkan.", retries=30)
    await office.should_see("Tahun ini belum berisi baris.", retries=30)
    await office.should_see("Draf (belum tampil untuk warga)")

    # Hand-typed lines: bad input gets a clear message and changes nothing.
    office.find(marker="budget-line-code").type("7.1")
    office.find(marker="budget-line-name").type("Bidang tujuh")
    office.find(marker="budget-line-amount").type("1.250.000")
    office.find(marker="budget-line-add").click()
    await office.should_see("Bidang belanja 7.1 tidak dikenal: bidang hanya 1 sampai 5.", retries=30)
    office.find(marker="budget-line-code").clear().type("2.2.01")
    office.find(marker="budget-line-name").clear().type("<script>alert(1)</script>")
    office.find(marker="budget-line-add").click()
    await office.should_see("Uraian tidak boleh berisi kode HTML atau skrip", retries=30)
    office.find(marker="budget-line-name").clear().type("Jalan Desa & Jembatan")
    office.find(marker="budget-line-amount").clear().type("-5")
    office.find(marker="budget-line-add").click()
    await office.should_see("Jumlah tidak boleh negatif", retries=30)
    assert _lines(2031) == []
    office.find(marker="budget-line-amount").clear().type("1.250.000")
    office.find(marker="budget-line-add").click()
    await office.should_see("Baris ditambahkan.", retries=30)
    await office.should_see("Rp 1.250.000", retries=30)
    await office.should_see("Jalan Desa & Jembatan")
    assert _lines(2031) == [("belanja", "2.2.01", "Jalan Desa & Jembatan", 1_250_000, 0)]

    # Edit through the dialog, then delete.
    office.find(marker="budget-line-edit").click()
    await office.should_see(marker="budget-edit-dialog", retries=30)
    amount = [e for e in office.find(marker="budget-line-amount").elements if e.value == "1.250.000"]
    assert len(amount) == 1
    with office:
        amount[0].set_value("2.000.000")
    office.find(marker="budget-edit-save").click()
    await office.should_see("Baris disimpan.", retries=30)
    await office.should_see("Rp 2.000.000", retries=30)
    assert _lines(2031)[0][3] == 2_000_000
    office.find(marker="budget-line-delete").click()
    office.find(marker="budget-delete-confirm").click()
    await office.should_see("Baris dihapus.", retries=30)
    await office.should_see("Tahun ini belum berisi baris.", retries=30)

    # A draft year with no lines cannot be published.
    office.find(marker="budget-publish").click()
    await office.should_see("belum berisi baris anggaran", retries=30)

    # Import: a file that is not a sheet, then a sheet with a bad row, then a good one after its dry run.
    await _upload(office, "apbdes.xlsx", XLSX, b"Kode;Uraian;Anggaran\n4.1;PADes;1000\n")
    await office.should_see("apbdes.xlsx: Berkas ini bukan lembar Excel yang dapat dibaca", retries=30)
    await _upload(office, "apbdes.xlsx", XLSX, sheet_with([("4.1", "PADes", "sepuluh juta", 0)]))
    await office.should_see("1 kesalahan", retries=30)
    [table] = office.find(marker="budget-import-issues").elements
    assert [(row["row"], row["column"], row["level"], row["message"]) for row in table.rows] == [
        (1, "tahun", "Peringatan", "Lembar ini menyebut tahun 2026, tetapi akan disimpan sebagai tahun 2031."),
        (6, "anggaran", "Kesalahan", "Jumlah \"sepuluh juta\" bukan angka rupiah. Tulis misalnya 1250000 atau "
                                     "1.250.000.")]
    await office.should_see(marker="budget-import-blocked")
    await office.should_not_see(marker="budget-import-commit")
    await _upload(office, "apbdes-2026.xlsx", XLSX, good_sheet())
    await office.should_see("18 baris terbaca", retries=30)
    await office.should_see(marker="budget-import-issues")
    assert _lines(2031) == []  # the dry run wrote nothing
    office.find(marker="budget-import-commit").click()
    await office.should_see("18 baris disimpan ke tahun 2031.", retries=30)
    assert len(_lines(2031)) == 18
    await office.should_see("Pendapatan Rp 1.385.000.000 · Belanja Rp 1.310.000.000 · Surplus Rp 75.000.000",
                            retries=30)

    # The template holds the year's own lines, ready to edit and import back.
    office.find(marker="budget-template").click()
    download = await office.download.next(timeout=10)
    assert download.content.startswith(b"PK")
    again = budget.plan_import(download.content, "apbdes-2031.xlsx", 2031)
    assert (again.lines, again.errors, again.warnings) == (18, 0, 0)

    # Not for residents until published.
    assert (await office.http_client.get("/m/budget/2031")).status_code == 404
    office.find(marker="budget-publish").click()
    await office.should_see("Tahun 2031 diterbitkan.", retries=30)
    phone = await office.http_client.get("/m/budget")
    assert phone.status_code == 200 and "APBDes 2031" in phone.text  # the newest published year
    assert "Pembangunan Jalan Desa &amp; Drainase" in phone.text
    office.find(marker="budget-unpublish").click()
    await office.should_see("Tahun 2031 tidak lagi tampil untuk warga.", retries=30)
    assert (await office.http_client.get("/m/budget/2031")).status_code == 404


async def test_viewer_cannot_reach_the_operator_page(office: User) -> None:
    accounts.create_user("budi", PASSWORD, "viewer", actor="test")
    await login(office, "budi", PASSWORD)
    await office.should_see("Daftar tunggu", retries=30)
    await office.should_not_see(marker="nav-budget")
    await office.open("/operator/budget")
    await office.should_not_see(marker="budget-add-year")
    await office.should_not_see(marker="budget-upload")


def _legacy_markup_line(year: int) -> None:
    """Text that came in before the rules (or straight into the database): it must still show as text."""
    with database.atomic():
        row = BudgetYear.get(BudgetYear.year == year)
        BudgetLine.create(uuid="legacy-1", year=row.id, section="belanja", code="3.9.99",
                          name='<img src=x onerror="alert(1)"> Posyandu <b>Melati</b>', budget=1_000, realised=0)


async def test_phone_page_shows_rupiah_bars_and_years_escaped(office: User) -> None:
    http = office.http_client
    home = await http.get("/m")
    assert 'href="/m/budget?lang=id"' in home.text and "Anggaran desa (APBDes)" in home.text
    _legacy_markup_line(THIS_YEAR)
    page = await http.get("/m/budget")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    assert "cdn" not in html.lower() and "echarts" not in html.lower() and len(page.content) < 60_000
    assert f"APBDes {THIS_YEAR}" in html
    assert f'href="/m/budget/{THIS_YEAR - 1}?lang=id"' in html
    assert "Belanja per bidang" in html and "Pendapatan per sumber" in html
    assert html.count('data-testid="bar-row"') >= 5 + 6
    assert "Dana Desa" in html and "Rp 980.000.000" in html
    assert "Pelaksanaan Pembangunan Desa" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Posyandu &lt;b&gt;Melati&lt;/b&gt;" in html
    assert "<img src=x" not in html and "<b>Melati" not in html

    earlier = await http.get(f"/m/budget/{THIS_YEAR - 1}?lang=en")
    assert earlier.status_code == 200
    assert f"Budget {THIS_YEAR - 1}" in earlier.text and "Spending by sector" in earlier.text
    assert "Rp " in earlier.text and f'href="/m/budget/{THIS_YEAR - 1}?lang=id"' in earlier.text
    for wrong in ("1999", "abc", "%3Cscript%3E", "20261"):
        missing = await http.get(f"/m/budget/{wrong}")
        assert missing.status_code == 404 and "Anggaran desa belum diterbitkan." in missing.text, wrong
        assert "<script>" not in missing.text

    budget.set_published(THIS_YEAR, False, actor="test")
    budget.set_published(THIS_YEAR - 1, False, actor="test")
    none = await http.get("/m/budget")
    assert none.status_code == 200 and "Anggaran desa belum diterbitkan." in none.text
    assert "Rp " not in none.text


async def test_kiosk_page_home_tile_year_switch_and_back(office: User) -> None:
    _legacy_markup_line(THIS_YEAR)
    await office.open("/kiosk")
    await office.should_see(marker="kiosk-budget", retries=30)
    await office.should_see(f"APBDes {THIS_YEAR}")
    office.find(marker="kiosk-budget").click()
    await office.should_see(marker="kiosk-budget-body", retries=30)
    await office.should_see(f"APBDes {THIS_YEAR}", retries=30)
    await office.should_see("Belanja per bidang")
    await office.should_see("Pendapatan per sumber")
    await office.should_see(marker="kiosk-budget-income")
    income = sum(line[3] for line in _lines(THIS_YEAR) if line[0] == "pendapatan")
    await office.should_see(budget.rupiah(income))
    assert len(office.find(marker="kiosk-budget-bar").elements) >= 5
    await office.should_not_see(ui.html)  # text is set as text: nothing on the page renders HTML

    office.find(marker=f"kiosk-budget-year-{THIS_YEAR - 1}").click()
    await office.should_see(f"APBDes {THIS_YEAR - 1}", retries=30)
    office.find(marker="kiosk-budget-language").click()
    await office.should_see(f"Budget {THIS_YEAR - 1}", retries=30)  # English, the chosen year kept
    await office.should_see("Spending by sector")
    office.find(marker="kiosk-budget-back").click()
    await office.should_see(marker="kiosk-budget", retries=30)

    budget.set_published(THIS_YEAR, False, actor="test")
    budget.set_published(THIS_YEAR - 1, False, actor="test")
    await office.open("/kiosk/budget")
    await office.should_see(marker="kiosk-budget-none", retries=30)
    await office.open("/kiosk")
    await office.should_see("Touch the service you need", retries=30)  # English stays until the idle reset
    await office.should_not_see(marker="kiosk-budget")


def _settings(**changes: object) -> None:
    assert state.ctx is not None
    state.ctx.settings = dataclasses.replace(state.ctx.settings, **changes)


async def test_attract_screen_has_the_budget_slide_and_the_budget_page_goes_home_when_idle(office: User) -> None:
    await office.open("/kiosk")
    await office.should_see(marker="kiosk-budget", retries=30)
    _settings(kiosk_attract_seconds=1)
    await office.should_see(marker="kiosk-attract", retries=50)
    await office.should_see(marker="attract-budget", content=f"Anggaran Desa {THIS_YEAR}", retries=30)
    await office.should_see("Belanja terealisasi")
    _settings(kiosk_attract_seconds=600)

    await office.open("/kiosk/budget")
    await office.should_see(marker="kiosk-budget-body", retries=30)
    _settings(kiosk_idle_seconds=1)
    await asyncio.sleep(2.5)
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=30)
    _settings(kiosk_idle_seconds=60)
