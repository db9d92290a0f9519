"""One ASGI middleware in front of every HTTP route: what no single page should have to remember.

* Cross-site request forgery: a state-changing request (anything but GET/HEAD/OPTIONS) that the browser
  marks as coming from another site (`Sec-Fetch-Site`, `Origin`, or without one `Referer`) is refused with
  403 before any route runs; so is any request to NiceGUI's socket.io (polling or websocket) from another
  site. The phone forms, the JSON API and NiceGUI's upload endpoints are all covered, so a new route cannot
  forget it. Requests with none of these headers (curl, scripts) and Bearer-token callers (a form cannot
  set that header) pass.
* Body size: every request body is capped per path family. A declared `Content-Length` above the cap is
  refused with 413 before a byte is read; a chunked or lying body is counted while it streams and cut off
  at the cap, so a 50 MB post never sits in the server's memory.
* Headers: every response gets `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` and
  framing protection (`X-Frame-Options` plus a `frame-ancestors` CSP) unless it already sets its own
  (the phone pages send a full, stricter CSP of their own, which is kept as it is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, MutableMapping
from urllib.parse import urlsplit

from starlette.middleware import Middleware

from kiosk.i18n import translate
from kiosk.services.resident_files import MAX_IMPORT_BYTES

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SOCKET_PREFIX = "/_nicegui_ws/"
MB = 1_000_000
FORM_OVERHEAD = 256 * 1024        # answers and multipart framing around a phone form's one attachment
UPLOAD_MAX = MAX_IMPORT_BYTES     # the largest ui.upload: the resident register (50 MB)
DEFAULT_MAX = 1 * MB              # the JSON API, socket.io polling and anything new
# Same-origin frames the operator pages use themselves (the letter template preview is shown in an iframe).
FRAMEABLE_PREFIXES = ("/operator/letters/types/preview/",)


@dataclass(frozen=True)
class GuardLimits:
    """Body caps in bytes per path family (phone forms carry one attachment; NiceGUI uploads the largest)."""
    phone_form: int
    upload: int = UPLOAD_MAX + MB
    default: int = DEFAULT_MAX

    @classmethod
    def for_attachments(cls, upload_max_bytes: int) -> "GuardLimits":
        """Limits for an office whose attachments may be `upload_max_bytes`. The phone forms get a megabyte
        more than they accept themselves, so a photo slightly too big still gets the form's own friendlier
        answer (the form again, with the reason) and only grossly oversized bodies meet the guard."""
        return cls(phone_form=upload_max_bytes + FORM_OVERHEAD + MB)

    def for_path(self, path: str) -> int:
        if path.startswith("/_nicegui/client/") and "/upload/" in path:
            return self.upload
        if path == "/m" or path.startswith("/m/"):
            return self.phone_form
        return self.default


class BodyTooLarge(Exception):
    """Raised from `receive` once a streamed body passes its cap; the guard answers 413 instead."""


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def same_origin(scope: Scope) -> bool:
    """False when the browser says the request comes from another site.

    `Sec-Fetch-Site` (sent by every current browser) is believed first: "cross-site" and "same-site" (another
    port or sub-domain) are refused. Then `Origin`, or without it `Referer`, must name our own host. The
    phone pages ask for `Referrer-Policy: no-referrer`, so a phone's own form arrives with `Origin: null`:
    that passes only when Sec-Fetch-Site says same-origin, or when the browser is too old to send
    Sec-Fetch-Site at all (such a browser would send the same for a forged form; nothing can tell them
    apart). No Origin, no Referer and no Sec-Fetch-Site is a non-browser client (curl, scripts)."""
    if _header(scope, b"authorization").lower().startswith("bearer "):
        return True  # a token is not ambient authority: another site's form cannot send it
    site = _header(scope, b"sec-fetch-site").strip().lower()
    if site in ("cross-site", "same-site"):
        return False
    origin = _header(scope, b"origin").strip()
    if origin.lower() == "null":
        return site in ("same-origin", "none", "")
    source = origin or _header(scope, b"referer")
    if not source:
        return True
    host = _header(scope, b"host").lower()
    try:
        parts = urlsplit(source.strip())
    except ValueError:
        return False
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc.lower() == host


def _message(key: str, **params: Any) -> str:
    """Both languages in one answer: the guard runs before any page knows the visitor's language."""
    return f"{translate(key, 'id', **params)}\n{translate(key, 'en', **params)}"


