"""Sync rows, measured in this process on a temporary village (no office server) and a hub on loopback.

The village is the demo office (village, services, counters) with BENCH_SYNC_RESIDENTS (default 10,000)
`demo_population.generate` residents loaded through `resident_import.commit`, the demo's own events (births,
deaths, moves) through `add_event`, and the village key published, exactly as `_seed_population` does for
the 2,200-resident demo. Every row builds its own village and hub in its own temporary folder, removes it
at the end, and leaves no process or thread running:

- bytes per change: seal the first sync, then a day of office work (100 resident edits, 20 new residents
  with their lahir/datang events, 300 queue tickets issued, called and done, 10 letters signed); for each
  sealed batch bytes / changes, the median over batches weighted by their changes. Both syncs are then
  really uploaded through an unthrottled FaultProxy to a HubThread (SQLite), whose byte counters give the
  HTTP bytes per change (requests and responses, headers included: status, known, batches, pull);
- hub ingest rate: the village's sealed batches fed to `sync.hub.ingest.ingest` one after the other, into a
  fresh PostgreSQL database (a PrivatePostgres this row starts and removes) and then a fresh SQLite hub;
- first sync at 50 kbit/s: HubThread (SQLite) behind FaultProxy(bandwidth_bps=50,000), enrol, then the
  product's Uploader (with its pull applier, as `balai sync run`) until nothing is pending; then the
  village's and the hub's content must be equal (tests/support/sync_compare), or the row is an error.

Targets from the sync issue: ≤ 150 B on the wire per change, ≥ 2,000 changes/s hub ingest on PostgreSQL,
first sync of a 10,000-resident village at 50 kbit/s ≤ 10 min.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

from tests.bench.browsers import Skipped
from tests.bench.report import Row, percentile, verdict

SIZE_DEFAULT = 10_000
PEOPLE_PER_FAMILY = 3.8  # demo_population averages ~3.88: a few families spare, then cut to exactly n
VILLAGE_ID = "3204122001"  # the demo village, 32.04.12.2001
BANDWIDTH_BPS = 50_000
BYTES_TARGET = 150.0
INGEST_TARGET = 2000.0
FIRST_SYNC_TARGET_S = 600.0
FIRST_SYNC_GIVE_UP_S = 2 * FIRST_SYNC_TARGET_S  # the uploader is stopped there; the row then says MISS
DAY_EDITS, DAY_NEW, DAY_TICKETS, DAY_LETTERS = 100, 20, 300, 10
BASE_URL = "http://192.168.1.10:8080"


def sync_size() -> int:
    try:
        return max(100, int(float(os.environ.get("BENCH_SYNC_RESIDENTS", SIZE_DEFAULT))))
    except ValueError:
        return SIZE_DEFAULT


def _n(count: float) -> str:
    return f"{count:,.0f}"


def weighted_median(pairs: list[tuple[float, int]]) -> float:
    """The median of `value` when each (value, weight) counts `weight` times (nearest rank)."""
    ordered = sorted(pairs)
    total = sum(weight for _, weight in ordered)
    running = 0
    for value, weight in ordered:
        running += weight
        if running * 2 >= total:
            return value
    raise ValueError("no weights")


@dataclass
class Village:
    settings: object
    key: object
    residents: int
    families: int
    events: int
    build_seconds: float


@dataclass
class Sealed:
    """The batches one sealing made: (body bytes, changes) each, plus the journal rows they cover."""

    sizes: list[tuple[int, int]] = field(default_factory=list)
    journal_rows: int = 0

    @property
    def batches(self) -> int:
        return len(self.sizes)

    @property
    def changes(self) -> int:
        return sum(c for _, c in self.sizes)

    @property
    def body_bytes(self) -> int:
        return sum(b for b, _ in self.sizes)

    @property
    def median(self) -> float:
        return weighted_median([(b / c, c) for b, c in self.sizes if c])

    def summary(self) -> str:
        per_batch = [b / c for b, c in self.sizes if c]
        return (f"{self.batches} batch{'es' if self.batches != 1 else ''}, {_n(self.changes)} changes from "
                f"{_n(self.journal_rows)} journal rows, {self.body_bytes / 1024:.0f} KiB bodies "
                f"(mean {self.body_bytes / max(1, self.changes):.0f}, per batch {min(per_batch):.0f}-"
                f"{max(per_batch):.0f} B/change)")


# ----------------------------------------------------------------------------------------- the village

def build_village(folder: Path, count: int) -> Village:
    """The demo office with `count` generated residents and the demo's events, in `folder`; left open."""
    from kiosk.app import prepare_database
    from kiosk.db import close_database, database
    from kiosk.models import Keluarga, Penduduk, PendudukEvent
    from kiosk.seal import load_or_create_private_key
    from kiosk.services import resident_import
    from kiosk.services.demo import DEMO_VILLAGE, seed_demo
    from kiosk.services.demo_population import demo_events, generate
    from kiosk.services.letter_signing import publish_public_key
    from kiosk.services.resident_events import EventInput, add_event
    from kiosk.settings import load_settings

    close_database()
    settings = load_settings(environ={}, overrides={"data_dir": folder / "village"})
    prepare_database(settings)
    started = time.perf_counter()
    seed_demo(population=False)
    today = date.today()
    rows = generate(DEMO_VILLAGE.code, families=int(count / PEOPLE_PER_FAMILY) + 10, today=today)[:count]
    if len(rows) < count:
        raise RuntimeError(f"demo_population gave {len(rows)} rows, wanted {count}")
    resident_import.commit([(n, r) for n, r in enumerate(rows, start=2)], actor="bench", source="demo")
    people = dict(Penduduk.select(Penduduk.nik, Penduduk.id).tuples())
    with database.atomic():
        for nik, kind, when, reason in demo_events(rows, today):
            add_event(Penduduk.get_by_id(people[nik]), EventInput(kind, when, reason), actor="bench")
    key = load_or_create_private_key(settings.signing_key_file)
    publish_public_key(key)
    return Village(settings, key, Penduduk.select().count(), Keluarga.select().count(),
                   PendudukEvent.select().count(), time.perf_counter() - started)


