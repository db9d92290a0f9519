"""Is a signed village request new, a harmless repeat, or a stale replay?

A village signs its clock into every request (sync.protocol.request_message) but carries no nonce, and a
Raspberry Pi's clock is not trusted for ordering. Without a check, anyone who captured one signed request (plain
HTTP on the link) could send it again weeks later: the dashboard would show an offline village as "in contact"
with the pending count it had back then, and old pull results would overwrite newer ones.

The hub therefore remembers the village's clock as of its newest request (`last_contact_at + clock_skew_s`)
and expects its next clock to be about `hub now + that skew`:

* newer than the newest request seen: fresh (it cannot be a replay of anything accepted);
* not newer and further than `REPLAY_WINDOW` behind the expected clock: a stale replay, refused
  (`stale_request`) and logged as an incident;
* within the window and as new as the newest (a village sends several requests in the same second): fresh;
* within the window but older (a late retry, a request sent again soon after): answered, but it changes
  nothing about the village's contact report.

A village whose clock jumps back by more than the window (a Pi without a battery clock restarting at its
last saved time, with no NTP) is refused until its clock passes its last request again: at most the time
since that save. Its operators are warned about a clock running behind (kiosk/services/clock_guard.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

REPLAY_WINDOW = timedelta(minutes=15)
SAME_MOMENT = timedelta(seconds=0.5)  # the stored skew is a float: the same whole second within rounding


def parse_moment(text: str) -> datetime | None:
    """The village's clock from the signed header, naive UTC; None when it is not a timestamp."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = (moment - moment.utcoffset()).replace(tzinfo=None)  # type: ignore[operator]
    return moment


def judge(moment: datetime, now: datetime, last_contact_at: datetime | None,
          last_skew_s: float | None) -> str:
    """'fresh', 'repeat' or 'stale' for a correctly signed request carrying the village clock `moment`."""
    if last_contact_at is None or last_skew_s is None:
        return "fresh"
    newest = last_contact_at + timedelta(seconds=last_skew_s)
    if moment > newest + SAME_MOMENT:  # newer than anything accepted: cannot be a replay of it
        return "fresh"
    expected = now + timedelta(seconds=last_skew_s)
    if expected - moment > REPLAY_WINDOW:
        return "stale"
    return "fresh" if moment >= newest - SAME_MOMENT else "repeat"
