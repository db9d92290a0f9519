"""Demo mode's first start: a believable village so a new user can try the whole flow at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone

from kiosk.db import database
from kiosk.models import BudgetYear, Complaint, IkmResponse, Penduduk, Poll, Service, User, Village
from kiosk.services import audit, polls, queue, resident_import
from kiosk.services.budget_demo import seed_demo_budget
from kiosk.services.complaint_demo import seed_demo_complaints
from kiosk.services.ikm_demo import seed_demo_responses
from kiosk.services.clock import utc_now
from kiosk.services.demo_population import demo_events, generate
from kiosk.services.resident_events import EventInput, add_event
from kiosk.services.resident_pins import set_pin
from kiosk.services.accounts import _create_user, generate_password
from kiosk.services.village import VillageInfo, _save_village

DEMO_VILLAGE = VillageInfo(
    name="Sukamaju", code="32.04.12.2001", kecamatan="Cileunyi", kabupaten="Bandung",
    address="Jl. Raya Sukamaju No. 1, Kecamatan Cileunyi, Kabupaten Bandung, Jawa Barat 40622",
    timezone="Asia/Jakarta",
)
DEMO_SERVICES = [
    ("A", "Administrasi Kependudukan"),
    ("B", "Surat Keterangan"),
    ("C", "Pengaduan"),
    ("D", "Layanan Lainnya"),
]
DEMO_COUNTERS = [("Loket 1", ["A", "B"]), ("Loket 2", ["B", "C", "D"])]
DEMO_USERNAME = "operator"


@dataclass(frozen=True)
class DemoSeed:
    created: bool
    username: str
    one_time_password: str
    resident_nik: str = ""   # a demo resident with a self-service PIN, to try letters at the kiosk
    resident_pin: str = ""


def _seed_population(village_code: str) -> None:
    """The demo's residents go in through the same import path a real office uses."""
    today = date.today()
    rows = generate(village_code, today=today)
    resident_import.commit([(n, r) for n, r in enumerate(rows, start=2)], actor="demo", source="demo")
    people = dict(Penduduk.select(Penduduk.nik, Penduduk.id).tuples())
    for nik, kind, when, reason in demo_events(rows, today):
        person = Penduduk.get_by_id(people[nik])
        add_event(person, EventInput(kind, when, reason), actor="demo")


def _seed_poll() -> None:
    """One open poll, so the kiosk's and the phones' poll pages have something to vote on."""
    now = utc_now().replace(tzinfo=timezone.utc)
    uid = polls.create_draft(
        "Kegiatan apa yang paling perlu didanai desa tahun depan?",
        "Jajak pendapat ini membantu musyawarah desa. Setiap warga berusia 17 tahun ke atas boleh memilih satu kali.",
        ["Perbaikan jalan desa", "Posyandu dan kesehatan", "Pelatihan usaha warga", "Penerangan jalan"],
        now - timedelta(hours=1), now + timedelta(days=30), results_live=True, actor="demo")
    polls.publish(uid, actor="demo")


def seed_demo(population: bool = True) -> DemoSeed:
    """Fill in what a demo office lacks, once: the village, the services and counters, the demo account.

    Each part is created only when missing, so accounts made with `balai user add` before the first start
    stay as they are, and later starts change nothing and print no password.
    """
    with database.atomic():
        created = False
        if not Village.select().exists():
            _save_village(DEMO_VILLAGE)
            created = True
        if not Service.select().exists():
            for order, (prefix, name) in enumerate(DEMO_SERVICES):
                queue.create_service(prefix, name, sort_order=order, actor="demo")
            for order, (name, prefixes) in enumerate(DEMO_COUNTERS):
                queue.create_counter(name, prefixes, sort_order=order, actor="demo")
            created = True
        if not BudgetYear.select().exists():
            seed_demo_budget(date.today().year)
            created = True
        if not IkmResponse.select().exists():
            seed_demo_responses(date.today())  # satisfaction survey answers before today, for the IKM report
            created = True
        if not Poll.select().exists():
            _seed_poll()
            created = True
        resident_nik = resident_pin = ""
        if population and not Penduduk.select().exists():
            _seed_population(DEMO_VILLAGE.code)
            created = True
            resident = (Penduduk.select().where((Penduduk.status_dasar == 1) & (Penduduk.kk_level == 1))
                        .order_by(Penduduk.id).first())
            if resident is not None:
                resident_nik, resident_pin = resident.nik, set_pin(resident.id, actor="demo")
            if not Complaint.select().exists():
                seed_demo_complaints(resident.id if resident is not None else None)
        password = ""
        if not User.select().where(User.username == DEMO_USERNAME).exists():
            password = generate_password()
            # The demo account may do everything so a new user can try every page; it must change its password.
            _create_user(DEMO_USERNAME, password, "admin", "Operator Demo", True)
            created = True
        if created:
            audit.record("demo", "demo.seed", DEMO_VILLAGE.code, DEMO_VILLAGE.name)
        return DemoSeed(created, DEMO_USERNAME, password, resident_nik, resident_pin)
