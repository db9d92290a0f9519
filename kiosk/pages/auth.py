"""Login, logout and the forced change of a one-time password."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, run, ui

from kiosk.context import AppContext
from kiosk.pages.components.feedback import error_text
from kiosk.pages.session import SESSION_KEY, client_address, current_account, toggle_language, translator
from kiosk.services import accounts, village
from kiosk.services.accounts import Account, LockoutPolicy


def require(request: Request, role: str) -> Account | RedirectResponse:
    """The page's account, or where to send the browser instead (setup, login, password change, or a
    "not allowed" page when the role is too low): no page can forget the role check."""
    if village.needs_setup():
        return RedirectResponse("/setup")
    account = current_account()
    if account is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}")
    if account.must_change_password:
        return RedirectResponse("/operator/password")
    if not account.may(role):
        return RedirectResponse("/operator/forbidden")
    return account


def still_allowed(role: str) -> Account | None:
    """Called at the start of every action on an open page: a tab left open after logout, deactivation or a
    password change must not keep acting. Sends the browser to the login page when it may not."""
    account = current_account()
    if account is None or account.must_change_password or not account.may(role):
        ui.navigate.to("/login")
        return None
    return account


def _safe_next(target: str | None) -> str:
    """Only local paths: a crafted link must not bounce a fresh login to another site."""
    if not target or any(c in target for c in "\\\t\r\n") or any(ord(c) < 32 for c in target):
        return "/operator"
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return "/operator"


def register(ctx: AppContext) -> None:
    policy = LockoutPolicy(ctx.settings.lockout_attempts, ctx.settings.lockout_minutes)
    lang_default = ctx.settings.language

    @ui.page("/login", title="Balai · Masuk")
    def login_page(request: Request, next: str | None = None) -> RedirectResponse | None:  # noqa: A002
        if village.needs_setup():
            return RedirectResponse("/setup")
        t = translator(lang_default)
        client = client_address(request)
        target = _safe_next(next)

        async def submit() -> None:
            message.set_text("")
            button.props("loading")
            try:
                account = await run.io_bound(accounts.authenticate, username.value or "", password.value or "",
                                             client, policy)
                token = accounts.start_session(account, client, ctx.settings.session_hours)
                app.storage.user[SESSION_KEY] = token
                ui.navigate.to("/operator/password" if account.must_change_password else target)
            except Exception as error:  # noqa: BLE001 - shown to the person, logged when unexpected
                message.set_text(error_text(error, t))
                password.set_value("")
            finally:
                button.props(remove="loading")

        def switch() -> None:
            toggle_language(lang_default)
            ui.navigate.reload()

        with ui.column().classes("absolute-center items-stretch w-80 gap-3"):
            ui.label(t("login.title")).classes("text-h5")
            username = ui.input(t("login.username")).props("outlined autofocus autocomplete=username").mark("username")
            password = ui.input(t("login.password"), password=True, password_toggle_button=True) \
                .props("outlined autocomplete=current-password").mark("password")
            password.on("keydown.enter", submit)
            button = ui.button(t("login.submit"), on_click=submit).props("size=lg").mark("login")
            message = ui.label("").classes("text-negative").mark("login-error")
            ui.button(t("common.language"), on_click=switch).props("flat dense")
        return None

    @ui.page("/logout")
    def logout_page(request: Request) -> RedirectResponse:
        accounts.end_session(app.storage.user.get(SESSION_KEY), client_address(request))
        app.storage.user.pop(SESSION_KEY, None)
        return RedirectResponse("/login")

    @ui.page("/operator/forbidden", title="Balai")
    def forbidden_page(request: Request) -> RedirectResponse | None:
        account = current_account()
        if account is None:
            return RedirectResponse("/login")
        t = translator(lang_default)
        from kiosk.pages.components.frame import operator_frame

        with operator_frame(t("error.forbidden"), account, t, lang_default):
            ui.label(t("error.forbidden")).classes("text-h6 text-negative").mark("forbidden")
        return None

    @ui.page("/operator/password", title="Balai · Kata sandi")
    def change_password_page(request: Request) -> RedirectResponse | None:
        account = current_account()
        if account is None:
            return RedirectResponse("/login")
        t = translator(lang_default)
        client = client_address(request)

        async def submit() -> None:
            message.set_text("")
            if (first.value or "") != (second.value or ""):
                message.set_text(t("error.password_mismatch"))
                return
            try:
                if current is not None:  # a found, unattended session must not be able to take the account
                    await run.io_bound(accounts.authenticate, account.username, current.value or "", client, policy)
                await run.io_bound(accounts.set_password, account.username, first.value or "",
                                   actor=account.username, client=client)
            except Exception as error:  # noqa: BLE001
                message.set_text(error_text(error, t))
                return
            app.storage.user.pop(SESSION_KEY, None)
            ui.navigate.to("/login")

        with ui.column().classes("absolute-center items-stretch w-96 gap-3"):
            ui.label(t("login.change_title")).classes("text-h5")
            ui.label(account.username).classes("text-subtitle1")
            current = None
            if not account.must_change_password:
                current = ui.input(t("login.current_password"), password=True) \
                    .props("outlined autocomplete=current-password").mark("current-password")
            first = ui.input(t("login.new_password"), password=True).props("outlined autocomplete=new-password") \
                .mark("new-password")
            second = ui.input(t("login.repeat_password"), password=True).props("outlined autocomplete=new-password") \
                .mark("repeat-password")
            ui.button(t("common.save"), on_click=submit).props("size=lg").mark("save-password")
            message = ui.label("").classes("text-negative").mark("password-error")
        return None
