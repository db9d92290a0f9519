"""Village polls (jajak pendapat): an operator sets up a question, 2..10 options and a voting period;
residents vote once with NIK + PIN at the kiosk or on a phone; results are counted live.

Life of a poll: draft (the only state that may be edited) -> published (scheduled until its start, open
until its end) -> over (its end passed, or an operator closed it early). Once published nothing about the
question, options or period changes: a poll cannot be edited after people could have voted on it.

Privacy — why a vote is only a counter. The promise to residents is that nobody, not even someone with the
SD card, can tell what a NIK chose. So a vote writes two things in ONE transaction:

* `(poll, resident)` into `poll_voter`, the "has voted" list (its primary key is what stops a second vote),
  with no time and WITHOUT ROWID, so it is kept in (poll, resident) order rather than the order of voting;
* `votes = votes + 1` on the chosen `poll_option` row.

There is no ballot row: no id, rowid, UUID or timestamp exists that could be sorted or joined against the
voter list, and the counter holds no history. A random-UUID ballot table would also work, but its rowids (and
page layout) still follow insertion order, which lines up with anything else written in time order; a
counter has nothing to line up. The audit log records that *a* vote was cast in a poll (channel and client
address, which the PIN check records anyway), never the resident and never the option. These tables are not
journalled to the district. What remains is inherent to live results: someone watching the numbers while a
known person votes alone sees one counter move. The per-poll switch "hide results until the poll is over"
(results_live = 0) closes that; docs/polls.md says so.

Eligibility (decided here, documented in docs/polls.md): a resident of this village who is living here
(`status_dasar` 1, not deleted) and, on the voting day in the village's time zone, is 17 or older or has
ever been married (`status_kawin` 2, 3 or 4) — the age at which Indonesian law gives a KTP and a vote.
Turnout is measured against that same count, taken when the results are read.

NIK + PIN are checked by `resident_pins.check_resident` (its rate limit, one answer for an unknown NIK, a
wrong PIN or someone no longer living here). "Not eligible" and "already voted" are only ever said after a
correct PIN, so they tell nothing to someone who does not hold that PIN.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import date, datetime

from peewee import IntegrityError

from kiosk.db import database, reading
from kiosk.models import Penduduk, Poll, PollOption, PollVoter
from kiosk.services import audit, village
from kiosk.services.clock import local_day, utc_now
from kiosk.services.errors import NotFound, ServiceError
from kiosk.services.poll_checks import clean_description, clean_options, clean_question, local_to_utc

VOTING_AGE = 17
MARRIED = (2, 3, 4)   # kawin, cerai hidup, cerai mati
_FMT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class OptionInfo:
    id: int
    position: int
    label: str


@dataclass(frozen=True)
class PollInfo:
    uuid: str
    question: str
    description: str
    starts_at: datetime     # naive UTC
    ends_at: datetime
    status: str             # stored: draft, published, closed
    phase: str              # draft, scheduled, open, over
    results_live: bool
    options: tuple[OptionInfo, ...]
    created_by: str

    @property
    def results_public(self) -> bool:
        """May residents see the numbers now: live polls always, the others once the poll is over."""
        return self.phase != "draft" and (self.results_live or self.phase == "over")


@dataclass(frozen=True)
class OptionResult:
    position: int
    label: str
    votes: int
    percent: float          # of the votes cast


@dataclass(frozen=True)
class PollResults:
    poll: PollInfo
    options: tuple[OptionResult, ...]
    total: int
    eligible: int

    @property
    def turnout(self) -> float:
        return 100.0 * self.total / self.eligible if self.eligible else 0.0


def _zone() -> str:
    info = village.get_village()
    return info.timezone if info else "Asia/Jakarta"


def _stamp(moment: datetime) -> str:
    return moment.strftime(_FMT)


def _phase(row: Poll, now: datetime) -> str:
    if row.status == "draft":
        return "draft"
    if row.status == "closed" or _stamp(now) >= row.ends_at:
        return "over"
    if _stamp(now) < row.starts_at:
        return "scheduled"
    return "open"


def _info(row: Poll, now: datetime) -> PollInfo:
    options = tuple(OptionInfo(o.id, o.position, o.label)
                    for o in PollOption.select().where(PollOption.poll == row.id).order_by(PollOption.position))
    return PollInfo(row.uuid, row.question, row.description, datetime.strptime(row.starts_at, _FMT),
                    datetime.strptime(row.ends_at, _FMT), row.status, _phase(row, now), bool(row.results_live),
                    options, row.created_by)


def _row(uid: str, *, public: bool = False) -> Poll:
    row = Poll.get_or_none(Poll.uuid == str(uid or ""))
    if row is None or (public and row.status == "draft"):
        raise NotFound("poll.not_found")
    return row


def _checked(question: str, description: str, options: list[str], starts: datetime | str,
             ends: datetime | str) -> tuple[str, str, list[str], datetime, datetime]:
    zone_name = _zone()
    clean_q = clean_question(question)
    clean_d = clean_description(description)
    clean_o = clean_options(options)
    start = local_to_utc(starts, zone_name, field="start")
    end = local_to_utc(ends, zone_name, field="end")
    if end <= start:
        raise ServiceError("poll.end_before_start")
    return clean_q, clean_d, clean_o, start, end


def create_draft(question: str, description: str, options: list[str], starts: datetime | str,
                 ends: datetime | str, *, results_live: bool = True, actor: str, client: str = "") -> str:
    """A new draft poll; times are village time as typed (or naive local datetimes). Returns its uuid."""
    q, d, opts, start, end = _checked(question, description, options, starts, ends)
    uid = str(uuid_module.uuid4())
    now = _stamp(utc_now())
    with database.atomic():
        poll = Poll.create(uuid=uid, question=q, description=d, starts_at=_stamp(start), ends_at=_stamp(end),
                           status="draft", results_live=int(bool(results_live)), created_at=now, created_by=actor,
                           updated_at=now, updated_by=actor)
        for position, label in enumerate(opts, start=1):
            PollOption.create(poll=poll.id, position=position, label=label)
        audit.record(actor, "poll.create", uid, q, client)
    return uid


def update_draft(uid: str, question: str, description: str, options: list[str], starts: datetime | str,
                 ends: datetime | str, *, results_live: bool = True, actor: str, client: str = "") -> None:
    """Replace a draft's question, options and period. Refused once the poll was published."""
    q, d, opts, start, end = _checked(question, description, options, starts, ends)
    with database.atomic():
        row = _row(uid)
        if row.status != "draft":
            raise ServiceError("poll.not_draft", status=409)
        Poll.update(question=q, description=d, starts_at=_stamp(start), ends_at=_stamp(end),
                    results_live=int(bool(results_live)), updated_at=_stamp(utc_now()), updated_by=actor) \
            .where(Poll.id == row.id).execute()
        PollOption.delete().where(PollOption.poll == row.id).execute()
        for position, label in enumerate(opts, start=1):
            PollOption.create(poll=row.id, position=position, label=label)
        audit.record(actor, "poll.update", uid, q, client)


