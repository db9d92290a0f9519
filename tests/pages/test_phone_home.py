"""/m, the phone home page, and the web app manifest with its icons (plain HTTP: no NiceGUI client)."""

from __future__ import annotations

import io
import json
import re

from nicegui.testing import User
from PIL import Image

from kiosk.services import accounts, queue
from tests.pages import state

BASE = "http://kantor.desa:8080/m/t/"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        return image.size


async def test_home_page_links_and_board(office: User) -> None:
    http = office.http_client
    queue.issue_ticket("A", status_url_base=BASE, print_ticket=False)
    queue.issue_ticket("A", status_url_base=BASE, print_ticket=False)
    queue.call_next("Loket 1", actor="test")
    page = await http.get("/m")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "manifest-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert len(page.content) < 12_000 and "cdn" not in html.lower() and "nicegui" not in html.lower()
    assert "Desa Sukamaju" in html and "Layanan Desa" in html
    assert re.search(r"Loket 1</span>\s*<span class=\"now\">A-001<", html)
    assert "1 orang menunggu" in html
    assert "Pindai QR pada karcis" in html
    for href in ('href="/m/surat?lang=id"', 'href="/m/pengumuman?lang=id"', 'action="/m/s"', 'href="/m?lang=en"'):
        assert href in html
    for href in ('href="/m/complaint?lang=id"', 'href="/m/survey?lang=id"', 'href="/m/polls?lang=id"'):
        assert href in html  # Suara Warga: complaints, the satisfaction survey, polls
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#115e59">' in html
    assert '<link rel="apple-touch-icon" href="/m/icon-180.png">' in html

    english = await http.get("/m?lang=en")
    assert "Village Services" in english.text and "Request a letter" in english.text
    assert 'href="/m/surat?lang=en"' in english.text and 'href="/m?lang=id"' in english.text

    tracked = await http.get("/m/s", params={"kode": "k7m2-9qxd", "lang": "id"})
    assert tracked.status_code == 303 and tracked.headers["location"] == "/m/s/K7M29QXD?lang=id"


async def test_every_phone_page_links_the_manifest(office: User) -> None:
    http = office.http_client
    issued = queue.issue_ticket("A", status_url_base=BASE, print_ticket=False)
    for path in ("/m", "/m/surat", "/m/pengumuman", f"/m/t/{issued.ticket.id}", "/m/s/K7M29QXD"):
        html = (await http.get(path)).text
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html, path
        assert '<link rel="apple-touch-icon" href="/m/icon-180.png">' in html, path
        assert '<meta name="theme-color" content="#115e59">' in html, path


async def test_manifest_and_icons(office: User) -> None:
    http = office.http_client
    response = await http.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text)
    assert manifest["name"] == "Balai Desa Sukamaju" and manifest["short_name"] == "Sukamaju"
    assert manifest["start_url"] == "/m" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#115e59"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"] + [{"src": "/m/icon-180.png", "sizes": "180x180"}]:
        got = await http.get(icon["src"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        width, height = _png_size(got.content)
        assert f"{width}x{height}" == icon["sizes"]
    assert (await http.get("/m/icon-64.png")).status_code == 404


async def test_icons_follow_the_village_logo(office: User) -> None:
    """The demo village has a logo: its icon is the logo on white. Without one: the built-in teal pavilion.
    A new logo shows in the icons at once (the cache is keyed by the file)."""
    http = office.http_client
    logo_file = state.ctx.settings.data_dir / "logo.png"
    assert logo_file.is_file()
    with Image.open(io.BytesIO((await http.get("/m/icon-192.png")).content)) as image:
        assert image.convert("RGB").getpixel((2, 2)) == (255, 255, 255)
    logo_file.unlink()
    with Image.open(io.BytesIO((await http.get("/m/icon-192.png")).content)) as image:
        assert image.convert("RGB").getpixel((2, 2)) == (17, 94, 89)
    red = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 0, 0)).save(red, "PNG")
    accounts.create_user("admin2", "loket-satu-2026", "admin", actor="test")
    from kiosk.services import village_logo

    village_logo.save_logo(red.getvalue(), logo_file, actor="admin2")
    with Image.open(io.BytesIO((await http.get("/m/icon-512.png")).content)) as image:
        assert image.convert("RGB").getpixel((256, 256)) == (200, 0, 0)
        assert image.convert("RGB").getpixel((2, 2)) == (255, 255, 255)


async def test_manifest_before_setup(fresh_office: User) -> None:
    http = fresh_office.http_client
    manifest = (await http.get("/manifest.webmanifest")).json()
    assert manifest["name"] == "Balai" and manifest["start_url"] == "/m"
    page = await http.get("/m")
    assert page.status_code == 200 and "Antrian belum tersedia." in page.text