def office_day(village: Village, seed: int = 7) -> dict[str, int]:
    """A busy day at the office, through the same services the pages call; returns what was done."""
    from kiosk.data import data_path
    from kiosk.models import Keluarga, Penduduk
    from kiosk.services import accounts, letter_requests, letter_signing, letter_types, queue
    from kiosk.services.resident_edit import PersonInput, create_person, editable, update_person
    from tests.support.letter_answers import sample_answers

    rng = random.Random(seed)
    today = date.today()
    living = [p for (p,) in Penduduk.select(Penduduk.id).where(Penduduk.status_dasar == 1).order_by(Penduduk.id)
              .tuples()]
    for person_id in rng.sample(living, DAY_EDITS):
        data = editable(person_id, actor="operator")
        change = rng.random()
        if change < 0.4:
            data.pekerjaan_id = rng.choice([1, 2, 3, 7, 9, 11, 15, 88])
        elif change < 0.7:
            data.pendidikan_kk_id = rng.randint(1, 8)
        elif change < 0.85:
            data.status_kawin = 2
        else:
            data.nama = f"{data.nama} {rng.choice(['Saputra', 'Lestari', 'Hidayat', 'Rahayu'])}"
        update_person(person_id, data, actor="operator")

    families = [k for (k,) in Keluarga.select(Keluarga.id).order_by(Keluarga.id).tuples()]
    for index, family in enumerate(rng.sample(families, DAY_NEW)):
        born_here = index < DAY_NEW // 2
        female = index % 2 == 1
        born = today - timedelta(days=rng.randint(1, 60)) if born_here else \
            today - timedelta(days=rng.randint(20 * 365, 40 * 365))
        nik = f"320412{born.day + (40 if female else 0):02d}{born.month:02d}{born.year % 100:02d}{9900 + index:04d}"
        person = PersonInput(nik=nik, nama=f"{'Siti' if female else 'Ahmad'} Baru {index + 1}", sex=2 if female else 1,
                             tanggallahir=born, tempatlahir="Bandung", agama_id=1,
                             pendidikan_kk_id=1 if born_here else 5, pekerjaan_id=1 if born_here else 88,
                             status_kawin=1, kk_level=4 if born_here else 7)
        create_person(person, family_id=family, first_event="lahir" if born_here else "datang",
                      event_date=born if born_here else today - timedelta(days=3), actor="operator")

    counters = [c.name for c in queue.list_counters(active_only=True)]
    prefixes = [s.prefix for s in queue.list_services(active_only=True)]
    for number in range(DAY_TICKETS):
        queue.issue_ticket(rng.choice(prefixes), status_url_base=f"{BASE_URL}/m/t/", print_ticket=False)
        if number % 3 == 2:
            for counter in counters:
                queue.call_next(counter, actor="operator")
    while any([queue.call_next(counter, actor="operator") is not None for counter in counters]):
        pass  # call_next finishes the counter's current ticket as done, then calls the next one

    shutil.copyfile(data_path("demo_logo.png"), village.settings.data_dir / "logo.png")
    letter_types.install_builtins()
    accounts.create_user("kades", "Rahasia-Kades-2026", "signer", full_name="H. Asep Saepudin")
    options = letter_signing.options_from_settings(village.settings, BASE_URL)
    kind = next(t for t in letter_types.list_types() if t.name == "Surat Keterangan Domisili")
    answers = sample_answers([spec.to_dict() for spec in kind.fields])
    for person_id in rng.sample(living, DAY_LETTERS):
        request = letter_requests.create_request(kind.code, person_id, answers, channel="operator", actor="operator",
                                                 checked=True)
        letter_signing.sign(request.id, signer="kades", options=options)
    return {"edits": DAY_EDITS, "new": DAY_NEW, "tickets": DAY_TICKETS, "letters": DAY_LETTERS}


