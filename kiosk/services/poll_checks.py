"""Checks on what an operator types into a poll, before anything is written.

Text is refused, not cleaned, when it carries HTML/script or an SQL injection attempt: no village question
needs `<script>` or `' OR 1=1 --`, and silently changing the office's words on a public ballot would be
worse than asking for them again. Pages show stored text as text anyway (labels, autoescaped templates), so
this is a second wall, not the only one. Ordinary punctuation stays allowed: "Jalan < 5 m & licin?" is fine.

The patterns themselves are kiosk.services.text_checks', shared with complaints and the budget.
"""

from __future__ import annotations

from datetime import datetime, timezone

from kiosk.services.clock import zone
from kiosk.services.errors import ServiceError
from kiosk.services.text_checks import CONTROL, code_in

QUESTION_MIN = 5
QUESTION_MAX = 200
DESCRIPTION_MAX = 1000
OPTION_MAX = 80
OPTIONS_MIN = 2
OPTIONS_MAX = 10

def _refuse_code(value: str, field: str, **params: object) -> None:
    kind = code_in(value)
    if kind is not None:
        raise ServiceError(f"poll.{field}_{kind}", **params)


def clean_question(text: str | None) -> str:
    value = " ".join(CONTROL.sub("", str(text or "")).split())
    if not QUESTION_MIN <= len(value) <= QUESTION_MAX:
        raise ServiceError("poll.question_length", min=QUESTION_MIN, max=QUESTION_MAX)
    _refuse_code(value, "question")
    return value


def clean_description(text: str | None) -> str:
    value = CONTROL.sub("", str(text or "")).replace("\r\n", "\n").strip()
    if len(value) > DESCRIPTION_MAX:
        raise ServiceError("poll.description_long", max=DESCRIPTION_MAX)
    _refuse_code(value, "description")
    return value


def clean_options(options: list[str] | tuple[str, ...] | None) -> list[str]:
    """The options as stored, in order; refused when empty, too long, duplicated, too few or too many."""
    given = list(options or [])
    if len(given) > OPTIONS_MAX:
        raise ServiceError("poll.options_many", max=OPTIONS_MAX)
    cleaned: list[str] = []
    seen: set[str] = set()
    for number, raw in enumerate(given, start=1):
        value = " ".join(CONTROL.sub("", str(raw or "")).split())
        if not value:
            raise ServiceError("poll.option_empty", n=number)
        if len(value) > OPTION_MAX:
            raise ServiceError("poll.option_long", n=number, max=OPTION_MAX)
        _refuse_code(value, "option", n=number)
        key = value.casefold()
        if key in seen:
            raise ServiceError("poll.option_duplicate", n=number)
        seen.add(key)
        cleaned.append(value)
    if len(cleaned) < OPTIONS_MIN:
        raise ServiceError("poll.options_few", min=OPTIONS_MIN)
    return cleaned


def local_to_utc(value: datetime | str | None, zone_name: str, *, field: str) -> datetime:
    """A date-time the operator typed in village time ('2026-11-24T08:00' or '2026-11-24 08:00') as naive
    UTC, to the minute. `field` is "start" or "end" (the message names which box is wrong)."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        if not text:
            raise ServiceError(f"poll.{field}_missing")
        try:
            moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError as error:
            raise ServiceError("poll.time_invalid", value=text[:20]) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(zone_name))
    return moment.astimezone(timezone.utc).replace(tzinfo=None, second=0, microsecond=0)
