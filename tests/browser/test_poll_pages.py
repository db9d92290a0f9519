"""Village polls in Debian's Chromium against a real `balai serve --demo`: a resident votes at the 800x480
kiosk with the keys drawn in the page, another on a 360x640 phone; both see "Suara Anda tercatat", the
results update (the kiosk's open results screen follows the phone's vote without a reload), every kiosk step
fits without scrolling with finger-sized controls (also portrait 480x800), and markup stored in a question or
an option shows as text and never runs."""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, under CI, fails) with the reason
    expect = None

from tests.browser.test_letter_flows import _check_kiosk_layout, _tap_keys
from tests.support.server import BalaiServer
from tests.system.helpers import TestServer

DEMO_QUESTION = "Kegiatan apa yang paling perlu didanai desa tahun depan?"
HTML_QUESTION = 'Pilih <b>tebal</b> <img src=x onerror="window.__pwned=1">'
HTML_OPTION = "<script>window.__pwned=2</script>Ya"
KIOSK_RESIDENT = ("3204120101800011", "482913")
PHONE_RESIDENT = ("3204120101800012", "739158")


def _stamp(delta: timedelta) -> str:
    return (datetime.now(timezone.utc).replace(tzinfo=None) + delta).strftime("%Y-%m-%d %H:%M:%S")


@pytest.fixture(scope="module")
def poll_server(browser, tmp_path_factory: pytest.TempPathFactory) -> BalaiServer:  # noqa: ANN001
    """A demo office (its seed opens one poll) plus two adult residents with PINs and one open poll whose
    text holds markup, written into the running server's database (WAL: safe beside the server)."""
    root = tmp_path_factory.mktemp("poll-pages")
    server = TestServer(root / "data", log_path=root / "server.log",
                        extra_env={"BALAI_KIOSK_ATTRACT_SECONDS": "600"}).start()
    hasher = PasswordHasher()
    connection = sqlite3.connect(root / "data" / "balai.sqlite3")
    try:
        with connection:
            for nik, pin in (KIOSK_RESIDENT, PHONE_RESIDENT):
                cursor = connection.execute(
                    "INSERT INTO penduduk (uuid, nik, nama, sex, tanggallahir, status_kawin, status_dasar, "
                    "warganegara_id, created_at, updated_at) VALUES (?, ?, ?, 1, '1980-01-01', 2, 1, 1, ?, ?)",
                    (str(uuid.uuid4()), nik, f"Warga {nik[-2:]}", _stamp(timedelta()), _stamp(timedelta())))
                connection.execute("INSERT INTO resident_pin (penduduk_id, pin_hash, set_by, set_at) "
                                   "VALUES (?, ?, 'test', ?)", (cursor.lastrowid, hasher.hash(pin), _stamp(timedelta())))
            cursor = connection.execute(
                "INSERT INTO poll (uuid, question, starts_at, ends_at, status, created_at, created_by, updated_at, "
                "updated_by, results_live) VALUES (?, ?, ?, ?, 'published', ?, 't', ?, 't', 1)",
                (str(uuid.uuid4()), HTML_QUESTION, _stamp(timedelta(hours=-1)), _stamp(timedelta(days=1)),
                 _stamp(timedelta()), _stamp(timedelta())))
            for position, label in ((1, HTML_OPTION), (2, "Tidak")):
                connection.execute("INSERT INTO poll_option (poll_id, position, label) VALUES (?, ?, ?)",
                                   (cursor.lastrowid, position, label))
    finally:
        connection.close()
    yield server
    server.stop()


