"""Complaint categories: each with the days until a complaint in it is due. Seeded by migration 0010
(Pelayanan administrasi 3, Infrastruktur 14, Bantuan sosial 7, Keamanan & ketertiban 2, Lainnya 7), edited by the
admin. A complaint's due time is fixed when it arrives, so editing a category never moves a deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.db import database, reading
from kiosk.models import ComplaintCategory
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.complaint_checks import clean_text
from kiosk.services.errors import NotFound, ServiceError

DUE_DAYS_MAX = 90


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    due_days: int
    enabled: bool


def categories(enabled_only: bool = True) -> list[CategoryInfo]:
    with reading():
        query = ComplaintCategory.select().order_by(ComplaintCategory.sort_order, ComplaintCategory.id)
        if enabled_only:
            query = query.where(ComplaintCategory.enabled == 1)
        return [CategoryInfo(c.id, c.code, c.name, c.due_days, bool(c.enabled)) for c in query]


def _due_days(value: object) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError) as error:
        raise ServiceError("complaint.due_days_invalid", max=DUE_DAYS_MAX) from error
    if not 1 <= days <= DUE_DAYS_MAX:
        raise ServiceError("complaint.due_days_invalid", max=DUE_DAYS_MAX)
    return days


def update_category(category_id: int, name: str, due_days: object, enabled: bool, *, actor: str,
                    client: str = "") -> None:
    """The admin renames a category, changes its days or hides it. Complaints already in keep their due time."""
    clean = clean_text(name, field="category", minimum=3, maximum=60, one_line=True)
    days = _due_days(due_days)
    with database.atomic():
        row = ComplaintCategory.get_or_none(ComplaintCategory.id == category_id)
        if row is None:
            raise NotFound()
        if enabled is False and ComplaintCategory.select().where(
                (ComplaintCategory.enabled == 1) & (ComplaintCategory.id != category_id)).count() == 0:
            raise ServiceError("complaint.category_last")
        ComplaintCategory.update(name=clean, due_days=days, enabled=int(bool(enabled)), updated_at=utc_now(),
                                 updated_by=actor).where(ComplaintCategory.id == category_id).execute()
        audit.record(actor, "complaint.category", row.code, f"{clean}; {days} hari; {'on' if enabled else 'off'}",
                     client)


def add_category(name: str, due_days: object, *, actor: str, client: str = "") -> str:
    """A new category at the end of the list; returns its code (made from the name)."""
    clean = clean_text(name, field="category", minimum=3, maximum=60, one_line=True)
    days = _due_days(due_days)
    base = re.sub(r"[^a-z0-9]+", "-", clean.lower()).strip("-")[:30] or "kategori"
    with database.atomic():
        if ComplaintCategory.select().where(ComplaintCategory.name == clean).exists():
            raise ServiceError("complaint.category_exists")
        code, n = base, 1
        while ComplaintCategory.select().where(ComplaintCategory.code == code).exists():
            n += 1
            code = f"{base}-{n}"
        last = ComplaintCategory.select(ComplaintCategory.sort_order).order_by(
            ComplaintCategory.sort_order.desc()).first()
        ComplaintCategory.create(code=code, name=clean, due_days=days, sort_order=(last.sort_order if last else 0) + 1,
                                 updated_at=utc_now(), updated_by=actor)
        audit.record(actor, "complaint.category_add", code, f"{clean}; {days} hari", client)
    return code