async def _refuse(scope: Scope, send: Send, status: int, key: str, **params: Any) -> None:
    text = _message(key, **params)
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"error": key, "message": text}).encode()
        kind = b"application/json"
    else:
        body = text.encode()
        kind = b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": _with_security(scope, headers)})
    await send({"type": "http.response.body", "body": body})


def _with_security(scope: Scope, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The response's headers plus the ones it lacks; an existing CSP or Referrer-Policy is never replaced."""
    present = {key.lower() for key, _ in headers}
    frameable = scope.get("path", "").startswith(FRAMEABLE_PREFIXES)
    extra: list[tuple[bytes, bytes]] = []
    if b"x-content-type-options" not in present:
        extra.append((b"x-content-type-options", b"nosniff"))
    if b"x-frame-options" not in present:
        extra.append((b"x-frame-options", b"SAMEORIGIN" if frameable else b"DENY"))
    if b"content-security-policy" not in present:
        extra.append((b"content-security-policy", b"frame-ancestors 'self'" if frameable else b"frame-ancestors 'none'"))
    if b"referrer-policy" not in present:
        extra.append((b"referrer-policy", b"same-origin"))
    return list(headers) + extra


class WebGuard:
    """The pure-ASGI middleware (no BaseHTTPMiddleware: bodies stream through, nothing is buffered)."""

    def __init__(self, app: ASGIApp, limits: GuardLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not same_origin(scope):
            # Another site's script opening our socket (with the operator's cookies): closing before accepting
            # makes the server answer the handshake with 403.
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        # socket.io's long polling reads as well as writes, and NiceGUI allows every origin there (CORS "*"):
        # for it even a GET must come from our own pages.
        checked = scope.get("method", "GET").upper() not in SAFE_METHODS or path.startswith(SOCKET_PREFIX)
        if checked and not same_origin(scope):
            await _refuse(scope, send, 403, "guard.cross_site")
            return
        limit = self.limits.for_path(path)
        max_mb = f"{round(limit / MB, 1):g}"
        declared = _header(scope, b"content-length")
        if declared.strip().isdigit() and int(declared) > limit:
            await _refuse(scope, send, 413, "guard.too_large", max_mb=max_mb)
            return
        state = {"read": 0, "over": False, "started": False}

        async def counted_receive() -> Message:
            if state["over"]:
                raise BodyTooLarge()
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["over"] = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            if state["over"]:
                return  # the route's own answer to a cut-off body (often "bad form") is replaced by the 413
            if message["type"] == "http.response.start":
                state["started"] = True
                message = {**message, "headers": _with_security(scope, list(message.get("headers") or []))}
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except BodyTooLarge:
            pass
        if state["over"] and not state["started"]:
            await _refuse(scope, send, 413, "guard.too_large", max_mb=max_mb)


def install(app: Any, limits: GuardLimits) -> None:
    """Put the guard in front of `app` once. build_app runs many times in one process in the page tests
    (NiceGUI clears the middleware between simulations): a second call replaces the limits, never stacks."""
    for index, entry in enumerate(app.user_middleware):
        if entry.cls is WebGuard:
            app.user_middleware[index] = Middleware(WebGuard, limits=limits)
            app.middleware_stack = None  # rebuilt on the next request with the new limits
            return
    app.user_middleware.insert(0, Middleware(WebGuard, limits=limits))
    app.middleware_stack = None
