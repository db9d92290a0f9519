"""District dashboard accounts: no default password, argon2, one slow answer for every refusal, lockout."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from sync.hub import accounts
from sync.hub.accounts import HubAccountError, authenticate, create_user, has_accounts, is_active, is_locked
from sync.hub.store import (HubLoginAttempt, HubSchema, HubUser, close_hub_database, hub_database,
                            open_hub_database, utc_now)

pytestmark = pytest.mark.usefixtures("hub_db")
PASSWORD = "kabupaten-2026"


def _failures(username: str, count: int, ago: timedelta = timedelta(minutes=1)) -> None:
    """Failed attempts written directly: the lockout is about what is recorded, and each real one takes 0.5 s."""
    with hub_database.connection_context():
        for _ in range(count):
            HubLoginAttempt.create(username=username, at=utc_now() - ago, ok=False, client="10.0.0.9")


def test_no_account_exists_until_one_is_made_and_the_password_is_stored_hashed() -> None:
    assert not has_accounts()
    create_user("Budi.S", PASSWORD, full_name="  Budi   Santoso ")
    assert has_accounts() and is_active("budi.s")
    with hub_database.connection_context():
        user = HubUser.get()
    assert user.username == "budi.s" and user.full_name == "Budi Santoso"
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    assert authenticate("BUDI.S ", PASSWORD, "10.0.0.9") == "budi.s"
    with hub_database.connection_context():
        attempt = HubLoginAttempt.get()
    assert (attempt.username, attempt.ok, attempt.client) == ("budi.s", True, "10.0.0.9")


@pytest.mark.parametrize("username, password, code", [
    ("ab", PASSWORD, "username_invalid"),
    ("budi santoso", PASSWORD, "username_invalid"),
    ("a" * 33, PASSWORD, "username_invalid"),
    ("budi", "pendek", "password_short"),
    ("budi", "aaaaaaaaaaaa", "password_weak"),
    ("budi", " " + PASSWORD, "password_weak"),
    ("budi", "x1" * 200, "password_long"),
])
def test_bad_names_and_passwords_are_refused_in_indonesian(username: str, password: str, code: str) -> None:
    with pytest.raises(HubAccountError) as refused:
        create_user(username, password)
    assert refused.value.code == code and refused.value.message
    assert not has_accounts()


def test_a_duplicate_name_is_refused_whatever_its_case() -> None:
    create_user("budi", PASSWORD)
    with pytest.raises(HubAccountError) as refused:
        create_user("BUDI", "lain-sandi-2026")
    assert refused.value.code == "username_taken" and "sudah ada" in refused.value.message
    assert authenticate("budi", "lain-sandi-2026") is None


def test_every_refusal_takes_half_a_second_and_looks_the_same() -> None:
    create_user("budi", PASSWORD)
    with hub_database.connection_context():
        HubUser.create(username="nonaktif", password_hash=HubUser.get().password_hash, active=False,
                       created_at=utc_now())
    for username, password in (("budi", "salah-sandi-1"), ("siapa", PASSWORD), ("nonaktif", PASSWORD)):
        started = time.monotonic()
        assert authenticate(username, password) is None
        assert time.monotonic() - started >= accounts.REFUSAL_SECONDS


def test_five_failures_lock_the_name_even_for_the_right_password_until_the_window_passes() -> None:
    create_user("budi", PASSWORD)
    _failures("budi", 4)
    assert not is_locked("budi")
    assert authenticate("budi", "salah-sandi-5", "10.0.0.9") is None   # the fifth, for real
    assert is_locked("budi")
    started = time.monotonic()
    assert authenticate("budi", PASSWORD, "10.0.0.9") is None
    assert time.monotonic() - started >= accounts.REFUSAL_SECONDS
    assert not is_locked("siti")  # other names are not affected
    with hub_database.connection_context():
        HubLoginAttempt.update(at=utc_now() - timedelta(minutes=16)).execute()
    assert not is_locked("budi")
    assert authenticate("budi", PASSWORD) == "budi"


def test_a_success_resets_the_count() -> None:
    create_user("budi", PASSWORD)
    _failures("budi", 4, ago=timedelta(minutes=5))
    assert authenticate("budi", PASSWORD) == "budi"
    _failures("budi", 1)
    assert not is_locked("budi")


def test_an_inactive_account_cannot_sign_in() -> None:
    create_user("budi", PASSWORD)
    with hub_database.connection_context():
        HubUser.update(active=False).execute()
    assert not is_active("budi") and not has_accounts()
    assert authenticate("budi", PASSWORD) is None


def test_a_schema_1_hub_gains_the_login_attempts_table(tmp_path: Path) -> None:
    """A hub from the previous release (schema 1, no login attempts) upgrades in place."""
    close_hub_database()
    old = tmp_path / "old"
    open_hub_database("", old)
    with hub_database.connection_context():
        hub_database.execute_sql("DROP TABLE hub_login_attempt")
        HubSchema.delete().where(HubSchema.version == 2).execute()
    close_hub_database()
    open_hub_database("", old)
    with hub_database.connection_context():
        assert [s.version for s in HubSchema.select().order_by(HubSchema.version)] == [1, 2]
        assert HubLoginAttempt.select().count() == 0