def delete_draft(uid: str, *, actor: str, client: str = "") -> None:
    """Throw away a draft nobody could vote on yet."""
    with database.atomic():
        row = _row(uid)
        if row.status != "draft":
            raise ServiceError("poll.not_draft", status=409)
        row.delete_instance(recursive=True)
        audit.record(actor, "poll.delete", uid, row.question, client)


def publish(uid: str, *, actor: str, client: str = "", now: datetime | None = None) -> None:
    """Make a draft visible to residents; voting opens at its start. Refused when its end already passed."""
    now = now or utc_now()
    with database.atomic():
        row = _row(uid)
        if row.status != "draft":
            raise ServiceError("poll.not_draft", status=409)
        if row.ends_at <= _stamp(now):
            raise ServiceError("poll.ends_in_past")
        Poll.update(status="published", published_at=_stamp(now), published_by=actor) \
            .where(Poll.id == row.id).execute()
        audit.record(actor, "poll.publish", uid, row.question, client)


def close(uid: str, *, actor: str, client: str = "", now: datetime | None = None) -> None:
    """End a published poll before its end time (scheduled or open); the votes so far are its result."""
    now = now or utc_now()
    with database.atomic():
        row = _row(uid)
        if _phase(row, now) not in ("scheduled", "open"):
            raise ServiceError("poll.not_closable", status=409)
        Poll.update(status="closed", closed_at=_stamp(now), closed_by=actor).where(Poll.id == row.id).execute()
        audit.record(actor, "poll.close", uid, row.question, client)


def get(uid: str, *, public: bool = False, now: datetime | None = None) -> PollInfo:
    """One poll; `public` hides drafts (NotFound, the same as a poll that does not exist)."""
    with reading():
        return _info(_row(uid, public=public), now or utc_now())


