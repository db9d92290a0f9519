"""SIGKILL while letters are being signed (a power cut at the kepala desa's desk): every letter the server
acknowledged as signed keeps its number, its PDF and its hash; numbers stay gap-free and unique after the
restart; a signing cut off half-way leaves its request waiting, with no number used."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.letter_answers import sample_answers
from tests.support.server import make_token

pytestmark = pytest.mark.slow
REQUESTS = 24


def _rows(data_dir: Path) -> list[tuple]:
    with sqlite3.connect(data_dir / "balai.sqlite3") as connection:
        return connection.execute(
            "SELECT id, status, number, number_seq, pdf_path, pdf_sha256 FROM letter_request ORDER BY id").fetchall()


def test_signing_survives_sigkill_gap_free(start_server, data_dir: Path) -> None:  # noqa: ANN001
    first = start_server(extra_env={"BALAI_DEMO_POPULATION": "1"})
    operator = {"Authorization": f"Bearer {make_token(data_dir, 'meja', 'operator')}"}
    signer = {"Authorization": f"Bearer {make_token(data_dir, 'kades', 'signer')}"}
    kind = next(t for t in httpx.get(f"{first.url}/api/v1/letters/types").json()
                if t["name"] == "Surat Keterangan Domisili")
    with sqlite3.connect(data_dir / "balai.sqlite3") as connection:
        niks = [n for (n,) in connection.execute(
            "SELECT nik FROM penduduk WHERE status_dasar = 1 ORDER BY id LIMIT ?", (REQUESTS,))]
    ids = []
    for nik in niks:
        created = httpx.post(f"{first.url}/api/v1/letters", headers=operator, timeout=30,
                             json={"type": kind["code"], "nik": nik, "fields": sample_answers(kind["fields"])})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])

    acknowledged: dict[int, str] = {}

    def sign_all(chunk: list[int]) -> None:
        for letter_id in chunk:
            try:
                answer = httpx.post(f"{first.url}/api/v1/letters/{letter_id}/sign", headers=signer, timeout=30)
            except httpx.HTTPError:
                return  # the server died under us
            if answer.status_code == 200:
                acknowledged[letter_id] = answer.json()["number"]

    threads = [threading.Thread(target=sign_all, args=(ids[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < REQUESTS // 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    first.kill()  # mid-way: some signed, one probably half-way through its transaction
    for thread in threads:
        thread.join(30)
    assert REQUESTS // 3 <= len(acknowledged) < REQUESTS, "the kill should land in the middle of the signing"

    second = start_server(extra_env={"BALAI_DEMO_POPULATION": "1"}, port=first.port)
    rows = _rows(data_dir)
    signed = [row for row in rows if row[1] == "siap"]
    for letter_id, number in acknowledged.items():  # nothing acknowledged was lost
        row = next(r for r in rows if r[0] == letter_id)
        assert row[1] == "siap" and row[2] == number
    assert sorted(row[3] for row in signed) == list(range(1, len(signed) + 1)), "a gap or a duplicate number"
    for _, _, number, _, pdf_path, pdf_sha in signed:
        data = (data_dir / "letters" / pdf_path).read_bytes()
        assert hashlib.sha256(data).hexdigest() == pdf_sha, f"the PDF of {number} does not match its hash"
    waiting = [row[0] for row in rows if row[1] == "menunggu_ttd"]
    assert all(row[2] is None for row in rows if row[1] == "menunggu_ttd")

    for letter_id in waiting:  # the rest sign after the restart and continue the series without a gap
        answer = httpx.post(f"{second.url}/api/v1/letters/{letter_id}/sign", headers=signer, timeout=30)
        assert answer.status_code == 200, answer.text
    final = _rows(data_dir)
    assert sorted(row[3] for row in final) == list(range(1, REQUESTS + 1))
    with sqlite3.connect(data_dir / "balai.sqlite3") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
