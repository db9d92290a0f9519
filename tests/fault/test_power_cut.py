"""Nothing acknowledged is lost when the process dies mid-write (issue 8 part 4, issue 9's 200 SIGKILL cycles).

Two variants, both against the real database settings (`kiosk.db.PRAGMAS`: WAL, synchronous=FULL):

- `test_sigkill_during_mixed_writes`: 200 writer processes (tests/support/crash_writer.py), each making
  tickets, calls, finishes, residents and letter requests through the services, each killed with SIGKILL
  20-400 ms (seeded) after it is ready. After every kill the database is opened as the next start would and
  checked (tests/fault/crash_checks.py): integrity_check ok, foreign_key_check empty, every acknowledged
  write present, no half transaction, numbers unique, gap-free and never going backwards.
- `test_sigkill_of_the_server_during_http_writes`: 200 x `balai serve --demo` (forked from a parent that did
  the imports once, tests/fault/server_forks.py: a cycle takes ~1.5 s instead of ~4), tickets taken and
  called over the HTTP API while it is SIGKILLed 20-600 ms after its first acknowledged write, restarted on
  the same data folder, checked the same way.

SIGKILL proves atomicity and recovery at the process level; it cannot prove durability against a power cut,
since the kernel keeps what the process wrote. tests/fault/test_power_loss.py covers that part.

`BALAI_FAULT_CYCLES`, `BALAI_FAULT_SERVER_CYCLES` and `BALAI_FAULT_SEED` change the cycle counts and the seed
(e.g. for a longer soak).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.fault.crash_checks import COMMITTING, IN_TX, Ledger, check_database, read_cycle
from tests.fault.server_forks import ForkedServers
from tests.fault.writers import Writers, prepare_demo_database
from tests.support.server import make_token
from tests.system.helpers import TestServer

pytestmark = pytest.mark.slow

CYCLES = int(os.environ.get("BALAI_FAULT_CYCLES", "200"))
SERVER_CYCLES = int(os.environ.get("BALAI_FAULT_SERVER_CYCLES", "200"))
SEED = int(os.environ.get("BALAI_FAULT_SEED", "8042"))
KILL_AFTER_MS = (20, 400)
SERVER_KILL_AFTER_S = (0.02, 0.6)  # after the first acknowledged write of a fresh server


def test_sigkill_during_mixed_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "data"
    ledger = Ledger(baseline=prepare_demo_database(data_dir))
    rng = random.Random(SEED)
    started = time.monotonic()
    with Writers(data_dir, tmp_path) as writers:
        for cycle_no in range(CYCLES):
            writer_seed = (SEED % 10_000) * 1000 + cycle_no
            kill_after = rng.uniform(*KILL_AFTER_MS) / 1000
            cycle = read_cycle(writers.run(writer_seed, kill_after))
            ledger.record(cycle)
            committing = cycle.inflight if cycle.state == COMMITTING else None
            problems = check_database(data_dir, ledger, committing=committing)
            assert not problems, (f"cycle {cycle_no} (writer seed {writer_seed}, killed {kill_after * 1000:.0f} "
                                  f"ms after READY, state {cycle.state}, in {cycle.inflight}):\n"
                                  + "\n".join(problems))
    elapsed = time.monotonic() - started

    # The kills must have landed where it matters, or the test proves little.
    assert ledger.kills[IN_TX] + ledger.kills[COMMITTING] >= CYCLES // 10, ledger.kills
    assert ledger.total_acked >= CYCLES * 5, ledger.acked
    assert min(ledger.acked[k] for k in ("ticket", "call", "finish", "resident", "letter")) > 0, ledger.acked
    with capsys.disabled():
        print(f"\npower cut (SIGKILL) x {CYCLES} in {elapsed:.0f} s: {ledger.total_acked} acknowledged writes "
              f"{dict(ledger.acked)}; kills by state {dict(ledger.kills)}; committed but unacknowledged "
              f"survivors {dict(ledger.survivors)}; all {ledger.checks} checks clean")


# --- the real server --------------------------------------------------------------------------------------

class HttpLoad:
    """Takes tickets and calls the next one over HTTP from two threads until the server dies.

    Only a 201 (ticket) or 200 (call) counts as acknowledged; a request cut off by the kill counts as
    nothing, whatever the server did with it.
    """

    def __init__(self, url: str, token: str, ledger: Ledger, seed: int) -> None:
        self.url, self.token, self.ledger = url, token, ledger
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.acked = threading.Event()  # the first write of this round is acknowledged
        self.lock = threading.Lock()
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._tickets, daemon=True),
                        threading.Thread(target=self._calls, daemon=True)]

    def __enter__(self) -> "HttpLoad":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(15)

    def _tickets(self) -> None:
        with httpx.Client(base_url=self.url, timeout=5.0) as client:
            while not self.stop.is_set():
                try:
                    response = client.post("/api/v1/queue/tickets", json={"service": self.rng.choice("ABCD")})
                except httpx.HTTPError:
                    time.sleep(0.01)
                    continue
                if response.status_code == 201:
                    body = response.json()
                    seq = int(body["number"].split("-")[1])
                    with self.lock:
                        self.ledger.add("ticket", [body["id"], body["number"], str(seq), "None"])
                    self.acked.set()
                elif response.status_code >= 500 or response.status_code == 429:
                    self.errors.append(f"ticket: {response.status_code} {response.text[:200]}")

    def _calls(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, timeout=5.0, headers=headers) as client:
            while not self.stop.is_set():
                counter = self.rng.choice(("Loket 1", "Loket 2"))
                try:
                    response = client.post(f"/api/v1/queue/counters/{counter}/call-next")
                except httpx.HTTPError:
                    time.sleep(0.01)
                    continue
                if response.status_code == 200:
                    with self.lock:
                        self.ledger.add("call", [response.json()["id"]])
                    self.acked.set()
                elif response.status_code != 404:  # 404: nobody waiting
                    self.errors.append(f"call: {response.status_code} {response.text[:200]}")
                time.sleep(0.05)  # counters call more slowly than the kiosk hands out numbers


def test_sigkill_of_the_server_during_http_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "data"
    env = {"BALAI_TICKET_RATE_PER_MINUTE": "1000000"}   # the kiosk limit would refuse the load
    rng = random.Random(SEED + 1)
    ledger = Ledger()
    # TestServer only for the environment a real start gets; the servers are forked (tests/fault/server_forks.py)
    environment = TestServer(data_dir, extra_env=env).environment()
    started = time.monotonic()
    with ForkedServers(data_dir, environment, tmp_path / "server.log") as server:
        server.start()
        token = make_token(data_dir, "crash-test")
        for cycle_no in range(SERVER_CYCLES):
            if cycle_no:
                server.start()
            with HttpLoad(server.url, token, ledger, SEED + cycle_no) as load:
                # a fresh server answers its first requests slowly: time the kill from the first answer
                assert load.acked.wait(30), f"cycle {cycle_no}: no write acknowledged: {load.errors[:5]}"
                time.sleep(rng.uniform(*SERVER_KILL_AFTER_S))
                assert server.kill() == signal.SIGKILL
            assert not load.errors, load.errors[:5]
            problems = check_database(data_dir, ledger, exact_counts=False)
            assert not problems, f"cycle {cycle_no}:\n" + "\n".join(problems)
        # and the restarted server itself serves every acknowledged ticket
        server.start()
        with httpx.Client(base_url=server.url, timeout=10.0) as client:
            for acked in ledger.tickets.values():
                response = client.get(f"/api/v1/queue/tickets/{acked.uuid}")
                assert response.status_code == 200 and response.json()["number"] == acked.number, response.text
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nserver SIGKILL x {SERVER_CYCLES} in {elapsed:.0f} s ({elapsed / SERVER_CYCLES:.2f} s a cycle): "
              f"{ledger.total_acked} acknowledged writes {dict(ledger.acked)} over HTTP, all present after each "
              f"restart")
