"""Password and PIN guessing through the real surfaces.

Operators: the NiceGUI login page. Five wrong passwords lock the name, and while locked even the right
password is refused and no session is made; after the lockout window the right password lets in; an unknown
name is answered and locked exactly like a real one, so a lockout reveals nothing about which names exist.
Residents: the per-NIK limit holds at the kiosk even for the right PIN after guesses from many phones, and
the kiosk's wider per-address limit is only for the kiosk's own (loopback) browser.
(The phone pages' per-address and per-NIK PIN lockouts are attacked over HTTP in test_nik_enumeration.py.)
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from nicegui.testing import User

from kiosk.models import UserSession
from kiosk.pages.letter_inputs import resident_login
from kiosk.services import accounts, resident_pins
from kiosk.services.clock import utc_now
from kiosk.services.errors import ServiceError
from tests.pages import state
from tests.pages.test_kiosk_letters import NIK, PIN, log_in, make_resident

PASSWORD = "loket-satu-2026"
WRONG = "Nama pengguna atau kata sandi salah."
LOCKED = "Terlalu banyak percobaan gagal. Coba lagi dalam 15 menit."


async def attempt(user: User, username: str, password: str) -> str:
    """Type a name and password on /login and press Masuk: the message shown, or "" when a session was made."""
    sessions = UserSession.select().count()
    await user.open("/login")
    user.find(marker="username").type(username)
    user.find(marker="password").type(password)
    user.find(marker="login").click()
    for _ in range(300):
        if UserSession.select().count() > sessions:
            return ""
        labels = user.find(marker="login-error").elements
        text = next(iter(labels)).text if labels else ""
        if text:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError("the login page neither answered nor let in")


def shift_clock(monkeypatch: pytest.MonkeyPatch, minutes: float) -> None:
    """Move the accounts' clock forward, as if the lockout window had passed."""
    later: datetime = utc_now() + timedelta(minutes=minutes)
    monkeypatch.setattr(accounts, "utc_now", lambda: later)


async def test_lockout_holds_for_the_right_password_then_expires_and_hides_names(
        page_office: User, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.create_user("loket", PASSWORD, "operator")
    sessions_at_start = UserSession.select().count()
    answers = [await attempt(page_office, "loket", f"salah-sekali-{n}") for n in range(5)]
    assert answers == [WRONG] * 5
    assert await attempt(page_office, "loket", PASSWORD) == LOCKED
    assert UserSession.select().count() == sessions_at_start, "a locked account got a session"

    # The same five guesses on a name that does not exist: the same answers, the same lock.
    shift_clock(monkeypatch, 16)
    ghost = [await attempt(page_office, "tidak-ada", f"salah-sekali-{n}") for n in range(5)]
    assert ghost == [WRONG] * 5
    assert await attempt(page_office, "tidak-ada", PASSWORD) == LOCKED

    # After the window the real account lets its owner in with the right password.
    shift_clock(monkeypatch, 32)
    assert await attempt(page_office, "loket", PASSWORD) == ""
    assert UserSession.select().count() == sessions_at_start + 1


async def test_the_nik_limit_holds_at_the_kiosk_even_for_the_right_pin(page_office: User) -> None:
    make_resident()
    for n in range(10):  # ten phones, two wrong guesses short of their own address limits
        with pytest.raises(ServiceError):
            resident_pins.check_resident(NIK, "135792", f"192.168.7.{n}", resident_pins.PinPolicy())
    await page_office.open("/kiosk/surat")
    await log_in(page_office, NIK, PIN)
    await page_office.should_see("Terlalu banyak percobaan", retries=80)


async def test_only_the_kiosks_own_browser_gets_the_wider_address_limit(page_office: User) -> None:
    """Five failures from an address lock it for a phone, and for /kiosk opened from a phone; the kiosk's own
    browser (loopback) keeps going until its wider limit."""
    assert state.ctx is not None
    person = make_resident()
    wrong_pins = iter(f"13579{n}" for n in range(10))
    for client in ("192.168.7.50", "127.0.0.1"):
        for _ in range(state.ctx.pin_policy.attempts):
            with pytest.raises(ServiceError):
                resident_pins.check_resident(f"3204120000{client[-2:].replace('.', '0')}0099", next(wrong_pins),
                                             client, state.ctx.pin_policy)
    with pytest.raises(ServiceError) as phone_on_kiosk:
        await resident_login(state.ctx, NIK, PIN, "192.168.7.50", kiosk=True)
    assert phone_on_kiosk.value.key == "pin.locked"
    assert await resident_login(state.ctx, NIK, PIN, "127.0.0.1", kiosk=True) == person
    assert not resident_pins.is_kiosk_client("192.168.7.50") and resident_pins.is_kiosk_client("::1")
