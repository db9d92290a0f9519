"""The queue (antrian): services, counters, tickets numbered per service per local day, calls.

A ticket number comes from the highest sequence issued today for that service plus one, read and
written inside one `BEGIN IMMEDIATE` transaction, and the (service, day, sequence) triple is UNIQUE in
the schema: two kiosks can never get the same number and a number is never reused, even after a crash.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from kiosk.db import database, reading
from kiosk.models import Counter, CounterService, PrintJob, Service, Ticket, TicketCall, Village
from kiosk.services import audit
from kiosk.services.clock import format_stamp, local_day, utc_now
from kiosk.services.clock_guard import trusted_now
from kiosk.services.roles import require_role
from kiosk.services.errors import NotFound, ServiceError

DEFAULT_MINUTES_PER_TICKET = 5.0
STATUSES = ("waiting", "called", "done", "skipped")


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    prefix: str
    name: str
    active: bool
    sort_order: int
    waiting: int


@dataclass(frozen=True)
class CounterInfo:
    id: int
    name: str
    active: bool
    sort_order: int
    prefixes: tuple[str, ...]
    current: str | None


@dataclass(frozen=True)
class TicketInfo:
    id: str
    number: str
    prefix: str
    seq: int
    service_name: str
    status: str
    ahead: int
    wait_minutes: int
    counter: str | None
    created_at: datetime
    called_at: datetime | None


@dataclass(frozen=True)
class IssuedTicket:
    ticket: TicketInfo
    print_job_id: int | None


@dataclass(frozen=True)
class CallInfo:
    number: str
    prefix: str
    seq: int
    counter: str
    at: datetime
    recall: bool
    call_id: int


@dataclass(frozen=True)
class BoardRow:
    counter: str
    number: str | None


@dataclass(frozen=True)
class NowServing:
    counters: list[BoardRow]
    last_calls: list[CallInfo]
    waiting: int


def _village() -> Village:
    village = Village.get_or_none(Village.id == 1)
    if village is None:
        raise ServiceError("error.not_set_up", status=503)
    return village


def _today(village: Village) -> str:
    """The queue's day; never earlier than a day this database has already seen (a Pi without a battery
    clock may boot in the past: its numbers must not restart on an old day)."""
    return local_day(trusted_now(utc_now()), village.timezone).isoformat()


def _validate_prefix(prefix: str) -> str:
    clean = prefix.strip().upper()
    if len(clean) != 1 or not ("A" <= clean <= "Z"):
        raise ServiceError("error.prefix_invalid")
    return clean


def _validate_name(name: str, key: str = "error.name_invalid") -> str:
    clean = " ".join(name.split())
    if not 2 <= len(clean) <= 80:
        raise ServiceError(key)
    return clean


# ---- services and counters -------------------------------------------------------------------------

def create_service(prefix: str, name: str, *, sort_order: int = 0, actor: str, client: str = "") -> ServiceInfo:
    require_role(actor, "admin")
    clean_prefix, clean_name = _validate_prefix(prefix), _validate_name(name)
    with database.atomic():
        if Service.select().where(Service.prefix == clean_prefix).exists():
            raise ServiceError("error.prefix_taken", prefix=clean_prefix)
        row = Service.create(uuid=str(uuid.uuid4()), prefix=clean_prefix, name=clean_name,
                             sort_order=sort_order, created_at=utc_now())
        audit.record(actor, "service.create", clean_prefix, clean_name, client)
        return ServiceInfo(row.id, row.prefix, row.name, True, row.sort_order, 0)


def update_service(service_id: int, *, name: str, active: bool, actor: str, client: str = "") -> None:
    require_role(actor, "admin")
    clean_name = _validate_name(name)
    with database.atomic():
        row = Service.get_or_none(Service.id == service_id)
        if row is None:
            raise NotFound()
        row.name, row.active = clean_name, active
        row.save()
        audit.record(actor, "service.update", row.prefix, f"{clean_name} active={active}", client)


def list_services(active_only: bool = False) -> list[ServiceInfo]:
    with reading():
        village = Village.get_or_none(Village.id == 1)
        day = _today(village) if village else ""
        waiting = dict(
            Ticket.select(Ticket.service, fn.COUNT(Ticket.id))
            .where((Ticket.day == day) & (Ticket.status == "waiting"))
            .group_by(Ticket.service).tuples()
        )
        query = Service.select().order_by(Service.sort_order, Service.prefix)
        if active_only:
            query = query.where(Service.active == True)  # noqa: E712
        return [ServiceInfo(s.id, s.prefix, s.name, s.active, s.sort_order, waiting.get(s.id, 0)) for s in query]


def _set_counter_services(counter: Counter, prefixes: list[str]) -> None:
    wanted = {_validate_prefix(p) for p in prefixes}
    services = list(Service.select().where(Service.prefix.in_(wanted))) if wanted else []
    if len(services) != len(wanted):
        raise ServiceError("error.prefix_unknown")
    CounterService.delete().where(CounterService.counter == counter).execute()
    for service in services:
        CounterService.create(counter=counter, service=service)


def create_counter(name: str, prefixes: list[str], *, sort_order: int = 0, actor: str, client: str = "") -> CounterInfo:
    require_role(actor, "admin")
    clean = _validate_name(name)
    with database.atomic():
        if Counter.select().where(Counter.name == clean).exists():
            raise ServiceError("error.counter_taken", name=clean)
        row = Counter.create(uuid=str(uuid.uuid4()), name=clean, sort_order=sort_order, created_at=utc_now())
        _set_counter_services(row, prefixes)
        audit.record(actor, "counter.create", clean, ",".join(prefixes), client)
    return next(c for c in list_counters() if c.id == row.id)


def update_counter(counter_id: int, *, name: str, active: bool, prefixes: list[str], actor: str,
                   client: str = "") -> None:
    require_role(actor, "admin")
    clean = _validate_name(name)
    with database.atomic():
        row = Counter.get_or_none(Counter.id == counter_id)
        if row is None:
            raise NotFound()
        if Counter.select().where((Counter.name == clean) & (Counter.id != counter_id)).exists():
            raise ServiceError("error.counter_taken", name=clean)
        row.name, row.active = clean, active
        row.save()
        _set_counter_services(row, prefixes)
        audit.record(actor, "counter.update", clean, f"{','.join(prefixes)} active={active}", client)


def list_counters(active_only: bool = False) -> list[CounterInfo]:
    with reading():
        village = Village.get_or_none(Village.id == 1)
        day = _today(village) if village else ""
        links: dict[int, list[str]] = {}
        for counter_id, prefix in (
            CounterService.select(CounterService.counter, Service.prefix).join(Service)
            .order_by(Service.prefix).tuples()
        ):
            links.setdefault(counter_id, []).append(prefix)
        current = dict(
            Ticket.select(Ticket.counter, Ticket.number)
            .where((Ticket.day == day) & (Ticket.status == "called")).tuples()
        )
        query = Counter.select().order_by(Counter.sort_order, Counter.name)
        if active_only:
            query = query.where(Counter.active == True)  # noqa: E712
        return [
            CounterInfo(c.id, c.name, c.active, c.sort_order, tuple(links.get(c.id, [])), current.get(c.id))
            for c in query
        ]


def _counter_service_ids(counter: Counter) -> list[int]:
    """The services a counter calls; a counter linked to none serves every active service."""
    ids = [cs.service_id for cs in CounterService.select().where(CounterService.counter == counter)]
    if ids:
        return ids
    return [s.id for s in Service.select(Service.id).where(Service.active == True)]  # noqa: E712


# ---- tickets ---------------------------------------------------------------------------------------

def _minutes_per_ticket(service_id: int, day: str) -> float:
    recent = (
        Ticket.select(Ticket.called_at, Ticket.finished_at)
        .where((Ticket.service == service_id) & (Ticket.day == day) & (Ticket.status == "done")
               & Ticket.called_at.is_null(False) & Ticket.finished_at.is_null(False))
        .order_by(Ticket.id.desc()).limit(20)
    )
    durations = [(t.finished_at - t.called_at).total_seconds() / 60 for t in recent]
    durations = [d for d in durations if 0 < d < 240]
    return sum(durations) / len(durations) if durations else DEFAULT_MINUTES_PER_TICKET


def _counters_serving(service_id: int) -> int:
    active = list(Counter.select().where(Counter.active == True))  # noqa: E712
    return sum(1 for c in active if service_id in _counter_service_ids(c)) or 1


def _ahead(ticket: Ticket) -> int:
    if ticket.status != "waiting":
        return 0
    return (
        Ticket.select().where((Ticket.service == ticket.service_id) & (Ticket.day == ticket.day)
                              & (Ticket.status == "waiting") & (Ticket.id < ticket.id)).count()
    )


def _ticket_info(ticket: Ticket) -> TicketInfo:
    ahead = _ahead(ticket)
    wait = 0
    if ticket.status == "waiting":
        per_ticket = _minutes_per_ticket(ticket.service_id, ticket.day)
        wait = math.ceil(ahead * per_ticket / _counters_serving(ticket.service_id))
    counter = ticket.counter.name if ticket.counter_id else None
    prefix = ticket.number.split("-", 1)[0]
    return TicketInfo(ticket.uuid, ticket.number, prefix, ticket.seq, ticket.service.name, ticket.status, ahead,
                      wait, counter, ticket.created_at, ticket.called_at)


def issue_ticket(prefix: str, *, status_url_base: str, print_ticket: bool, language: str = "id") -> IssuedTicket:
    """Give the next number of a service; store its print job in the same transaction."""
    clean = _validate_prefix(prefix)
    with database.atomic():
        village = _village()
        service = Service.get_or_none((Service.prefix == clean) & (Service.active == True))  # noqa: E712
        if service is None:
            raise NotFound("error.service_unknown", prefix=clean)
        now = utc_now()
        day = _today(village)
        last = (Ticket.select(fn.MAX(Ticket.seq))
                .where((Ticket.issued_service == service) & (Ticket.day == day)).scalar())
        seq = (last or 0) + 1
        ticket = Ticket.create(
            uuid=uuid.uuid4().hex, issued_service=service, service=service, day=day, seq=seq,
            number=f"{service.prefix}-{seq:03d}", status="waiting", created_at=now,
        )
        info = _ticket_info(ticket)
        job_id = None
        if print_ticket:
            payload = {
                "village_name": village.name, "service_name": service.name, "number": ticket.number,
                "issued_at": format_stamp(now, village.timezone), "ahead": info.ahead,
                "wait_minutes": info.wait_minutes, "qr_url": f"{status_url_base}{ticket.uuid}", "lang": language,
            }
            job = PrintJob.create(uuid=str(uuid.uuid4()), kind="ticket", ticket=ticket, payload=json.dumps(payload),
                                  status="pending", next_attempt_at=now, created_at=now)
            job_id = job.id
        return IssuedTicket(info, job_id)


def ticket_status(public_id: str) -> TicketInfo:
    with reading():
        ticket = Ticket.get_or_none(Ticket.uuid == public_id)
        if ticket is None:
            raise NotFound("error.ticket_unknown")
        return _ticket_info(ticket)


def _counter(counter_ref: int | str) -> Counter:
    if isinstance(counter_ref, int) or str(counter_ref).isdigit():
        row = Counter.get_or_none(Counter.id == int(counter_ref))
    else:
        row = Counter.get_or_none(Counter.name == counter_ref)
    if row is None:
        raise NotFound("error.counter_unknown")
    if not row.active:
        raise ServiceError("error.counter_inactive", status=409)
    return row


def _current(counter: Counter, day: str) -> Ticket | None:
    return (Ticket.select().where((Ticket.counter == counter) & (Ticket.day == day) & (Ticket.status == "called"))
            .order_by(Ticket.called_at.desc()).first())


def _finish(ticket: Ticket, status: str, now: datetime) -> None:
    ticket.status, ticket.finished_at = status, now
    ticket.save()


def _call(ticket: Ticket, counter: Counter, now: datetime, recall: bool) -> None:
    ticket.status, ticket.counter, ticket.call_count = "called", counter, ticket.call_count + 1
    if not recall:
        ticket.called_at = now
    ticket.save()
    TicketCall.create(ticket=ticket, counter=counter, at=now, recall=recall)


def call_next(counter_ref: int | str, *, actor: str, client: str = "") -> TicketInfo | None:
    """Finish the counter's current ticket and call the oldest waiting one it serves; None when nobody waits."""
    require_role(actor, "operator")
    with database.atomic():
        village = _village()
        counter = _counter(counter_ref)
        day, now = _today(village), utc_now()
        current = _current(counter, day)
        if current is not None:
            _finish(current, "done", now)
        ticket = (Ticket.select().where((Ticket.day == day) & (Ticket.status == "waiting")
                                        & Ticket.service.in_(_counter_service_ids(counter)))
                  .order_by(Ticket.created_at, Ticket.id).first())
        if ticket is None:
            return None
        _call(ticket, counter, now, recall=False)
        audit.record(actor, "queue.call", ticket.number, counter.name, client)
        return _ticket_info(ticket)