def list_all(limit: int = 100, now: datetime | None = None) -> list[PollInfo]:
    """The operator's list, newest first."""
    now = now or utc_now()
    with reading():
        return [_info(row, now) for row in Poll.select().order_by(Poll.id.desc()).limit(limit)]


def public_list(now: datetime | None = None, limit: int = 30) -> list[PollInfo]:
    """What residents see: open polls first (ending soonest first), then scheduled ones, then finished ones
    whose results may be shown (newest first)."""
    now = now or utc_now()
    with reading():
        rows = [_info(row, now) for row in Poll.select().where(Poll.status != "draft")
                .order_by(Poll.ends_at.desc()).limit(limit * 3)]
    order = {"open": 0, "scheduled": 1, "over": 2}
    shown = [p for p in rows if p.phase != "over" or p.results_public]
    shown.sort(key=lambda p: (order[p.phase], p.ends_at if p.phase != "over" else -p.ends_at.timestamp()))
    return shown[:limit]


def _cutoff(day: date) -> date:
    """Born on or before this day: 17 on `day` (29 February counts as 28 February in a common year)."""
    try:
        return day.replace(year=day.year - VOTING_AGE)
    except ValueError:
        return day.replace(year=day.year - VOTING_AGE, day=28)


def _eligible_where(day: date):  # noqa: ANN202 - a peewee expression
    return (Penduduk.deleted_at.is_null() & (Penduduk.status_dasar == 1)
            & ((Penduduk.tanggallahir <= _cutoff(day)) | Penduduk.status_kawin.in_(MARRIED)))


def eligible_count(day: date | None = None) -> int:
    """How many residents may vote on `day` (the village's today by default)."""
    day = day or local_day(utc_now(), _zone())
    with reading():
        return Penduduk.select().where(_eligible_where(day)).count()


def results(uid: str, *, public: bool, now: datetime | None = None, eligible: int | None = None) -> PollResults:
    """Counts, percentages of the votes cast and turnout. `public` refuses drafts and results that are
    hidden until the poll is over (the operator always sees them). `eligible` saves recounting the residents
    when a page shows many polls at once."""
    now = now or utc_now()
    day = local_day(now, _zone())
    with reading():
        row = _row(uid, public=public)
        info = _info(row, now)
        if public and not info.results_public:
            raise ServiceError("poll.results_hidden", status=403)
        counts = list(PollOption.select().where(PollOption.poll == row.id).order_by(PollOption.position))
        if eligible is None:
            eligible = Penduduk.select().where(_eligible_where(day)).count()
    total = sum(o.votes for o in counts)
    options = tuple(OptionResult(o.position, o.label, o.votes, 100.0 * o.votes / total if total else 0.0)
                    for o in counts)
    return PollResults(info, options, total, eligible)


def cast_vote(uid: str, option_id: int, person_id: int, *, channel: str, client: str = "",
              now: datetime | None = None) -> None:
    """Record one vote of a resident whose NIK + PIN the caller has just checked.

    One transaction: the poll must be open, the option its own, the resident eligible and not yet on the
    voter list; then (poll, resident) joins the list and the option's counter goes up by one. Nothing else
    about the vote is written (see the module's docstring)."""
    now = now or utc_now()
    day = local_day(now, _zone())
    with database.atomic():
        row = _row(uid, public=True)
        if _phase(row, now) != "open":
            raise ServiceError("poll.not_open", status=409)
        if not PollOption.select().where((PollOption.id == int(option_id)) & (PollOption.poll == row.id)).exists():
            raise ServiceError("poll.option_unknown")
        if not Penduduk.select().where((Penduduk.id == person_id) & _eligible_where(day)).exists():
            raise ServiceError("poll.not_eligible", status=403)
        try:
            with database.atomic():
                PollVoter.insert(poll=row.id, penduduk=person_id).execute()
        except IntegrityError as error:
            raise ServiceError("poll.already_voted", status=409) from error
        PollOption.update(votes=PollOption.votes + 1).where(PollOption.id == int(option_id)).execute()
        audit.record(channel, "poll.vote", uid, "", client)


def has_voted(uid: str, person_id: int) -> bool:
    with reading():
        row = _row(uid, public=True)
        return PollVoter.select().where((PollVoter.poll == row.id) & (PollVoter.penduduk == person_id)).exists()
