"""The village↔district link at its worst: dropped, reset, slow, down for a week, and either end SIGKILLed.

Village and hub talk over loopback through a FaultProxy (tests/support/faultproxy.py). Every test ends with
the village's content equal to the hub's (tests/support/sync_compare.py), equal counts, and each batch held
by the hub exactly once with the village's own hash. The hub's API runs in a thread (HubThread) where that is
enough, so its ingest calls can be counted; the crash tests run `balai hub serve` and `balai sync run|once`
as child processes (tests/support/sync_procs.py) and SIGKILL them by PID while bytes are flowing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import close_database, database, open_database
from kiosk.services.resident_edit import PersonInput, create_person
from kiosk.settings import Settings
from sync import journal
from sync.client import SyncError, Uploader, enrol
from sync.hub.app import prepare_hub
from sync.hub.bundle_import import import_bundles
from sync.hub.enrolment import create_code
from sync.hub.ingest import IngestResult
from sync.hub.settings import HubSettings
from sync.hub.store import HubBatch, HubRange, HubVillage, close_hub_database, hub_database, open_hub_database
from sync.keys import box_key
from sync.usb import export_pending
from tests.support.faultproxy import FaultProxy
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content
from tests.support.sync_procs import LOOPBACK, Child, HubProcess, VillageSync, run_balai, wait_until

pytestmark = pytest.mark.slow

VILLAGE = "3204122001"
BATCHES = "/api/hub/v1/batches"


# --- helpers ----------------------------------------------------------------------------------------------

def _assert_equal() -> None:
    village, hub = village_content(database), hub_content(VILLAGE)
    assert differences(village, hub) == []
    assert len(village) == len(hub)


def _village_batches() -> dict[str, str]:
    return {row[0]: row[1] for row in database.execute_sql("SELECT batch_id, sha256 FROM sync_batch")}


def _assert_each_batch_once() -> None:
    """Nothing pending in the village, and the hub holds exactly the village's batches, once each."""
    assert database.execute_sql("SELECT COUNT(*) FROM sync_batch WHERE acked_at IS NULL").fetchone()[0] == 0
    with hub_database.connection_context():
        rows = [(b.batch_id, b.sha256) for b in HubBatch.select().where(HubBatch.village_id == VILLAGE)]
        ranges = [(r.first_seq, r.last_seq) for r in HubRange.select().where(
            (HubRange.village_id == VILLAGE) & (HubRange.epoch == journal.epoch(database)))]
    assert len(rows) == len(dict(rows))
    assert dict(rows) == _village_batches()
    top = database.execute_sql("SELECT MAX(last_seq) FROM sync_batch").fetchone()[0]
    assert ranges == [(1, top)]  # one received range, no gap, no overlap


def _received_more_than_once(calls: list[IngestResult]) -> int:
    return sum(count - 1 for count in Counter(call.batch_id for call in calls).values())


def _add_residents(count: int, first: int) -> None:
    """`count` residents who moved in, each through the real service (journal triggers and all)."""
    for number in range(first, first + count):
        day = number % 28 + 1
        create_person(PersonInput(nik=f"320412{day:02d}0190{number:04d}", nama=f"Warga Pindahan {number}", sex=1,
                                  tanggallahir=date(1990, 1, day)),
                      family_id=None, first_event="datang", event_date=date(2026, 11, 2), actor="op")


def _hub_batch_count(path: Path) -> int:
    """Batches in a child hub's SQLite file, read-only (the hub keeps running)."""
    if not path.exists():
        return 0
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM hub_batch").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        connection.close()


def _wait_until_flowing(proxy: FaultProxy, above: int, what: str) -> int:
    """Wait until more than `above` bytes went up and are still going up (a batch is on the wire)."""
    wait_until(lambda: proxy.bytes_up > above, timeout=60, interval=0.02, what=what)
    seen = proxy.bytes_up
    wait_until(lambda: proxy.bytes_up > seen, timeout=10, interval=0.02, what=f"{what} (still flowing)")
    return proxy.bytes_up


def _print_logs(folder: Path) -> None:
    """Shown by pytest only when the test fails."""
    for path in sorted(folder.glob("*")):
        print(f"--- {path.name} ---\n{path.read_text(errors='replace')[-3000:]}")


# --- fixtures ---------------------------------------------------------------------------------------------



@pytest.fixture
def proxy(hub: HubThread) -> Iterator[FaultProxy]:
    with FaultProxy((LOOPBACK, hub.settings.port)) as running:
        yield running


