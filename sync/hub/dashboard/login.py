"""/login and /logout of the district dashboard.

One answer for every refusal (wrong name, wrong password, inactive, locked) — the accounts module also makes
each refusal take the same time. With no account at all, the page says how to make one on the server:
there is never a default password.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from sync.hub import accounts
from sync.hub.app import HubContext
from sync.hub.dashboard.common import in_thread, safe_next, sign_in, sign_out, signed_in
from sync.hub.dashboard.strings import t


def _client(request: Request) -> str:
    return request.client.host if request.client is not None else ""


def register(hub: HubContext) -> None:
    @ui.page("/login", title="Balai Kabupaten · Masuk")
    async def login_page(request: Request, next: str | None = None) -> RedirectResponse | None:  # noqa: A002
        target = safe_next(next)
        if await signed_in() is not None:
            return RedirectResponse(target)
        client = _client(request)
        any_account = await in_thread(accounts.has_accounts)

        async def submit() -> None:
            message.set_text("")
            button.props("loading")
            try:
                name = await in_thread(accounts.authenticate, username.value or "", password.value or "", client)
            finally:
                button.props(remove="loading")
            if name is None:
                message.set_text(t("login.failed"))
                password.set_value("")
                return
            sign_in(name)
            ui.navigate.to(target)

        with ui.column().classes("absolute-center items-stretch w-96 gap-3"):
            ui.label(t("login.title")).classes("text-h5")
            if not any_account:
                ui.label(t("login.no_accounts")).classes("text-warning").mark("no-accounts")
            username = ui.input(t("login.username")).props("outlined autofocus autocomplete=username") \
                .mark("username")
            password = ui.input(t("login.password"), password=True, password_toggle_button=True) \
                .props("outlined autocomplete=current-password").mark("password")
            password.on("keydown.enter", submit)
            button = ui.button(t("login.submit"), on_click=submit).props("size=lg").mark("login")
            message = ui.label("").classes("text-negative").mark("login-error")
        return None

    @ui.page("/logout")
    def logout_page() -> RedirectResponse:
        sign_out()
        return RedirectResponse("/login")
