"""Accounts: argon2 passwords, login with lockout, sessions, machine tokens.

Lockout counts failures per account and per client address since that key's last success, within the
lockout window, so one person guessing from one laptop and a spray across accounts are both stopped.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.db import database, reading
from kiosk.models import ApiToken, LoginAttempt, User, UserSession
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import NotFound, ServiceError

ROLES = ("admin", "operator", "signer", "viewer")
# What each role may do beyond reading; admin may do everything.
ROLE_RANK = {"viewer": 0, "operator": 1, "signer": 2, "admin": 3}
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    must_change_password: bool

    def may(self, needed_role: str) -> bool:
        """True when this account's role covers `needed_role` (admin covers all; signer covers operator)."""
        return self.active and ROLE_RANK[self.role] >= ROLE_RANK[needed_role]


@dataclass(frozen=True)
class LockoutPolicy:
    attempts: int
    minutes: float


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.full_name, user.role, user.active, user.must_change_password)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_digest(token: str) -> str:
    """Session and API tokens are long random values: a fast digest is enough and lets us look them up."""
    return hashlib.sha256(token.encode()).hexdigest()


def validate_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError("error.password_short", min=MIN_PASSWORD_LENGTH)
    if password.strip() != password or len(set(password)) < 4:
        raise ServiceError("error.password_weak")


def validate_username(username: str) -> str:
    name = username.strip()
    if not (3 <= len(name) <= 32) or not all(c.isalnum() or c in "._-" for c in name):
        raise ServiceError("error.username_invalid")
    return name


def _create_user(username: str, password: str, role: str, full_name: str, must_change: bool) -> User:
    if role not in ROLES:
        raise ServiceError("error.role_invalid", role=role)
    name = validate_username(username)
    validate_password(password)
    if User.select().where(User.username == name).exists():
        raise ServiceError("error.username_taken", username=name)
    now = utc_now()
    return User.create(
        uuid=str(uuid.uuid4()), username=name, full_name=full_name.strip()[:100], role=role,
        password_hash=hash_password(password), must_change_password=must_change, created_at=now, updated_at=now,
    )


def _require_admin(actor: str) -> None:
    """Accounts and tokens are the keys to everything: only an admin (or the office's own programs, see
    kiosk/services/roles.py) changes them, whatever page or route asked."""
    from kiosk.services.roles import require_role  # roles reads ROLE_RANK from here

    require_role(actor, "admin")


def create_user(
    username: str, password: str, role: str, *, full_name: str = "", actor: str = "system",
    client: str = "", must_change_password: bool = False,
) -> Account:
    _require_admin(actor)
    with database.atomic():
        user = _create_user(username, password, role, full_name, must_change_password)
        audit.record(actor, "user.create", user.username, f"role={role}", client)
        return _account(user)


def generate_password() -> str:
    """A one-time password people can type: 4 groups of 4 lowercase letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def list_users() -> list[Account]:
    with reading():
        return [_account(u) for u in User.select().order_by(User.username)]


def has_admin() -> bool:
    with reading():
        return User.select().where((User.role == "admin") & (User.active == True)).exists()  # noqa: E712


def set_password(username: str, password: str, *, actor: str = "system", client: str = "") -> None:
    """Everyone may change their own password; someone else's only an admin."""
    if actor != username:
        _require_admin(actor)
    with database.atomic():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise NotFound("error.user_not_found", username=username)
        validate_password(password)
        user.password_hash = hash_password(password)
        user.must_change_password = False
        user.updated_at = utc_now()
        user.save()
        UserSession.update(ended_at=utc_now()).where(
            (UserSession.user == user) & (UserSession.ended_at.is_null())
        ).execute()
        audit.record(actor, "user.password", user.username, "", client)


def set_user_active(username: str, active: bool, *, actor: str, client: str = "") -> None:
    _require_admin(actor)
    with database.atomic():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise NotFound("error.user_not_found", username=username)
        if not active and user.role == "admin" and User.select().where(
                (User.role == "admin") & (User.active == True) & (User.id != user.id)).count() == 0:  # noqa: E712
            raise ServiceError("error.last_admin", status=409)
        user.active = active
        user.updated_at = utc_now()
        user.save()
        if not active:
            UserSession.update(ended_at=utc_now()).where(
                (UserSession.user == user) & (UserSession.ended_at.is_null())
            ).execute()
        audit.record(actor, "user.activate" if active else "user.deactivate", user.username, "", client)


MAX_TITLE_LENGTH = 120


def clean_title(title: str) -> str:
    """A signing title as printed under the signature: up to 4 lines ("a.n. Kepala Desa" / "Sekretaris Desa"),
    spaces tidied, control characters dropped; at most 120 characters."""
    lines = [" ".join("".join(c for c in line if c.isprintable()).split()) for line in str(title).splitlines()]
    text = "\n".join(line for line in lines if line)
    if len(text) > MAX_TITLE_LENGTH or text.count("\n") > 3:
        raise ServiceError("error.title_too_long", max=MAX_TITLE_LENGTH)
    return text


def set_title(username: str, title: str, *, actor: str, client: str = "") -> str:
    """The title (jabatan) printed under this user's signature, e.g. "Kepala Desa Sukamaju"; empty means the
    default "Kepala Desa <village>". Returns the stored text."""
    _require_admin(actor)
    text = clean_title(title)
    with database.atomic():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise NotFound("error.user_not_found", username=username)
        User.update(title=text, updated_at=utc_now()).where(User.id == user.id).execute()
        audit.record(actor, "user.title", user.username, text.replace("\n", " / "), client)
    return text


