"""Cross-site request forgery on every state-changing HTTP route.

The routes are taken from the app's own route table (built in-process, as the page tests do), so a route
added later is attacked too. Each one must refuse a POST/PUT/DELETE whose Origin, or only Referer, names
another site, before anything runs; the same request from our own origin or from a non-browser (no Origin,
no Referer) still reaches the route. What a refused request would have changed is read from the database.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import socket

import httpx
import pytest
from nicegui import app
from nicegui.testing import User
from PIL import Image
from starlette.routing import BaseRoute

from kiosk import web_guard
from kiosk.models import Complaint, Ticket
from kiosk.services import accounts
from tests.attack.conftest import Office
from tests.pages import state
from tests.pages.test_operator_pages import login

EVIL = "http://evil.example"
# What browsers send for a form or script on another site: its Origin, only its Referer (old browsers), or
# with a no-referrer policy or a sandboxed frame `Origin: null` plus Sec-Fetch-Site.
FORGED = ({"Origin": EVIL}, {"Referer": f"{EVIL}/form.html"}, {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
          {"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://test:8081", "Sec-Fetch-Site": "same-site"})
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes we know take writes; the enumeration below must find at least these (and attacks all it finds).
EXPECTED = {"/m/surat", "/m/surat/isi/{type_code}", "/m/s/{code}/pdf", "/m/complaint", "/m/survey",
            "/m/survey/{token}", "/m/polls/{uid}", "/api/v1/letters", "/api/v1/queue/tickets",
            "/api/v1/letters/verify", "/api/v1/queue/counters/{counter}/call-next"}


def write_routes() -> list[tuple[str, str]]:
    """(method, path) of every non-GET route the running app has registered, included routers too."""
    found: list[tuple[str, str]] = []
    _walk(list(app.routes), "", found)
    return found


def _walk(routes: list[BaseRoute], prefix: str, found: list[tuple[str, str]]) -> None:
    """FastAPI keeps an included router as one entry holding the original router: descend into it."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            _walk(list(inner.routes), prefix + str(getattr(context, "prefix", "") or ""), found)
            continue
        methods = getattr(route, "methods", None) or set()
        for method in sorted(set(methods) & WRITE_METHODS):
            found.append((method, prefix + str(getattr(route, "path", ""))))


def concrete(path: str) -> str:
    """A route pattern with its placeholders filled with something harmless."""
    return re.sub(r"\{[^}]+\}", "X1", path)


async def test_every_write_route_refuses_another_sites_origin_and_referer(page_office: User) -> None:
    await page_office.open("/kiosk")  # a page with a ui.upload would add its route too; the guard is path-blind
    routes = write_routes()
    assert EXPECTED <= {path for _, path in routes}, sorted(routes)
    client = page_office.http_client
    tickets, complaints = Ticket.select().count(), Complaint.select().count()
    for method, path in routes:
        for headers in FORGED:
            response = await client.request(method, concrete(path), headers=headers,
                                             data={"service": "A", "kategori": "jalan", "isi": "x" * 30})
            assert response.status_code == 403, (method, path, headers, response.status_code, response.text[:200])
            assert "tidak dikirim dari halaman Balai sendiri" in response.text
    assert (Ticket.select().count(), Complaint.select().count()) == (tickets, complaints)


