"""The village uploader: seal, send, acknowledge, pull; over a link that may be down for days.

One batch is in flight at a time and its acknowledgement is stored before the next is sent, so after a
dropped link at most that one batch goes again. Failures back off exponentially with full jitter (a random
wait between 0 and min(5 min, 2 s x 2^failures)), so a district of villages coming back online together
does not hammer the hub in step. Before sending, the uploader asks which pending batches the hub already
holds (carried on a USB stick): those are acknowledged without crossing the slow link again.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Callable

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from peewee import Database

from kiosk.services.errors import DiskFull
from sync import journal
from sync.keys import ed25519_public, public_text
from sync.protocol import (H_BATCH_SHA, H_HUB_SIGNATURE, H_OLDEST, H_PENDING, H_SIGNATURE, H_TIME, H_VILLAGE,
                           hub_message, request_message, sign, verify)

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
POLL_INTERVAL_S = 30.0

Applier = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


class SyncError(Exception):
    """Why a run stopped early; `code` is stable and shown (translated) to operators."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass
class RunResult:
    sent: int = 0
    acknowledged: int = 0
    already_at_hub: int = 0
    rejected: int = 0
    pulled: int = 0
    new_epoch: bool = False
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def backoff_delay(failures: int, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^failures)]."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * (2 ** min(failures, 20)))
    return (rng or random).uniform(0, ceiling)