def recall(counter_ref: int | str, *, actor: str, client: str = "") -> TicketInfo:
    require_role(actor, "operator")
    with database.atomic():
        village = _village()
        counter = _counter(counter_ref)
        current = _current(counter, _today(village))
        if current is None:
            raise ServiceError("error.nothing_called", status=409)
        _call(current, counter, utc_now(), recall=True)
        audit.record(actor, "queue.recall", current.number, counter.name, client)
        return _ticket_info(current)


def finish_current(counter_ref: int | str, status: str, *, actor: str, client: str = "") -> TicketInfo:
    """Mark the counter's called ticket done, or skipped when the resident did not come."""
    require_role(actor, "operator")
    if status not in ("done", "skipped"):
        raise ServiceError("error.status_invalid")
    with database.atomic():
        village = _village()
        counter = _counter(counter_ref)
        current = _current(counter, _today(village))
        if current is None:
            raise ServiceError("error.nothing_called", status=409)
        _finish(current, status, utc_now())
        audit.record(actor, f"queue.{status}", current.number, counter.name, client)
        return _ticket_info(current)


def transfer_current(counter_ref: int | str, to_prefix: str, *, actor: str, client: str = "") -> TicketInfo:
    """Send the called ticket to another service's queue; it keeps its number and its place in time."""
    require_role(actor, "operator")
    clean = _validate_prefix(to_prefix)
    with database.atomic():
        village = _village()
        counter = _counter(counter_ref)
        current = _current(counter, _today(village))
        if current is None:
            raise ServiceError("error.nothing_called", status=409)
        target = Service.get_or_none((Service.prefix == clean) & (Service.active == True))  # noqa: E712
        if target is None:
            raise NotFound("error.service_unknown", prefix=clean)
        current.service, current.status, current.counter = target, "waiting", None
        current.save()
        audit.record(actor, "queue.transfer", current.number, f"{counter.name} -> {clean}", client)
        return _ticket_info(current)