async def test_same_origin_and_non_browser_posts_still_work(page_office: User) -> None:
    client = page_office.http_client
    before = Ticket.select().count()
    own = await client.post("/api/v1/queue/tickets", json={"service": "A"}, headers={"Origin": "http://test"})
    assert own.status_code == 201, own.text
    script = await client.post("/api/v1/queue/tickets", json={"service": "A"})
    assert script.status_code == 201, script.text
    referer = await client.post("/api/v1/queue/tickets", json={"service": "A"},
                                headers={"Referer": "http://test/kiosk"})
    assert referer.status_code == 201, referer.text
    # A phone page's own form: its no-referrer policy makes the browser send `Origin: null` with same-origin.
    phone = await client.post("/api/v1/queue/tickets", json={"service": "A"},
                              headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert phone.status_code == 201, phone.text
    assert Ticket.select().count() == before + 4
    forged = await client.post("/api/v1/queue/tickets", json={"service": "A"}, headers={"Origin": EVIL})
    assert forged.status_code == 403 and forged.json()["error"] == "guard.cross_site"
    assert Ticket.select().count() == before + 4


async def test_a_second_install_does_not_stack_the_guard(page_office: User) -> None:
    """build_app runs once per page simulation in one process (this module's other tests already built it);
    installing again replaces the guard's limits instead of adding a second guard."""
    assert state.ctx is not None
    assert sum(1 for m in app.user_middleware if m.cls is web_guard.WebGuard) == 1
    web_guard.install(app, web_guard.GuardLimits.for_attachments(state.ctx.upload_max_bytes))
    assert sum(1 for m in app.user_middleware if m.cls is web_guard.WebGuard) == 1
    response = await page_office.http_client.post("/m/complaint", headers={"Origin": EVIL}, data={})
    assert response.status_code == 403


@pytest.mark.slow
def test_a_forged_phone_complaint_changes_nothing_on_a_real_server(office: Office) -> None:
    """Over real HTTP: the phone complaint form (no login needed) from another site stores nothing; the
    same post from our own page or from curl is stored."""
    form = {"kategori": "", "isi": "Lampu jalan di RT 03 mati sejak seminggu yang lalu.", "identitas": "anonim"}
    categories = office.query("SELECT code FROM complaint_category ORDER BY 1 LIMIT 1") if _has(office, "complaint_category") else []
    page = httpx.get(f"{office.url}/m/complaint", timeout=10).text
    found = re.search(r'<option value="([^"]+)"', page)
    form["kategori"] = found.group(1) if found else (categories[0][0] if categories else "lainnya")
    before = office.count("complaint")
    for headers in ({"Origin": EVIL}, {"Referer": f"{EVIL}/x"}):
        forged = httpx.post(f"{office.url}/m/complaint", data=form, headers=headers, timeout=10)
        assert forged.status_code == 403, forged.text[:300]
    assert office.count("complaint") == before
    own = httpx.post(f"{office.url}/m/complaint", data=form, headers={"Origin": office.url}, timeout=10)
    assert own.status_code == 303, own.text[:500]
    curl = httpx.post(f"{office.url}/m/complaint", data=form, timeout=10)
    assert curl.status_code == 303, curl.text[:500]
    assert office.count("complaint") == before + 2


def _has(office: Office, table: str) -> bool:
    return bool(office.query("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", table))


async def test_nicegui_uploads_work_from_our_own_page_only(page_office: User) -> None:
    """ui.upload posts to /_nicegui/client/<id>/upload/<id> from the page itself (the browser sends our Origin):
    that still stores the logo; the same post from another site is refused and stores nothing."""
    assert state.ctx is not None
    accounts.create_user("admin2", "loket-satu-2026", "admin", actor="test")
    await login(page_office, "admin2", "loket-satu-2026")
    await page_office.should_see("Loket saya", retries=30)
    await page_office.open("/operator/village")
    await page_office.should_see(marker="logo-upload", retries=30)
    upload = next(iter(page_office.find(marker="logo-upload").elements))
    url = upload.props["url"]
    logo = state.ctx.settings.data_dir / "logo.png"
    logo.unlink(missing_ok=True)
    files = {"file": ("logo.png", _png(), "image/png")}
    forged = await page_office.http_client.post(url, files=files, headers={"Origin": EVIL})
    assert forged.status_code == 403
    await asyncio.sleep(0.5)
    assert not logo.exists()
    own = await page_office.http_client.post(url, files=files, headers={"Origin": "http://test"})
    assert own.status_code == 200, own.text
    for _ in range(100):
        if logo.exists():
            break
        await asyncio.sleep(0.05)
    assert logo.exists()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 90)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.slow
def test_socketio_polling_posts_pass_from_our_own_origin(office: Office) -> None:
    """NiceGUI's socket.io may fall back to long polling, whose messages are POSTs from our own page."""
    base = f"{office.url}/_nicegui_ws/socket.io/?EIO=4&transport=polling"
    opened = httpx.get(base, headers={"Origin": office.url}, timeout=10)
    assert opened.status_code == 200, opened.text
    sid = json.loads(opened.text[1:])["sid"]
    own = httpx.post(f"{base}&sid={sid}", content=b"40/_nicegui_ws,", headers={"Origin": office.url}, timeout=10)
    assert own.status_code == 200 and own.text.lower() == "ok", own.text
    forged = httpx.post(f"{base}&sid={sid}", content=b"40", headers={"Origin": EVIL}, timeout=10)
    assert forged.status_code == 403


@pytest.mark.slow
def test_another_site_cannot_open_our_socket(office: Office) -> None:
    """Cross-site websocket hijacking: the handshake from another site's page is refused; ours is accepted."""
    def handshake(origin: str) -> int:
        with socket.create_connection(("127.0.0.1", office.server.port), timeout=10) as sock:
            sock.sendall((f"GET /_nicegui_ws/socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                          f"Host: 127.0.0.1:{office.server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          f"Sec-WebSocket-Key: {base64.b64encode(b'0123456789abcdef').decode()}\r\n"
                          f"Sec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n").encode())
            return int(sock.recv(4096).split(b" ", 2)[1])

    assert handshake(EVIL) == 403
    assert handshake(office.url) == 101
    polling = httpx.get(f"{office.url}/_nicegui_ws/socket.io/?EIO=4&transport=polling", headers={"Origin": EVIL},
                        timeout=10)
    assert polling.status_code == 403
