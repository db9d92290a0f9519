"""`balai verify` offline: a laptop with only the village's public key file checks a QR text or a PDF."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.services import letter_requests, letter_signing
from tests.services.letters_support import make_world

ROOT = Path(__file__).resolve().parents[2]


def balai(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run in a separate process with an empty data folder: nothing of the office is reachable."""
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args, "--data", str(cwd / "empty")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(cwd)})


@pytest.fixture
def signed(demo_db, tmp_path, capsys):
    world = make_world(demo_db)
    request = letter_requests.create_request("TES", world.siti, {"keperluan": "Bank"}, channel="operator",
                                             actor="op", checked=True)
    letter = letter_signing.sign(request.id, signer="kades", options=world.options)
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(letter_signing.signed_pdf(request.id, options=world.options))
    key = tmp_path / "desa.pub.json"
    assert main(["key", "export", "--out", str(key), "--data", str(demo_db.data_dir)]) == 0
    capsys.readouterr()
    return letter, pdf, key


def test_verify_qr_text_and_pdf_offline(signed, tmp_path):
    letter, pdf, key = signed
    by_text = balai("verify", letter.qr, "--key", str(key), cwd=tmp_path)
    assert by_text.returncode == 0, by_text.stdout + by_text.stderr
    assert by_text.stdout.startswith("SAH") and letter.number in by_text.stdout
    by_pdf = balai("verify", str(pdf), "--key", str(key), "--json", cwd=tmp_path)
    assert by_pdf.returncode == 0
    [reading] = json.loads(by_pdf.stdout)
    assert reading["valid"] and reading["number"] == letter.number and reading["name"] == "S**i A****h"


def test_tampered_unknown_key_and_not_a_letter_are_tidak_sah(signed, tmp_path):
    letter, _, key = signed
    body, signature = letter.qr.rsplit("/", 1)[1].split(".")
    import base64

    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b"S**i", b"B**i")
    forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + signature
    result = balai("verify", forged, "--key", str(key), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout.startswith("TIDAK SAH") and "diubah" in result.stdout
    no_key = balai("verify", letter.qr, cwd=tmp_path)
    assert no_key.returncode == 1 and "bukan dari desa ini" in no_key.stdout
    not_pdf = tmp_path / "foto.pdf"
    not_pdf.write_bytes(b"GIF89a not a pdf")
    assert balai("verify", str(not_pdf), "--key", str(key), cwd=tmp_path).returncode == 1
    broken_key = tmp_path / "rusak.json"
    broken_key.write_text("{}")
    assert balai("verify", letter.qr, "--key", str(broken_key), cwd=tmp_path).returncode == 2


def test_cookie_authenticated_writes_must_come_from_our_own_pages():
    from starlette.requests import Request

    from kiosk.api.deps import _same_origin

    def request(**headers: str) -> Request:
        raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in {"host": "balai.local:8080", **headers}.items()]
        return Request({"type": "http", "method": "POST", "path": "/", "headers": raw})

    assert _same_origin(request(origin="http://balai.local:8080"))
    assert _same_origin(request())  # scripts send no Origin
    assert not _same_origin(request(origin="http://evil.example"))
    assert not _same_origin(request(referer="http://evil.example/form.html"))
