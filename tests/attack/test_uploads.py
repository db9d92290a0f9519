"""Hostile uploads through every upload: scripts (.php, .phtml), SVG with script, image/script polyglots
(PNG, JPEG, JPEG comment, GIF89a + <?php), files whose name lies about their content.

Phone surfaces over HTTP on a real server (complaint photo, letter attachment); operator surfaces through the
NiceGUI pages (announcement picture, complaint photo, village logo, budget sheet, letter attachment,
resident import). Each file is refused with an Indonesian message or re-encoded; afterwards no file in the
data folder holds the payload or is executable, and nothing new appears in a folder the server serves.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from nicegui import background_tasks, ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from kiosk.models import LetterAttachment, Penduduk
from kiosk.services import accounts
from tests.attack.conftest import Office
from tests.attack.upload_payloads import hostile_files, is_plain_jpeg, leaks
from tests.pages import state
from tests.pages.test_letter_pages import _request, _world
from tests.pages.test_operator_pages import login
from tests.support.letter_answers import sample_answers

PASSWORD = "loket-satu-2026"
SERVED = ("audio", "announcements")  # folders the server hands out by name
BUDGET_REFUSAL = "Berkas ini bukan lembar Excel yang dapat dibaca"  # the last file: a .xlsx that is not one


def served_files(data_dir: Path) -> set[Path]:
    return {p for name in SERVED if (data_dir / name).exists() for p in (data_dir / name).rglob("*")}


def unexpected_served(data_dir: Path, before: set[Path]) -> list[Path]:
    """New files in served folders other than the server's own spoken clips and re-encoded JPEG pictures."""
    return [p for p in served_files(data_dir) - before if p.is_file()
            and not (p.parent.name == "audio" and p.name.startswith("say-") and p.suffix == ".wav")
            and not is_plain_jpeg(p.read_bytes())]


@pytest.mark.slow
def test_phone_complaint_photos_are_refused_or_reencoded(office: Office) -> None:
    page = httpx.get(f"{office.url}/m/complaint", timeout=10).text
    category = re.search(r'<option value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    served = served_files(office.data_dir)
    for number, (name, kind, data) in enumerate(hostile_files()):
        before = office.count("complaint")
        response = httpx.post(f"{office.url}/m/complaint", data={
            "kategori": category, "identitas": "anonim", "isi": f"Jalan rusak di RT 0{number % 9 + 1}, mohon diperbaiki."},
            files={"foto": (name, data, kind)}, headers={"X-Forwarded-For": f"10.77.0.{number + 1}"}, timeout=30)
        if response.status_code == 303:  # accepted: only as a re-encoded JPEG
            assert office.count("complaint") == before + 1
            code = response.headers["location"].split("/m/complaint/")[1].split("?")[0]
            photo = httpx.get(f"{office.url}/m/complaint/{code}/photo", timeout=10)
            assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
            assert is_plain_jpeg(photo.content), name
        else:
            assert response.status_code == 422, (name, response.status_code)
            assert "Berkas ini bukan foto yang bisa dibaca" in response.text, name
            assert office.count("complaint") == before
    assert leaks(office.data_dir) == []
    assert unexpected_served(office.data_dir, served) == []


@pytest.mark.slow
def test_phone_letter_attachments_are_refused_or_reencoded(office: Office) -> None:
    phone = httpx.Client(base_url=office.url, headers={"X-Forwarded-For": "10.77.1.1"}, timeout=30)
    login_answer = phone.post("/m/surat", data={"nik": office.resident_nik, "pin": office.resident_pin})
    assert login_answer.status_code == 303, login_answer.text[-500:]
    types = phone.get("/api/v1/letters/types").json()
    chosen = next(t for t in types if t["name"] == "Surat Keterangan Domisili")
    answers = sample_answers(chosen["fields"])
    served = served_files(office.data_dir)
    for name, kind, data in hostile_files():
        before = office.count("letter_attachment")
        response = phone.post(f"/m/surat/isi/{chosen['code']}", data=answers, files={"lampiran": (name, data, kind)})
        if office.count("letter_attachment") > before:
            assert response.status_code == 303, (name, response.status_code)
            stored = office.query("SELECT stored_name FROM letter_attachment ORDER BY id DESC LIMIT 1")[0][0]
            assert is_plain_jpeg((office.data_dir / "attachments" / stored).read_bytes()), name
        else:
            assert response.status_code == 422, (name, response.status_code, response.text[-300:])
            assert re.search(r"bukan foto|bukan|PDF", response.text), name
    assert leaks(office.data_dir) == []
    assert unexpected_served(office.data_dir, served) == []
    phone.close()


async def _upload(user: User, marker: str, name: str, kind: str, data: bytes) -> None:
    """Hand the file to the page's ui.upload and wait for its handler to finish (one file after another)."""
    upload = next(iter(user.find(marker=marker).elements))
    assert isinstance(upload, ui.upload)
    earlier = set(background_tasks.running_tasks)
    with user:
        await upload.handle_uploads([SmallFileUpload(name, kind, data)])
    handlers = set(background_tasks.running_tasks) - earlier
    if handlers:
        await asyncio.wait(handlers, timeout=30)


async def _every_file(user: User, marker: str, refusal: str) -> None:
    """Upload each hostile file in turn; the page must show the surface's Indonesian refusal."""
    for name, kind, data in hostile_files():
        await _upload(user, marker, name, kind, data)
    await user.should_see(refusal, retries=50)


async def test_operator_uploads_never_keep_a_payload(page_office: User) -> None:
    assert state.ctx is not None
    data_dir = state.ctx.settings.data_dir
    world = _world()
    summary = _request(world)
    accounts.create_user("admin2", PASSWORD, "admin", actor="test")
    await login(page_office, "admin2", PASSWORD)
    await page_office.should_see("Loket saya", retries=30)
    served = served_files(data_dir)

    await page_office.open("/operator/announcements")
    await page_office.should_see("Pengumuman baru", retries=30)
    await _every_file(page_office, "announce-upload", "Berkas ini bukan foto yang dapat dibaca")

    await page_office.open("/operator/complaints")
    await page_office.should_see(marker="complaint-new-photo", retries=30)
    await _every_file(page_office, "complaint-new-photo", "Berkas ini bukan foto yang bisa dibaca")

    await page_office.open("/operator/village")
    await page_office.should_see(marker="logo-upload", retries=30)
    await _every_file(page_office, "logo-upload", "Logo harus berupa gambar PNG atau JPEG")

    await page_office.open("/operator/budget")
    await page_office.should_see(marker="budget-upload", retries=30)
    await _every_file(page_office, "budget-upload", BUDGET_REFUSAL)

    await page_office.open(f"/operator/letters/{summary.id}")
    await page_office.should_see(marker="letter-upload", retries=30)
    await _every_file(page_office, "letter-upload", "Berkas harus foto (JPG, PNG, WebP) atau PDF")
    for row in LetterAttachment.select():
        assert is_plain_jpeg((state.ctx.settings.attachments_dir / row.stored_name).read_bytes())

    residents = Penduduk.select().count()
    await page_office.open("/operator/residents/import")
    await page_office.should_see(marker="import-upload", retries=30)
    await _every_file(page_office, "import-upload", "Berkas harus .xlsx, .xlsm atau .xls")
    assert Penduduk.select().count() == residents

    assert leaks(data_dir) == []
    assert unexpected_served(data_dir, served) == []
