"""The letters API on a real server: request (operator), sign (signer), PDF, verify (public), revoke."""

from __future__ import annotations

import io
import re
import sqlite3

import httpx
from pypdf import PdfReader

from kiosk.i18n import translate
from tests.support.letter_answers import sample_answers
from tests.support.server import make_token


def _a_resident_nik(data_dir) -> str:  # noqa: ANN001
    with sqlite3.connect(data_dir / "balai.sqlite3") as connection:
        return connection.execute("SELECT nik FROM penduduk WHERE status_dasar = 1 ORDER BY id LIMIT 1").fetchone()[0]


def test_request_sign_download_verify_and_revoke(start_server, data_dir):  # noqa: ANN001
    server = start_server(extra_env={"BALAI_DEMO_POPULATION": "1"})
    operator = {"Authorization": f"Bearer {make_token(data_dir, 'meja-1', 'operator')}"}
    signer = {"Authorization": f"Bearer {make_token(data_dir, 'kades', 'signer')}"}
    types = httpx.get(f"{server.url}/api/v1/letters/types").json()
    assert len(types) >= 20
    assert all({"code", "name", "klasifikasi", "fields", "requirements"} <= t.keys() for t in types)
    domisili = next(t for t in types if t["name"] == "Surat Keterangan Domisili")
    nik = _a_resident_nik(data_dir)
    body = {"type": domisili["code"], "nik": nik, "fields": sample_answers(domisili["fields"])}

    assert httpx.post(f"{server.url}/api/v1/letters", json=body).status_code == 401
    bad = httpx.post(f"{server.url}/api/v1/letters", json={**body, "fields": {"tidak_ada": "x"}}, headers=operator)
    assert bad.status_code == 422 and "tidak_ada" in bad.json()["fields"]
    unknown = httpx.post(f"{server.url}/api/v1/letters", json={**body, "nik": "3204129999990001"}, headers=operator)
    assert unknown.status_code == 404
    created = httpx.post(f"{server.url}/api/v1/letters", json=body, headers=operator)
    assert created.status_code == 201, created.text
    letter_id = created.json()["id"]
    assert created.json()["status"] == "menunggu_ttd"

    draft = httpx.get(f"{server.url}/api/v1/letters/{letter_id}/pdf", headers=operator)
    assert draft.status_code == 200 and draft.headers["content-type"] == "application/pdf"
    assert "DRAF" in PdfReader(io.BytesIO(draft.content)).pages[0].extract_text()

    assert httpx.post(f"{server.url}/api/v1/letters/{letter_id}/sign", headers=operator).status_code == 403
    signed = httpx.post(f"{server.url}/api/v1/letters/{letter_id}/sign", headers=signer, timeout=60)
    assert signed.status_code == 200, signed.text
    number, qr = signed.json()["number"], signed.json()["qr"]
    assert re.fullmatch(rf"{re.escape(domisili['klasifikasi'])}/001/2001/(I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)/20\d\d",
                        number), number
    again = httpx.post(f"{server.url}/api/v1/letters/{letter_id}/sign", headers=signer)
    assert again.status_code == 409

    letter = httpx.get(f"{server.url}/api/v1/letters/{letter_id}/pdf", headers=operator)
    assert number in PdfReader(io.BytesIO(letter.content)).pages[0].extract_text()

    verdict = httpx.post(f"{server.url}/api/v1/letters/verify", json={"qr": qr}).json()
    assert verdict["valid"] is True and verdict["number"] == number and verdict["reason"] == "ok"
    token = qr.rsplit("/", 1)[1]
    forged = token.replace(token[5], "A" if token[5] != "A" else "B", 1)
    verdict = httpx.post(f"{server.url}/api/v1/letters/verify", json={"qr": forged}).json()
    assert verdict["valid"] is False and verdict["reason"] in ("signature", "format")
    assert verdict["message"] == translate(f"verify.reason.{verdict['reason']}", "id")

    assert httpx.post(f"{server.url}/api/v1/letters/{letter_id}/revoke", json={"reason": "Data salah"},
                      headers=operator).status_code == 403
    revoked = httpx.post(f"{server.url}/api/v1/letters/{letter_id}/revoke", json={"reason": "Data salah"},
                         headers=signer)
    assert revoked.status_code == 200
    verdict = httpx.post(f"{server.url}/api/v1/letters/verify", json={"qr": qr},
                         headers={"Accept-Language": "en"}).json()
    assert verdict["valid"] is False and verdict["reason"] == "revoked" and "Data salah" in verdict["message"]

    key_file = httpx.get(f"{server.url}/api/v1/village/public-key").json()
    assert key_file["format"] == "balai-village-key/1" and key_file["village_code"] == "32.04.12.2001"
    schema = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    for path in ("/api/v1/letters/types", "/api/v1/letters", "/api/v1/letters/{request_id}/sign",
                 "/api/v1/letters/{request_id}/pdf", "/api/v1/letters/verify"):
        assert path in schema