def seal_all() -> Sealed:
    """Seal the unsealed journal; the batches this made and the journal rows they cover."""
    from kiosk.db import database
    from sync import journal

    before = {b.batch_id for b in journal.pending(database, limit=1_000_000)}
    start = database.execute_sql("SELECT sealed_through FROM sync_state WHERE id = 1").fetchone()[0]
    rows = database.execute_sql("SELECT COUNT(*) FROM sync_journal WHERE seq > ?", (start,)).fetchone()[0]
    journal.seal(database)
    made = [b for b in journal.pending(database, limit=1_000_000) if b.batch_id not in before]
    return Sealed([(len(b.body), b.changes) for b in made], int(rows))


def pending_bodies() -> list[tuple[bytes, int]]:
    from kiosk.db import database
    from sync import journal

    return [(b.body, b.changes) for b in journal.pending(database, limit=1_000_000)]


def compare_with_hub() -> int:
    """Raise when the hub's copy differs from the village; returns how many records both hold."""
    from kiosk.db import database
    from tests.support.sync_compare import differences, hub_content, village_content

    village, hub = village_content(database), hub_content(VILLAGE_ID)
    problems = differences(village, hub)
    if problems or len(village) != len(hub):
        raise RuntimeError(f"hub differs from the village ({len(village)} vs {len(hub)} records): "
                           + "; ".join(problems[:3]))
    return len(village)


# ----------------------------------------------------------------------------------------------- rows

