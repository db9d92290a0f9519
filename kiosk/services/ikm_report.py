"""The IKM report: a period and a service in, the index per element, overall and per service out.

Aggregated in SQL (one row per service with the count of every score of every element), then computed
exactly by `ikm_index`. A response belongs to the day it was given; "a service" is a queue service (by its
uuid, so a renamed service keeps its history) or a letter type (by code), and "letter" is all letters.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from kiosk.db import database, reading
from kiosk.models import IkmResponse, LetterType, Service
from kiosk.services.errors import ServiceError
from kiosk.services.ikm import PROFILE_OPTIONS
from kiosk.services.ikm_index import ELEMENTS, IkmResult, from_counts

PERIOD_KINDS = ("month", "quarter", "semester", "year", "dates")
MAX_DAYS = 3 * 366
ALL = "all"
ALL_LETTERS = "letter"
SUGGESTIONS_SHOWN = 50


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date
    year: int
    part: int   # month 1..12, quarter 1..4, semester 1..2; 0 for a year or dates


@dataclass(frozen=True)
class ServiceRow:
    key: str          # "queue:<uuid>" or "letter:<code>"
    kind: str
    name: str
    result: IkmResult


@dataclass(frozen=True)
class Suggestion:
    day: str
    service_name: str
    text: str


@dataclass(frozen=True)
class IkmReport:
    period: Period
    service_key: str
    service_name: str      # '' for all services
    overall: IkmResult
    services: list[ServiceRow]
    profile: dict[str, dict[str, int]]    # field -> option ('' = not said) -> respondents
    suggestions: list[Suggestion]


def period(kind: str, year: object, part: object = 0, start: object = None, end: object = None) -> Period:
    """A reporting period from the operator's choice; refuses what is not a real, sensible period."""
    if kind not in PERIOD_KINDS:
        raise ServiceError("ikm.period_invalid")
    if kind == "dates":
        try:
            first, last = date.fromisoformat(str(start)), date.fromisoformat(str(end))
        except ValueError:
            raise ServiceError("ikm.dates_invalid") from None
        if last < first:
            raise ServiceError("ikm.dates_order")
        if (last - first).days > MAX_DAYS:
            raise ServiceError("ikm.dates_too_long")
        return Period(kind, first, last, first.year, 0)
    try:
        year_n, part_n = int(str(year)), int(str(part or 0))
    except ValueError:
        raise ServiceError("ikm.period_invalid") from None
    if not 2000 <= year_n <= 2100:
        raise ServiceError("ikm.year_invalid")
    months = {"month": 1, "quarter": 3, "semester": 6, "year": 12}[kind]
    parts = 12 // months
    if kind == "year":
        part_n = 0
    elif not 1 <= part_n <= parts:
        raise ServiceError("ikm.period_invalid")
    first_month = 1 if kind == "year" else (part_n - 1) * months + 1
    last_month = first_month + months - 1
    return Period(kind, date(year_n, first_month, 1),
                  date(year_n, last_month, calendar.monthrange(year_n, last_month)[1]), year_n, part_n)


def default_period(today: date) -> Period:
    return period("month", today.year, today.month)


def _names() -> dict[str, str]:
    names = {f"queue:{uuid}": name for uuid, name in Service.select(Service.uuid, Service.name).tuples()}
    letters = LetterType.select(LetterType.code, LetterType.name).tuples()
    names.update({f"letter:{code}": name for code, name in letters})
    return names


def service_choices() -> list[tuple[str, str]]:
    """(key, name) for the report's service list: the queue's services, every letter type that was rated,
    and all letters together. "All services" (`ALL`) is the page's own first entry."""
    with reading():
        queue = [(f"queue:{uuid}", name) for uuid, name in
                 Service.select(Service.uuid, Service.name).order_by(Service.sort_order, Service.prefix).tuples()]
        rated = {key for (key,) in IkmResponse.select(IkmResponse.service_key).distinct()
                 .where(IkmResponse.service_kind == "letter").tuples()}
        letters = [(f"letter:{code}", name) for code, name in
                   LetterType.select(LetterType.code, LetterType.name).where(LetterType.code.in_(rated))
                   .order_by(LetterType.name).tuples()] if rated else []
    return queue + [(ALL_LETTERS, "")] + letters


def _where(chosen: Period, service_key: str) -> tuple[str, list[object]]:
    clauses, params = ["day >= ?", "day <= ?"], [chosen.start.isoformat(), chosen.end.isoformat()]
    if service_key == ALL_LETTERS:
        clauses.append("service_kind = 'letter'")
    elif service_key != ALL:
        kind, _, key = service_key.partition(":")
        if kind not in ("queue", "letter") or not key:
            raise ServiceError("ikm.service_invalid")
        clauses += ["service_kind = ?", "service_key = ?"]
        params += [kind, key]
    return " AND ".join(clauses), params


def report(chosen: Period, service_key: str = ALL) -> IkmReport:
    """Everything the screen and the PDF show for one period and service choice."""
    where, params = _where(chosen, service_key)
    counts_sql = ", ".join(f"SUM(u{e} = {s})" for e in range(1, ELEMENTS + 1) for s in range(1, 5))
    with reading():
        names = _names()
        rows = database.execute_sql(
            f"SELECT service_kind, service_key, MAX(service_name), COUNT(*), {counts_sql} FROM ikm_response "
            f"WHERE {where} GROUP BY service_kind, service_key", params).fetchall()
        profile: dict[str, dict[str, int]] = {}
        for column in PROFILE_OPTIONS:
            found = dict(database.execute_sql(
                f"SELECT {column}, COUNT(*) FROM ikm_response WHERE {where} GROUP BY {column}", params).fetchall())
            profile[column] = {option: found.get(option, 0) for option in ("", *PROFILE_OPTIONS[column])}
        suggestions = [Suggestion(day, name, text) for day, name, text in database.execute_sql(
            f"SELECT day, service_name, saran FROM ikm_response WHERE {where} AND saran != '' "
            f"ORDER BY day DESC, id DESC LIMIT {SUGGESTIONS_SHOWN}", params).fetchall()]
    services: list[ServiceRow] = []
    total = [[0, 0, 0, 0] for _ in range(ELEMENTS)]
    respondents = 0
    for kind, key, stored_name, count, *cells in rows:
        counts = [[int(cells[e * 4 + s] or 0) for s in range(4)] for e in range(ELEMENTS)]
        full_key = f"{kind}:{key}"
        services.append(ServiceRow(full_key, kind, names.get(full_key, stored_name), from_counts(counts, count)))
        respondents += count
        for e in range(ELEMENTS):
            for s in range(4):
                total[e][s] += counts[e][s]
    services.sort(key=lambda row: (row.kind != "queue", row.name.lower()))
    chosen_name = "" if service_key == ALL else names.get(service_key, "")
    return IkmReport(chosen, service_key, chosen_name, from_counts(total, respondents), services, profile,
                     suggestions)
