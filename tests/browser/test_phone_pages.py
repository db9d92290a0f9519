"""The phone pages on a small phone (360x640) in Debian's Chromium: no sideways scrolling, finger-sized links
and buttons, and a web app manifest whose icons load as PNG, in both languages."""

from __future__ import annotations

import io
import json
import re
from urllib.parse import urlparse

import httpx
import pytest
from PIL import Image

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

PHONE = (360, 640)
MIN_TAP_PX = 48
CODE = "K7M29QXD"   # a well-formed tracking code nobody was given: the status page says so
PAGES = {
    "home": "/m",
    "announcements": "/m/pengumuman",
    "letter-login": "/m/surat",
    "tracking": f"/m/s/{CODE}",
    "ticket": None,  # a real ticket's status page, taken through the API
}


@pytest.fixture(scope="module")
def phone_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """One demo server: the checks only read pages (and take one ticket)."""
    root = tmp_path_factory.mktemp("phone-pages")
    server = TestServer(root / "data", log_path=root / "server.log").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ticket_path(phone_server: BalaiServer) -> str:
    response = httpx.post(f"{phone_server.url}/api/v1/queue/tickets", json={"service": "A"}, timeout=10)
    assert response.status_code == 201, response.text
    return urlparse(response.json()["status_url"]).path


def _path(name: str, ticket_path: str) -> str:
    return PAGES[name] or ticket_path


MEASURE_JS = """() => {
  const shown = (el) => {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const targets = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
    .filter(shown).map((el) => {
      const r = el.getBoundingClientRect();
      return {tag: el.tagName, label: (el.innerText || el.name || el.id || '').trim().slice(0, 40),
              height: r.height, left: r.left, right: r.right};
    });
  const href = (selector) => { const el = document.querySelector(selector); return el ? el.href : null; };
  const theme = document.querySelector('meta[name="theme-color"]');
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          bodyWidth: document.body.scrollWidth, targets,
          manifest: href('link[rel="manifest"]'), appleIcon: href('link[rel="apple-touch-icon"]'),
          themeColor: theme ? theme.content : null};
}"""


def _check_png(page, url: str, size: str | None = None) -> None:  # noqa: ANN001 - a Playwright page
    response = page.request.get(url)
    assert response.status == 200, f"{url}: HTTP {response.status}"
    assert response.headers["content-type"] == "image/png", f"{url}: {response.headers['content-type']}"
    data = response.body()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{url} is not a PNG"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        if size:
            assert f"{image.width}x{image.height}" == size, f"{url}: {image.size}, manifest says {size}"


def _check_manifest(page, url: str) -> None:  # noqa: ANN001 - a Playwright page
    response = page.request.get(url)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["name"].startswith("Balai Desa ") and manifest["short_name"]
    assert manifest["start_url"] == "/m" and manifest["display"] == "standalone"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        _check_png(page, page.url.split("/m", 1)[0] + icon["src"], icon["sizes"])


def _check_page(page, label: str) -> None:  # noqa: ANN001 - a Playwright page
    m = page.evaluate(MEASURE_JS)
    assert m["scrollWidth"] <= m["innerWidth"], \
        f"{label}: horizontal scrolling ({m['scrollWidth']} > {m['innerWidth']} px)"
    assert m["targets"], f"{label}: nothing to tap"
    for target in m["targets"]:
        what = f"{label}: {target['tag']} {target['label']!r}"
        assert target["height"] >= MIN_TAP_PX, f"{what} is {target['height']:.0f} px high"
        assert target["left"] >= 0 and target["right"] <= m["innerWidth"], f"{what} sticks out of the screen"
    assert m["manifest"] and m["manifest"].endswith("/manifest.webmanifest"), f"{label}: no manifest link"
    assert m["themeColor"] == "#115e59", f"{label}: theme colour {m['themeColor']!r}"
    assert m["appleIcon"], f"{label}: no apple-touch-icon"
    _check_manifest(page, m["manifest"])
    _check_png(page, m["appleIcon"])


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_phone_page_fits_a_small_phone(phone_server: BalaiServer, ticket_path: str,
                                       open_page, screenshot,  # noqa: ANN001 - the browser fixtures
                                       name: str, lang: str) -> None:
    page = open_page(f"{name}-{lang}", *PHONE)
    response = page.goto(f"{phone_server.url}{_path(name, ticket_path)}?lang={lang}")
    assert response is not None and response.status in (200, 404), f"{name}: HTTP {response and response.status}"
    page.wait_for_load_state("load")
    screenshot(page, "360x640")
    _check_page(page, f"{name} ({lang})")


def test_tracking_form_on_the_home_page(phone_server: BalaiServer, open_page, screenshot) -> None:  # noqa: ANN001
    page = open_page("track", *PHONE)
    page.goto(f"{phone_server.url}/m")
    expect(page.get_by_test_id("track-form")).to_be_visible()
    page.locator("#kode").fill("k7m2-9qxd")
    screenshot(page, "home-code-typed")
    page.get_by_test_id("track-form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/m/s/{CODE}\?lang=id$"))
    expect(page.get_by_role("alert")).to_be_visible()
    screenshot(page, "tracking-unknown-code")
    _check_page(page, "tracking result")


def test_home_links_lead_to_the_phone_pages(phone_server: BalaiServer, open_page) -> None:  # noqa: ANN001
    page = open_page("links", *PHONE)
    page.goto(f"{phone_server.url}/m")
    page.get_by_test_id("letters-link").click()
    page.wait_for_url(re.compile(r"/m/surat\?lang=id$"))
    expect(page.locator("#nik")).to_be_visible()
    page.go_back()
    page.get_by_test_id("announcements-link").click()
    page.wait_for_url(re.compile(r"/m/pengumuman\?lang=id$"))
    page.get_by_test_id("language").click()
    page.wait_for_url(re.compile(r"/m/pengumuman\?lang=en$"))
    expect(page.locator("h1")).to_have_text("Village Announcements")


@pytest.mark.parametrize("name", PAGES)
def test_chromium_loads_the_manifest(phone_server: BalaiServer, ticket_path: str,
                                    open_page, name: str) -> None:  # noqa: ANN001 - the browser fixture
    """Chromium's own view (DevTools protocol): the manifest the page links is fetched and parsed without
    errors, i.e. no Content-Security-Policy stands between the page and "add to home screen"."""
    page = open_page(f"manifest-{name}", *PHONE)
    page.goto(f"{phone_server.url}{_path(name, ticket_path)}")
    page.wait_for_load_state("load")
    session = page.context.new_cdp_session(page)
    try:
        manifest = session.send("Page.getAppManifest")
    finally:
        session.detach()
    assert manifest.get("url", "").endswith("/manifest.webmanifest"), f"{name}: manifest not loaded"
    assert not manifest.get("errors"), f"{name}: {manifest['errors']}"
    assert json.loads(manifest["data"])["start_url"] == "/m"
