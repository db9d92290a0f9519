"""10,000 residents must read and normalize well within 3 seconds on the office's small machine."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.importing import read_residents
from tests.importing.generate import write_excel

LIMIT_SECONDS = 3.0


def test_ten_thousand_rows(tmp_path: Path) -> None:
    expected = write_excel(tmp_path / "big.xlsx", 10_000)
    best = float("inf")
    for _ in range(2):  # best of two: the first run also pays for imports and a cold file cache
        started = time.perf_counter()
        result = read_residents(tmp_path / "big.xlsx")
        best = min(best, time.perf_counter() - started)
    print(f"read+normalize 10,000 rows: {best:.2f} s")
    assert len(result.rows) == 10_000
    assert result.problems == []
    assert [r.values for r in result.rows] == expected
    assert best < LIMIT_SECONDS
