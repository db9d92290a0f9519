"""Announcements end to end: an operator posts one (with a picture), it shows on the phone page, the TV's
running text and the kiosk; withdrawing hides it everywhere; viewers and path tricks get nothing."""

from __future__ import annotations

import io

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image

from kiosk.services import accounts, announcements
from tests.pages import state
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"
TITLE = "Posyandu <b>Balita</b> Dusun Krajan"
BODY = "Bawa buku KIA.\n<script>alert('x')</script>"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 50), (10, 120, 90)).save(out, "PNG")
    return out.getvalue()


async def _upload(user: User, name: str, content_type: str, data: bytes) -> None:
    upload = next(iter(user.find(marker="announce-upload").elements))
    assert isinstance(upload, ui.upload)
    with user:
        await upload.handle_uploads([SmallFileUpload(name, content_type, data)])


async def _as_operator(user: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(user, "siti", PASSWORD)
    await user.should_see("Loket saya", retries=30)


async def test_operator_posts_and_withdraws_an_announcement(office: User) -> None:
    await _as_operator(office)
    await office.should_see(marker="nav-announcements")
    await office.open("/operator/announcements")
    await office.should_see("Pengumuman baru", retries=30)
    await office.should_see("Belum ada pengumuman.", retries=30)

    await _upload(office, "rapor.pdf", "application/pdf", b"%PDF-1.4\n%%EOF")
    await office.should_see("rapor.pdf: Gambar pengumuman harus foto (JPG, PNG, WebP). PDF tidak dapat ditampilkan "
                            "di layar.", retries=30)
    await _upload(office, "foto.png", "image/png", b"<svg>not a png</svg>")
    await office.should_see("Berkas ini bukan foto yang dapat dibaca", retries=30)
    await _upload(office, "foto.png", "image/png", _png())
    await office.should_see(marker="announce-image-ready", retries=30)

    office.find(marker="announce-title-input").type("ab")
    office.find(marker="announce-submit").click()
    await office.should_see("Judul pengumuman harus 3 sampai 120 huruf.", retries=30)
    office.find(marker="announce-title-input").clear().type(TITLE)
    office.find(marker="announce-body-input").type(BODY)
    office.find(marker="announce-submit").click()
    await office.should_see("Pengumuman diterbitkan.", retries=30)
    await office.should_see(TITLE, retries=30)
    await office.should_see("Tayang", retries=30)
    await office.should_see("Kantor desa")
    [item] = announcements.current(announcements.village_today())
    assert item["title"] == TITLE and item["body"] == BODY and item["created_by"] == "siti" and item["image"]

    # The phone page: escaped text, the picture, a link from the phone's letter page.
    http = office.http_client
    phone = await http.get("/m/pengumuman")
    assert phone.status_code == 200
    assert "Posyandu &lt;b&gt;Balita&lt;/b&gt; Dusun Krajan" in phone.text and "<b>Balita" not in phone.text
    assert "&lt;script&gt;" in phone.text and "<script>alert" not in phone.text
    assert f'src="/pengumuman/gambar/{item["image"]}"' in phone.text
    assert 'href="/m/pengumuman?lang=id"' in (await http.get("/m/surat")).text
    picture = await http.get(f"/pengumuman/gambar/{item['image']}")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert picture.headers["cache-control"] == "public, max-age=86400"
    assert picture.content.startswith(b"\xff\xd8")

    # The TV's running text and the kiosk's tile and list.
    await office.open("/display")
    await office.should_see(f"{TITLE}: Bawa buku KIA. <script>alert('x')</script>", retries=30)
    await office.open("/kiosk")
    await office.should_see("1 pengumuman", retries=30)
    office.find(marker="kiosk-announcements").click()
    await office.should_see("Pengumuman Desa", retries=30)
    await office.should_see(TITLE)
    office.find(marker="kiosk-announcements-back").click()
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=30)

    # Withdrawn: gone from every surface, its picture no longer served.
    await office.open("/operator/announcements")
    await office.should_see(TITLE, retries=30)
    office.find(marker="announce-withdraw").click()
    await office.should_see("Pengumuman ditarik.", retries=30)
    await office.should_see("Ditarik", retries=30)
    await office.should_not_see(marker="announce-withdraw")
    assert announcements.current(announcements.village_today()) == []
    phone = await http.get("/m/pengumuman")
    assert "Tidak ada pengumuman saat ini." in phone.text and "Posyandu" not in phone.text
    assert (await http.get(f"/pengumuman/gambar/{item['image']}")).status_code == 404
    await office.open("/kiosk")
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=30)
    await office.should_not_see(marker="kiosk-announcements")
    await office.open("/display")
    await office.should_see("Sedang Dilayani", retries=30)
    await office.should_not_see(TITLE)


async def test_viewer_cannot_reach_the_operator_page(office: User) -> None:
    accounts.create_user("budi", PASSWORD, "viewer", actor="test")
    await login(office, "budi", PASSWORD)
    await office.should_see("Daftar tunggu", retries=30)
    await office.should_not_see(marker="nav-announcements")
    await office.open("/operator/announcements")
    await office.should_not_see("Pengumuman baru")
    await office.should_not_see(marker="announce-submit")


async def test_image_route_refuses_unknown_and_path_like_names(office: User) -> None:
    assert state.ctx is not None
    folder = state.ctx.settings.announcements_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("0" * 32 + ".jpg")).write_bytes(b"\xff\xd8 not announced")  # a file no announcement names
    http = office.http_client
    for path in ("/pengumuman/gambar/../x", "/pengumuman/gambar/..%2Fx", "/pengumuman/gambar/..%2F..%2Fsecret.key",
                 "/pengumuman/gambar/" + "0" * 32 + ".jpg", "/pengumuman/gambar/x.jpg"):
        answer = await http.get(path)
        assert answer.status_code == 404, path
        assert not answer.content.startswith(b"\xff\xd8"), path
