"""One definition of "looks like code" for every form: attacks refused, ordinary village text kept."""

from __future__ import annotations

import pytest

from kiosk.services.text_checks import code_in


@pytest.mark.parametrize("text", [
    "Jalan rusak < 5 m & licin, mohon diperbaiki", "Anggaran 2024--2025", "A & B", "Pak RT bilang: 'besok'",
    "Saluran air tersumbat; warga RW 03 kebanjiran", "Harga < Rp 5.000 / kg", "Rehab Posyandu (tahap 2)",
    "Select the best option",  # no FROM: an English sentence, not a query
])
def test_ordinary_text_passes(text: str) -> None:
    assert code_in(text) is None


@pytest.mark.parametrize("text, kind", [
    ("<script>alert(1)</script>", "markup"), ("<img src=x onerror=alert(1)>", "markup"), ("</div", "markup"),
    ("<?php system($_GET['c']); ?>", "markup"), ("javascript:alert(1)", "markup"), ("&lt;script&gt;", "markup"),
    ("klik onclick=steal()", "markup"),
    ("' OR 1=1 --", "sql"), ("x' or 'a'='a", "sql"), ("1; DROP TABLE penduduk", "sql"),
    ("UNION SELECT nik FROM penduduk", "sql"), ("select nik from penduduk", "sql"), ("abc /* x */", "sql"),
    ("SLEEP(5)", "sql"), ("akhir --", "sql"),
])
def test_code_is_named(text: str, kind: str) -> None:
    assert code_in(text) == kind
