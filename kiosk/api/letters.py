"""Letters API: types (public), requests (operator), signing and revoking (signer), PDFs, verification (public).

Verification is public on purpose: whoever holds a letter (a bank, a school, the police) may check it.
It is rate-limited per address like ticket taking, and answers only what the QR already says plus
"revoked" and the type and signer's name.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from nicegui import run
from pydantic import BaseModel, Field

from kiosk.api.deps import client_of, requires
from kiosk.context import AppContext
from kiosk.i18n import translate
from kiosk.seal import key_file_json, public_key_text
from kiosk.services import letter_print, letter_requests, letter_signing, letter_types, village
from kiosk.services.accounts import Account
from kiosk.services.errors import ServiceError
from kiosk.services.letter_fields import FieldErrors
from kiosk.services.letter_verify import verify_qr
from kiosk.services.ratelimit import RateLimiter


class LetterIn(BaseModel):
    type: str = Field(min_length=2, max_length=12)
    nik: str = Field(min_length=1, max_length=32)
    fields: dict[str, Any] = Field(default_factory=dict)


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=300)


class VerifyIn(BaseModel):
    qr: str = Field(min_length=1, max_length=2000)


def _language(request: Request, default: str) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else default


def router(ctx: AppContext) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["letters"])
    verify_limiter = RateLimiter(60)

    @api.get("/letters/types")
    def types() -> list[dict[str, Any]]:
        """Every enabled letter type with its asked fields, requirements and classification code."""
        return [letter_type.public() for letter_type in letter_types.list_types()]

    @api.post("/letters", status_code=201)
    def create(body: LetterIn, request: Request, account: Account = Depends(requires("operator"))) -> Any:
        """An operator asks on a resident's behalf (the resident is at the desk, so it is already checked and
        waits for the signature). 422 lists every field problem."""
        try:
            summary = letter_requests.create_for_nik(body.type, body.nik, body.fields, actor=account.username,
                                                     client=client_of(request), channel="api", checked=True)
        except FieldErrors as problems:
            lang = _language(request, ctx.settings.language)
            return JSONResponse(status_code=422, content={
                "error": problems.key, "message": translate(problems.key, lang),
                "fields": {name: translate(key, lang, **params) for name, (key, params) in problems.problems.items()}})
        ctx.letters_changed()
        return {"id": summary.id, "status": summary.status, "tracking_code": summary.tracking_code}

    @api.get("/letters/{request_id}")
    def show(request_id: int, request: Request, account: Account = Depends(requires("operator"))) -> dict[str, Any]:
        detail = letter_requests.get_detail(request_id, actor=account.username, client=client_of(request))
        summary = detail.summary
        return {"id": summary.id, "status": summary.status, "type": summary.type_code,
                "tracking_code": summary.tracking_code, "number": summary.number, "revoked": summary.revoked,
                "nik": summary.nik_masked, "name": summary.person_name, "fields": detail.field_values}

    @api.post("/letters/{request_id}/sign")
    async def sign(request_id: int, request: Request, account: Account = Depends(requires("signer"))) -> dict[str, Any]:
        signed = await run.io_bound(letter_signing.sign, request_id, signer=account.username, options=ctx.letters,
                                    client=client_of(request), role=account.role)
        ctx.letters_changed()
        return {"id": signed.id, "number": signed.number, "qr": signed.qr, "date": signed.letter_date.isoformat(),
                "pdf_sha256": signed.pdf_sha256}

    @api.post("/letters/{request_id}/revoke")
    def revoke(request_id: int, body: RevokeIn, request: Request,
               account: Account = Depends(requires("signer"))) -> dict[str, Any]:
        letter_signing.revoke(request_id, body.reason, actor=account.username, client=client_of(request),
                              role=account.role)
        ctx.letters_changed()
        return {"id": request_id, "revoked": True}

    @api.post("/letters/{request_id}/print", status_code=202)
    def print_letter(request_id: int, request: Request,
                     account: Account = Depends(requires("operator"))) -> dict[str, Any]:
        """Queue the signed letter for the office printer (CUPS); 202: printing happens in the background."""
        job_id = letter_print.enqueue_letter(request_id, actor=account.username, client=client_of(request))
        ctx.letters_changed()
        return {"id": request_id, "print_job": job_id}

    @api.get("/letters/{request_id}/pdf")
    async def pdf(request_id: int, request: Request, account: Account = Depends(requires("operator"))) -> Response:
        """The signed PDF; before signing, the draft (marked DRAF, no number, no QR)."""
        detail = letter_requests.get_detail(request_id, actor=account.username, client=client_of(request))
        if detail.has_pdf:
            data = await run.io_bound(letter_signing.signed_pdf, request_id, options=ctx.letters)
            name = f"surat-{detail.summary.tracking_code}.pdf"
        else:
            data = await run.io_bound(letter_signing.draft_pdf, request_id, options=ctx.letters)
            name = f"draf-{detail.summary.tracking_code}.pdf"
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"})

    @api.post("/letters/verify")
    def verify(body: VerifyIn, request: Request) -> dict[str, Any]:
        """`{"valid": bool, "reason": code, "message": text, "number": ...}` for a QR's text."""
        if not verify_limiter.allow(client_of(request)):
            raise ServiceError("error.rate_limited", status=429)
        result = verify_qr(body.qr, ctx.letters.key.public_key())
        lang = _language(request, ctx.settings.language)
        out = result.as_dict()
        out["message"] = translate(f"verify.reason.{result.reason}", lang, reason=result.revoke_reason)
        return out

    @api.get("/village/public-key")
    def public_key() -> Response:
        """The village's public key file, for `balai verify --key` and the district."""
        info = village.get_village()
        if info is None:
            raise ServiceError("error.not_set_up", status=503)
        text = key_file_json(info.code, info.name, public_key_text(ctx.letters.key))
        return Response(text, media_type="application/json")

    return api
