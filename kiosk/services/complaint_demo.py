"""Demo complaints: a few believable ones in every state, one of them overdue, so the operator's list, the
overdue list and the phone status page have something to show on a demo's first start."""

from __future__ import annotations

from datetime import timedelta

from kiosk.models import Complaint
from kiosk.services import complaints
from kiosk.services.complaints import NewComplaint

DEMO = (  # category, text, identity, name, status moves with replies, days ago
    ("infrastruktur", "Jalan di Dusun Krajan RT 02 berlubang besar, berbahaya untuk motor saat hujan.", "nama",
     "Pak Ujang", (("diproses", "Sudah dicek petugas; perbaikan masuk rencana kerja bulan ini."),), 3),
    ("bansos", "Bantuan beras bulan ini belum diterima keluarga kami.", "warga", "", (), 9),
    ("keamanan", "Sering ada balap liar malam Minggu di jalan utama desa.", "anonim", "",
     (("diproses", "Sudah dikoordinasikan dengan Babinsa dan Bhabinkamtibmas."),
      ("selesai", "Patroli malam Minggu sudah berjalan sejak pekan lalu.")), 12),
    ("administrasi", "Antrean KTP-el di kantor desa terlalu lama, mohon ditambah loket.", "anonim", "", (), 1),
)


def seed_demo_complaints(resident_id: int | None) -> None:
    """Called inside the demo seed's transaction, once, when the office has no complaints yet (no photos)."""
    for category, text, identity, name, moves, days_ago in DEMO:
        if identity == "warga" and resident_id is None:
            identity = "anonim"
        code = complaints.create(NewComplaint(category, text, identity=identity, person_id=resident_id,
                                              name=name), None, folder=None, channel="kiosk", actor="demo")
        row = Complaint.get(Complaint.tracking_code == complaints.normalize_code(code))
        shift = timedelta(days=days_ago)
        Complaint.update(created_at=row.created_at - shift, due_at=row.due_at - shift,
                         updated_at=row.updated_at - shift).where(Complaint.id == row.id).execute()
        for status, reply in moves:
            complaints.respond(row.id, reply=reply, status=status, actor="demo")