class SyncBench:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.size = sync_size()

    def steps(self) -> list[tuple[str, str, Callable[[Row], None]]]:
        return [
            ("sync_bytes", f"Sync bytes per change, {_n(self.size)}-resident first sync + office day",
             self.bytes_per_change),
            ("sync_ingest", f"Hub ingest rate, PostgreSQL, {_n(self.size)}-resident village", self.ingest_rate),
            ("sync_first", f"First sync, {_n(self.size)} residents, {BANDWIDTH_BPS // 1000} kbit/s proxy",
             self.first_sync),
        ]

    @contextmanager
    def _folder(self, label: str) -> Iterator[Path]:
        from kiosk.db import close_database

        folder = Path(tempfile.mkdtemp(prefix=f"sync-{label}-", dir=self.workdir))
        try:
            yield folder
        finally:
            close_database()
            shutil.rmtree(folder, ignore_errors=True)

    @contextmanager
    def _hub(self, folder: Path, bandwidth_bps: float | None = None) -> Iterator[tuple[object, object]]:
        """A HubThread (SQLite in `folder`) behind a FaultProxy; both stopped when the block ends."""
        from tests.support.faultproxy import FaultProxy
        from tests.support.hub import HubThread

        hub = HubThread(folder / "hub").start()
        try:
            with FaultProxy(("127.0.0.1", hub.settings.port)) as proxy:
                proxy.bandwidth_bps = bandwidth_bps
                yield hub, proxy
        finally:
            hub.stop()

    @staticmethod
    def _uploader(village: Village):  # noqa: ANN205 - sync.client.Uploader
        from kiosk.db import database
        from kiosk.services.hub_items import apply_items
        from sync.client import Uploader

        return Uploader(database, village.key, apply_pulled=apply_items)

    @staticmethod
    def _enrol(village: Village, url: str) -> None:
        from kiosk.db import database
        from sync.client import enrol
        from sync.hub.enrolment import create_code

        enrol(database, village.key, url, create_code(VILLAGE_ID))

    @staticmethod
    def _pending() -> int:
        from kiosk.db import database
        from sync import journal

        return journal.status(database).pending_changes

    def _upload(self, village: Village, proxy, rounds: int = 5) -> tuple[int, int, int]:  # noqa: ANN001
        """Uploader.once() until nothing is pending; (bytes up, bytes down, exchanges) through `proxy`."""
        up, down = proxy.bytes_up, proxy.bytes_down
        uploader = self._uploader(village)
        for exchange in range(1, rounds + 1):
            uploader.once()
            if self._pending() == 0:
                return proxy.bytes_up - up, proxy.bytes_down - down, exchange
        raise RuntimeError(f"{self._pending()} changes still pending after {rounds} exchanges")

    # --- row 1 ---------------------------------------------------------------------------------------

    def bytes_per_change(self, row: Row) -> None:
        with self._folder("bytes") as folder:
            village = build_village(folder, self.size)
            with self._hub(folder) as (_, proxy):
                self._enrol(village, proxy.url)
                first = seal_all()
                first_up, first_down, first_rounds = self._upload(village, proxy)
                started = time.perf_counter()
                day = office_day(village)
                day_seconds = time.perf_counter() - started
                second = seal_all()
                day_up, day_down, _ = self._upload(village, proxy)
                records = compare_with_hub()
        worst = max(first.median, second.median)
        row.value = f"first sync {first.median:.0f} B, office day {second.median:.0f} B"
        row.target = f"≤ {BYTES_TARGET:.0f} B"
        row.result = verdict(worst, BYTES_TARGET)
        row.notes = (
            f"value and verdict: batch body (zstd JSON) bytes per change, median over batches weighted by their "
            f"changes. First sync of {_n(village.residents)} residents / {_n(village.families)} KK / "
            f"{_n(village.events)} events: {first.summary()}; HTTP up+down through the proxy "
            f"{(first_up + first_down) / 1024:.0f} KiB = {(first_up + first_down) / first.changes:.0f} B/change "
            f"(up {first_up / first.changes:.0f}; {first_rounds} Uploader.once()). "
            f"Office day ({day['edits']} resident edits, "
            f"{day['new']} new residents with lahir/datang events, {day['tickets']} tickets issued+called+done, "
            f"{day['letters']} letters signed; {day_seconds:.0f} s of work): {second.summary()}; HTTP up+down "
            f"{(day_up + day_down) / 1024:.1f} KiB = {(day_up + day_down) / max(1, second.changes):.0f} B/change "
            f"(up {day_up / max(1, second.changes):.0f}), "
            f"{(day_up + day_down) / max(1, second.journal_rows):.0f} B per "
            f"journal row; hub equal to village ({_n(records)} records); village built untimed in "
            f"{village.build_seconds:.1f} s")

    # --- row 2 ---------------------------------------------------------------------------------------

    def ingest_rate(self, row: Row) -> None:
        from tests.support.postgres import PrivatePostgres, missing_reason

        reason = missing_reason()
        if reason is not None:
            if os.environ.get("CI") == "true":
                raise RuntimeError(f"PostgreSQL needed under CI: {reason}")
            row.target = f"≥ {_n(INGEST_TARGET)} changes/s"
            raise Skipped(f"skipped: {reason[:100]}")
        from kiosk.db import close_database

        with self._folder("ingest") as folder:
            village = build_village(folder, self.size)
            started = time.perf_counter()
            seal_all()
            seal_seconds = time.perf_counter() - started
            bodies = pending_bodies()
            close_database()
            server = PrivatePostgres()
            try:
                server.start()
                pg = self._ingest_into(server.create_database("balai_bench_hub"), folder / "hub-pg", village, bodies)
                version = _pg_version(server)
            finally:
                server.close()
            lite = self._ingest_into("", folder / "hub-sqlite", village, bodies)
        changes = sum(c for _, c in bodies)
        row.value = f"{pg.rate:,.0f} changes/s"
        row.target = f"≥ {_n(INGEST_TARGET)} changes/s"
        row.result = "OK" if pg.rate >= INGEST_TARGET else "MISS"
        row.notes = (f"ingest() of {len(bodies)} pre-sealed batches ({_n(changes)} changes, "
                     f"{sum(len(b) for b, _ in bodies) / 1024:.0f} KiB) into a fresh database, one after the other: "
                     f"PostgreSQL {version} {pg.seconds:.2f} s (per batch {pg.batch_summary()}); SQLite hub "
                     f"{lite.rate:,.0f} changes/s ({lite.seconds:.2f} s, per batch {lite.batch_summary()}); "
                     f"decode + checks + upserts + ranges, no HTTP or signature check; hub and PostgreSQL share the "
                     f"bench's core, fsync on; sealing took {seal_seconds:.1f} s (village side, untimed)")

    @staticmethod
    def _ingest_into(url: str, data_dir: Path, village: Village, bodies: list[tuple[bytes, int]]) -> "IngestRun":
        from sync.hub.enrolment import create_code, redeem
        from sync.hub.ingest import ingest
        from sync.hub.store import HubRecord, close_hub_database, hub_database, open_hub_database
        from sync.keys import public_text

        open_hub_database(url, data_dir)
        try:
            redeem(VILLAGE_ID, create_code(VILLAGE_ID), public_text(village.key), name="Sukamaju")
            times = []
            started = time.perf_counter()
            for body, _ in bodies:
                begun = time.perf_counter()
                result = ingest(VILLAGE_ID, body, via="net")
                times.append((time.perf_counter() - begun) * 1000)
                if result.rejected or result.duplicate:
                    raise RuntimeError(f"{result.batch_id}: {len(result.rejected)} refused, "
                                       f"duplicate={result.duplicate}")
            seconds = time.perf_counter() - started
            with hub_database.connection_context():
                stored = HubRecord.select().where(HubRecord.village_id == VILLAGE_ID).count()
            changes = sum(c for _, c in bodies)
            if stored > changes or stored < village.residents:
                raise RuntimeError(f"the hub holds {stored} records after {changes} changes")
            return IngestRun(changes / seconds, seconds, times)
        finally:
            close_hub_database()

    # --- row 3 ---------------------------------------------------------------------------------------

    def first_sync(self, row: Row) -> None:
        from kiosk.db import database
        from sync import journal

        with self._folder("first") as folder:
            village = build_village(folder, self.size)
            waiting = journal.status(database).pending_changes  # unsealed journal rows; once() seals them
            with self._hub(folder, bandwidth_bps=BANDWIDTH_BPS) as (_, proxy):
                started = time.perf_counter()
                self._enrol(village, proxy.url)
                enrol_seconds = time.perf_counter() - started
                up, down = proxy.bytes_up, proxy.bytes_down
                uploader = self._uploader(village)
                gave_up = threading.Event()

                def give_up() -> None:
                    gave_up.set()
                    uploader.stop()  # the current batch finishes; no further one is sent

                timer = threading.Timer(FIRST_SYNC_GIVE_UP_S, give_up)
                timer.daemon = True
                started = time.perf_counter()
                timer.start()
                exchanges = 0
                try:
                    while self._pending() > 0 and not gave_up.is_set():
                        uploader.once()
                        exchanges += 1
                        if exchanges > 20:
                            raise RuntimeError(f"{self._pending()} changes still pending after 20 exchanges")
                finally:
                    timer.cancel()
                seconds = time.perf_counter() - started
                sent_up, sent_down = proxy.bytes_up - up, proxy.bytes_down - down
                left = self._pending()
                records = compare_with_hub() if not left else 0
                batches, changes = database.execute_sql("SELECT COUNT(*), SUM(changes) FROM sync_batch").fetchone()
        minutes = seconds / 60
        row.value = f"{minutes:.1f} min ({seconds:.0f} s), {sent_up / 1024:.0f} KiB up"
        row.target = f"≤ {FIRST_SYNC_TARGET_S / 60:.0f} min"
        row.result = "OK" if not left and seconds <= FIRST_SYNC_TARGET_S else "MISS"
        row.notes = (f"{_n(waiting)} journal rows sealed and sent as {_n(changes or 0)} changes in {batches} batches "
                     f"({_n(village.residents)} residents, {_n(village.families)} KK, {_n(village.events)} events); "
                     f"HubThread with its SQLite database behind FaultProxy(bandwidth_bps={BANDWIDTH_BPS:,}) per "
                     f"direction; enrol {enrol_seconds:.1f} s (not in value), then Uploader.once() x{exchanges} "
                     f"(sealing included; with the pull applier, as `balai sync run`); "
                     f"{sent_down / 1024:.0f} KiB down; "
                     f"upload averaged {sent_up * 8 / seconds / 1000:.1f} kbit/s of the "
                     f"{BANDWIDTH_BPS / 1000:.0f} cap; ")
        if left:
            row.notes += f"STOPPED after {FIRST_SYNC_GIVE_UP_S / 60:.0f} min with {_n(left)} changes pending"
        else:
            row.notes += f"hub equal to village ({_n(records)} records, sync_compare)"


@dataclass
class IngestRun:
    rate: float
    seconds: float
    batch_ms: list[float]

    def batch_summary(self) -> str:
        return (f"p50 {percentile(self.batch_ms, 50):.0f} / p95 {percentile(self.batch_ms, 95):.0f} / "
                f"max {max(self.batch_ms):.0f} ms")


def _pg_version(server) -> str:  # noqa: ANN001 - tests.support.postgres.PrivatePostgres
    import psycopg

    try:
        with psycopg.connect(server.dsn("postgres"), connect_timeout=10) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]
    except psycopg.Error:
        return ""
