"""What every dashboard page shares: who is signed in, the page frame, and human-readable times.

The browser holds only NiceGUI's signed per-browser id; the signed-in username and the moment of sign-in
live in `app.storage.user` on the server. Every page and every action checks again that the account still
exists and is active, and that the sign-in is not older than SESSION_HOURS, so an account switched off on
the server (or a laptop left open overnight) stops working.
"""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Callable, Iterator, ParamSpec, TypeVar
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from sync.hub import accounts
from sync.hub.dashboard.strings import t
from sync.hub.store import utc_now

P = ParamSpec("P")
R = TypeVar("R")

USER_KEY = "hub_user"
SINCE_KEY = "hub_signed_in_at"
SESSION_HOURS = 12.0


async def in_thread(callback: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`run.io_bound` (database work off the event loop) with the callback's own result, None included.

    io_bound answers None while the app shuts down (NiceGUI 4 will raise CancelledError instead); boxing the
    result tells that apart from a function that returned None, and stops the page the NiceGUI 4 way."""
    boxed = await run.io_bound(lambda: (callback(*args, **kwargs),))
    if boxed is None:
        raise asyncio.CancelledError()
    return boxed[0]


def sign_in(username: str) -> None:
    app.storage.user[USER_KEY] = username
    app.storage.user[SINCE_KEY] = utc_now().isoformat()


def sign_out() -> None:
    app.storage.user.pop(USER_KEY, None)
    app.storage.user.pop(SINCE_KEY, None)


def _stored_user() -> str | None:
    name = app.storage.user.get(USER_KEY)
    since = app.storage.user.get(SINCE_KEY)
    if not isinstance(name, str) or not isinstance(since, str):
        return None
    try:
        started = datetime.fromisoformat(since)
    except ValueError:
        return None
    if utc_now() - started > timedelta(hours=SESSION_HOURS):
        return None
    return name


async def signed_in() -> str | None:
    """The signed-in, still active username of this browser, or None (and its stale sign-in forgotten)."""
    name = _stored_user()
    if name is None or not await in_thread(accounts.is_active, name):
        sign_out()
        return None
    return name


async def require_user(request: Request) -> str | RedirectResponse:
    """The page's account, or the redirect to the login page (which comes back here afterwards)."""
    name = await signed_in()
    if name is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}")
    return name


async def still_signed_in() -> str | None:
    """Called first in every action on an open page: a tab left open after logout must not keep acting."""
    name = await signed_in()
    if name is None:
        ui.navigate.to("/login")
    return name


def safe_next(target: str | None) -> str:
    """Only local paths: a crafted link must not bounce a fresh sign-in to another site."""
    if not target or any(ord(c) < 32 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return "/"


@contextmanager
def frame(title: str, username: str) -> Iterator[None]:
    """Header with the dashboard's navigation and the signed-in account, then the page title."""
    with ui.header().classes("items-center bg-indigo-900 text-white q-px-md q-py-sm gap-4"):
        ui.label(t("app.title")).classes("text-h6 text-weight-bold")
        ui.link(t("nav.villages"), "/").classes("text-white").mark("nav-villages")
        ui.link(t("nav.verify"), "/verifikasi").classes("text-white").mark("nav-verify")
        ui.link(t("nav.send"), "/kirim").classes("text-white").mark("nav-send")
        ui.space()
        ui.label(username).mark("signed-in-user")
        ui.link(t("nav.logout"), "/logout").classes("text-white").mark("logout")
    ui.label(title).classes("text-h5 q-mt-md")
    with ui.column().classes("w-full gap-4"):
        yield


def format_code(code: str) -> str:
    """'3204122001' -> '32.04.12.2001', the way kode wilayah are written on paper."""
    if len(code) == 10 and code.isdigit():
        return f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}"
    return code


def duration(seconds: float | None) -> str:
    """A length of time in the largest whole unit: '45 detik', '12 menit', '3 jam', '2 hari'."""
    if seconds is None:
        return t("time.none")
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return t("time.seconds", n=int(seconds))
    if seconds < 3600:
        return t("time.minutes", n=int(seconds // 60))
    if seconds < 86400:
        return t("time.hours", n=int(seconds // 3600))
    return t("time.days", n=int(seconds // 86400))


def ago(seconds: float | None) -> str:
    """How long ago, for people: 'baru saja', '12 menit lalu', '3 jam lalu', '2 hari lalu', 'belum pernah'."""
    if seconds is None:
        return t("time.never")
    if seconds < 60:
        return t("time.just_now")
    if seconds < 3600:
        return t("time.minutes_ago", n=int(seconds // 60))
    if seconds < 86400:
        return t("time.hours_ago", n=int(seconds // 3600))
    return t("time.days_ago", n=int(seconds // 86400))


def number(value: int | float | None) -> str:
    """Thousands with a dot, as written in Indonesia: 12.345."""
    if value is None:
        return t("time.none")
    return f"{int(value):,}".replace(",", ".")