@pytest.fixture
def linked(proxy: FaultProxy, village_key: Ed25519PrivateKey) -> FaultProxy:
    """The village (whichever fixture made it) enrolled at the hub through the proxy; no fault set yet."""
    enrol(database, village_key, proxy.url, create_code(VILLAGE))
    return proxy


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    folder.mkdir()
    yield folder
    _print_logs(folder)


@pytest.fixture
def children() -> Iterator[list[Child]]:
    """Child processes a test started; each is stopped by PID at the end, whatever happened."""
    started: list[Child] = []
    yield started
    for child in started:
        child.stop()


# --- the link misbehaves ------------------------------------------------------------------------------------

def test_a_link_dropped_mid_request_resends_at_most_the_batch_in_flight(
        village: Settings, village_key: Ed25519PrivateKey, linked: FaultProxy,
        ingest_log: list[IngestResult]) -> None:
    proxy = linked
    journal.seal(database)
    sizes = [len(b.body) for b in journal.pending(database)]
    assert len(sizes) >= 3 and sizes[0] > 20_000
    proxy.drop_request_after(4096, times=3)  # every run is cut inside the first batch's body
    for attempt in range(1, 4):
        with pytest.raises(SyncError) as dropped:
            Uploader(database, village_key).once()
        assert dropped.value.code == "network"
        assert journal.status(database).failures == attempt
    assert proxy.faults_fired == 3 and proxy.drop_after_request_bytes is None  # the budget is spent
    with hub_database.connection_context():
        assert HubBatch.select().count() == 0  # half a request stores nothing
    # Once more, now cut inside the second batch: the first is stored and acknowledged before it goes.
    proxy.drop_request_after(sizes[0] + 8_000, times=1)
    with pytest.raises(SyncError):
        Uploader(database, village_key).once()
    assert proxy.faults_fired == 4
    with hub_database.connection_context():
        assert HubBatch.select().count() == 1
    assert journal.status(database).pending_batches == len(sizes) - 1

    result = Uploader(database, village_key).once()
    assert result.acknowledged == len(sizes) - 1 and result.rejected == 0
    status = journal.status(database)
    assert status.pending_changes == 0 and status.failures == 0 and status.last_error == ""
    assert _received_more_than_once(ingest_log) <= proxy.faults_fired
    assert not any(call.duplicate for call in ingest_log)
    _assert_each_batch_once()
    _assert_equal()


class _ResetTheAck(httpx.BaseTransport):
    """No keep-alive (a new connection, so a fresh byte count, per request); just before each of the next
    `times` batch uploads, arm the proxy to reset the connection 50 bytes into the hub's answer."""

    def __init__(self, proxy: FaultProxy, armed: list[int]) -> None:
        self.proxy = proxy
        self.armed = armed  # [how many acknowledgements still to cut], shared across runs
        self.inner = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == BATCHES and self.armed[0] > 0:
            self.armed[0] -= 1
            self.proxy.reset_response_after(50, times=1)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_an_acknowledgement_reset_mid_response_doubles_nothing(
        village: Settings, village_key: Ed25519PrivateKey, linked: FaultProxy,
        ingest_log: list[IngestResult]) -> None:
    """The hub committed, the village never heard it: the next run learns it is there and moves on."""
    proxy = linked
    journal.seal(database)
    batches = journal.pending(database)
    assert len(batches) >= 3
    armed = [2]
    for cut in range(2):
        with pytest.raises(SyncError) as reset:
            Uploader(database, village_key, transport=_ResetTheAck(proxy, armed)).once()
        assert reset.value.code == "network"
        assert proxy.faults_fired == cut + 1
        with hub_database.connection_context():  # committed before it answered
            assert HubBatch.select().count() == cut + 1
        assert journal.status(database).pending_batches == len(batches) - cut  # ...but not heard of
    result = Uploader(database, village_key, transport=_ResetTheAck(proxy, armed)).once()
    assert result.already_at_hub == 1 and result.acknowledged == len(batches) - 2
    assert proxy.faults_fired == 2
    # The first cut batch was recognised by the second run, the second one by the last run: none went twice.
    assert [call.batch_id for call in ingest_log] == [b.batch_id for b in batches]
    assert _received_more_than_once(ingest_log) == 0
    _assert_each_batch_once()
    _assert_equal()


def test_a_slow_and_distant_link_still_syncs_within_the_timeouts(
        small_village: Settings, village_key: Ed25519PrivateKey, linked: FaultProxy,
        ingest_log: list[IngestResult]) -> None:
    """Half a second of latency on every chunk and 50 kbit/s, as over a weak GSM modem."""
    proxy = linked
    _add_residents(50, first=1)
    proxy.delay, proxy.bandwidth_bps = 0.5, 50_000
    started = time.monotonic()
    result = Uploader(database, village_key).once()
    elapsed = time.monotonic() - started
    assert result.acknowledged >= 1 and result.rejected == 0
    assert elapsed > 3.0, "the proxy did not slow the link down"
    assert proxy.bytes_up > 5_000
    assert journal.status(database).pending_changes == 0
    assert _received_more_than_once(ingest_log) == 0
    _assert_each_batch_once()
    _assert_equal()