def waiting_list(counter_ref: int | str | None = None, limit: int = 50) -> list[TicketInfo]:
    with reading():
        village = _village()
        query = (Ticket.select(Ticket, Service).join(Service, on=(Ticket.service == Service.id))
                 .where((Ticket.day == _today(village)) & (Ticket.status == "waiting")))
        if counter_ref is not None:
            query = query.where(Ticket.service.in_(_counter_service_ids(_counter(counter_ref))))
        rows = list(query.order_by(Ticket.created_at, Ticket.id).limit(limit))
        return [TicketInfo(t.uuid, t.number, t.number.split("-", 1)[0], t.seq, t.service.name, t.status, 0, 0, None,
                           t.created_at, None) for t in rows]


def now_serving(last: int = 5) -> NowServing:
    """What the TV board shows: each counter's current number and the last calls (newest first)."""
    with reading():
        village = _village()
        day = _today(village)
        current = dict(Ticket.select(Ticket.counter, Ticket.number)
                       .where((Ticket.day == day) & (Ticket.status == "called")).tuples())
        counters = [BoardRow(c.name, current.get(c.id))
                    for c in Counter.select().where(Counter.active == True)  # noqa: E712
                    .order_by(Counter.sort_order, Counter.name)]
        calls = (TicketCall.select(TicketCall, Ticket, Counter).join(Ticket).switch(TicketCall).join(Counter)
                 .where(Ticket.day == day).order_by(TicketCall.id.desc()).limit(last))
        last_calls = [CallInfo(c.ticket.number, c.ticket.number.split("-", 1)[0], c.ticket.seq, c.counter.name, c.at,
                               c.recall, c.id) for c in calls]
        waiting = Ticket.select().where((Ticket.day == day) & (Ticket.status == "waiting")).count()
        return NowServing(counters, last_calls, waiting)
