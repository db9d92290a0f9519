"""What the kiosk and the phone letter pages share: the resident's NIK + PIN check (same answer, same time
for every refusal), how answers are typed on digit keys and shown back, and paging sizes.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date

from nicegui import run

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.services import resident_pins
from kiosk.services.clock import format_date
from kiosk.services.letter_fields import FieldErrors, FieldSpec
from kiosk.services.letter_types import LetterTypeInfo

FAILURE_SECONDS = 0.8     # every refused NIK + PIN answers after at least this long, whatever the reason
TYPES_PER_PAGE = 6
FIELDS_PER_PAGE = 6
CONFIRM_FIELDS_PER_PAGE = 10  # answers on one page of the kiosk's check step: five rows of two fit 800x480
LETTERS_PER_PAGE = 3
CODE_CHARS = "23456789ABCDEFGHJKMNPQRSTVWXYZ-"
DIGIT_TYPES = {"number": None, "money": None, "nik": None, "time": "."}


async def resident_login(ctx: AppContext, nik: str, pin: str, client: str, *, kiosk: bool = False) -> int:
    """The person id for a NIK + PIN, or the service's ServiceError ("pin.wrong" / "pin.locked"). The kiosk
    (one address for the whole waiting room) has a wider per-address limit than a phone, but only when the
    request really comes from the kiosk's own browser on this machine (`is_kiosk_client`).

    The service already spends the same hashing time on an unknown NIK as on a wrong PIN; here every refusal
    also takes at least FAILURE_SECONDS on the page, so no answer comes back sooner than another."""
    started = time.monotonic()
    try:
        policy = ctx.kiosk_pin_policy if kiosk and resident_pins.is_kiosk_client(client) else ctx.pin_policy
        return await run.io_bound(resident_pins.check_resident, nik, pin, client, policy)
    except Exception:
        await asyncio.sleep(max(0.0, FAILURE_SECONDS - (time.monotonic() - started)))
        raise


def requirement_hint(info: LetterTypeInfo, t: Translator) -> str:
    if not info.requirements:
        return ""
    first = info.requirements[0]
    if len(info.requirements) == 1:
        return t("ksurat.bring_one", first=first)
    return t("ksurat.bring_more", first=first, count=len(info.requirements) - 1)


def shown_value(spec: FieldSpec, value: str) -> str:
    if spec.type == "date" and value:
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if spec.type == "money" and value:
        return f"Rp {value}"
    return value


def typed_date(text: str) -> str:
    """'22112026' (or a half-typed part of it) as '22-11-2026'."""
    digits = "".join(ch for ch in text if ch.isdigit())[:8]
    return "-".join(part for part in (digits[:2], digits[2:4], digits[4:]) if part)


def typed_to_iso(text: str) -> str:
    """'22-11-2026' -> '2026-11-22'; anything else is kept as typed, for the field check to name."""
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == 8:
        return f"{digits[4:]}-{digits[2:4]}-{digits[:2]}"
    return text


def date_to_typed(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return typed_date(value)
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def spelled_date(typed: str) -> str:
    try:
        return format_date(date.fromisoformat(typed_to_iso(typed)))
    except ValueError:
        return ""


def field_problems(error: FieldErrors, t: Translator) -> dict[str, str]:
    return {name: t(key, **params) for name, (key, params) in error.problems.items()}


def page_count(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))