def test_a_week_without_a_link_keeps_everything_and_one_run_sends_it_all(
        small_village: Settings, village_key: Ed25519PrivateKey, linked: FaultProxy,
        ingest_log: list[IngestResult]) -> None:
    proxy = linked
    proxy.refuse = True
    for day in range(1, 6):  # the office keeps working; every run finds the link down
        _add_residents(3, first=day * 10)
        with pytest.raises(SyncError) as down:
            Uploader(database, village_key).once()
        assert down.value.code == "network"
        status = journal.status(database)
        assert status.failures == day and status.last_error.startswith("network")
        assert status.last_success_at is None
    assert proxy.connections >= 5 and ingest_log == []
    # Make it a week: the changes waiting were made seven days ago (this machine's clock).
    week_ago = (datetime.now(timezone.utc) - timedelta(days=7)).replace(tzinfo=None).isoformat(sep=" ")
    database.execute_sql("UPDATE sync_journal SET at = ?", (week_ago,))
    database.execute_sql("UPDATE sync_batch SET oldest_change_at = ? WHERE acked_at IS NULL", (week_ago,))
    waiting = journal.status(database)
    assert waiting.pending_batches >= 5 and waiting.pending_changes >= 1 + 5 * 3 * 2
    assert waiting.oldest_pending_age_s >= 7 * 86400 - 60

    proxy.refuse = False
    result = Uploader(database, village_key).once()
    assert result.acknowledged == waiting.pending_batches and result.rejected == 0
    status = journal.status(database)
    assert status.pending_changes == 0 and status.failures == 0 and status.last_error == ""
    assert status.last_success_at is not None
    with hub_database.connection_context():  # told after sending: nothing is waiting any more
        row = HubVillage.get(HubVillage.village_id == VILLAGE)
        assert row.pending_reported == 0 and row.oldest_pending_s is None and row.last_success_at is not None
    assert _received_more_than_once(ingest_log) == 0
    _assert_each_batch_once()
    _assert_equal()


def test_bundles_imported_twice_and_out_of_order_then_the_network(
        small_village: Settings, village_key: Ed25519PrivateKey, linked: FaultProxy, hub: HubThread,
        ingest_log: list[IngestResult], tmp_path: Path, logs: Path) -> None:
    proxy = linked
    box = box_key(hub.settings.box_key_file)
    _add_residents(20, first=100)
    monday = export_pending(database, village_key, tmp_path / "monday")
    _add_residents(20, first=200)
    database.execute_sql("UPDATE village SET address = 'Jl. Raya Sukamaju 1'")
    close_database()
    exported = run_balai(["bundle", "export", tmp_path / "tuesday", "--data", small_village.data_dir], logs,
                         "bundle-export")
    assert exported.returncode == 0, exported.stderr
    open_database(small_village.database_path)
    tuesday_batches = len(_village_batches())
    assert tuesday_batches > monday.batches

    newest = import_bundles(tmp_path / "tuesday", box)
    assert newest.stored == tuesday_batches and newest.refused == []
    oldest = import_bundles(tmp_path / "monday", box)
    assert oldest.stored == 0 and oldest.duplicates == monday.batches
    again = run_balai(["hub", "import", tmp_path / "tuesday", "--data", hub.settings.data_dir], logs, "hub-import")
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout.strip().splitlines()[-1])
    assert report["stored"] == 0 and report["duplicates"] == tuesday_batches and report["refused"] == []

    _add_residents(2, first=300)  # and one more change that only the network carries
    proxy.delay = 0.05
    result = Uploader(database, village_key).once()
    assert result.already_at_hub == tuesday_batches and result.sent == 1 and result.acknowledged == 1
    assert len(ingest_log) == 1 and not ingest_log[0].duplicate
    with hub_database.connection_context():
        assert HubBatch.select().where(HubBatch.via == "usb").count() == tuesday_batches
        assert HubBatch.select().where(HubBatch.via == "net").count() == 1
    _assert_each_batch_once()
    _assert_equal()


# --- either end dies ----------------------------------------------------------------------------------------

