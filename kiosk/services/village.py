"""The village identity and the first-run set-up (admin account + village, in one transaction)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from kiosk.db import database, reading
from kiosk.models import Village
from kiosk.services import audit
from kiosk.services.accounts import _create_user
from kiosk.services.clock import INDONESIAN_ZONES, utc_now
from kiosk.services.roles import require_role
from kiosk.services.errors import ServiceError

_CODE = re.compile(r"^(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})$")


@dataclass(frozen=True)
class VillageInfo:
    name: str
    code: str
    kecamatan: str
    kabupaten: str
    address: str
    timezone: str


def normalize_region_code(code: str) -> str:
    """Accept `3204122001` or `32.04.12.2001`; store the dotted form Permendagri uses."""
    match = _CODE.match(code.strip())
    if not match:
        raise ServiceError("error.region_code_invalid")
    return ".".join(match.groups())


def _validated(info: VillageInfo) -> VillageInfo:
    name = info.name.strip()
    if not 2 <= len(name) <= 100:
        raise ServiceError("error.village_name_invalid")
    if info.timezone not in INDONESIAN_ZONES:
        raise ServiceError("error.timezone_invalid")
    return VillageInfo(
        name=name, code=normalize_region_code(info.code), kecamatan=info.kecamatan.strip()[:100],
        kabupaten=info.kabupaten.strip()[:100], address=info.address.strip()[:300], timezone=info.timezone,
    )


def get_village() -> VillageInfo | None:
    with reading():
        row = Village.get_or_none(Village.id == 1)
        if row is None:
            return None
        return VillageInfo(row.name, row.code, row.kecamatan, row.kabupaten, row.address, row.timezone)


def needs_setup() -> bool:
    """True until the village identity exists. The set-up page creates it together with the first admin,
    so a village always had an admin; later losing every admin must never reopen set-up to the LAN."""
    with reading():
        return not Village.select().where(Village.id == 1).exists()


def _save_village(info: VillageInfo) -> None:
    row = Village.get_or_none(Village.id == 1)
    if row is None:
        Village.create(id=1, uuid=str(uuid.uuid4()), created_at=utc_now(), **info.__dict__)
    else:
        for key, value in info.__dict__.items():
            setattr(row, key, value)
        row.save()


def complete_setup(info: VillageInfo, admin_username: str, admin_password: str, admin_full_name: str,
                   client: str = "") -> None:
    """The setup page's one write: village identity and the first admin, together or not at all."""
    clean = _validated(info)
    with database.atomic():
        if not needs_setup():
            raise ServiceError("error.already_set_up", status=409)
        _save_village(clean)
        user = _create_user(admin_username, admin_password, "admin", admin_full_name, False)
        audit.record(user.username, "setup.complete", clean.code, clean.name, client)


def update_village(info: VillageInfo, *, actor: str, client: str = "") -> None:
    require_role(actor, "admin")
    clean = _validated(info)
    with database.atomic():
        _save_village(clean)
        audit.record(actor, "village.update", clean.code, clean.name, client)


@dataclass(frozen=True)
class AreaLabels:
    """Local names of the levels inside a village (dusun/lingkungan/jorong, RW, RT)."""

    dusun: str = "Dusun"
    rw: str = "RW"
    rt: str = "RT"


def area_labels() -> AreaLabels:
    with reading():
        row = Village.get_or_none(Village.id == 1)
        return AreaLabels(row.label_dusun, row.label_rw, row.label_rt) if row else AreaLabels()


def set_area_labels(labels: AreaLabels, *, actor: str, client: str = "") -> None:
    require_role(actor, "admin")
    clean = [" ".join(value.split()) for value in (labels.dusun, labels.rw, labels.rt)]
    if not all(1 <= len(value) <= 30 for value in clean):
        raise ServiceError("village.label_invalid")
    with database.atomic():
        updated = Village.update(label_dusun=clean[0], label_rw=clean[1], label_rt=clean[2]) \
            .where(Village.id == 1).execute()
        if not updated:
            raise ServiceError("error.not_set_up", status=503)
        audit.record(actor, "village.labels", "", "/".join(clean), client)


def save_settings(info: VillageInfo, labels: AreaLabels, *, actor: str, client: str = "") -> None:
    """The village page's one write: identity and area names together or not at all."""
    with database.atomic():
        update_village(info, actor=actor, client=client)
        set_area_labels(labels, actor=actor, client=client)
