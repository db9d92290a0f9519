"""Accounts: argon2 hashes, lockout per account and per address, sessions, tokens, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.models import AuditLog, User, UserSession
from kiosk.services import accounts, audit
from kiosk.services.accounts import LockoutPolicy
from kiosk.services.errors import ServiceError

POLICY = LockoutPolicy(attempts=3, minutes=15)
PASSWORD = "kantor-desa-2026"


@pytest.fixture
def operator(db):
    return accounts.create_user("siti", PASSWORD, "operator", full_name="Siti Aminah", actor="admin")


def test_passwords_are_argon2_hashed(operator):
    stored = User.get(User.username == "siti").password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_and_wrong_password_give_the_same_message(operator):
    assert accounts.authenticate("siti", PASSWORD, "10.0.0.5", POLICY).role == "operator"
    with pytest.raises(ServiceError) as wrong_password:
        accounts.authenticate("siti", "salah-sekali-123", "10.0.0.5", POLICY)
    with pytest.raises(ServiceError) as wrong_user:
        accounts.authenticate("nobody", PASSWORD, "10.0.0.5", POLICY)
    assert wrong_password.value.key == wrong_user.value.key == "error.login_failed"
    actions = [e.action for e in audit.recent()]
    assert actions.count("login.failed") == 2 and "login.success" in actions


def test_lockout_per_account_holds_even_with_the_right_password(operator):
    for _ in range(3):
        with pytest.raises(ServiceError):
            accounts.authenticate("siti", "tebakan-salah-1", "10.0.0.9", POLICY)
    with pytest.raises(ServiceError) as locked:
        accounts.authenticate("siti", PASSWORD, "10.0.0.10", POLICY)
    assert locked.value.key == "error.locked" and locked.value.status == 429


def test_lockout_per_client_address_stops_spraying(operator):
    accounts.create_user("budi", PASSWORD, "operator", actor="admin")
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"]:
        with pytest.raises(ServiceError):
            accounts.authenticate(name, "tebakan-salah-1", "10.0.0.66", POLICY)
    with pytest.raises(ServiceError) as locked:
        accounts.authenticate("budi", PASSWORD, "10.0.0.66", POLICY)
    assert locked.value.key == "error.locked"
    assert accounts.authenticate("budi", PASSWORD, "10.0.0.67", POLICY).username == "budi"


def test_lockout_expires(operator, monkeypatch):
    for _ in range(3):
        with pytest.raises(ServiceError):
            accounts.authenticate("siti", "tebakan-salah-1", "10.0.0.9", POLICY)
    later = accounts.utc_now() + timedelta(minutes=16)
    monkeypatch.setattr(accounts, "utc_now", lambda: later)
    assert accounts.authenticate("siti", PASSWORD, "10.0.0.9", POLICY).username == "siti"


def test_sessions_expire_end_and_die_with_deactivation(operator, monkeypatch):
    token = accounts.start_session(operator, "10.0.0.5", hours=1)
    assert accounts.session_account(token).username == "siti"
    assert UserSession.get().token_hash != token
    later = accounts.utc_now() + timedelta(hours=2)
    monkeypatch.setattr(accounts, "utc_now", lambda: later)
    assert accounts.session_account(token) is None
    monkeypatch.undo()
    token = accounts.start_session(operator, "10.0.0.5", hours=1)
    accounts.set_user_active("siti", False, actor="admin")
    assert accounts.session_account(token) is None
    accounts.set_user_active("siti", True, actor="admin")
    token = accounts.start_session(operator, "10.0.0.5", hours=1)
    accounts.end_session(token)
    assert accounts.session_account(token) is None


def test_password_rules_and_change(operator):
    with pytest.raises(ServiceError) as short:
        accounts.create_user("andi", "pendek", "operator")
    assert short.value.key == "error.password_short"
    with pytest.raises(ServiceError):
        accounts.create_user("andi", "aaaaaaaaaaaa", "operator")
    with pytest.raises(ServiceError):
        accounts.create_user("a b", PASSWORD, "operator")
    with pytest.raises(ServiceError):
        accounts.create_user("andi", PASSWORD, "superuser")
    with pytest.raises(ServiceError):
        accounts.create_user("SITI", PASSWORD, "operator")
    accounts.set_password("siti", "sandi-baru-2026", actor="siti")
    with pytest.raises(ServiceError):
        accounts.authenticate("siti", PASSWORD, "10.0.0.5", POLICY)
    assert accounts.authenticate("siti", "sandi-baru-2026", "10.0.0.5", POLICY)


def test_roles_cover_each_other_upwards(operator):
    assert operator.may("viewer") and operator.may("operator")
    assert not operator.may("signer") and not operator.may("admin")


def test_tokens_are_hashed_and_revocable(db):
    token = accounts.create_token("layar-tv", "viewer")
    assert token.startswith("balai_")
    account = accounts.token_account(token)
    assert account.role == "viewer" and account.username == "token:layar-tv"
    assert accounts.token_account("balai_wrong") is None
    with pytest.raises(ServiceError):
        accounts.create_token("layar-tv")
    accounts.revoke_token("layar-tv")
    assert accounts.token_account(token) is None
    assert [t.revoked for t in accounts.list_tokens()] == [True]
    assert token not in " ".join(e.detail + e.target for e in AuditLog.select())
