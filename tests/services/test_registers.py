"""Population registers on a small hand-built village whose every number can be checked by hand.

2026: Dimas is born in March, Ani dies and John (WNA, KITAS) arrives in March, Eko moves out in April,
Hadi goes missing in May and comes back in June, Rina leaves for a while in February. Karto died in 2025,
Lina arrived in December 2025, Iwan was imported already dead (no event) and is never counted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest

from kiosk.models import AuditLog, Keluarga, Penduduk, Wilayah
from kiosk.services import accounts, registers
from kiosk.services.errors import Forbidden, ServiceError
from kiosk.services.register_export import register_xlsx
from kiosk.services.resident_events import EventInput, add_event
from kiosk.settings import Settings

YEAR = (date(2026, 1, 1), date(2026, 12, 31))
FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))
KRAJAN, SUKAMULYA = "Dusun Krajan", "Dusun Sukamulya"
STAMP = datetime(2026, 7, 1, 8, 0)


def _area(dusun: str) -> Wilayah:
    return Wilayah.get_or_create(dusun=dusun, rw="001", rt="002", defaults={"uuid": str(uuid.uuid4())})[0]


def _family(no_kk: str, dusun: str) -> Keluarga:
    return Keluarga.create(uuid=str(uuid.uuid4()), no_kk=no_kk, alamat="Jl. Mawar No. 1", wilayah=_area(dusun),
                           created_at=STAMP, updated_at=STAMP)


def _person(nik: str, nama: str, sex: int, family: Keluarga, level: int = 4, *, wn: int = 1, kitas: str | None = None,
            status: int = 1, events: tuple[tuple[str, date], ...] = ()) -> Penduduk:
    person = Penduduk.create(uuid=str(uuid.uuid4()), nik=nik, nama=nama, sex=sex, keluarga=family,
                             wilayah=family.wilayah, kk_level=level, warganegara_id=wn, dokumen_kitas=kitas,
                             status_dasar=status, agama_id=1, tempatlahir="Bandung", tanggallahir=date(1980, 5, 17),
                             ktp_el=2, created_at=STAMP, updated_at=STAMP)
    for kind, day in events:
        add_event(person, EventInput(kind, day, f"alasan {kind}", f"DOC-{nama}"), actor="test")
    return person


@pytest.fixture
def village(demo_db: Settings) -> Settings:
    krajan = _family("3204122001260001", KRAJAN)
    sukamulya = _family("3204122001260002", SUKAMULYA)
    _person("3204121705800001", "Budi", 1, krajan, 1)
    _person("3204125705800002", "Siti", 2, krajan, 3)
    _person("3204120503260003", "Dimas", 1, krajan, events=(("lahir", date(2026, 3, 5)),))
    _person("3204125705800004", "Rina", 2, krajan, events=(("pergi", date(2026, 2, 1)),))
    _person("3204121705800005", "Hadi", 1, krajan,
            events=(("hilang", date(2026, 5, 1)), ("kembali", date(2026, 6, 15))))
    _person("3204121705400006", "Karto", 1, krajan, 7, events=(("mati", date(2025, 6, 1)),))
    _person("3204121705400007", "Iwan", 1, krajan, 7, status=2)
    _person("3204121705800008", "Eko", 1, sukamulya, 1, events=(("pindah_keluar", date(2026, 4, 2)),))
    _person("3204125705500009", "Ani", 2, sukamulya, 7, events=(("mati", date(2026, 3, 10)),))
    _person("0000000000000010", "John Smith", 1, sukamulya, 11, wn=2, kitas="2C11AB1234567",
            events=(("datang", date(2026, 3, 20)),))
    _person("3204125705100011", "Maria", 2, sukamulya, 4, wn=3)
    _person("3204125705800012", "Lina", 2, sukamulya, 9, events=(("datang", date(2025, 12, 15)),))
    return demo_db


def _total(row: list[str], group: str) -> int:
    start = 1 + registers.REKAP_GROUPS.index(group) * len(registers.REKAP_SPLIT)
    return int(row[start + len(registers.REKAP_SPLIT) - 1])


def _split(row: list[str], group: str) -> list[int]:
    start = 1 + registers.REKAP_GROUPS.index(group) * len(registers.REKAP_SPLIT)
    return [int(v) for v in row[start:start + len(registers.REKAP_SPLIT)]]


def test_rekapitulasi_counts_the_months_and_keeps_the_invariant(village: Settings) -> None:
    table = registers.buku_rekapitulasi(FIRST_HALF)
    assert [r[0] for r in table.rows] == ["Januari 2026", "Februari 2026", "Maret 2026", "April 2026", "Mei 2026",
                                          "Juni 2026"]
    # Budi, Siti, Rina, Hadi, Eko, Ani, Maria (dwi counts as WNI), Lina: 8. Not Karto, Iwan, Dimas, John.
    assert _total(table.rows[0], "Jumlah awal") == 8
    march = table.rows[2]
    assert _split(march, "Lahir") == [1, 0, 0, 0, 1]
    assert _split(march, "Meninggal") == [0, 1, 0, 0, 1]
    assert _split(march, "Datang") == [0, 0, 1, 0, 1]
    assert _split(table.rows[3], "Pindah") == [1, 0, 0, 0, 1]
    assert _total(table.rows[4], "Pindah") == 1 and _total(table.rows[5], "Datang") == 1  # hilang, kembali
    for rows in (table.rows, registers.buku_rekapitulasi((date(2025, 11, 10), date(2026, 8, 3)), KRAJAN).rows):
        for row, following in zip(rows, rows[1:]):
            assert _split(row, "Jumlah akhir") == _split(following, "Jumlah awal")
        for row in rows:
            flows = [a + b + c - d - e for a, b, c, d, e in zip(*(_split(row, g) for g in registers.REKAP_GROUPS[:5]))]
            assert flows == _split(row, "Jumlah akhir")
    totals = table.totals
    assert totals is not None and totals[0] == "Jumlah"
    assert _split(totals, "Jumlah awal") == _split(table.rows[0], "Jumlah awal")
    assert _split(totals, "Jumlah akhir") == _split(table.rows[-1], "Jumlah akhir")
    assert _total(totals, "Jumlah akhir") == 8 + 1 + 2 - 1 - 2
    assert len(table.columns) == 1 + 6 * 5 and sum(span for _, span in table.column_groups or []) == len(table.columns)


def test_a_period_starting_mid_month_and_the_dusun_filter(village: Settings) -> None:
    table = registers.buku_rekapitulasi((date(2026, 3, 15), date(2026, 4, 10)), SUKAMULYA)
    assert [r[0] for r in table.rows] == ["Maret 2026", "April 2026"]
    assert _total(table.rows[0], "Jumlah awal") == 3  # Eko, Maria, Lina: Ani died on the 10th, before it
    assert _total(table.rows[0], "Meninggal") == 0 and _total(table.rows[0], "Datang") == 1  # John
    assert _total(table.rows[1], "Pindah") == 1 and _total(table.rows[1], "Jumlah akhir") == 3


def test_buku_induk_lists_who_lived_here_at_the_end_of_the_period(village: Settings) -> None:
    table = registers.buku_induk(FIRST_HALF)
    names = {row[1] for row in table.rows}
    assert names == {"Budi", "Siti", "Dimas", "Rina", "Hadi", "Maria", "Lina", "John Smith"}
    rekap = registers.buku_rekapitulasi(FIRST_HALF)
    assert len(table.rows) == _total(rekap.rows[-1], "Jumlah akhir")
    february = {row[1] for row in registers.buku_induk((date(2026, 1, 1), date(2026, 2, 28))).rows}
    assert {"Ani", "Eko"} <= february and not {"Dimas", "John Smith"} & february
    sukamulya = registers.buku_induk(FIRST_HALF, SUKAMULYA)
    assert {row[1] for row in sukamulya.rows} == {"Maria", "Lina", "John Smith"}
    budi = next(row for row in table.rows if row[1] == "Budi")
    assert budi[3] == "Laki-laki" and budi[5] == "Bandung, 17 Mei 1980" and budi[11] == "Kepala Keluarga"
    assert "RT 002/RW 001" in budi[10] and KRAJAN in budi[10]


def test_buku_induk_masks_numbers_unless_a_signer_asks_and_that_is_audited(village: Settings) -> None:
    masked = registers.buku_induk(YEAR)
    assert "3204121705800001" not in str(masked.rows)
    assert all(len(row[2]) == 16 and "*" in row[2] for row in masked.rows)
    assert AuditLog.select().where(AuditLog.action == "registers.full_numbers").count() == 0
    accounts.create_user("kades", "kepala-desa-2026", "signer", full_name="H. Ahmad Sulaeman", actor="test")
    accounts.create_user("siti", "loket-satu-2026", "operator", actor="test")
    with pytest.raises(Forbidden):
        registers.buku_induk(YEAR, full_numbers=True, actor="siti", client="10.0.0.5")
    with pytest.raises(Forbidden):
        registers.buku_induk(YEAR, full_numbers=True)
    full = registers.buku_induk(YEAR, KRAJAN, full_numbers=True, actor="kades", client="10.0.0.7")
    budi = next(row for row in full.rows if row[1] == "Budi")
    assert budi[2] == "3204121705800001" and budi[12] == "3204122001260001"
    entries = list(AuditLog.select().where(AuditLog.action == "registers.full_numbers"))
    assert [(e.actor, e.target, e.client) for e in entries] == [("kades", "induk", "10.0.0.7")]
    assert "2026-01-01..2026-12-31" in entries[0].detail and KRAJAN in entries[0].detail


def test_mutasi_lists_the_events_of_the_period_in_order(village: Settings) -> None:
    table = registers.buku_mutasi((date(2026, 3, 1), date(2026, 3, 31)))
    assert [(r[1], r[2], r[5]) for r in table.rows] == [
        ("5 Maret 2026", "Dimas", "Lahir"), ("10 Maret 2026", "Ani", "Meninggal"),
        ("20 Maret 2026", "John Smith", "Datang")]
    assert table.rows[0][6] == "alasan lahir" and table.rows[0][7] == "DOC-Dimas" and "*" in table.rows[0][3]
    krajan = registers.buku_mutasi(YEAR, KRAJAN)
    assert [r[5] for r in krajan.rows] == ["Pergi sementara", "Lahir", "Hilang", "Kembali"]


def test_penduduk_sementara_follows_its_rule(village: Settings) -> None:
    names = [row[1] for row in registers.buku_penduduk_sementara(YEAR).rows]
    assert sorted(names) == ["John Smith", "Rina"]  # Lina arrived too, but is a WNI without KITAS
    early = registers.buku_penduduk_sementara((date(2026, 1, 1), date(2026, 2, 28)))
    assert [(r[1], r[8], r[9]) for r in early.rows] == [("Rina", "Pergi sementara", "1 Februari 2026")]
    assert "2C11AB1234567" not in str(registers.buku_penduduk_sementara(YEAR).rows)


def test_ktp_kk_groups_members_under_their_family(village: Settings) -> None:
    table = registers.buku_ktp_kk(FIRST_HALF)
    first = table.rows[0]
    assert first[0] == "1" and first[2] == "Budi" and first[3] == "5" and "*" in first[1]
    assert [r[5] for r in table.rows[:5]] == ["Budi", "Siti", "Dimas", "Rina", "Hadi"]
    assert all(r[:5] == [""] * 5 for r in table.rows[1:5])
    assert table.rows[5][0] == "2" and table.rows[5][2] == "-"  # Eko, the head, moved out
    assert {r[10] for r in table.rows} == {"KTP-el"}


def test_bad_period_and_unknown_book_are_refused(village: Settings) -> None:
    with pytest.raises(ServiceError):
        registers.build("induk", (date(2026, 2, 1), date(2026, 1, 1)))
    with pytest.raises(ServiceError):
        registers.build("agenda", YEAR)


def test_header_names_the_village_and_its_kepala_desa(village: Settings) -> None:
    header = registers.register_header(date(2026, 11, 22))
    assert (header.desa, header.kecamatan, header.pemerintah_kabupaten) == ("Sukamaju", "Cileunyi", "Bandung")
    assert header.place_date == "Desa Sukamaju, 22 November 2026" and header.signer_name == ""
    accounts.create_user("kades", "kepala-desa-2026", "signer", full_name="H. Ahmad Sulaeman", actor="test")
    header = registers.register_header(date(2026, 11, 22))
    assert header.signer_name == "H. Ahmad Sulaeman" and header.signer_title == "Kepala Desa Sukamaju"
    assert registers.dusun_names() == [KRAJAN, SUKAMULYA]


def test_excel_has_title_bold_frozen_header_and_print_setup(village: Settings) -> None:
    table = registers.buku_induk(YEAR)
    header = registers.register_header(date(2026, 11, 22))
    sheet = openpyxl.load_workbook(BytesIO(register_xlsx(table, header))).active
    assert sheet["A1"].value == "BUKU INDUK PENDUDUK"
    header_row = sheet[sheet.freeze_panes].row - 1
    cells = sheet[header_row]
    assert [c.value for c in cells[:len(table.columns)]] == table.columns
    assert all(c.font.bold for c in cells[:len(table.columns)])
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 14
    assert sheet.cell(row=header_row + 1, column=3).data_type == "s"
    rekap = registers.buku_rekapitulasi(FIRST_HALF)
    sheet = openpyxl.load_workbook(BytesIO(register_xlsx(rekap, header, paper="A4"))).active
    assert int(sheet.page_setup.paperSize) == 9
    assert sheet.print_title_rows == f"${header_row}:${header_row + 1}"  # group row + header row
    assert isinstance(sheet.cell(row=header_row + 2, column=2).value, int)