def test_vote_at_the_kiosk_and_on_a_phone(poll_server: BalaiServer, open_page, screenshot) -> None:  # noqa: ANN001
    kiosk = open_page("kiosk-polls-800x480", 800, 480, has_touch=True)
    kiosk.goto(f"{poll_server.url}/kiosk/polls")
    expect(kiosk.get_by_text(DEMO_QUESTION)).to_be_visible()
    expect(kiosk.get_by_text(HTML_QUESTION)).to_be_visible()  # markup shown as text
    _check_kiosk_layout(kiosk, "800x480 list")
    screenshot(kiosk, "list")
    kiosk.locator(".kp-item", has_text=DEMO_QUESTION).get_by_role("button", name=re.compile("Beri suara")).tap()

    expect(kiosk.get_by_text("Sentuh pilihan Anda:")).to_be_visible()
    _check_kiosk_layout(kiosk, "800x480 options")
    screenshot(kiosk, "options")
    kiosk.get_by_role("button", name="Posyandu dan kesehatan").tap()
    expect(kiosk.get_by_text("Pilihan Anda: Posyandu dan kesehatan")).to_be_visible()
    _tap_keys(kiosk, KIOSK_RESIDENT[0])
    expect(kiosk.get_by_text("16 dari 16 angka")).to_be_visible()
    _check_kiosk_layout(kiosk, "800x480 NIK")
    kiosk.get_by_role("button", name="Lanjut").tap()
    expect(kiosk.get_by_text("Masukkan PIN Anda")).to_be_visible()
    _tap_keys(kiosk, KIOSK_RESIDENT[1])
    _check_kiosk_layout(kiosk, "800x480 PIN")
    kiosk.get_by_role("button", name=re.compile("Kirim suara")).tap()
    expect(kiosk.get_by_text("Suara Anda tercatat")).to_be_visible(timeout=20_000)
    _check_kiosk_layout(kiosk, "800x480 done")
    screenshot(kiosk, "done")
    assert kiosk.locator("input").count() == 0  # no NIK or PIN left anywhere on the page
    kiosk.get_by_role("button", name=re.compile("Lihat hasil")).tap()
    expect(kiosk.get_by_text("1 · 100,0%")).to_be_visible()
    expect(kiosk.get_by_text(re.compile(r"^1 suara · Partisipasi"))).to_be_visible()
    _check_kiosk_layout(kiosk, "800x480 results")
    screenshot(kiosk, "results")

    phone = open_page("phone-polls-360x640", 360, 640, has_touch=True, is_mobile=True)
    requests: list[str] = []
    phone.on("request", lambda request: requests.append(request.url))
    phone.goto(f"{poll_server.url}/m/polls")
    expect(phone.get_by_text(HTML_QUESTION)).to_be_visible()
    phone.get_by_role("link", name=re.compile(re.escape(DEMO_QUESTION))).tap()
    expect(phone.get_by_role("heading", name=DEMO_QUESTION)).to_be_visible()
    phone.get_by_text("Perbaikan jalan desa").tap()
    phone.get_by_label("NIK (16 angka)").fill(PHONE_RESIDENT[0])
    phone.get_by_label("PIN (6 angka)").fill(PHONE_RESIDENT[1])
    screenshot(phone, "form")
    phone.get_by_role("button", name="Kirim suara").tap()
    expect(phone.get_by_test_id("poll-done")).to_have_text("Suara Anda tercatat")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360, "the page scrolls sideways"
    phone.get_by_test_id("results-link").tap()
    expect(phone.get_by_test_id("poll-result-1")).to_have_text("1 · 50,0%")
    expect(phone.get_by_test_id("poll-result-2")).to_have_text("1 · 50,0%")
    screenshot(phone, "results")
    outside = [url for url in requests if not url.startswith(poll_server.url)]
    assert not outside, f"the phone pages loaded something from elsewhere: {outside}"

    # The kiosk's results screen, still open, follows the phone's vote by itself.
    expect(kiosk.get_by_text("1 · 50,0%")).to_have_count(2, timeout=15_000)
    expect(kiosk.get_by_text(re.compile(r"^2 suara · Partisipasi"))).to_be_visible()
    screenshot(kiosk, "results-updated")

    # Markup in a question or an option is text on both, and never ran.
    phone.goto(f"{poll_server.url}/m/polls")
    phone.get_by_role("link", name=re.compile("Pilih")).first.tap()
    expect(phone.get_by_text(HTML_OPTION)).to_be_visible()
    kiosk.get_by_role("button", name="Kembali").tap()
    kiosk.locator(".kp-item", has_text="Pilih <b>tebal</b>").get_by_role("button", name=re.compile("Beri suara")).tap()
    expect(kiosk.get_by_role("button", name=HTML_OPTION)).to_be_visible()
    assert kiosk.evaluate("window.__pwned") is None and phone.evaluate("window.__pwned") is None


def test_kiosk_poll_steps_fit_portrait(poll_server: BalaiServer, open_page, screenshot) -> None:  # noqa: ANN001
    kiosk = open_page("kiosk-polls-480x800", 480, 800, has_touch=True)
    kiosk.goto(f"{poll_server.url}/kiosk/polls")
    expect(kiosk.get_by_text(DEMO_QUESTION)).to_be_visible()
    _check_kiosk_layout(kiosk, "480x800 list")
    kiosk.locator(".kp-item", has_text=DEMO_QUESTION).get_by_role("button", name=re.compile("Beri suara")).tap()
    expect(kiosk.get_by_text("Sentuh pilihan Anda:")).to_be_visible()
    _check_kiosk_layout(kiosk, "480x800 options")
    screenshot(kiosk, "options")
    kiosk.get_by_role("button", name="Pelatihan usaha warga").tap()
    expect(kiosk.get_by_text("0 dari 16 angka")).to_be_visible()
    _check_kiosk_layout(kiosk, "480x800 NIK")
    screenshot(kiosk, "nik")