def user_titles() -> dict[str, str]:
    """username -> signing title, for the users page."""
    with reading():
        return dict(User.select(User.username, User.title).tuples())


def _recent_failures(field: object, value: str, since: datetime) -> int:
    last_success = (
        LoginAttempt.select(LoginAttempt.at)
        .where((field == value) & (LoginAttempt.success == True) & (LoginAttempt.at >= since))  # noqa: E712
        .order_by(LoginAttempt.at.desc())
        .first()
    )
    start = last_success.at if last_success else since
    return (
        LoginAttempt.select()
        .where((field == value) & (LoginAttempt.success == False) & (LoginAttempt.at >= start))  # noqa: E712
        .count()
    )


def is_locked(username: str, client: str, policy: LockoutPolicy) -> bool:
    since = utc_now() - timedelta(minutes=policy.minutes)
    return (
        _recent_failures(LoginAttempt.username, username, since) >= policy.attempts
        or _recent_failures(LoginAttempt.client, client, since) >= policy.attempts * 2
    )


def authenticate(username: str, password: str, client: str, policy: LockoutPolicy) -> Account:
    """Check a password. Raises ServiceError('error.login_failed') or ('error.locked'); never says which part was wrong."""
    name = username.strip()
    with reading():
        locked = is_locked(name, client, policy)
        user = None if locked else User.get_or_none(User.username == name)
    if locked:
        # Recorded (and committed) before refusing, so hammering a locked account leaves a trace.
        with database.atomic():
            LoginAttempt.create(username=name, client=client, at=utc_now(), success=False)
            audit.record(name or "?", "login.locked", name, "", client)
        raise ServiceError("error.locked", status=429, minutes=int(policy.minutes))
    # argon2 takes a while on a Pi: verify outside any transaction so no one waits for the write lock.
    ok = False
    if user is not None:
        try:
            ok = _hasher.verify(user.password_hash, password) and user.active
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        _spend_verify_time(password)
    with database.atomic():
        LoginAttempt.create(username=name, client=client, at=utc_now(), success=ok)
        if not ok:
            audit.record(name or "?", "login.failed", name, "", client)
    if not ok:
        raise ServiceError("error.login_failed", status=401)
    with database.atomic():
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            user.save()
        audit.record(user.username, "login.success", user.username, "", client)
    return _account(user)


# Verified against when the username does not exist, so a wrong name costs the same time as a wrong password.
_dummy_hash_cache: list[str] = []


def _spend_verify_time(password: str) -> None:
    if not _dummy_hash_cache:
        _dummy_hash_cache.append(_hasher.hash(secrets.token_hex(16)))
    try:
        _hasher.verify(_dummy_hash_cache[0], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def start_session(account: Account, client: str, hours: float) -> str:
    """Create a server-side session and return its token (only the digest is stored)."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with database.atomic():
        UserSession.create(
            token_hash=_token_digest(token), user=account.id, client=client,
            created_at=now, expires_at=now + timedelta(hours=hours),
        )
    return token


def session_account(token: str | None) -> Account | None:
    """The account behind a live session token, or None when missing, expired, ended or deactivated."""
    if not token:
        return None
    with reading():
        session = (
            UserSession.select(UserSession, User).join(User)
            .where(UserSession.token_hash == _token_digest(token)).first()
        )
        if session is None or session.ended_at is not None or session.expires_at <= utc_now():
            return None
        if not session.user.active:
            return None
        return _account(session.user)


def end_session(token: str | None, client: str = "") -> None:
    if not token:
        return
    with database.atomic():
        session = UserSession.select(UserSession, User).join(User).where(
            UserSession.token_hash == _token_digest(token)
        ).first()
        if session is not None and session.ended_at is None:
            session.ended_at = utc_now()
            session.save()
            audit.record(session.user.username, "logout", session.user.username, "", client)


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def create_token(name: str, role: str = "operator", *, actor: str = "system") -> str:
    """A Bearer token for a machine (display, kiosk, script). Printed once; stored as a digest."""
    _require_admin(actor)
    if role not in ROLES:
        raise ServiceError("error.role_invalid", role=role)
    clean = name.strip()
    if not clean or len(clean) > 64:
        raise ServiceError("error.token_name_invalid")
    token = "balai_" + secrets.token_urlsafe(32)
    with database.atomic():
        if ApiToken.select().where(ApiToken.name == clean).exists():
            raise ServiceError("error.token_name_taken", name=clean)
        ApiToken.create(name=clean, role=role, token_hash=_token_digest(token), created_at=utc_now())
        audit.record(actor, "token.create", clean, f"role={role}")
    return token


def revoke_token(name: str, *, actor: str = "system") -> None:
    _require_admin(actor)
    with database.atomic():
        token = ApiToken.get_or_none((ApiToken.name == name) & (ApiToken.revoked_at.is_null()))
        if token is None:
            raise NotFound("error.token_not_found", name=name)
        token.revoked_at = utc_now()
        token.save()
        audit.record(actor, "token.revoke", name)


def list_tokens() -> list[TokenInfo]:
    with reading():
        return [
            TokenInfo(t.name, t.role, t.created_at, t.last_used_at, t.revoked_at is not None)
            for t in ApiToken.select().order_by(ApiToken.name)
        ]


def token_account(token: str | None) -> Account | None:
    """The pseudo-account of a live Bearer token (username `token:NAME`)."""
    if not token:
        return None
    with database.atomic():
        row = ApiToken.get_or_none(ApiToken.token_hash == _token_digest(token))
        if row is None or row.revoked_at is not None:
            return None
        now = utc_now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            row.last_used_at = now
            row.save()
        return Account(-row.id, f"token:{row.name}", row.name, row.role, True, False)
