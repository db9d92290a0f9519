"""Who is calling the API: a machine with a Bearer token, or a browser with an operator session."""

from __future__ import annotations

from typing import Callable

from fastapi import Request
from nicegui import app

from kiosk.pages.session import SESSION_KEY
from kiosk.services.accounts import Account, session_account, token_account
from kiosk.services.errors import Forbidden, ServiceError


def caller(request: Request) -> Account | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return token_account(header[7:].strip())
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
