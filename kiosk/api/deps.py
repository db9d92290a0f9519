"""Who is calling the API: a machine with a Bearer token, or a browser with an operator session."""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from fastapi import Request
from nicegui import app

from kiosk.pages.session import SESSION_KEY
from kiosk.services.accounts import Account, session_account, token_account
from kiosk.services.errors import Forbidden, ServiceError


def _same_origin(request: Request) -> bool:
    """A browser's state-changing request must come from our own pages: the session cookie alone must not
    let another site's form act for a logged-in operator (cross-site request forgery)."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if not source:
        return True  # not a browser (curl, scripts); browsers always send Origin on cross-site POSTs
    host = urlsplit(source).netloc
    return host == request.headers.get("host", "")


def caller(request: Request) -> Account | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return token_account(header[7:].strip())
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
        return None
    try:
        return session_account(app.storage.user.get(SESSION_KEY))
    except (RuntimeError, AssertionError, KeyError):
        return None


def requires(role: str) -> Callable[[Request], Account]:
    """A FastAPI dependency: 401 without valid credentials, 403 when the role is too low."""

    def dependency(request: Request) -> Account:
        account = caller(request)
        if account is None:
            raise ServiceError("error.unauthorized", status=401)
        if not account.may(role):
            raise Forbidden()
        return account

    return dependency


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""
