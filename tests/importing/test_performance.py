"""10,000 residents read back exactly as written (the time it takes is measured by `make bench`, not here)."""

from __future__ import annotations

from pathlib import Path

from kiosk.importing import read_residents
from tests.importing.generate import write_excel


def test_ten_thousand_rows(tmp_path: Path) -> None:
    expected = write_excel(tmp_path / "big.xlsx", 10_000)
    result = read_residents(tmp_path / "big.xlsx")
    assert len(result.rows) == 10_000
    assert result.problems == []
    assert [r.values for r in result.rows] == expected