def test_the_uploader_killed_mid_batch_resumes_without_doubling(
        village: Settings, village_key: Ed25519PrivateKey, linked: FaultProxy, hub: HubThread,
        ingest_log: list[IngestResult], logs: Path, children: list[Child]) -> None:
    proxy = linked
    journal.seal(database)
    batches = journal.pending(database)
    sizes = [len(b.body) for b in batches]
    assert len(batches) >= 3
    close_database()

    def at_hub() -> int:
        with hub_database.connection_context():
            return HubBatch.select().count()

    village_sync = VillageSync(village.data_dir, logs)
    proxy.bandwidth_bps = 160_000  # 20 KB/s: a batch takes about three seconds
    uploader = village_sync.start_run(interval=1.0)
    children.append(uploader)
    # 1. SIGKILL while the first batch is on the wire.
    seen = _wait_until_flowing(proxy, 12_000, "the first batch on the wire")
    uploader.kill()
    assert uploader.returncode == -9
    assert seen < sizes[0], "the first batch had already gone"
    wait_until(lambda: proxy.live_connections == 0, timeout=10, what="the dead uploader's connection to close")
    assert at_hub() == 0
    # 2. Again, while the second batch is on the wire (the first is at the hub and acknowledged).
    uploader.start()
    wait_until(lambda: at_hub() >= 1, timeout=60, what="the first batch at the hub")
    mark = proxy.bytes_up
    _wait_until_flowing(proxy, mark + 12_000, "the second batch on the wire")
    uploader.kill()
    wait_until(lambda: proxy.live_connections == 0, timeout=10, what="the dead uploader's connection to close")
    assert at_hub() == 1
    # 3. Started once more on a good link, it finishes the job.
    proxy.bandwidth_bps = None
    uploader.start()
    wait_until(lambda: at_hub() == len(batches), timeout=60, what="every batch at the hub")
    wait_until(lambda: village_sync.status()["pending_changes"] == 0, timeout=60, interval=0.2,
               what="`balai sync status --json` to report nothing pending")
    assert uploader.stop() == 0  # SIGTERM: the service stops in an orderly way

    open_database(village.database_path)
    assert _received_more_than_once(ingest_log) <= 2
    assert not any(call.duplicate for call in ingest_log)
    _assert_each_batch_once()
    _assert_equal()


def test_the_hub_killed_mid_batch_loses_nothing(village: Settings, village_key: Ed25519PrivateKey,
                                                tmp_path: Path, logs: Path, children: list[Child]) -> None:
    hub_dir = tmp_path / "hub-data"
    prepare_hub(HubSettings(data_dir=hub_dir))  # keys and schema; the child finds them
    code = create_code(VILLAGE)
    close_hub_database()
    hub = HubProcess(hub_dir, logs)
    children.append(hub)
    hub.start()
    try:
        with FaultProxy((LOOPBACK, hub.port)) as proxy:
            enrol(database, village_key, proxy.url, code)
            journal.seal(database)
            batches = journal.pending(database)
            sizes = [len(b.body) for b in batches]
            assert len(batches) >= 3
            close_database()
            village_sync = VillageSync(village.data_dir, logs)
            proxy.bandwidth_bps = 160_000

            # 1. SIGKILL the hub while the first batch is arriving.
            once = village_sync.start_once()
            children.append(once)
            seen = _wait_until_flowing(proxy, 12_000, "the first batch on the wire")
            hub.kill()
            assert seen < sizes[0]
            assert once.wait(60) == 1 and once.json_output()["error"] == "network"
            assert _hub_batch_count(hub.database_path) == 0
            hub.start()  # same data folder, same port

            # 2. Again while the second arrives; the first was committed (and acknowledged) before.
            once = village_sync.start_once()
            children.append(once)
            wait_until(lambda: _hub_batch_count(hub.database_path) >= 1, timeout=60,
                       what="the first batch at the hub")
            mark = proxy.bytes_up
            _wait_until_flowing(proxy, mark + 12_000, "the second batch on the wire")
            hub.kill()
            assert once.wait(60) == 1 and once.json_output()["error"] == "network"
            assert _hub_batch_count(hub.database_path) == 1  # a SIGKILL loses no commit
            hub.start()

            # 3. A good link: one run sends the rest.
            proxy.bandwidth_bps = None
            exit_code, answer = village_sync.once()
            assert exit_code == 0 and answer["ok"] is True, answer
            assert answer["acknowledged"] + answer["already_at_hub"] == len(batches) - 1
            assert answer["rejected"] == 0
            assert village_sync.status()["pending_changes"] == 0
        hub.stop()

        connection = sqlite3.connect(hub.database_path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()
        open_hub_database("", hub_dir)
        open_database(village.database_path)
        _assert_each_batch_once()
        _assert_equal()
    finally:
        close_hub_database()
