"""Noticing a clock that went backwards. A Raspberry Pi has no battery clock: after a power cut without
network it may boot in 1970 or on the day its image was built. Nothing orders by the clock (the journal
orders by sequence), but people read dates on tickets and letters, so operators are warned on screen.

The database keeps the latest time it has seen (`sync_state.clock_high_water`); a clock more than a few
minutes behind it is wrong. The hub's HTTP `Date` (recorded by the uploader as an offset) says by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.db import database, reading
from kiosk.services.clock import parse_stamp, utc_now

TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class ClockWarning:
    behind_seconds: float          # how far the clock is behind the latest time this database has seen
    hub_offset_seconds: float | None  # the hub's clock minus ours at the last contact, when known


def observe(now: datetime | None = None) -> None:
    """Move the high-water mark forward (never back). Cheap; called at start and every minute."""
    moment = (now or utc_now()).isoformat(sep=" ", timespec="milliseconds")
    with database.atomic():
        database.execute_sql("UPDATE sync_state SET clock_high_water = ? WHERE id = 1 AND "
                             "(clock_high_water IS NULL OR clock_high_water < ?)", (moment, moment))


def trusted_now(now: datetime | None = None) -> datetime:
    """The clock for dates people read (the queue's day, a letter's date and number year): this machine's
    clock, but never earlier than the latest time the database has already seen. A Pi that boots in 1970 or on
    its image's build day after a power cut then keeps issuing today's numbers and dating letters today, not in
    the past, until the clock is set (operators see the warning meanwhile). Runs inside the caller's
    transaction when there is one."""
    current = now or utc_now()
    row = database.execute_sql("SELECT clock_high_water FROM sync_state WHERE id = 1").fetchone()
    high_water = parse_stamp(row[0]) if row else None
    return high_water if high_water is not None and high_water > current else current


def check(now: datetime | None = None) -> ClockWarning | None:
    """A warning when this machine's clock is behind what the database has already seen."""
    with reading():
        row = database.execute_sql("SELECT clock_high_water, hub_time_offset_s FROM sync_state WHERE id = 1").fetchone()
    if row is None:
        return None
    high_water = parse_stamp(row[0])
    current = now or utc_now()
    if high_water is None or current >= high_water - TOLERANCE:
        return None
    return ClockWarning((high_water - current).total_seconds(), row[1])
