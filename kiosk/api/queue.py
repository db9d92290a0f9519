"""The queue API: services, tickets (public, rate-limited), calling (operators), the board."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kiosk.api.deps import client_of, requires
from kiosk.context import AppContext
from kiosk.services import queue
from kiosk.services.accounts import Account
from kiosk.services.errors import ServiceError


class ServiceOut(BaseModel):
    prefix: str
    name: str
    waiting: int


class TicketRequest(BaseModel):
    service: str = Field(min_length=1, max_length=1, description="The service's letter, e.g. A")


class TicketOut(BaseModel):
    id: str = Field(description="Random public id; also the phone status page's address")
    number: str
    service: str
    service_name: str
    status: str = Field(description="waiting, called, done or skipped")
    ahead: int
    wait_minutes: int
    counter: str | None
    status_url: str
    created_at: datetime


class CallOut(BaseModel):
    number: str
    counter: str
    at: datetime
    recall: bool


class CounterOut(BaseModel):
    counter: str
    number: str | None


class NowServingOut(BaseModel):
    counters: list[CounterOut]
    last_calls: list[CallOut]
    waiting: int


class ErrorOut(BaseModel):
    error: str
    message: str


def _ticket_out(ticket: queue.TicketInfo, ctx: AppContext) -> TicketOut:
    return TicketOut(id=ticket.id, number=ticket.number, service=ticket.prefix, service_name=ticket.service_name,
                     status=ticket.status, ahead=ticket.ahead, wait_minutes=ticket.wait_minutes,
                     counter=ticket.counter, status_url=f"{ctx.status_url_base}{ticket.id}",
                     created_at=ticket.created_at)


def router(ctx: AppContext) -> APIRouter:
    api = APIRouter(prefix="/api/v1/queue", tags=["queue"])
    operator = requires("operator")

    @api.get("/services", response_model=list[ServiceOut])
    def services() -> list[ServiceOut]:
        """Active services with the number of people waiting for each."""
        return [ServiceOut(prefix=s.prefix, name=s.name, waiting=s.waiting) for s in queue.list_services(True)]

    @api.post("/tickets", status_code=201, response_model=TicketOut,
              responses={404: {"model": ErrorOut}, 429: {"model": ErrorOut}})
    def take_ticket(body: TicketRequest, request: Request) -> TicketOut:
        """Take a number (public: the kiosk and phones use it; limited per client address)."""
        if not ctx.ticket_limiter.allow(client_of(request)):
            raise ServiceError("error.rate_limited", status=429)
        issued = queue.issue_ticket(body.service, status_url_base=ctx.status_url_base,
                                    print_ticket=ctx.print_worker is not None, language=ctx.settings.language)
        ctx.queue_changed()
        return _ticket_out(issued.ticket, ctx)

    @api.get("/tickets/{ticket_id}", response_model=TicketOut, responses={404: {"model": ErrorOut}})
    def ticket(ticket_id: str) -> TicketOut:
        """A ticket's live state, by its random public id."""
        return _ticket_out(queue.ticket_status(ticket_id), ctx)

    @api.post("/counters/{counter}/call-next", response_model=TicketOut,
              responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}})
    def call_next(counter: str, request: Request, account: Account = Depends(operator)) -> TicketOut | JSONResponse:
        """Finish the counter's current ticket and call the next one (counter by id or name). 404 when nobody waits."""
        called = queue.call_next(counter, actor=account.username, client=client_of(request))
        ctx.queue_changed()
        if called is None:
            raise ServiceError("queue.nobody", status=404)
        return _ticket_out(called, ctx)

    @api.get("/now-serving", response_model=NowServingOut)
    def now_serving() -> NowServingOut:
        """What the TV board shows."""
        board = queue.now_serving()
        return NowServingOut(
            counters=[CounterOut(counter=r.counter, number=r.number) for r in board.counters],
            last_calls=[CallOut(number=c.number, counter=c.counter, at=c.at, recall=c.recall) for c in board.last_calls],
            waiting=board.waiting,
        )

    return api
