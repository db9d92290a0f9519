"""The sync agent SIGKILLed 50 times while the office keeps writing, then one clean run (issue 9 item 2).

The real `balai sync run` process uploads to a district hub (the hub's API in a thread, tests/support/hub.py)
through a throttled FaultProxy, so a batch takes a while on the wire. Meanwhile a thread of this test keeps
the office busy through the product's services: tickets issued, residents registered and edited. The agent
is SIGKILLed by PID (seeded): within its first second (starting up), a random 0.2-2 s after it began working,
or at a chosen moment (as soon as it starts sealing, while bytes go up, once a run has finished). Where each
kill actually landed is read from the agent's own log (`seal: start` / `seal: done` at DEBUG, a line per run)
and the proxy's byte counters: starting, sealing, wire (bytes going up), waiting (for the hub), idle.

Then the writes stop and one `balai sync once` must leave: the hub equal to the village, every batch stored
exactly once (a resend after a kill is answered as a duplicate, never stored again), no rejection, no epoch
reset, nothing pending.

`BALAI_FAULT_SYNC_CYCLES` (default 50) and `BALAI_FAULT_SEED` change the cycle count and the seed.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.db import close_database, database, open_database
from kiosk.seal import load_or_create_private_key
from kiosk.settings import Settings
from sync import journal
from sync.client import enrol
from sync.hub.enrolment import create_code
from sync.hub.ingest import IngestResult
from sync.hub.store import HubBatch, HubRange, HubRejection, hub_database
from tests.fault.writers import prepare_demo_database
from tests.support.faultproxy import FaultProxy
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content
from tests.support.sync_procs import LOOPBACK, Child, VillageSync, wait_until
from tests.sync.conftest import ingest_log  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

CYCLES = int(os.environ.get("BALAI_FAULT_SYNC_CYCLES", "50"))
SEED = int(os.environ.get("BALAI_FAULT_SEED", "8042"))
VILLAGE = "3204122001"
KILL_AFTER_S = (0.2, 2.0)
LINK_BPS = 40_000  # 5 KB/s: a batch of a few KB is on the wire for a good part of a second
STRATEGIES = ("starting", "random", "random", "sealing", "wire", "wire", "idle")  # how a cycle picks its moment (then a phase is read)


class OfficeWriter:
    """Tickets issued, residents registered and edited through the services, a few per second, in a thread.

    Counts what each service call acknowledged, so the end can check the village itself kept it all."""

    def __init__(self, data_dir: Path, seed: int) -> None:
        self.path = Settings(data_dir=data_dir).database_path
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.acked: Counter[str] = Counter()
        self.errors: list[str] = []
        self.people: list[int] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "OfficeWriter":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(30)

    def _one(self, number: int) -> None:
        from kiosk.services import queue, resident_edit

        kind = self.rng.choice(("ticket", "ticket", "resident", "edit"))
        if kind == "edit" and self.people:
            person_id = self.rng.choice(self.people)
            data = resident_edit.editable(person_id, actor="op")
            data.alamat = f"Jl. Sunting No. {number}"
            resident_edit.update_person(person_id, data, actor="op")
        elif kind == "ticket":
            queue.issue_ticket(self.rng.choice("ABCD"), status_url_base="http://balai.test/t/", print_ticket=False)
        else:
            kind = "resident"
            day = number % 28 + 1
            person = resident_edit.PersonInput(nik=f"320412{day:02d}0190{number % 10_000:04d}",
                                               nama=f"Warga Sinkron {number}", sex=1,
                                               tanggallahir=date(1990, 1, day), alamat="Jl. Awal No. 1")
            person_id, _ = resident_edit.create_person(person, family_id=None, first_event="datang",
                                                       event_date=date(2026, 11, 2), actor="op")
            self.people.append(person_id)
        self.acked[kind] += 1

    def _run(self) -> None:
        from kiosk.services.errors import ServiceError

        open_database(self.path)  # this thread's own connection
        number = 1
        try:
            while not self.stop.wait(self.rng.uniform(0.1, 0.4)):
                try:
                    self._one(number)
                except ServiceError as refused:
                    self.errors.append(f"refused: {refused.key}")
                except Exception as error:  # noqa: BLE001 - reported by the test
                    self.errors.append(f"{type(error).__name__}: {error}")
                number += 1
        finally:
            close_database()


def kill_moment(agent: Child, proxy: FaultProxy, strategy: str, rng: random.Random) -> None:
    """Wait for the cycle's moment. `starting`: 0-1 s after the start (imports, migration, WAL recovery);
    `random`: 0.2-2 s after the agent's first sealing; the others wait (at most 3 s) until it seals, sends or
    idles."""
    if strategy == "starting":
        time.sleep(rng.uniform(0.0, 1.0))
        return
    deadline = time.monotonic() + 10.0
    while "seal: start" not in agent.log_text() and time.monotonic() < deadline and agent.running:
        time.sleep(0.005)
    delay = rng.uniform(*KILL_AFTER_S)
    deadline = time.monotonic() + (delay if strategy == "random" else 3.0)
    start_bytes = proxy.bytes_up
    runs_before = agent.log_text().count("balai.sync:")
    while time.monotonic() < deadline:
        text = agent.log_text()
        if strategy == "sealing" and text.rfind("seal: start") > text.rfind("seal: done"):
            return
        if strategy == "wire" and proxy.bytes_up > start_bytes + 1500 and proxy.live_connections:
            return
        if strategy == "idle" and text.count("balai.sync:") > runs_before:
            time.sleep(rng.uniform(0.0, 0.3))
            return
        time.sleep(0.001)


def bytes_going_up(proxy: FaultProxy, window: float = 0.2) -> bool:
    """Whether bytes went up to the hub over the last `window` s (the cap sends 1 KiB every 0.2 s)."""
    before = proxy.bytes_up
    time.sleep(window)
    return proxy.bytes_up > before and proxy.live_connections > 0


def phase_at_kill(log_text: str, flowing: bool) -> str:
    """Where the agent was when SIGKILL came, from its log (written before each step) and the proxy."""
    if flowing:
        return "wire"
    seal_start, seal_done = log_text.rfind("seal: start"), log_text.rfind("seal: done")
    last_run = max(log_text.rfind("balai.sync:"), log_text.rfind("sync failed"))
    if seal_start > max(seal_done, last_run):
        return "sealing"
    if seal_start < 0 and last_run < 0:
        return "starting"
    if last_run > max(seal_start, seal_done):
        return "idle"
    return "waiting"  # between sealing and the next step: nothing going up, waiting for the hub's answer



@pytest.fixture
def linked_village(tmp_path: Path) -> Iterator[tuple[Path, HubThread, FaultProxy]]:
    """A demo village (no population) enrolled at an in-thread hub through a proxy; its connection closed."""
    data_dir = tmp_path / "village"
    prepare_demo_database(data_dir)
    settings = Settings(data_dir=data_dir)
    with HubThread(tmp_path / "hub") as hub, FaultProxy((LOOPBACK, hub.settings.port)) as proxy:
        open_database(settings.database_path)
        enrol(database, load_or_create_private_key(settings.signing_key_file), proxy.url, create_code(VILLAGE))
        close_database()
        yield data_dir, hub, proxy


def test_sigkill_of_the_sync_agent_while_the_office_writes(
        linked_village: tuple[Path, HubThread, FaultProxy], ingest_log: list[IngestResult], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    data_dir, _hub, proxy = linked_village
    logs = tmp_path / "logs"
    settings = Settings(data_dir=data_dir)
    open_database(settings.database_path)
    first_epoch = journal.epoch(database)
    close_database()
    rng = random.Random(SEED)
    agent_env = {"BALAI_LOG_LEVEL": "DEBUG"}
    village_sync = VillageSync(data_dir, logs, env=agent_env)
    kills: Counter[str] = Counter()
    started = time.monotonic()
    proxy.bandwidth_bps = LINK_BPS
    agent: Child | None = None
    try:
        with OfficeWriter(data_dir, SEED) as writer:
            for cycle_no in range(CYCLES):
                agent = village_sync.start_run(interval=0.5)
                strategy = rng.choice(STRATEGIES)
                kill_moment(agent, proxy, strategy, rng)
                flowing = strategy != "sealing" and bytes_going_up(proxy)
                assert agent.running, f"cycle {cycle_no}: the agent died by itself:\n{agent.tail()}"
                agent.kill()
                assert agent.returncode == -9
                kills[phase_at_kill(agent.log_text(), flowing)] += 1
                assert "Traceback" not in agent.log_text(), agent.tail()
                wait_until(lambda: proxy.live_connections == 0, timeout=10,
                           what="the dead agent's connection to close")
        assert not writer.errors, writer.errors[:5]
        assert writer.acked["ticket"] and writer.acked["resident"] and writer.acked["edit"], writer.acked

        # One clean run on a good link sends whatever is left.
        proxy.bandwidth_bps = None
        exit_code, answer = village_sync.once(timeout=180)
        assert exit_code == 0 and answer["ok"] is True, answer
        assert answer["rejected"] == 0 and answer["new_epoch"] is False, answer
        status = village_sync.status()
        assert status["pending_changes"] == 0 and status["pending_batches"] == 0, status
        assert status["epoch"] == first_epoch, "an epoch reset: the hub would receive a full snapshot again"
    finally:
        if agent is not None:
            agent.kill()
    elapsed = time.monotonic() - started

    open_database(settings.database_path)
    try:
        village = village_content(database)
        assert differences(village, hub_content(VILLAGE)) == []
        assert len(village) == len(hub_content(VILLAGE))
        tickets = database.execute_sql("SELECT COUNT(*) FROM ticket").fetchone()[0]
        assert tickets == writer.acked["ticket"]  # every acknowledged ticket is in the village too
        village_batches = dict(database.execute_sql("SELECT batch_id, sha256 FROM sync_batch").fetchall())
        top = database.execute_sql("SELECT MAX(last_seq) FROM sync_batch").fetchone()[0]
        rejections = database.execute_sql("SELECT COUNT(*) FROM sync_rejection").fetchone()[0]
    finally:
        close_database()
    with hub_database.connection_context():
        stored = [(b.batch_id, b.sha256) for b in HubBatch.select().where(HubBatch.village_id == VILLAGE)]
        ranges = [(r.epoch, r.first_seq, r.last_seq) for r in HubRange.select().where(HubRange.village_id == VILLAGE)]
        hub_rejections = HubRejection.select().count()
    assert len(stored) == len(dict(stored)), "a batch stored twice"
    assert dict(stored) == village_batches
    assert ranges == [(first_epoch, 1, top)], ranges  # one epoch, one range: no gap, no overlap, no conflict
    assert rejections == 0 and hub_rejections == 0
    stored_calls = Counter(call.batch_id for call in ingest_log if not call.duplicate)
    assert all(count == 1 for count in stored_calls.values()), stored_calls.most_common(3)
    resent = sum(1 for call in ingest_log if call.duplicate)

    # The kills must have landed where it matters, or the test proves little.
    assert min(kills[phase] for phase in ("starting", "sealing", "wire", "idle")) >= 1, dict(kills)
    assert sum(kills.values()) == CYCLES
    with capsys.disabled():
        print(f"\nsync agent SIGKILL x {CYCLES} in {elapsed:.0f} s: kills by phase {dict(kills)}; "
              f"{len(stored)} batches at the hub, {resent} resends answered as duplicates; "
              f"office writes {dict(writer.acked)}")
