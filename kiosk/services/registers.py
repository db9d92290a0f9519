"""The population registers of Permendagri 47/2016 (Buku Induk, Mutasi, Rekapitulasi, Penduduk Sementara,
KTP dan KK) as plain tables the office shows, prints and signs.

Every book is built from two queries (people joined with family and area, and the events) and Python, never a
query per row, so a 10,000-resident Buku Induk takes well under a second. Who lived in the village on a day
comes from one rule shared by all books (`_timeline`), so the Buku Induk of a period has exactly as many rows
as the rekapitulasi's end total. Texts are Indonesian whatever the screen language: the books are official.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from datetime import date, timedelta
from typing import Callable, NamedTuple

from kiosk.db import database, reading
from kiosk.identity import mask_nik
from kiosk.models import User, Village, Wilayah
from kiosk.services import audit
from kiosk.services.clock import MONTHS_ID, format_date, local_day, utc_now
from kiosk.services.codes import label
from kiosk.services.errors import Forbidden, ServiceError
from printing.register_pdf import RegisterHeader, RegisterTable

Period = tuple[date, date]
BOOKS: dict[str, str] = {
    "induk": "Buku Induk Penduduk", "mutasi": "Buku Mutasi Penduduk",
    "rekapitulasi": "Buku Rekapitulasi Jumlah Penduduk", "sementara": "Buku Penduduk Sementara",
    "ktp_kk": "Buku KTP dan KK", "agenda_keluar": "Buku Agenda Surat Keluar",
}
EVENT_LABELS: dict[str, str] = {
    "lahir": "Lahir", "mati": "Meninggal", "pindah_keluar": "Pindah keluar", "datang": "Datang",
    "hilang": "Hilang", "pergi": "Pergi sementara", "kembali": "Kembali",
}
# Presence rule: these events start or stop counting a resident, filed under the rekapitulasi's columns.
# The form has no column for "hilang" or a return, so hilang counts as leaving and kembali as arriving.
ENTER: dict[str, str] = {"lahir": "lahir", "datang": "datang", "kembali": "datang"}
LEAVE: dict[str, str] = {"mati": "mati", "pindah_keluar": "pindah", "hilang": "pindah"}
GONE_STATUS = (2, 3, 4)  # mati, pindah, hilang
KTP_EL = {1: "Belum", 2: "KTP-el"}  # codes.label would print the list's "KTP-EL" as "Ktp-el"

_PEOPLE_SQL = """
SELECT p.id, p.nik, p.nama, p.sex, p.status_kawin, p.tempatlahir, p.tanggallahir, p.agama_id,
       p.pendidikan_kk_id, p.pekerjaan_id, p.warganegara_id, COALESCE(NULLIF(p.alamat, ''), k.alamat, ''),
       COALESCE(w.dusun, ''), COALESCE(w.rw, ''), COALESCE(w.rt, ''), p.kk_level, COALESCE(k.no_kk, ''),
       p.keluarga_id, p.status_dasar, p.ktp_el, p.status_rekam, COALESCE(p.dokumen_kitas, '')
FROM penduduk p
LEFT JOIN keluarga k ON k.id = p.keluarga_id
LEFT JOIN wilayah w ON w.id = COALESCE(p.wilayah_id, k.wilayah_id)
WHERE p.deleted_at IS NULL AND (?1 IS NULL OR w.dusun = ?1)
ORDER BY w.dusun, w.rw, w.rt, k.no_kk, p.keluarga_id, COALESCE(p.kk_level, 99), p.tanggallahir, p.id
"""
_EVENTS_SQL = """
SELECT e.penduduk_id, e.kind, e.event_date, e.reason, e.document_no FROM penduduk_event e
WHERE e.penduduk_id IS NOT NULL AND e.kind IN ('lahir', 'mati', 'pindah_keluar', 'datang', 'hilang', 'pergi',
      'kembali')
