"""A simulated power cut, which SIGKILL alone is not: what had not been fsynced is gone.

Writers run with tests/fault/powerloss_shim.c preloaded and are SIGKILLed; the test then builds the disk a
power cut would have left (tests/fault/power_loss.py: only what was fsynced, and that plus a random subset
of later writes with one torn sector) and runs the same checks as the SIGKILL test on both.

- With the product's pragmas (synchronous=FULL) nothing acknowledged is lost and the database is sound.
- With synchronous=NORMAL or OFF (forced through the writer's test-only --synchronous) the very same checks
  report acknowledged writes as lost, while the data folder the SIGKILL left behind passes them: proof that
  the checks can fail, and that a SIGKILL test alone could not tell FULL from OFF.
"""

from __future__ import annotations

import copy
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from tests.fault.crash_checks import COMMITTING, Ledger, check_database, read_cycle
from tests.fault.power_loss import build_shim, restore, shim_env, start_durable
from tests.fault.writers import Writers, prepare_demo_database

pytestmark = pytest.mark.slow

CYCLES = int(os.environ.get("BALAI_FAULT_POWER_CYCLES", "40"))
SEED = int(os.environ.get("BALAI_FAULT_SEED", "8042"))
KILL_AFTER_MS = (20, 2500)   # long enough for some cycles to cross a WAL checkpoint (1000 pages)


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = build_shim(tmp_path_factory.mktemp("shim"))
    if library is None:
        if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
            pytest.fail("no C compiler to build the power-loss shim (CI=true: scripts/system-deps.sh installs gcc)")
        pytest.skip("no C compiler to build the power-loss shim")
    return library


class PowerCuts:
    """Cycles of: start from a durable disk, write, SIGKILL, rebuild the disk a power cut leaves, check."""

    def __init__(self, tmp_path: Path, shim: Path, synchronous: str, seed: int) -> None:
        self.data_dir, self.shadow_dir = tmp_path / "data", tmp_path / "shadow"
        self.careful_dir, self.killed_dir = tmp_path / "careful", tmp_path / "killed"
        self.ledger = Ledger(baseline=prepare_demo_database(self.data_dir))
        self.rng = random.Random(seed)
        self.writers = Writers(self.data_dir, tmp_path, args=["--synchronous", synchronous],
                               env=shim_env(shim, self.data_dir, self.shadow_dir))
        self.seed = seed
        self.cycles = 0

    def cycle(self) -> dict[str, list[str]]:
        """One cycle; the problems each disk shows. The torn disk becomes the next cycle's starting point."""
        start_durable(self.data_dir, self.shadow_dir)
        writer_seed = (self.seed % 10_000) * 1000 + self.cycles
        self.cycles += 1
        cycle = read_cycle(self.writers.run(writer_seed, self.rng.uniform(*KILL_AFTER_MS) / 1000))
        self.ledger.record(cycle)
        committing = cycle.inflight if cycle.state == COMMITTING else None
        found = {}
        for name, target, rng in (("killed", self.killed_dir, None), ("careful", self.careful_dir, None)):
            shutil.rmtree(target, ignore_errors=True)
            if name == "killed":  # what SIGKILL alone leaves: every byte the writer wrote
                shutil.copytree(self.data_dir, target)
            else:
                restore(target, self.shadow_dir, rng)
            found[name] = check_database(target, copy.deepcopy(self.ledger), committing=committing)
        restore(self.data_dir, self.shadow_dir, self.rng)
        found["torn"] = check_database(self.data_dir, self.ledger, committing=committing)
        return found


def test_power_cuts_lose_nothing_with_synchronous_full(tmp_path: Path, shim: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    cuts = PowerCuts(tmp_path, shim, "FULL", SEED)
    started = time.monotonic()
    with cuts.writers:
        for number in range(CYCLES):
            found = cuts.cycle()
            assert not any(found.values()), f"power cut {number}: " + "\n".join(
                f"[{disk}] {problem}" for disk, problems in found.items() for problem in problems)
    ledger = cuts.ledger
    assert ledger.total_acked >= CYCLES * 10, ledger.acked
    with capsys.disabled():
        print(f"\nsimulated power cut x {CYCLES} (synchronous=FULL) in {time.monotonic() - started:.0f} s: "
              f"{ledger.total_acked} acknowledged writes, none lost on the careful or the torn disk; "
              f"kills by state {dict(ledger.kills)}")


@pytest.mark.parametrize("synchronous", ["NORMAL", "OFF"])
def test_weaker_synchronous_loses_acknowledged_writes(tmp_path: Path, shim: Path, synchronous: str) -> None:
    """The checks fail when durability is missing, and only the power-cut disk shows it, not SIGKILL."""
    cuts = PowerCuts(tmp_path, shim, synchronous, SEED)
    with cuts.writers:
        for _ in range(10):
            found = cuts.cycle()
            if found["careful"]:
                break
    assert found["careful"], f"synchronous={synchronous}: ten power cuts and nothing lost? {cuts.ledger.acked}"
    assert any("is lost" in problem for problem in found["careful"]), found["careful"]
    assert found["killed"] == [], f"SIGKILL alone should not lose anything even with {synchronous}: {found['killed']}"
