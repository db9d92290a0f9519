"""Durable print jobs and the worker that sends them.

A job is in the database before a byte goes to the printer. The worker marks it `sending`, hands the
bytes to the transport, and marks it `done` once the transport accepted them. A printer that is off,
unplugged or timing out leaves the job `pending` with a backoff; the operator sees it and can retry or
cancel. After a crash, a job left in `sending` is retried: a ticket may print twice in that window, but
is never lost.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from printing.transports import Printer, PrinterError, PrinterState

from kiosk.db import database, reading
from kiosk.models import PrintJob
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import DiskFull, NotFound

log = logging.getLogger(__name__)

Renderer = Callable[[str, dict], bytes]


@dataclass(frozen=True)
class JobInfo:
    id: int
    kind: str
    label: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime


def _label(job: PrintJob) -> str:
    try:
        return str(json.loads(job.payload).get("number", job.kind))
    except ValueError:
        return job.kind


def open_jobs(limit: int = 50) -> list[JobInfo]:
    """Jobs not yet printed (pending or in flight), oldest first: what the operator must see."""
    with reading():
        rows = (PrintJob.select().where(PrintJob.status.in_(("pending", "sending")))
                .order_by(PrintJob.id).limit(limit))
        return [JobInfo(j.id, j.kind, _label(j), j.status, j.attempts, j.last_error, j.created_at, j.next_attempt_at)
                for j in rows]


def job_status(job_id: int) -> str:
    with reading():
        job = PrintJob.get_or_none(PrintJob.id == job_id)
        if job is None:
            raise NotFound()
        return job.status


def retry_now(job_id: int, *, actor: str, client: str = "") -> None:
    with database.atomic():
        updated = (PrintJob.update(next_attempt_at=utc_now())
                   .where((PrintJob.id == job_id) & (PrintJob.status == "pending")).execute())
        if not updated:
            raise NotFound()
        audit.record(actor, "print.retry", str(job_id), "", client)


def cancel(job_id: int, *, actor: str, client: str = "") -> None:
    with database.atomic():
        updated = (PrintJob.update(status="cancelled")
                   .where((PrintJob.id == job_id) & (PrintJob.status == "pending")).execute())
        if not updated:
            raise NotFound()
        audit.record(actor, "print.cancel", str(job_id), "", client)


def recover_interrupted(kinds: tuple[str, ...]) -> int:
    """At start: a job that was being sent when the process died goes back to pending."""
    with database.atomic():
        return PrintJob.update(status="pending", next_attempt_at=utc_now()) \
            .where((PrintJob.status == "sending") & PrintJob.kind.in_(kinds)).execute()


def _claim_due(kinds: tuple[str, ...]) -> PrintJob | None:
    with database.atomic():
        job = (PrintJob.select().where((PrintJob.status == "pending") & (PrintJob.next_attempt_at <= utc_now())
                                       & PrintJob.kind.in_(kinds))
               .order_by(PrintJob.id).first())
        if job is None:
            return None
        job.status = "sending"
        job.attempts += 1
        job.save()
        return job


def _mark_done(job_id: int) -> None:
    with database.atomic():
        PrintJob.update(status="done", printed_at=utc_now(), last_error="").where(PrintJob.id == job_id).execute()


def backoff_seconds(attempts: int, cap: float) -> float:
    """Exponential backoff with full jitter: many jobs failing together don't retry in lockstep."""
    return random.uniform(0.5, min(cap, 2.0 ** min(attempts, 16)))


def _mark_failed(job_id: int, attempts: int, error: str, cap: float) -> None:
    with database.atomic():
        PrintJob.update(
            status="pending", last_error=error[:300],
            next_attempt_at=utc_now() + timedelta(seconds=backoff_seconds(attempts, cap)),
        ).where((PrintJob.id == job_id) & (PrintJob.status == "sending")).execute()


THERMAL_KINDS = ("ticket", "letter_slip")
LETTER_KINDS = ("letter",)


class PrintWorker:
    """One thread that drains due print jobs of some kinds to one printer, so a slow printer never blocks a
    page (the thermal printer takes tickets and slips, the office printer takes letters)."""

    def __init__(self, printer: Printer, render: Renderer, retry_cap_seconds: float = 60.0,
                 on_change: Callable[[], None] | None = None, poll_seconds: float = 1.0,
                 kinds: tuple[str, ...] = THERMAL_KINDS) -> None:
        self.printer = printer
        self.kinds = kinds
        self._render = render
        self._cap = retry_cap_seconds
        self._on_change = on_change or (lambda: None)
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._state = PrinterState(True, "")
        self._state_checked: datetime | None = None
        # Outcomes of sent jobs the database could not take (a full disk), recorded before anything else:
        # a job printed but left `sending` would print again at the next start.
        self._unrecorded: list[Callable[[], None]] = []
        self._disk_full = False

    @property
    def state(self) -> PrinterState:
        return self._state

    def start(self) -> None:
        recover_interrupted(self.kinds)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"balai-print-{self.kinds[0]}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """A new job exists: don't wait for the next poll."""
        self._wake.set()

    def _refresh_state(self, force: bool = False) -> None:
        now = utc_now()
        if force or self._state_checked is None or (now - self._state_checked).total_seconds() > 15:
            self._state = self.printer.probe()
            self._state_checked = now

    def run_once(self) -> bool:
        """Send one due job if there is one. Returns True when a job was attempted."""
        while self._unrecorded:  # DiskFull again: the caller waits and we come back here first
            self._unrecorded[0]()
            self._unrecorded.pop(0)
        job = _claim_due(self.kinds)
        if job is None:
            return False
        try:
            data = self._render(job.kind, json.loads(job.payload))
            self.printer.send(data)
        except PrinterError as error:
            log.warning("print job %s failed (%s): %s", job.id, error.kind, error.detail)
            reason = f"{error.kind}: {error.detail}"  # `error` is gone once the except block ends
            self._record(lambda: _mark_failed(job.id, job.attempts, reason, self._cap))
            self._state = PrinterState(False, f"{error.kind}: {error.detail}")
            self._state_checked = utc_now()
        except Exception as error:  # a broken layout must not kill the worker or lose the job
            # Not the printer's fault, so retrying soon won't help: wait the longest backoff, log briefly.
            if job.attempts == 1:
                log.exception("print job %s could not be rendered", job.id)
            else:
                log.warning("print job %s still cannot be rendered: %s", job.id, error)
            _mark_failed(job.id, 64, f"render: {error}", self._cap)
            self._state = PrinterState(False, f"render: {error}")
            self._state_checked = utc_now()
        else:
            self._record(lambda: _mark_done(job.id))
            self._state = PrinterState(True, "")
            self._state_checked = utc_now()
        self._on_change()
        return True

    def _record(self, outcome: Callable[[], None]) -> None:
        """Store a sent job's outcome; on a full disk keep it to store before the next job (then re-raise)."""
        try:
            outcome()
        except DiskFull:
            self._unrecorded.append(outcome)
            raise

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
                if not worked:
                    self._refresh_state()
            except DiskFull:  # the job stays as it was; once space is freed it goes on (one line, not one a second)
                if not self._disk_full:
                    log.warning("print worker: the disk is full, jobs wait until space is freed")
                self._disk_full = True
                worked = False
            except Exception:  # the database was busy or locked: try again on the next round
                log.exception("print worker round failed")
                worked = False
            else:
                self._disk_full = False
            if not worked:
                self._wake.wait(self._poll)
                self._wake.clear()
