"""A signed letter reaches a real CUPS printer (private cupsd + cups-pdf) through the durable print queue."""

from __future__ import annotations

import io
import sqlite3

import httpx
import pytest
from pypdf import PdfReader

from tests.support.cups import PrivateCups, require_cups
from tests.support.letter_answers import sample_answers
from tests.support.server import make_token

MM_PER_PT = 25.4 / 72


@pytest.mark.slow
def test_signed_letter_prints_on_cups_through_the_queue(start_server, data_dir):  # noqa: ANN001
    require_cups()
    with PrivateCups() as cups:
        server = start_server(extra_env={"BALAI_DEMO_POPULATION": "1", "BALAI_LETTER_PRINTER": cups.queue,
                                         "CUPS_SERVER": cups.server})
        operator = {"Authorization": f"Bearer {make_token(data_dir, 'meja', 'operator')}"}
        signer = {"Authorization": f"Bearer {make_token(data_dir, 'kades', 'signer')}"}
        with sqlite3.connect(data_dir / "balai.sqlite3") as connection:
            nik = connection.execute("SELECT nik FROM penduduk WHERE status_dasar = 1 LIMIT 1").fetchone()[0]
        kind = next(t for t in httpx.get(f"{server.url}/api/v1/letters/types").json()
                    if t["name"] == "Surat Keterangan Usaha")
        created = httpx.post(f"{server.url}/api/v1/letters", headers=operator,
                             json={"type": kind["code"], "nik": nik, "fields": sample_answers(kind["fields"])})
        letter_id = created.json()["id"]
        assert httpx.post(f"{server.url}/api/v1/letters/{letter_id}/print", headers=operator).status_code == 409
        assert httpx.post(f"{server.url}/api/v1/letters/{letter_id}/sign", headers=signer, timeout=60).status_code == 200
        queued = httpx.post(f"{server.url}/api/v1/letters/{letter_id}/print", headers=operator)
        assert queued.status_code == 202
        [printed] = cups.wait_for_pdf(1, seconds=60)
        page = PdfReader(io.BytesIO(printed.read_bytes())).pages[0]
        width, height = float(page.mediabox.width) * MM_PER_PT, float(page.mediabox.height) * MM_PER_PT
        assert abs(width - 215) < 1.5 and abs(height - 330) < 1.5
