"""/operator/village, section "Wi-Fi untuk warga": the admin sets the office Wi-Fi; bad input gets a clear
message and changes nothing; the preview is the kiosk's phone panel with both QR codes."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from kiosk.i18n import Translator
from kiosk.pages.components.qr import qr_svg
from kiosk.pages.components.wifi_qr import local_name_url, phone_join_panel
from kiosk.services import accounts, office_wifi
from kiosk.services.office_wifi import OfficeWifi
from tests.pages import state
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"
HOME = "http://kantor.desa:8080/m"          # the page tests' public_url + /m


def _element(user: User, marker: str) -> ui.element:
    found = user.find(marker=marker).elements
    assert len(found) == 1, f"{len(found)} elements marked {marker}"
    return next(iter(found))


async def _as_admin(user: User) -> None:
    accounts.create_user("admin2", PASSWORD, "admin", actor="test")
    await login(user, "admin2", PASSWORD)
    await user.should_see("Loket saya", retries=30)
    await user.open("/operator/village")
    await user.should_see("Wi-Fi untuk warga", retries=30)


def _fill(user: User, ssid: str, password: str) -> None:
    user.find(marker="wifi-ssid").clear().type(ssid)
    user.find(marker="wifi-password").clear().type(password)
    user.find(marker="wifi-save").click()


async def test_admin_sets_and_removes_the_office_wifi(office: User) -> None:
    await _as_admin(office)
    await office.should_see(marker="wifi-not-set")
    await office.should_not_see(marker="wifi-qr")
    assert _element(office, "phone-url").text == HOME
    assert _element(office, "phone-qr").content == qr_svg(HOME)

    # The password is masked, with the eye button that shows it.
    secret = _element(office, "wifi-password")
    assert secret.props["type"] == "password"
    eye = secret.slots["append"].children[0]
    UserInteraction(office, {eye}, None).click()
    assert secret.props["type"] == "text"
    UserInteraction(office, {eye}, None).click()
    assert secret.props["type"] == "password"

    _fill(office, "x" * 33, "sukamaju2026")
    await office.should_see("Nama jaringan terlalu panjang: 33 byte, paling banyak 32 byte", retries=30)
    _fill(office, "KantorDesa", "12345")
    await office.should_see("Kata sandi WPA harus 8 sampai 63 karakter (sekarang 5).", retries=30)
    _fill(office, "Kantor\x07Desa", "sukamaju2026")
    await office.should_see("Nama jaringan berisi karakter kontrol yang tidak boleh ada.", retries=30)
    assert office_wifi.current() is None

    _fill(office, "Kantor Desa; RT:01", "sukamaju2026")
    office.find(marker="wifi-hidden").click()
    office.find(marker="wifi-save").click()
    await office.should_see("Wi-Fi tersimpan.", retries=30)
    saved = OfficeWifi("Kantor Desa; RT:01", "sukamaju2026", "WPA", True)
    assert office_wifi.current() == saved
    await office.should_see(marker="wifi-qr", retries=30)
    assert _element(office, "wifi-qr").content == qr_svg("WIFI:T:WPA;S:Kantor Desa\\; RT\\:01;P:sukamaju2026;H:true;;")
    assert _element(office, "wifi-name").text == "Wi-Fi: Kantor Desa; RT:01"
    await office.should_not_see(marker="wifi-not-set")

    # Bad input afterwards: a message, and the stored Wi-Fi stays as it was.
    _fill(office, "KantorDesa", "12345")
    await office.should_see("Kata sandi WPA harus 8 sampai 63 karakter (sekarang 5).", retries=30)
    office.find(marker="wifi-security").click()
    office.find("Tanpa kata sandi (terbuka)").click()
    assert _element(office, "wifi-security").value == "nopass"
    _fill(office, "Tamu", "rahasia-tamu")
    await office.should_see("Jaringan terbuka tidak memakai kata sandi", retries=30)
    assert office_wifi.current() == saved

    _fill(office, "Tamu Balai", "")
    await office.should_see("Wi-Fi tersimpan.", retries=30)
    assert office_wifi.current() == OfficeWifi("Tamu Balai", "", "nopass", True)

    office.find(marker="wifi-remove").click()
    await office.should_see("Wi-Fi tidak lagi ditampilkan.", retries=30)
    assert office_wifi.current() is None
    await office.should_see(marker="wifi-not-set", retries=30)


async def test_the_page_shows_the_stored_wifi(office: User) -> None:
    office_wifi.save("KantorDesa", "sukamaju2026", "WPA", actor="test")
    await _as_admin(office)
    assert _element(office, "wifi-ssid").value == "KantorDesa"
    assert _element(office, "wifi-password").value == "sukamaju2026"
    assert _element(office, "wifi-password").props["type"] == "password"
    assert _element(office, "wifi-security").value == "WPA"
    assert _element(office, "wifi-qr").content == qr_svg("WIFI:T:WPA;S:KantorDesa;P:sukamaju2026;;")


async def test_operators_cannot_see_the_wifi_section(office: User) -> None:
    office_wifi.save("KantorDesa", "sukamaju2026", "WPA", actor="test")
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/village")
    await office.should_not_see(marker="wifi-section")
    await office.should_not_see("sukamaju2026")


async def test_join_panel_on_a_kiosk_like_page(office: User) -> None:
    """The component the lead places on the kiosk screens, rendered on a page of its own."""

    @ui.page("/test/join-panel")
    def join_page() -> None:
        phone_join_panel(state.ctx, Translator("en"), 200)

    await office.open("/test/join-panel")
    await office.should_see("Open the village services on your phone", retries=30)
    await office.should_not_see(marker="wifi-join")
    assert _element(office, "phone-local-url").text == f"or type {local_name_url(8080)}"

    office_wifi.save("Balai Désa 🏠", "", "none", actor="test")
    await office.open("/test/join-panel")
    await office.should_see("Wi-Fi: Balai Désa 🏠", retries=30)
    assert _element(office, "wifi-qr").content == qr_svg("WIFI:T:nopass;S:Balai Désa 🏠;;")
    assert _element(office, "phone-qr").content == qr_svg(HOME)


def test_local_name_url() -> None:
    assert local_name_url(8080, "balai-sukamaju") == "http://balai-sukamaju.local:8080/m"
    assert local_name_url(80, "Kantor.lan") == "http://kantor.local/m"
    assert local_name_url(8080, "") == "http://balai.local:8080/m"
