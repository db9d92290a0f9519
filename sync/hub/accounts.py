"""District dashboard accounts: argon2 passwords and a sign-in that resists guessing.

The hub is reachable from the internet (villages must reach it), so its dashboard login is the one door an
outsider can knock on. Three rules follow:

- there is never a default password: accounts are made on the server with `balai hub user NAME`;
- after `LOCK_FAILURES` failed sign-ins for one username within `LOCK_MINUTES`, that username is refused —
  even with the right password — until the window has passed, and every refused attempt is recorded (so a
  guesser who keeps hammering keeps it locked);
- every refusal takes at least `REFUSAL_SECONDS` and gives the same answer (None), whether the name is
  unknown, the password wrong, the account inactive or locked: the answer and its timing say nothing about
  which part was wrong.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from sync.hub.store import HubLoginAttempt, HubUser, hub_database, utc_now

log = logging.getLogger(__name__)

USERNAME = re.compile(r"^[a-z0-9._-]{3,32}$")
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256       # argon2 hashes anything, but a megabyte "password" is a cheap way to burn CPU
LOCK_FAILURES = 5
LOCK_MINUTES = 15
REFUSAL_SECONDS = 0.5

# Made once per process: constructing the hasher does no work, it only holds the cost parameters.
_hasher = PasswordHasher()
_dummy_hash: list[str] = []


class HubAccountError(Exception):
    """An account that cannot be made; `message` is Indonesian text for the officer at the terminal."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def normalize_username(username: str) -> str:
    """Names are lower case: 'Budi' and 'budi' must not become two accounts, or two lockout counters."""
    return username.strip().lower()


def create_user(username: str, password: str, full_name: str = "") -> None:
    """Make a dashboard account. Raises HubAccountError for a bad name, a short password or a duplicate."""
    name = normalize_username(username)
    if not USERNAME.match(name):
        raise HubAccountError("username_invalid",
                              "nama pengguna harus 3-32 karakter: huruf kecil, angka, titik, garis bawah atau strip")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise HubAccountError("password_short", f"kata sandi minimal {MIN_PASSWORD_LENGTH} karakter")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise HubAccountError("password_long", f"kata sandi maksimal {MAX_PASSWORD_LENGTH} karakter")
    if password.strip() != password or len(set(password)) < 4:
        raise HubAccountError("password_weak", "kata sandi terlalu lemah (spasi di ujung atau terlalu sedikit "
                                               "karakter berbeda)")
    digest = _hasher.hash(password)  # slow on purpose: outside the transaction
    with hub_database.connection_context(), hub_database.atomic():
        if HubUser.select().where(HubUser.username == name).exists():
            raise HubAccountError("username_taken", f"akun {name} sudah ada")
        HubUser.create(username=name, full_name=" ".join(full_name.split())[:100], password_hash=digest,
                       active=True, created_at=utc_now())


def has_accounts() -> bool:
    """Whether anyone can sign in at all: with no account the login page explains how to make the first one."""
    with hub_database.connection_context():
        return HubUser.select().where(HubUser.active == True).exists()  # noqa: E712


def is_active(username: str) -> bool:
    """Checked on every page: an account deactivated on the server must not keep a signed-in browser."""
    with hub_database.connection_context():
        return HubUser.select().where((HubUser.username == normalize_username(username))
                                      & (HubUser.active == True)).exists()  # noqa: E712


def is_locked(username: str) -> bool:
    """Whether `username` has had LOCK_FAILURES failures within the window (counted after its last success)."""
    since = utc_now() - timedelta(minutes=LOCK_MINUTES)
    with hub_database.connection_context():
        last_ok = (HubLoginAttempt.select(HubLoginAttempt.at)
                   .where((HubLoginAttempt.username == username) & (HubLoginAttempt.ok == True)  # noqa: E712
                          & (HubLoginAttempt.at >= since))
                   .order_by(HubLoginAttempt.at.desc()).first())
        start = max(since, last_ok.at) if last_ok is not None else since
        failures = (HubLoginAttempt.select()
                    .where((HubLoginAttempt.username == username) & (HubLoginAttempt.ok == False)  # noqa: E712
                           & (HubLoginAttempt.at >= start))
                    .count())
    return failures >= LOCK_FAILURES


def _spend_verify_time(password: str) -> None:
    """Verify against a throw-away hash, so an unknown or locked name costs what a wrong password costs."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash(secrets.token_hex(16)))
    try:
        _hasher.verify(_dummy_hash[0], password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def _record(username: str, ok: bool, client: str) -> None:
    with hub_database.connection_context(), hub_database.atomic():
        HubLoginAttempt.create(username=username[:64], at=utc_now(), ok=ok, client=client[:200])


def authenticate(username: str, password: str, client: str = "") -> str | None:
    """The (normalized) username when the password is right and the account active and not locked; None
    otherwise, after at least REFUSAL_SECONDS. Blocking (argon2 and a sleep): call it through run.io_bound."""
    started = time.monotonic()
    name = normalize_username(username)[:64]
    password = password[:MAX_PASSWORD_LENGTH + 1]
    ok = False
    if is_locked(name):
        _spend_verify_time(password)
        log.warning("hub login refused: %r is locked (client %s)", name, client)
    else:
        with hub_database.connection_context():
            user = HubUser.get_or_none(HubUser.username == name)
        if user is None or len(password) > MAX_PASSWORD_LENGTH:
            _spend_verify_time(password)
        else:
            try:
                ok = _hasher.verify(user.password_hash, password) and bool(user.active)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                ok = False
            if ok and _hasher.check_needs_rehash(user.password_hash):
                with hub_database.connection_context(), hub_database.atomic():
                    HubUser.update(password_hash=_hasher.hash(password)).where(HubUser.username == name).execute()
    _record(name, ok, client)
    if ok:
        return name
    remaining = REFUSAL_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)
    return None
