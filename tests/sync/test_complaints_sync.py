"""Complaints travel to the district: filed, answered and moved, each state reaches the hub whole; the hub
refuses a malformed complaint on its own; the photo and a typed phone number never travel."""

from __future__ import annotations

import io
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image

from kiosk.db import database
from kiosk.models import Complaint
from kiosk.services import complaints
from kiosk.services.complaint_checks import check_photo
from kiosk.services.complaints import NewComplaint
from kiosk.settings import Settings
from sync.client import Uploader
from sync.hub.ingest import _reason
from sync.hub.overview import village_statistics
from sync.hub.store import HubRecord, hub_database
from sync.protocol import Change
from tests.support.hub import HubThread
from tests.support.sync_compare import differences, hub_content, village_content

VILLAGE = "3204122001"


def _hub_complaint(uid: str) -> dict:
    with hub_database.connection_context():
        row = HubRecord.get((HubRecord.village_id == VILLAGE) & (HubRecord.entity == "complaint")
                            & (HubRecord.key == uid))
        return json.loads(row.data)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_complaint_and_its_status_change_reach_the_hub(small_village: Settings, village_key: Ed25519PrivateKey,
                                                         enrolled: HubThread) -> None:
    folder = complaints.photo_folder(small_village.data_dir)
    code = complaints.create(NewComplaint("infrastruktur", "Jembatan di dusun 2 retak, mohon diperbaiki.",
                                          identity="nama", name="Pak Joko", phone="081234567890"),
                             check_photo(_photo(), 1_000_000), folder=folder, channel="kiosk", actor="kiosk")
    Uploader(database, village_key).once()
    uid = Complaint.get().uuid
    first = _hub_complaint(uid)
    assert first["status"] == "diterima" and first["category"] == "infrastruktur" and first["due_days"] == 14
    assert first["tracking_code"] == complaints.normalize_code(code) and first["has_photo"] is True
    assert first["reporter_name"] == "Pak Joko" and "081234567890" not in json.dumps(first)
    assert first["replies"] == []

    complaints.respond(Complaint.get().id, reply="Petugas meninjau besok pagi.", status="diproses", actor="op")
    complaints.respond(Complaint.get().id, status="ditolak", reason="Wewenang kabupaten; sudah diteruskan.",
                       actor="op")
    result = Uploader(database, village_key).once()
    assert result.rejected == 0
    later = _hub_complaint(uid)
    assert later["status"] == "ditolak" and later["reject_reason"] == "Wewenang kabupaten; sudah diteruskan."
    assert [r["status"] for r in later["replies"]] == ["diproses", "ditolak"]
    village, hub = village_content(database), hub_content(VILLAGE)
    assert differences(village, hub) == [] and len(village) == len(hub)
    stats = village_statistics(VILLAGE)  # the district dashboard's counts
    assert stats["complaints"] == {"diterima": 0, "diproses": 0, "selesai": 0, "ditolak": 1}
    assert stats["complaints_open"] == 0


def test_an_anonymous_complaint_carries_no_identity(small_village: Settings, village_key: Ed25519PrivateKey,
                                                    enrolled: HubThread) -> None:
    complaints.create(NewComplaint("keamanan", "Sering ada balap liar malam hari di jalan desa."), None,
                      folder=complaints.photo_folder(small_village.data_dir), channel="phone", actor="phone")
    Uploader(database, village_key).once()
    record = _hub_complaint(Complaint.get().uuid)
    assert record["identity"] == "anonim" and "penduduk" not in record and "reporter_name" not in record
    assert record["has_photo"] is False


def test_the_hub_refuses_a_malformed_complaint_on_its_own() -> None:
    good = {"status": "diterima", "body": "Lampu jalan mati.", "identity": "anonim"}
    assert _reason(Change(1, "complaint", "k", good), VILLAGE) is None
    assert _reason(Change(2, "complaint", "k", {**good, "status": "hilang"}), VILLAGE) == "complaint_status_invalid"
    assert _reason(Change(3, "complaint", "k", {**good, "body": " "}), VILLAGE) == "complaint_body_missing"
    assert _reason(Change(4, "complaint", "k", {**good, "identity": "x"}), VILLAGE) == "complaint_identity_invalid"