@functools.lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: httpx otherwise reads the CA bundle again for every client, i.e. every
    run (70 ms of CPU on the test machine, several times that on a Pi; thousands of runs in an offline week)."""
    return httpx.create_ssl_context()


@dataclass
class HubLink:
    """Signed HTTP to the hub. The one place where network errors become SyncError."""

    hub_url: str
    village: str
    key: Ed25519PrivateKey
    hub_key: str
    timeout: httpx.Timeout = field(default_factory=lambda: httpx.Timeout(20.0, read=90.0, write=120.0))
    transport: httpx.BaseTransport | None = None

    def __post_init__(self) -> None:
        self._client = httpx.Client(base_url=self.hub_url.rstrip("/"), timeout=self.timeout, verify=_tls_context(),
                                    transport=self.transport, headers={"User-Agent": "balai-sync/1"})
        self.last_hub_time: datetime | None = None

    def close(self) -> None:
        self._client.close()

    def call(self, method: str, path: str, kind: str, body: bytes = b"", pending: int | None = None,
             oldest_s: float | None = None, extra: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        """One signed request; `pending`/`oldest_s` are reported to the district when given."""
        moment = _now().isoformat(timespec="seconds")
        count = "" if pending is None else str(pending)
        oldest = "" if oldest_s is None else str(int(oldest_s))
        headers = {H_VILLAGE: self.village, H_TIME: moment, H_PENDING: count, H_OLDEST: oldest,
                   H_SIGNATURE: sign(self.key, request_message(method, path, self.village, moment, count,
                                                              oldest, body))}
        headers.update(extra or {})
        if body:
            headers["Content-Type"] = "application/octet-stream" if kind == "ack" else "application/json"
        try:
            response = self._client.request(method, path, content=body or None, headers=headers)
        except httpx.HTTPError as error:
            raise SyncError("network", f"{type(error).__name__}: {error}"[:300]) from error
        if "date" in response.headers:
            try:
                self.last_hub_time = parsedate_to_datetime(response.headers["date"]).astimezone(timezone.utc) \
                    .replace(tzinfo=None)
            except (TypeError, ValueError):
                pass
        try:
            document = response.json()
        except ValueError as error:
            raise SyncError("bad_answer", f"HTTP {response.status_code}") from error
        if response.status_code == 200:
            signature = response.headers.get(H_HUB_SIGNATURE, "")
            if not verify(ed25519_public(self.hub_key), hub_message(kind, document), signature):
                raise SyncError("hub_signature", "the answer is not signed by the enrolled hub")
        return response.status_code, document


def _link_from_state(database: Database, key: Ed25519PrivateKey,
                     transport: httpx.BaseTransport | None = None) -> HubLink:
    row = database.execute_sql("SELECT hub_url, hub_sign_key FROM sync_state WHERE id = 1").fetchone()
    if not row or not row[0] or not row[1]:
        raise SyncError("not_enrolled", "run `balai sync enrol HUB_URL CODE` first")
    return HubLink(row[0], journal.village_code(database), key, row[1], transport=transport)


def _record_attempt(database: Database, error: str | None, link: HubLink | None) -> None:
    """Note the run in sync_state; on a full disk only in the log (the run's own error says so already)."""
    try:
        _write_attempt(database, error, link)
    except DiskFull:
        log.warning("sync: could not record the attempt (%s): the disk is full", error or "ok")


def _write_attempt(database: Database, error: str | None, link: HubLink | None) -> None:
    now = _now()
    offset = None
    if link is not None and link.last_hub_time is not None:
        offset = (link.last_hub_time - now).total_seconds()
    with database.atomic():
        if error is None:
            database.execute_sql("UPDATE sync_state SET last_attempt_at = ?, last_success_at = ?, last_error = '', "
                                 "failures = 0, hub_time_offset_s = COALESCE(?, hub_time_offset_s) WHERE id = 1",
                                 (now, now, offset))
        else:
            database.execute_sql("UPDATE sync_state SET last_attempt_at = ?, last_error = ?, failures = failures + 1, "
                                 "hub_time_offset_s = COALESCE(?, hub_time_offset_s) WHERE id = 1",
                                 (now, error[:500], offset))


class Uploader:
    """`once()` does one full exchange; `run()` repeats it forever with backoff until `stop()`."""

    def __init__(self, database: Database, key: Ed25519PrivateKey, *, apply_pulled: Applier | None = None,
                 transport: httpx.BaseTransport | None = None, poll_interval: float = POLL_INTERVAL_S,
                 rng: random.Random | None = None) -> None:
        self.database = database
        self.key = key
        self.apply_pulled = apply_pulled
        self.transport = transport
        self.poll_interval = poll_interval
        self.rng = rng or random.Random()
        self._stop = threading.Event()
        self._wake = threading.Event()

    # --- one exchange ------------------------------------------------------------------------------------

    def once(self) -> RunResult:
        """Seal, reconcile with the hub, send what is pending, pull. Raises SyncError when the link fails."""
        result = RunResult()
        link = _link_from_state(self.database, self.key, self.transport)
        try:
            try:
                journal.seal(self.database)
                self._reconcile(link, result)
                self._send(link, result)
                self._pull(link, result)
            except DiskFull as error:  # the journal cannot be sealed or acknowledged: retried like a dead link
                raise SyncError("disk_full", "no space left on the data disk") from error
        except SyncError as error:
            _record_attempt(self.database, error.code if not error.detail else f"{error.code}: {error.detail}", link)
            raise
        finally:
            link.close()
        _record_attempt(self.database, None, link)
        return result

    def _status_numbers(self) -> tuple[int, float | None]:
        current = journal.status(self.database)
        return current.pending_changes, current.oldest_pending_age_s

    def _reconcile(self, link: HubLink, result: RunResult) -> None:
        """Ask the hub what it holds: a restored database (the hub has more of our epoch than we ever wrote)
        starts a new epoch; batches already there (by USB) are acknowledged without sending them again."""
        pending, oldest = self._status_numbers()
        code, status = link.call("GET", "/api/hub/v1/status", "status", pending=pending, oldest_s=oldest)
        if code != 200:
            raise SyncError(str(status.get("error", "status")), f"HTTP {code}")
        current_epoch = journal.epoch(self.database)
        top = self.database.execute_sql(
            "SELECT MAX(COALESCE((SELECT MAX(last_seq) FROM sync_batch WHERE epoch = ?), 0), "
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sync_journal'), 0))", (current_epoch,)).fetchone()[0]
        epochs = status.get("epochs", {})
        received = epochs.get(current_epoch, [])
        hub_generation = int(status.get("max_generation", 0))
        reason = ""
        if received and max(int(r[1]) for r in received) > int(top or 0):
            reason = "the hub holds more of this epoch than this database wrote (restored from a backup?)"
        elif not received and hub_generation >= int(current_epoch[:4], 16):
            # A re-imaged machine: its fresh epoch must order after everything the earlier one sent.
            reason = "the hub holds data of an earlier installation of this village"
        if reason:
            journal.start_new_epoch(self.database, reason, hub_generation)
            result.new_epoch = True
            journal.seal(self.database)
        batches = journal.pending(self.database, limit=1000)
        if not batches:
            return
        wanted = json.dumps({"batches": [[b.batch_id, b.sha256] for b in batches]}).encode()
        code, known = link.call("POST", "/api/hub/v1/batches/known", "known", wanted, pending, oldest)
        if code != 200:
            raise SyncError(str(known.get("error", "known")), f"HTTP {code}")
        by_id = {b.batch_id: b for b in batches}
        for ack in known.get("known", []):
            batch = by_id.get(ack.get("batch_id"))
            if batch is not None and ack.get("sha256") == batch.sha256:
                journal.mark_acked(self.database, batch.batch_id, int(ack.get("accepted", 0)), ack.get("rejected", []))
                result.already_at_hub += 1
                result.rejected += len(ack.get("rejected", []))

    def _send(self, link: HubLink, result: RunResult) -> None:
        while not self._stop.is_set():
            journal.seal(self.database)
            batches = journal.pending(self.database, limit=1)
            if not batches:
                return
            batch = batches[0]
            pending, oldest = self._status_numbers()
            code, answer = link.call("POST", "/api/hub/v1/batches", "ack", batch.body, pending, oldest,
                                     {H_BATCH_SHA: batch.sha256})
            result.sent += 1
            if code == 409:
                status_code, status = link.call("GET", "/api/hub/v1/status", "status", pending=pending,
                                                oldest_s=oldest)
                generation = int(status.get("max_generation", 0)) if status_code == 200 else 0
                journal.start_new_epoch(self.database, f"the hub refused {batch.batch_id}: {answer.get('detail', '')}",
                                        generation)
                result.new_epoch = True
                continue
            if code != 200:
                raise SyncError(str(answer.get("error", "refused")), f"{batch.batch_id}: HTTP {code}")
            if answer.get("batch_id") != batch.batch_id or answer.get("sha256") != batch.sha256:
                raise SyncError("bad_answer", "the acknowledgement names another batch")
            journal.mark_acked(self.database, batch.batch_id, int(answer.get("accepted", 0)), answer.get("rejected", []))
            result.acknowledged += 1
            result.rejected += len(answer.get("rejected", []))

    def _pull(self, link: HubLink, result: RunResult) -> None:
        """Ask for the district's items; the call also reports the pending count as it is after sending."""
        pending, oldest = self._status_numbers()
        if self.apply_pulled is None:
            link.call("GET", "/api/hub/v1/status", "status", pending=pending, oldest_s=oldest)
            return
        cursor = int(self.database.execute_sql("SELECT pull_cursor FROM sync_state WHERE id = 1").fetchone()[0])
        code, answer = link.call("GET", f"/api/hub/v1/pull?after={cursor}", "pull", pending=pending, oldest_s=oldest)
        if code != 200 or answer.get("village") != link.village:
            raise SyncError(str(answer.get("error", "pull")), f"HTTP {code}")
        items = [item for item in answer.get("items", []) if isinstance(item, dict)
                 and isinstance(item.get("item_id"), int) and item["item_id"] > cursor]
        if not items:
            return
        outcomes = self.apply_pulled(items)  # records each item and moves the cursor in one transaction
        result.pulled += len(items)
        body = json.dumps({"results": outcomes}).encode()
        link.call("POST", "/api/hub/v1/pull/results", "pull_results", body)
        with self.database.atomic():
            self.database.execute_sql("UPDATE sync_pulled SET reported = 1 WHERE hub_item_id <= ?",
                                      (max(item["item_id"] for item in items),))

    # --- forever -----------------------------------------------------------------------------------------

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self, on_result: Callable[[RunResult | SyncError], None] | None = None) -> None:
        """Repeat `once()` until stopped: every poll interval after success, with backoff after failure."""
        failures = 0
        while not self._stop.is_set():
            try:
                outcome: RunResult | SyncError = self.once()
                failures = 0
                delay = self.poll_interval
            except SyncError as error:
                outcome = error
                failures += 1
                delay = backoff_delay(failures, self.rng)
                log.warning("sync failed (%s); next try in %.0f s", error, delay)
            except Exception as error:  # noqa: BLE001 - the agent must outlive any one bad run
                log.exception("sync run crashed")
                outcome = SyncError("internal", str(error)[:300])
                failures += 1
                delay = backoff_delay(failures, self.rng)
            if on_result is not None:
                on_result(outcome)
            self._wake.wait(delay)
            self._wake.clear()


def enrol(database: Database, key: Ed25519PrivateKey, hub_url: str, code: str,
          transport: httpx.BaseTransport | None = None) -> dict[str, str]:
    """Register this village's public key at the hub with a one-time code; store the hub's keys."""
    village = database.execute_sql("SELECT code, name, kecamatan, kabupaten FROM village WHERE id = 1").fetchone()
    if village is None:
        raise SyncError("no_village", "set the village up first")
    document = {"village": str(village[0]).replace(".", ""), "code": code.strip(), "public_key": public_text(key),
                "name": village[1], "kecamatan": village[2], "kabupaten": village[3]}
    try:
        with httpx.Client(base_url=hub_url.rstrip("/"), timeout=30.0, transport=transport) as client:
            response = client.post("/api/hub/v1/enrol", json=document)
    except httpx.HTTPError as error:
        raise SyncError("network", str(error)[:300]) from error
    try:
        answer = response.json()
    except ValueError as error:
        raise SyncError("bad_answer", f"HTTP {response.status_code}") from error
    if response.status_code != 200:
        raise SyncError(str(answer.get("error", "enrol_refused")), f"HTTP {response.status_code}")
    hub_key = str(answer.get("hub_sign_key", ""))
    if not verify(ed25519_public(hub_key), hub_message("enrol", answer), response.headers.get(H_HUB_SIGNATURE, "")):
        raise SyncError("hub_signature")
    with database.atomic():
        database.execute_sql("UPDATE sync_state SET hub_url = ?, hub_sign_key = ?, hub_box_key = ?, enrolled_at = ?, "
                             "last_error = '', failures = 0 WHERE id = 1",
                             (hub_url.rstrip("/"), hub_key, str(answer.get("hub_box_key", "")), _now()))
    return {"village": document["village"], "hub_sign_key": hub_key, "hub_box_key": str(answer.get("hub_box_key", ""))}
