"""The district hub unreachable for a simulated week, then back (issue 9 item 2).

tests/sync/test_sync_faults.py::test_a_week_without_a_link... calls `Uploader.once()` five times against a
proxy that resets every connection and back-dates the journal: it proves nothing is lost and one run sends
it all, but not how the agent's own loop behaves for a week. Here `Uploader.run()` (the loop `balai sync run`
runs) keeps going against a closed port (connection refused: nothing listens) while the office keeps
writing; its waits go to a simulated clock, so a week passes in a minute. Checked:

- every wait is within the capped backoff (at most 5 minutes, full jitter) and the loop never spins;
- what the agent keeps is bounded: one log line per attempt, `sync_state` one row with a failure count,
  the number of live Python objects flat between the second day and the seventh;
- when the hub is reachable again (a listener on the same port), the next run sends everything, each
  batch stored once, the hub equal to the village.

A real agent process cannot be given a simulated clock without a product hook, so this runs the same loop
in the test's process; the SIGKILL tests run the real process.
"""

from __future__ import annotations

import gc
import logging
import random
from datetime import date
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kiosk.db import database
from kiosk.services.resident_edit import PersonInput, create_person
from kiosk.settings import Settings
from sync import journal
from sync.client import BACKOFF_CAP_S, RunResult, SyncError, Uploader, enrol
from sync.hub.enrolment import create_code
from sync.hub.ingest import IngestResult
from sync.hub.store import HubBatch, hub_database
from tests.support.faultproxy import FaultProxy
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content
from tests.support.sync_procs import LOOPBACK
from tests.sync.conftest import hub, ingest_log  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

VILLAGE = "3204122001"
WEEK_S = 7 * 86400
DAY_S = 86400


class SimulatedWake:
    """Stands in for the uploader's wake event: a wait moves the simulated clock instead of sleeping, and
    whatever the test schedules for that moment (office work, the hub coming back) happens then."""

    def __init__(self, on_time: Any) -> None:
        self.now = 0.0
        self.waits: list[float] = []
        self.on_time = on_time

    def wait(self, seconds: float | None = None) -> bool:
        self.waits.append(float(seconds or 0.0))
        self.now += float(seconds or 0.0)
        self.on_time(self.now)
        return False

    def set(self) -> None:
        pass

    def clear(self) -> None:
        pass




class Counting(logging.Handler):
    """Counts the agent's warnings without keeping them (a kept record would hold its error's traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failed = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "sync failed" in record.getMessage():
            self.failed += 1


def _live_objects() -> int:
    gc.collect()
    return len(gc.get_objects())


def _resident(number: int) -> None:
    day = number % 28 + 1
    create_person(PersonInput(nik=f"320412{day:02d}0190{number:04d}", nama=f"Warga Minggu {number}", sex=1,
                              tanggallahir=date(1990, 1, day)),
                  family_id=None, first_event="datang", event_date=date(2026, 11, 2), actor="op")


def test_a_week_with_the_hub_unreachable_then_everything_arrives_once(
        demo_db: Settings, hub: HubThread, ingest_log: list[IngestResult],
        capsys: pytest.CaptureFixture[str]) -> None:
    key = Ed25519PrivateKey.generate()
    # Thousands of attempts each note themselves in sync_state: no fsync for that here (durability is the
    # power-cut tests' subject), or the simulated week takes minutes of real time.
    database.execute_sql("PRAGMA synchronous=OFF")
    link = FaultProxy((LOOPBACK, hub.settings.port)).start()
    port = int(link.url.rsplit(":", 1)[1])
    enrol(database, key, link.url, create_code(VILLAGE))
    link.stop()  # from now on nothing listens there: connection refused
    outcomes: list[str] = []  # error codes, "ok" for the run that worked (not the errors: their tracebacks)
    final: list[RunResult] = []
    state: dict[str, Any] = {"written": 0, "next_write": 0.0, "back": None, "memory": {}}
    uploader = Uploader(database, key, rng=random.Random(20261124))

    def on_time(now: float) -> None:
        """Every 3 simulated hours the office registers someone; after a week the hub is reachable again."""
        while state["next_write"] <= min(now, WEEK_S):
            state["written"] += 1
            _resident(state["written"])
            state["next_write"] += 3 * 3600
        for day in (2, 7):
            if now >= day * DAY_S and day not in state["memory"]:
                state["memory"][day] = _live_objects()
        if now >= WEEK_S and state["back"] is None:
            state["back"] = FaultProxy((LOOPBACK, hub.settings.port), port=port).start()

    def on_result(outcome: RunResult | SyncError) -> None:
        outcomes.append(outcome.code if isinstance(outcome, SyncError) else "ok")
        if isinstance(outcome, RunResult):
            final.append(outcome)
        if isinstance(outcome, RunResult) or len(outcomes) > 20_000:
            uploader.stop()

    wake = SimulatedWake(on_time)
    uploader._wake = wake  # type: ignore[assignment] - the simulated clock
    counting = Counting()
    agent_log = logging.getLogger("sync.client")
    agent_log.addHandler(counting)
    agent_log.propagate = False  # pytest's log capture would keep every record (and count as growth)
    try:
        uploader.run(on_result=on_result)
    finally:
        agent_log.removeHandler(counting)
        agent_log.propagate = True
        if state["back"] is not None:
            state["back"].stop()

    failures = [code for code in outcomes if code != "ok"]
    assert outcomes[-1] == "ok" and len(final) == 1, outcomes[-3:]
    assert failures and set(failures) == {"network"}, set(failures)
    assert wake.now >= WEEK_S and state["written"] >= 56
    # Capped backoff with full jitter: never above 5 minutes, and no spinning once it has grown.
    waits = wake.waits[:len(failures)]
    assert max(waits) <= BACKOFF_CAP_S
    settled = sorted(waits[12:])
    assert settled[len(settled) // 2] >= BACKOFF_CAP_S / 4, "the median wait after a dozen failures"
    assert len(failures) <= 2 * WEEK_S / (BACKOFF_CAP_S / 2), len(failures)
    # Bounded: one warning per failed attempt, one state row, memory flat from day 2 to day 7.
    assert counting.failed == len(failures)
    assert database.execute_sql("SELECT COUNT(*) FROM sync_state").fetchone()[0] == 1
    growth = state["memory"][7] - state["memory"][2]
    assert growth < 5_000, f"{growth} more live objects after five more simulated days"

    result = final[0]
    assert result.rejected == 0 and not result.new_epoch
    status = journal.status(database)
    assert status.pending_changes == 0 and status.failures == 0
    stored = [call.batch_id for call in ingest_log if not call.duplicate]
    assert len(stored) == len(set(stored)) == result.acknowledged
    with hub_database.connection_context():
        assert HubBatch.select().where(HubBatch.village_id == VILLAGE).count() == len(stored)
    village = village_content(database)
    assert differences(village, hub_content(VILLAGE)) == [] and len(village) == len(hub_content(VILLAGE))
    with capsys.disabled():
        print(f"\nhub unreachable a simulated week: {len(failures)} failed attempts (waits max "
              f"{max(waits):.0f} s, median {settled[len(settled) // 2]:.0f} s), {state['written']} residents "
              f"written meanwhile, live objects {growth:+d} from day 2 to 7; then {result.acknowledged} batches sent once")
