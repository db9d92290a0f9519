"""What the district sees of its villages: sync health, headline counts and per-village statistics.

Everything is counted in the database with plain aggregate SQL, never by loading records into Python: a
national hub holds millions of records. Records are stored whole as JSON text, and the two engines read
JSON differently (SQLite `json_extract`, PostgreSQL `->>` on jsonb), so the few JSON reads go through
`json_text` / `json_number`, which hide the dialect. Dates inside records are ISO text ('YYYY-MM-DD'), so
"born before" and "since" are text comparisons that mean the same on both engines.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any, Iterable, cast

from peewee import SQL, Case, ColumnBase, Expression, Query, fn

from sync.hub.store import HubIncident, HubRecord, HubRejection, HubVillage, hub_database, is_postgres, utc_now

AGE_GROUPS: tuple[tuple[str, int], ...] = (("0-4", 5), ("5-14", 15), ("15-24", 25), ("25-44", 45), ("45-64", 65))
OLDEST_GROUP = "65+"
UNKNOWN = "unknown"
RECENT_DAYS = 30
_FIELD = re.compile(r"^[a-z_]{1,40}$")


# --- dialect helpers --------------------------------------------------------------------------------------

def json_text(field: str) -> ColumnBase:
    """`data.<field>` of a hub_record row as text (NULL when missing or JSON null), on either engine.

    Numbers come back as their text ('1'), so compare with strings."""
    if not _FIELD.match(field):
        raise ValueError(f"not a record field name: {field!r}")
    if is_postgres():
        return SQL(f"(data::jsonb ->> '{field}')")
    return SQL(f"CAST(json_extract(data, '$.{field}') AS TEXT)")


def json_number(field: str) -> ColumnBase:
    """`data.<field>` as a number, NULL when missing or not a JSON number (a stray string must not make a
    PostgreSQL cast fail the whole dashboard)."""
    if not _FIELD.match(field):
        raise ValueError(f"not a record field name: {field!r}")
    if is_postgres():
        return SQL(f"(CASE WHEN jsonb_typeof(data::jsonb -> '{field}') = 'number' "
                   f"THEN (data::jsonb ->> '{field}')::numeric END)")
    return SQL(f"(CASE WHEN json_type(data, '$.{field}') IN ('integer', 'real') "
               f"THEN json_extract(data, '$.{field}') END)")


def _day(field: str) -> ColumnBase:
    """The date part of an ISO date or timestamp field, as 'YYYY-MM-DD' text."""
    return fn.SUBSTR(json_text(field), 1, 10)


def _live(entity: str) -> Expression:
    return (HubRecord.entity == entity) & (HubRecord.deleted == False)  # noqa: E712


def resident_filter() -> Expression:
    """Living residents: not a tombstone, not soft-deleted in the village, status_dasar 1 (hidup) or unset."""
    return (_live("penduduk") & json_text("deleted_at").is_null()
            & (fn.COALESCE(json_text("status_dasar"), "1") == "1"))


def family_filter() -> Expression:
    return _live("keluarga") & json_text("deleted_at").is_null()


def _tuples(query: Query) -> list[tuple[Any, ...]]:
    """The rows of an aggregate query as plain tuples (peewee's `.tuples()`, typed)."""
    return cast(list[tuple[Any, ...]], list(query.tuples()))


def _count_by_village(condition: Expression, village_id: str | None) -> dict[str, int]:
    if village_id is not None:
        condition = condition & (HubRecord.village_id == village_id)
    query = HubRecord.select(HubRecord.village_id, fn.COUNT(SQL("*"))).where(condition).group_by(HubRecord.village_id)
    return {vid: int(count) for vid, count in _tuples(query)}


def _count_grouped(expression: ColumnBase, condition: Expression) -> dict[str, int]:
    """{value of `expression`: rows} — grouped by position, so an expression with parameters groups on both
    engines (PostgreSQL will not match two copies of one parameterised expression)."""
    query = HubRecord.select(expression, fn.COUNT(SQL("*"))).where(condition).group_by(SQL("1"))
    return {("" if value is None else str(value)): int(count) for value, count in _tuples(query)}


# --- the villages table -----------------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _age(moment: datetime | None, now: datetime) -> float | None:
    return max(0.0, (now - moment).total_seconds()) if moment is not None else None


def _record_names(village_id: str | None) -> dict[str, dict[str, Any]]:
    """The villages' own identity records: the fallback for a name or kecamatan not given at enrolment."""
    query = HubRecord.select(HubRecord.village_id, HubRecord.data).where(_live("village"))
    if village_id is not None:
        query = query.where(HubRecord.village_id == village_id)
    out: dict[str, dict[str, Any]] = {}
    for row in query:
        try:
            out[row.village_id] = json.loads(row.data)
        except ValueError:
            continue
    return out


def _row(village: HubVillage, alert_hours: float, now: datetime, counts: dict[str, dict[str, int]],
         identity: dict[str, Any]) -> dict[str, Any]:
    vid = village.village_id
    since_contact = _age(village.last_contact_at, now)
    oldest = None
    if village.oldest_pending_s is not None:
        oldest = float(village.oldest_pending_s) + (since_contact or 0.0)
    since_sync = _age(village.last_success_at, now)
    # A village in touch with nothing to send is fine however old its last batch; one that has not called
    # for longer than the threshold, or whose oldest change waits longer, needs a phone call.
    reason = None
    if village.last_success_at is None:
        reason = "never"
    elif since_contact is None or since_contact > alert_hours * 3600:
        reason = "stale"
    elif oldest is not None and oldest > alert_hours * 3600:
        reason = "backlog"
    return {
        "code": vid,
        "name": village.name or str(identity.get("name", "")),
        "kecamatan": village.kecamatan or str(identity.get("kecamatan", "")),
        "last_sync": _iso(village.last_success_at),
        "last_sync_age_s": since_sync,
        "last_contact": _iso(village.last_contact_at),
        "last_contact_age_s": since_contact,
        "pending": village.pending_reported,
        "oldest_pending_age_s": oldest,
        "clock_skew_s": village.clock_skew_s,
        "alert": reason is not None,
        "alert_reason": reason,
        "residents": counts["residents"].get(vid, 0),
        "families": counts["families"].get(vid, 0),
        "letters": counts["letters"].get(vid, 0),
        "incidents": counts["incidents"].get(vid, 0),
    }


def _summaries(alert_hours: float, village_id: str | None) -> list[dict[str, Any]]:
    now = utc_now()
    with hub_database.connection_context():
        selected = HubVillage.select().order_by(HubVillage.village_id)
        if village_id is not None:
            selected = selected.where(HubVillage.village_id == village_id)
        villages = list(selected)
        if not villages:
            return []
        incidents = HubIncident.select(HubIncident.village_id, fn.COUNT(SQL("*"))).group_by(HubIncident.village_id)
        if village_id is not None:
            incidents = incidents.where(HubIncident.village_id == village_id)
        counts = {
            "residents": _count_by_village(resident_filter(), village_id),
            "families": _count_by_village(family_filter(), village_id),
            "letters": _count_by_village(_live("letter"), village_id),
            "incidents": {vid: int(n) for vid, n in _tuples(incidents)},
        }
        identities = _record_names(village_id)
    return [_row(v, alert_hours, now, counts, identities.get(v.village_id, {})) for v in villages]


def villages_summary(alert_hours: float) -> list[dict[str, Any]]:
    """One row per enrolled village, sorted by code: when it last synced, what it still holds back, whether
    someone should phone it (`alert`, with `alert_reason` never/stale/backlog), and its headline counts."""
    return _summaries(alert_hours, None)


def village_summary(village_id: str, alert_hours: float) -> dict[str, Any] | None:
    """The summary row of one village, or None when no village with that code is enrolled."""
    rows = _summaries(alert_hours, village_id)
    return rows[0] if rows else None


def district_totals(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The totals line under the villages table, from the rows already computed (no second query)."""
    rows = list(rows)
    ages = [r["oldest_pending_age_s"] for r in rows if r["oldest_pending_age_s"] is not None]
    return {
        "villages": len(rows),
        "alerts": sum(1 for r in rows if r["alert"]),
        "never_synced": sum(1 for r in rows if r["alert_reason"] == "never"),
        "pending": sum(r["pending"] or 0 for r in rows),
        "oldest_pending_age_s": max(ages) if ages else None,
        "residents": sum(r["residents"] for r in rows),
        "families": sum(r["families"] for r in rows),
        "letters": sum(r["letters"] for r in rows),
        "incidents": sum(r["incidents"] for r in rows),
    }


# --- one village ------------------------------------------------------------------------------------------

def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def age_group_expression(today: date) -> ColumnBase:
    """The age group of a resident as SQL: born after the day they would turn N, they are younger than N."""
    born = _day("tanggallahir")
    cases: list[tuple[Any, str]] = [(born.is_null() | (born == ""), UNKNOWN)]
    cases += [(born > _years_before(today, limit).isoformat(), name) for name, limit in AGE_GROUPS]
    return Case(None, cases, OLDEST_GROUP)


def village_statistics(village_id: str, today: date | None = None) -> dict[str, Any]:
    """Population by sex and age group, families, letters by type (and how many revoked), the queue, the
    population events of the last 30 days and complaints per status — aggregates only, nothing personal."""
    today = today or utc_now().date()
    since = (today - timedelta(days=RECENT_DAYS - 1)).isoformat()
    mine = HubRecord.village_id == village_id
    with hub_database.connection_context():
        residents = resident_filter() & mine
        sex = _count_grouped(json_text("sex"), residents)
        ages = _count_grouped(age_group_expression(today), residents)
        families = HubRecord.select().where(family_filter() & mine).count()
        letters = mine & _live("letter")
        by_type = (HubRecord.select(json_text("type"), fn.MAX(json_text("type_name")), fn.COUNT(SQL("*")))
                   .where(letters).group_by(SQL("1")).order_by(SQL("3 DESC"), SQL("1")))
        letter_types = [{"type": code or "?", "name": name or code or "?", "count": int(n)}
                        for code, name, n in _tuples(by_type)]
        revoked = HubRecord.select().where(letters & json_text("revoked_at").is_null(False)).count()
        queue = (HubRecord.select(HubRecord.key, json_number("issued"), json_number("done"))
                 .where(mine & _live("queue_day") & (HubRecord.key >= since) & (HubRecord.key <= today.isoformat()))
                 .order_by(HubRecord.key))
        queue_days = [{"day": key, "issued": int(issued or 0), "done": int(done or 0)}
                      for key, issued, done in _tuples(queue)]
        events = _count_grouped(json_text("kind"), mine & _live("penduduk_event") & (_day("event_date") >= since)
                                & (_day("event_date") <= today.isoformat()))
        complaints = _count_grouped(json_text("status"), mine & _live("complaint"))
    by_age = {name: ages.get(name, 0) for name, _ in AGE_GROUPS}
    by_age[OLDEST_GROUP] = ages.get(OLDEST_GROUP, 0)
    by_age[UNKNOWN] = ages.get(UNKNOWN, 0)
    return {
        "village_id": village_id,
        "today": today.isoformat(),
        "residents": sum(sex.values()),
        "by_sex": {"laki_laki": sex.get("1", 0), "perempuan": sex.get("2", 0),
                   UNKNOWN: sum(n for k, n in sex.items() if k not in ("1", "2"))},
        "by_age": by_age,
        "families": families,
        "letters": sum(t["count"] for t in letter_types),
        "letters_by_type": letter_types,
        "letters_revoked": revoked,
        "queue_days": queue_days,
        "queue_issued": sum(d["issued"] for d in queue_days),
        "queue_done": sum(d["done"] for d in queue_days),
        "events": dict(sorted(events.items(), key=lambda item: (-item[1], item[0]))),
        "complaints": {status: complaints.get(status, 0) for status in ("diterima", "diproses", "selesai", "ditolak")},
        "complaints_open": complaints.get("diterima", 0) + complaints.get("diproses", 0),
    }


def recent_incidents(village_id: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest hard errors (conflicting batches, bad signatures, replaced keys), newest first."""
    with hub_database.connection_context():
        query = HubIncident.select().order_by(HubIncident.at.desc(), HubIncident.id.desc()).limit(limit)
        if village_id is not None:
            query = query.where(HubIncident.village_id == village_id)
        return [{"village_id": r.village_id, "at": _iso(r.at), "kind": r.kind, "detail": r.detail} for r in query]


def recent_rejections(village_id: str, limit: int = 50) -> list[dict[str, Any]]:
    """Records the hub refused one by one (bad NIK, wrong village code...), newest first: what the village
    must correct at its end."""
    with hub_database.connection_context():
        query = (HubRejection.select().where(HubRejection.village_id == village_id)
                 .order_by(HubRejection.at.desc(), HubRejection.seq.desc()).limit(limit))
        return [{"batch_id": r.batch_id, "seq": r.seq, "entity": r.entity, "key": r.key, "reason": r.reason,
                 "at": _iso(r.at)} for r in query]
