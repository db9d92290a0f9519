"""The hub's HTTP API for villages: enrol, status, batches, items to pull. Thin: check, call, sign the answer.

Every call but enrolment is signed by the village's key (see sync.protocol.request_message); every answer a
village acts on (acknowledgements, status, known batches, pulled items) is signed by the hub's key. Each
signed call also records what the village says about itself: its pending count, the age of its oldest
unacknowledged change, and how far its clock is from ours. A captured request sent again later is refused as
stale, and an older one within the window changes no report (sync/hub/freshness.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, FastAPI, Request
from peewee import PeeweeException
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sync.hub import pull as hub_pull
from sync.hub.enrolment import EnrolmentError, redeem
from sync.hub.freshness import judge, parse_moment
from sync.hub.ingest import IngestError, ingest, previous_result, record_incident
from sync.hub.store import HubBatch, HubRange, HubVillage, hub_database, utc_now
from sync.keys import ed25519_public, public_text
from sync.protocol import (H_BATCH_SHA, H_HUB_SIGNATURE, H_OLDEST, H_PENDING, H_SIGNATURE, H_TIME, H_VILLAGE,
                           MAX_BATCH_BYTES, ProtocolError, hub_message, request_message, sign, verify)

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 256 * 1024


@dataclass
class HubKeys:
    sign: Ed25519PrivateKey
    box_public: str


class RequestRefused(Exception):
    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


def _error(code: str, status: int, detail: str = "") -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refusing anything larger than `limit` without reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise RequestRefused("too_large", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestRefused("too_large", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _authenticate(request: Request, body: bytes) -> str:
    """The village that signed this request, after recording its contact; raises RequestRefused otherwise."""
    village_id = request.headers.get(H_VILLAGE, "")
    moment = request.headers.get(H_TIME, "")
    pending = request.headers.get(H_PENDING, "")
    oldest = request.headers.get(H_OLDEST, "")
    signature = request.headers.get(H_SIGNATURE, "")
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    with hub_database.connection_context():
        village = HubVillage.get_or_none(HubVillage.village_id == village_id[:10])
        if village is None:
            raise RequestRefused("not_enrolled", 401)
        message = request_message(request.method, path, village_id, moment, pending, oldest, body)
        if not verify(ed25519_public(village.public_key), message, signature):
            record_incident(village_id, "bad_signature", f"{request.method} {path}")
            raise RequestRefused("bad_signature", 401)
        now = utc_now()
        clock = parse_moment(moment)
        if clock is None:
            record_incident(village_id, "stale_request", f"{request.method} {path}: no clock")
            raise RequestRefused("stale_request", 401)
        verdict = judge(clock, now, village.last_contact_at, village.clock_skew_s)
        request.state.fresh = verdict == "fresh"
        if verdict == "stale":  # a captured request sent again later: see sync/hub/freshness.py
            record_incident(village_id, "stale_request", f"{request.method} {path} signed at {moment[:32]}")
            raise RequestRefused("stale_request", 401)
        if verdict == "repeat":  # the same moment again: answered, but the contact report stays as it was
            return village_id
        changes: dict[Any, Any] = {HubVillage.last_contact_at: now,
                                   HubVillage.clock_skew_s: (clock - now).total_seconds()}
        if pending:  # reported with status, batch and pull calls; other calls leave the last report standing
            changes[HubVillage.pending_reported] = _number(pending)
            changes[HubVillage.oldest_pending_s] = _number(oldest)
        with hub_database.atomic():
            HubVillage.update(changes).where(HubVillage.village_id == village_id).execute()
    return village_id


def _signed(keys: HubKeys, kind: str, document: dict[str, Any], status: int = 200) -> Response:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    signature = sign(keys.sign, hub_message(kind, document))
    return Response(body, status_code=status, media_type="application/json", headers={H_HUB_SIGNATURE: signature})


def _status(village_id: str) -> dict[str, Any]:
    with hub_database.connection_context():
        epochs: dict[str, list[list[int]]] = {}
        for row in HubRange.select().where(HubRange.village_id == village_id).order_by(HubRange.first_seq):
            epochs.setdefault(row.epoch, []).append([row.first_seq, row.last_seq])
        village = HubVillage.get(HubVillage.village_id == village_id)
        return {"village": village_id, "epochs": epochs, "max_generation": village.max_generation,
                "server_time": utc_now().isoformat(timespec="seconds") + "Z"}


def _known(village_id: str, wanted: list[Any]) -> list[dict[str, Any]]:
    """Acknowledgements for the batches the hub already holds (e.g. carried on a USB stick), so a village
    never sends them again over a slow link."""
    pairs = [(str(item[0]), str(item[1])) for item in wanted[:1000]
             if isinstance(item, list) and len(item) == 2]
    if not pairs:
        return []
    with hub_database.connection_context():
        stored = {b.batch_id: b.sha256 for b in HubBatch.select(HubBatch.batch_id, HubBatch.sha256).where(
            (HubBatch.village_id == village_id) & (HubBatch.batch_id.in_([p[0] for p in pairs])))}
        acks = []
        for batch, sha in pairs:
            if stored.get(batch) == sha:
                previous = previous_result(village_id, batch, sha)
                if previous is not None:
                    acks.append(previous.as_json())
    return acks


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestRefused("not_json", 400) from error
    if not isinstance(value, dict):
        raise RequestRefused("not_json", 400)
    return value


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The hub's database is down or restarting: say so (503) instead of a bare error page, so a village
    shows "the district server has a problem" and simply tries again later. Nothing was acknowledged."""
    log.error("hub database unavailable during %s %s: %s", request.method, request.url.path, error)
    return JSONResponse({"error": "hub_unavailable", "detail": ""}, status_code=503)


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PeeweeException, _database_unavailable)