ORDER BY e.penduduk_id, e.event_date, e.id
"""


# One row of _PEOPLE_SQL, in its column order.
_Person = NamedTuple("_Person", [
    ("id", int), ("nik", str), ("nama", str), ("sex", int), ("status_kawin", "int | None"),
    ("tempatlahir", "str | None"), ("tanggallahir", "str | None"), ("agama_id", "int | None"),
    ("pendidikan_kk_id", "int | None"), ("pekerjaan_id", "int | None"), ("warganegara_id", int), ("alamat", str),
    ("dusun", str), ("rw", str), ("rt", str), ("kk_level", "int | None"), ("no_kk", str),
    ("keluarga_id", "int | None"), ("status_dasar", int), ("ktp_el", "int | None"),
    ("status_rekam", "int | None"), ("dokumen_kitas", str),
])


class _Event(NamedTuple):
    kind: str
    day: date
    reason: str
    document_no: str


class _Timeline(NamedTuple):
    """Present before any event (`opening`), then (day, column, +1/-1) changes in date order."""

    opening: bool
    changes: list[tuple[date, str, int]]

    def present(self, day: date) -> bool:
        return (self.opening + sum(delta for when, _, delta in self.changes if when <= day)) > 0


@functools.lru_cache(maxsize=4096)
def _label(list_name: str, code: int | None) -> str:
    """Cached: a 10,000-row book asks for the same few labels tens of thousands of times."""
    return label(list_name, code)


def _day(value: object) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(str(value)[:10])


def _read(period: Period, dusun: str | None) -> tuple[list[_Person], dict[int, list[_Event]]]:
    """The two queries every book starts from, after checking the period."""
    if period[0] > period[1]:
        raise ServiceError("registers.period_invalid")
    with reading():
        return _load(dusun)


def _load(dusun: str | None) -> tuple[list[_Person], dict[int, list[_Event]]]:
    people = [_Person._make(row) for row in database.execute_sql(_PEOPLE_SQL, (dusun or None,)).fetchall()]
    events: dict[int, list[_Event]] = defaultdict(list)
    for person_id, kind, day, reason, document_no in database.execute_sql(_EVENTS_SQL).fetchall():
        events[person_id].append(_Event(kind, _day(day), reason or "", document_no or ""))
    return people, events


def _timeline(person: _Person, events: list[_Event]) -> _Timeline | None:
    """When this person counted as a resident; None when they never did as far as the books know.

    A resident whose first presence event is lahir or datang counts from that day; one without such an
    event is part of the opening balance (present before any period): imported residents were living here
    before the office's records began, and counting them from the import day would add people in a month
    without a birth or an arrival to explain them, breaking end = start + lahir + datang - mati - pindah.
    Counting stops at mati, pindah_keluar or hilang and resumes at kembali or datang. Someone whose status
    is mati/pindah/hilang without a recorded leaving event left on an unknown day and is never counted.
    """
    first = next((e.kind for e in events if e.kind in ENTER or e.kind in LEAVE), None)
    present = opening = first not in ("lahir", "datang")
    changes: list[tuple[date, str, int]] = []
    for event in events:
        if event.kind in ENTER and not present:
            present = True
            changes.append((event.day, ENTER[event.kind], 1))
        elif event.kind in LEAVE and present:
            present = False
            changes.append((event.day, LEAVE[event.kind], -1))
    if present and person.status_dasar in GONE_STATUS:
        return None
    return _Timeline(opening, changes)


def _residents_at(people: list[_Person], events: dict[int, list[_Event]], day: date) -> list[_Person]:
    return [p for p in people if (line := _timeline(p, events.get(p.id, []))) is not None and line.present(day)]


def _subtitle(period: Period, dusun: str | None, extra: str = "") -> str:
    area = dusun or "Semua dusun"
    text = f"Periode {format_date(period[0])} s.d. {format_date(period[1])} · {area}"
    return f"{text} · {extra}" if extra else text


def _born(person: _Person) -> str:
    return f"{person.tempatlahir or '-'}, {format_date(_day(person.tanggallahir))}"


def _address(person: _Person) -> str:
    parts = [person.alamat or "-"]
    if person.rt or person.rw:
        parts.append(f"RT {person.rt or '-'}/RW {person.rw or '-'}")
    if person.dusun:
        parts.append(person.dusun)
    return ", ".join(parts)


def buku_induk(period: Period, dusun: str | None = None, *, full_numbers: bool = False, actor: str = "",
               client: str = "") -> RegisterTable:
    """Everyone living in the area at the end of the period; NIK and KK in full only for the signed copy.

    Full numbers are for admins and signers only, and asking for them is audited in the same transaction
    as the read, so no full list leaves the office without a record of who took it.
    """
    if not full_numbers:
        people, events = _read(period, dusun)
    else:
        if period[0] > period[1]:
            raise ServiceError("registers.period_invalid")
        with database.atomic():  # a write transaction: the audit entry and the read stand or fall together
            user = User.get_or_none((User.username == actor) & (User.active == True))  # noqa: E712
            if user is None or user.role not in ("admin", "signer"):
                raise Forbidden()
            audit.record(actor, "registers.full_numbers", "induk",
                         f"{period[0].isoformat()}..{period[1].isoformat()} {dusun or '*'}", client)
            people, events = _load(dusun)
    number: Callable[[str], str] = (lambda n: n) if full_numbers else (lambda n: mask_nik(n) if n else "-")
    rows = [
        [str(i), p.nama, number(p.nik), _label("sex", p.sex), _label("status_kawin", p.status_kawin), _born(p),
         _label("agama", p.agama_id), _label("pendidikan_kk", p.pendidikan_kk_id), _label("pekerjaan", p.pekerjaan_id),
         _label("warganegara", p.warganegara_id), _address(p), _label("kk_level", p.kk_level),
         number(p.no_kk) if p.no_kk else "-"]
        for i, p in enumerate(_residents_at(people, events, period[1]), start=1)
    ]
    columns = ["No", "Nama Lengkap", "NIK", "Jenis Kelamin", "Status Perkawinan", "Tempat, Tanggal Lahir", "Agama",
               "Pendidikan Terakhir", "Pekerjaan", "Kewarganegaraan", "Alamat Lengkap",
               "Kedudukan dalam Keluarga", "Nomor KK"]
    return RegisterTable(BOOKS["induk"], _subtitle(period, dusun, f"{len(rows)} jiwa"), columns, rows, None)


def buku_mutasi(period: Period, dusun: str | None = None) -> RegisterTable:
    """Every birth, death, move, disappearance, leave and return dated in the period, oldest first."""
    people, events = _read(period, dusun)
    found = [(e, p) for p in people for e in events.get(p.id, []) if period[0] <= e.day <= period[1]]
    found.sort(key=lambda item: (item[0].day, item[1].nama))
    rows = [[str(i), format_date(e.day), p.nama, mask_nik(p.nik), _label("sex", p.sex), EVENT_LABELS[e.kind],
             e.reason or "-", e.document_no or "-"] for i, (e, p) in enumerate(found, start=1)]
    columns = ["No", "Tanggal", "Nama Lengkap", "NIK", "Jenis Kelamin", "Peristiwa", "Keterangan", "Nomor Dokumen"]
    return RegisterTable(BOOKS["mutasi"], _subtitle(period, dusun, f"{len(rows)} peristiwa"), columns, rows, None)


REKAP_GROUPS = ("Jumlah awal", "Lahir", "Datang", "Meninggal", "Pindah", "Jumlah akhir")
REKAP_SPLIT = ("WNI L", "WNI P", "WNA L", "WNA P", "Jml")
REKAP_FLOWS = {"lahir": "Lahir", "datang": "Datang", "mati": "Meninggal", "pindah": "Pindah"}


def _months(period: Period) -> list[Period]:
    """The period cut at month ends: a period starting on the 15th gives a first half-month."""
    out, start = [], period[0]
    while start <= period[1]:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        out.append((start, min(following - timedelta(days=1), period[1])))
        start = following
    return out


def buku_rekapitulasi(period: Period, dusun: str | None = None) -> RegisterTable:
    """Per month: residents at the start, births, arrivals, deaths, departures, at the end, by WNI/WNA and sex.

    Dual citizens (warganegara 3) are Indonesian citizens and count as WNI. Start and end come from the
    same timelines as the flows, so end = start + lahir + datang - mati - pindah and each month's end is
    the next month's start, exactly.
    """
    people, events = _read(period, dusun)
    months = _months(period)
    counts = [{g: [0] * 4 for g in REKAP_GROUPS} for _ in months]
    for person in people:
        timeline = _timeline(person, events.get(person.id, []))
        if timeline is None:
            continue
        slot = (0 if person.warganegara_id != 2 else 2) + (0 if person.sex == 1 else 1)
        for index, (first, last) in enumerate(months):
            month = counts[index]
            if not timeline.changes:  # most people: no event, present throughout (or never)
                month["Jumlah awal"][slot] += timeline.opening
                month["Jumlah akhir"][slot] += timeline.opening
                continue
            month["Jumlah awal"][slot] += timeline.present(first - timedelta(days=1))
            month["Jumlah akhir"][slot] += timeline.present(last)
            for when, column, _ in timeline.changes:
                if first <= when <= last:
                    month[REKAP_FLOWS[column]][slot] += 1

    def cells(month: dict[str, list[int]]) -> list[str]:
        return [str(v) for g in REKAP_GROUPS for v in (*month[g], sum(month[g]))]

    rows = [[f"{MONTHS_ID[a.month - 1]} {a.year}", *cells(m)] for (a, _), m in zip(months, counts)]
    total = {g: [sum(m[g][s] for m in counts) for s in range(4)] for g in REKAP_GROUPS[1:5]}
    total["Jumlah awal"], total["Jumlah akhir"] = counts[0]["Jumlah awal"], counts[-1]["Jumlah akhir"]
    columns = ["Bulan", *[s for _ in REKAP_GROUPS for s in REKAP_SPLIT]]
    return RegisterTable(BOOKS["rekapitulasi"], _subtitle(period, dusun), columns, rows, ["Jumlah", *cells(total)],
                         column_groups=[("", 1), *[(g, len(REKAP_SPLIT)) for g in REKAP_GROUPS]],
                         numeric_columns=tuple(range(1, len(columns))))


def buku_penduduk_sementara(period: Period, dusun: str | None = None) -> RegisterTable:
    """Temporary residents and residents temporarily away.

    Rule: (a) people whose latest event is "datang", dated in the period, who hold a KITAS or are WNA
    (warganegara 2): foreigners and permit holders staying for a while; (b) people with status dasar 6
    (pergi) whose latest "pergi" event is on or before the period's end, or who have none recorded.
    """
    people, events = _read(period, dusun)
    found: list[tuple[_Person, _Event | None, str]] = []
    for person in people:
        own = events.get(person.id, [])
        latest = own[-1] if own else None
        if (latest and latest.kind == "datang" and period[0] <= latest.day <= period[1]
                and (person.dokumen_kitas.strip() or person.warganegara_id == 2)):
            found.append((person, latest, "Datang"))
        elif person.status_dasar == 6:
            left = next((e for e in reversed(own) if e.kind == "pergi"), None)
            if left is None or left.day <= period[1]:
                found.append((person, left, "Pergi sementara"))
    rows = [[str(i), p.nama, _label("sex", p.sex), mask_nik(p.nik), _born(p), _label("pekerjaan", p.pekerjaan_id),
             _label("warganegara", p.warganegara_id), mask_nik(p.dokumen_kitas) if p.dokumen_kitas.strip() else "-",
             what, format_date(e.day) if e else "-", (e.reason if e else "") or "-", _address(p)]
            for i, (p, e, what) in enumerate(found, start=1)]
    columns = ["No", "Nama Lengkap", "Jenis Kelamin", "NIK", "Tempat, Tanggal Lahir", "Pekerjaan",
               "Kewarganegaraan", "KITAS", "Keterangan", "Tanggal", "Alasan", "Alamat"]
    return RegisterTable(BOOKS["sementara"], _subtitle(period, dusun, f"{len(rows)} orang"), columns, rows, None)


def buku_ktp_kk(period: Period, dusun: str | None = None) -> RegisterTable:
    """Families and their members living here at the end of the period, with each member's KTP-el status.

    The family's columns (KK, head, member count, address) are filled on its first member's row only, as
    the paper book groups them.
    """
    people, events = _read(period, dusun)
    families: dict[int | None, list[_Person]] = {}
    for person in _residents_at(people, events, period[1]):
        families.setdefault(person.keluarga_id, []).append(person)
    rows: list[list[str]] = []
    for number, members in enumerate(families.values(), start=1):
        head = next((m.nama for m in members if m.kk_level == 1), "-")
        for index, m in enumerate(members):
            family = [str(number), mask_nik(m.no_kk) if m.no_kk else "-", head, str(len(members)), _address(m)]
            rows.append([*(family if index == 0 else [""] * 5), m.nama, mask_nik(m.nik), _label("kk_level", m.kk_level),
                         _label("sex", m.sex), _born(m), KTP_EL.get(m.ktp_el or 0, "-"),
                         _label("status_rekam", m.status_rekam)])
    columns = ["No", "Nomor KK", "Kepala Keluarga", "Jumlah Anggota", "Alamat", "Nama Anggota", "NIK",
               "Hubungan Keluarga", "Jenis Kelamin", "Tempat, Tanggal Lahir", "KTP-el", "Status Rekam"]
    subtitle = _subtitle(period, dusun, f"{len(families)} keluarga, {len(rows)} jiwa")
    return RegisterTable(BOOKS["ktp_kk"], subtitle, columns, rows, None, numeric_columns=(3,))


def build(book: str, period: Period, dusun: str | None = None, *, full_numbers: bool = False, actor: str = "",
          client: str = "") -> RegisterTable:
    """One entry point for the page: the book by its key in `BOOKS`."""
    if book == "induk":
        return buku_induk(period, dusun, full_numbers=full_numbers, actor=actor, client=client)
    from kiosk.services.register_letters import agenda_surat_keluar

    builders = {"mutasi": buku_mutasi, "rekapitulasi": buku_rekapitulasi, "sementara": buku_penduduk_sementara,
                "ktp_kk": buku_ktp_kk, "agenda_keluar": agenda_surat_keluar}
    if book not in builders:
        raise ServiceError("registers.book_unknown")
    return builders[book](period, dusun)


def dusun_names() -> list[str]:
    """The dusun the village has, for the filter."""
    with reading():
        return [d for (d,) in Wilayah.select(Wilayah.dusun).distinct().order_by(Wilayah.dusun).tuples() if d]


def register_header(today: date | None = None) -> RegisterHeader:
    """Title block and signature for the printed book: the village, and its kepala desa when one is known.

    The kepala desa is the first active account with the role "signer"; without one (or without a full
    name) the name stays blank and the PDF prints a dotted line to write it on.
    """
    with reading():
        village = Village.get_or_none(Village.id == 1)
        signer = (User.select().where((User.role == "signer") & (User.active == True))  # noqa: E712
                  .order_by(User.id).first())
    name = (village.name if village else "").strip()
    name = name[5:].strip() if name.lower().startswith("desa ") else name
    day = today or (local_day(utc_now(), village.timezone) if village else date.today())
    return RegisterHeader(
        pemerintah_kabupaten=village.kabupaten if village else "", kecamatan=village.kecamatan if village else "",
        desa=name, signer_title=f"Kepala Desa {name}".strip(), signer_name=(signer.full_name if signer else "").strip(),
        place_date=f"Desa {name}, {format_date(day)}",
    )


def render_pdf(table: RegisterTable, header: RegisterHeader, paper: str = "F4") -> bytes:
    """The printable book, laid out in a separate lower-priority process (see printing.register_process)."""
    from printing.register_process import render_register_pdf_isolated

    return render_register_pdf_isolated(table, header, paper)
