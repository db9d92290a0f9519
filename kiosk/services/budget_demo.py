"""The demo village's budget: this year's APBDes (realisation under way) and last year's (nearly spent), both
published, so a fresh `make run` shows the kiosk, phone and attract pages with something believable."""

from __future__ import annotations

import uuid

from kiosk.models import BudgetLine, BudgetYear
from kiosk.services import audit
from kiosk.services.clock import utc_now

# section, code, uraian, anggaran (this year); realisation is a share of it per year below.
DEMO_LINES: tuple[tuple[str, str, str, int], ...] = (
    ("pendapatan", "4.1.1", "Hasil Usaha Desa (BUMDes Sukamaju Mandiri)", 45_000_000),
    ("pendapatan", "4.1.2", "Hasil Aset Desa (Sewa Tanah Kas Desa)", 30_000_000),
    ("pendapatan", "4.2.1", "Dana Desa", 980_000_000),
    ("pendapatan", "4.2.2", "Bagian dari Hasil Pajak dan Retribusi Daerah", 62_000_000),
    ("pendapatan", "4.2.3", "Alokasi Dana Desa", 520_000_000),
    ("pendapatan", "4.2.5", "Bantuan Keuangan Kabupaten Bandung", 100_000_000),
    ("pendapatan", "4.3.4", "Bunga Bank", 3_000_000),
    ("belanja", "1", "Bidang Penyelenggaraan Pemerintahan Desa", 0),
    ("belanja", "1.1.01", "Penghasilan Tetap Kepala Desa dan Perangkat", 420_000_000),
    ("belanja", "1.1.02", "Tunjangan dan Operasional BPD", 96_000_000),
    ("belanja", "1.2.01", "Operasional Kantor Desa", 85_000_000),
    ("belanja", "2", "Bidang Pelaksanaan Pembangunan Desa", 0),
    ("belanja", "2.1.01", "Penyelenggaraan Posyandu & Pemberian Makanan Tambahan", 78_000_000),
    ("belanja", "2.2.01", "Pembangunan Jalan Desa Dusun Krajan", 380_000_000),
    ("belanja", "2.2.02", "Drainase dan Gorong-gorong RW 03", 150_000_000),
    ("belanja", "2.4.01", "Penyediaan Air Bersih Skala Desa", 120_000_000),
    ("belanja", "3", "Bidang Pembinaan Kemasyarakatan Desa", 0),
    ("belanja", "3.1.01", "Pembinaan Linmas", 36_000_000),
    ("belanja", "3.3.01", "Pembinaan Karang Taruna dan Olahraga", 40_000_000),
    ("belanja", "4", "Bidang Pemberdayaan Masyarakat Desa", 0),
    ("belanja", "4.3.01", "Pelatihan Usaha Ekonomi Produktif", 65_000_000),
    ("belanja", "4.4.01", "Peningkatan Kapasitas Kader PKK", 40_000_000),
    ("belanja", "5", "Bidang Penanggulangan Bencana, Keadaan Darurat dan Mendesak", 0),
    ("belanja", "5.3.01", "Bantuan Langsung Tunai Dana Desa", 180_000_000),
    ("pembiayaan", "6.1.1", "SiLPA Tahun Sebelumnya", 25_000_000),
    ("pembiayaan", "6.2.1", "Penyertaan Modal Desa ke BUMDes", 50_000_000),
)
REALISED_SHARE = {0: 0.58, 1: 0.96}  # years back -> how much of each line was realised, on average
SPREAD = (1.0, 0.8, 1.25, 0.9, 1.1, 0.7, 1.3, 0.95)  # lines do not all move at the same pace


def seed_demo_budget(current_year: int) -> None:
    """This year and last year, published. Call inside the demo seed's transaction."""
    now = utc_now()
    for back, share in REALISED_SHARE.items():
        year = BudgetYear.create(uuid=str(uuid.uuid4()), year=current_year - back, published=True, created_at=now,
                                 updated_at=now, updated_by="demo")
        scale = 1.0 - 0.06 * back  # last year's budget was a little smaller
        BudgetLine.insert_many([
            {"uuid": str(uuid.uuid4()), "year": year.id, "section": section, "code": code, "name": name,
             "budget": round(amount * scale / 100_000) * 100_000,
             "realised": round(round(amount * scale / 100_000) * 100_000 * (
                 1.0 if section == "pembiayaan" else min(1.0, share * SPREAD[order % len(SPREAD)])) / 1000) * 1000,
             "sort_order": order}
            for order, (section, code, name, amount) in enumerate(DEMO_LINES)]).execute()
        audit.record("demo", "budget.import", str(current_year - back), "demo")