def build_router(keys: HubKeys) -> APIRouter:
    router = APIRouter(prefix="/api/hub/v1")

    @router.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "role": "hub", "sign_key": public_text(keys.sign), "box_key": keys.box_public}

    @router.post("/enrol")
    async def enrol(request: Request) -> Response:
        try:
            document = _json(await _body(request, MAX_JSON_BYTES))
        except RequestRefused as refused:
            return _error(refused.code, refused.status)

        def work() -> Response:
            with hub_database.connection_context():
                try:
                    enrolled = redeem(str(document.get("village", "")), str(document.get("code", "")),
                                      str(document.get("public_key", "")), name=str(document.get("name", "")),
                                      kecamatan=str(document.get("kecamatan", "")),
                                      kabupaten=str(document.get("kabupaten", "")))
                except EnrolmentError as error:
                    return _error(error.code, 403 if error.code == "code_invalid" else 400)
            answer = {"village": enrolled.village_id, "hub_sign_key": public_text(keys.sign),
                      "hub_box_key": keys.box_public}
            return _signed(keys, "enrol", answer)

        return await run_in_threadpool(work)

    async def signed_call(request: Request, limit: int) -> tuple[str, bytes]:
        body = await _body(request, limit)
        village_id = await run_in_threadpool(_authenticate, request, body)
        return village_id, body

    @router.get("/status")
    async def status(request: Request) -> Response:
        try:
            village_id, _ = await signed_call(request, 0)
        except RequestRefused as refused:
            return _error(refused.code, refused.status)
        return _signed(keys, "status", await run_in_threadpool(_status, village_id))

    @router.post("/batches/known")
    async def known(request: Request) -> Response:
        try:
            village_id, body = await signed_call(request, MAX_JSON_BYTES)
            wanted = _json(body).get("batches")
        except RequestRefused as refused:
            return _error(refused.code, refused.status)
        found = await run_in_threadpool(_known, village_id, wanted if isinstance(wanted, list) else [])
        return _signed(keys, "known", {"village": village_id, "known": found})

    @router.post("/batches")
    async def batches(request: Request) -> Response:
        try:
            village_id, body = await signed_call(request, MAX_BATCH_BYTES)
        except RequestRefused as refused:
            return _error(refused.code, refused.status)

        def work() -> Response:
            with hub_database.connection_context():
                try:
                    result = ingest(village_id, body, via="net", claimed_sha256=request.headers.get(H_BATCH_SHA))
                except IngestError as error:
                    return _error(error.code, error.status, error.detail)
                if getattr(request.state, "fresh", False):  # a repeated request does not count as new contact
                    with hub_database.atomic():
                        HubVillage.update(last_success_at=utc_now()).where(
                            HubVillage.village_id == village_id).execute()
            return _signed(keys, "ack", result.as_json())

        return await run_in_threadpool(work)

    @router.get("/pull")
    async def pull(request: Request, after: int = 0) -> Response:
        try:
            village_id, _ = await signed_call(request, 0)
        except RequestRefused as refused:
            return _error(refused.code, refused.status)
        items = await run_in_threadpool(hub_pull.items_for, village_id, after)
        return _signed(keys, "pull", {"village": village_id, "items": items})

    @router.post("/pull/results")
    async def pull_results(request: Request) -> Response:
        try:
            village_id, body = await signed_call(request, MAX_JSON_BYTES)
            results = _json(body).get("results")
        except RequestRefused as refused:
            return _error(refused.code, refused.status)
        count = await run_in_threadpool(hub_pull.record_results, village_id,
                                        results if isinstance(results, list) else [])
        return _signed(keys, "pull_results", {"village": village_id, "recorded": count})

    return router


__all__ = ["HubKeys", "build_router", "ProtocolError"]
