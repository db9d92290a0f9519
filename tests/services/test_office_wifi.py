"""The office Wi-Fi: what the admin may store, the WIFI: QR text phones read, and the ticket that prints it."""

from __future__ import annotations

import io
import re
from typing import Callable

import pytest
import qrcode
import zxingcpp
from PIL import Image
from printing.paper import PAPER_58MM
from printing.raster import decode_escpos_raster
from printing.transports import MemoryPrinter

from kiosk.models import AuditLog
from kiosk.models.office_wifi import OfficeWifiRow
from kiosk.services import office_wifi, queue
from kiosk.services.errors import ServiceError
from kiosk.services.office_wifi import OfficeWifi, wifi_qr_payload
from kiosk.services.print_jobs import PrintWorker
from kiosk.services.ticket_print import make_renderer

BASE = "http://127.0.0.1:8080/m/t/"
_FIELD = re.compile(r"([A-Z]):((?:\\.|[^\\;])*);")


def parse_payload(text: str) -> dict[str, str]:
    """Read a WIFI: text back the way ZXing's parser does: fields end at an unescaped `;`, `\\x` means x."""
    assert text.startswith("WIFI:") and text.endswith(";;"), text
    body = text[len("WIFI:"):-1]
    fields: dict[str, str] = {}
    position = 0
    while position < len(body):
        match = _FIELD.match(body, position)
        assert match, f"unparsable at {position}: {body[position:]!r}"
        fields[match.group(1)] = re.sub(r"\\(.)", r"\1", match.group(2))
        position = match.end()
    return fields


def qr_round_trip(text: str) -> str:
    """Encode as a QR picture and read it back with zxing-cpp, as a phone camera would."""
    image = qrcode.make(text, border=4, box_size=4)
    buffer = io.BytesIO()
    image.save(buffer)
    buffer.seek(0)
    results = zxingcpp.read_barcodes(Image.open(buffer).convert("L"))
    assert len(results) == 1
    return results[0].text


# --------------------------------------------------------------------------------------------- payload


def test_payload_has_the_standard_shape() -> None:
    assert wifi_qr_payload(OfficeWifi("KantorDesa", "sukamaju2026", "WPA")) == \
        "WIFI:T:WPA;S:KantorDesa;P:sukamaju2026;;"
    assert wifi_qr_payload(OfficeWifi("KantorDesa", "sukamaju2026", "WPA", hidden=True)) == \
        "WIFI:T:WPA;S:KantorDesa;P:sukamaju2026;H:true;;"
    assert wifi_qr_payload(OfficeWifi("Tamu Balai", "", "nopass")) == "WIFI:T:nopass;S:Tamu Balai;;"
    assert wifi_qr_payload(OfficeWifi("Lama", "abcde", "WEP")) == "WIFI:T:WEP;S:Lama;P:abcde;;"


def test_special_characters_are_escaped() -> None:
    wifi = OfficeWifi('a\\b;c,d:e"f', 'p;a,s:s"w\\rd', "WPA")
    assert wifi_qr_payload(wifi) == 'WIFI:T:WPA;S:a\\\\b\\;c\\,d\\:e\\"f;P:p\\;a\\,s\\:s\\"w\\\\rd;;'


@pytest.mark.parametrize(("ssid", "password", "security", "hidden"), [
    ("KantorDesa", "sukamaju2026", "WPA", False),
    ('Desa "Maju"; RT:01, RW\\02', ';;::,,""\\\\', "WPA", True),
    ("Balai Désa ꦧꦭꦻ 🏠", "kata sandi panjang dengan spasi", "WPA", False),
    ("Tamu", "", "nopass", False),
    ("Lama;", "0123456789", "WEP", True),
    ("x" * 32, "y" * 63, "WPA", True),
])
def test_payload_decodes_back_through_a_qr(ssid: str, password: str, security: str, hidden: bool) -> None:
    wifi = office_wifi.validated(ssid, password, security, hidden)
    text = wifi_qr_payload(wifi)
    assert qr_round_trip(text) == text
    fields = parse_payload(text)
    assert fields["T"] == security and fields["S"] == ssid
    assert fields.get("P", "") == password
    assert fields.get("H") == ("true" if hidden else None)


# ------------------------------------------------------------------------------------------ validation


@pytest.mark.parametrize(("ssid", "password", "security", "key"), [
    ("", "sukamaju2026", "WPA", "wifi.ssid_required"),
    ("   ", "sukamaju2026", "WPA", "wifi.ssid_required"),
    ("x" * 33, "sukamaju2026", "WPA", "wifi.ssid_too_long"),
    ("é" * 17, "sukamaju2026", "WPA", "wifi.ssid_too_long"),       # 17 letters, 34 bytes
    ("🏠" * 9, "sukamaju2026", "WPA", "wifi.ssid_too_long"),       # 9 emoji, 36 bytes
    ("Kantor\x00Desa", "sukamaju2026", "WPA", "wifi.ssid_bad_characters"),
    ("Kantor\nDesa", "sukamaju2026", "WPA", "wifi.ssid_bad_characters"),
    ("Kantor\ud800", "sukamaju2026", "WPA", "wifi.ssid_bad_characters"),
    ("KantorDesa", "12345", "WPA", "wifi.wpa_length"),
    ("KantorDesa", "", "WPA", "wifi.wpa_length"),
    ("KantorDesa", "y" * 64, "WPA", "wifi.wpa_length"),
    ("KantorDesa", "sukamaju\t2026", "WPA", "wifi.password_bad_characters"),
    ("KantorDesa", "sukamaju\x7f2026", "WPA", "wifi.password_bad_characters"),
    ("KantorDesa", "abcdef", "WEP", "wifi.wep_invalid"),
    ("KantorDesa", "012345678Z", "WEP", "wifi.wep_invalid"),
    ("KantorDesa", "rahasia123", "nopass", "wifi.open_has_password"),
    ("KantorDesa", "sukamaju2026", "WPA4", "wifi.security_invalid"),
])
def test_bad_input_is_refused_with_a_key(ssid: str, password: str, security: str, key: str) -> None:
    with pytest.raises(ServiceError) as error:
        office_wifi.validated(ssid, password, security, False)
    assert error.value.key == key


def test_refusal_messages_are_clear_in_both_languages() -> None:
    from kiosk.i18n import translate

    with pytest.raises(ServiceError) as error:
        office_wifi.validated("x" * 40, "sukamaju2026", "WPA", False)
    assert translate(error.value.key, "id", **error.value.params) == (
        "Nama jaringan terlalu panjang: 40 byte, paling banyak 32 byte "
        "(huruf khusus dan emoji memakai lebih dari 1 byte).")
    with pytest.raises(ServiceError) as error:
        office_wifi.validated("KantorDesa", "12345", "WPA", False)
    assert translate(error.value.key, "en", **error.value.params) == \
        "A WPA password must be 8 to 63 characters (now 5)."


def test_limits_are_inclusive_and_values_are_cleaned() -> None:
    assert office_wifi.validated("x" * 32, "y" * 8, "wpa", False).security == "WPA"
    assert office_wifi.validated("é" * 16, "y" * 63, "WPA", False).ssid == "é" * 16   # 32 bytes exactly
    assert office_wifi.validated("  Kantor Desa  ", "", "none", False) == OfficeWifi("Kantor Desa", "", "nopass")
    for key in ("abcde", "abcdefghijklm", "0123456789", "0123456789abcdef0123456789"):
        assert office_wifi.validated("Lama", key, "WEP", False).password == key
    # A passphrase keeps its spaces: they are part of it.
    assert office_wifi.validated("KantorDesa", " sandi desa ", "WPA", False).password == " sandi desa "


# ------------------------------------------------------------------------------------------ storage


def test_nothing_configured_at_first(db) -> None:  # noqa: ANN001 - the settings fixture
    assert office_wifi.current() is None


def test_save_update_and_clear(db) -> None:  # noqa: ANN001
    saved = office_wifi.save("KantorDesa", "sukamaju2026", "WPA", actor="admin", client="10.0.0.5")
    assert saved == OfficeWifi("KantorDesa", "sukamaju2026", "WPA", False)
    assert office_wifi.current() == saved
    office_wifi.save("Tamu", "", "nopass", True, actor="admin")
    assert office_wifi.current() == OfficeWifi("Tamu", "", "nopass", True)
    assert OfficeWifiRow.select().count() == 1
    entries = list(AuditLog.select().where(AuditLog.action.startswith("wifi.")).order_by(AuditLog.id))
    assert [(e.action, e.target) for e in entries] == [("wifi.update", "KantorDesa"), ("wifi.update", "Tamu")]
    assert all("sukamaju2026" not in f"{e.target} {e.detail}" for e in entries)  # never the password
    office_wifi.clear(actor="admin")
    assert office_wifi.current() is None
    assert AuditLog.select().where(AuditLog.action == "wifi.clear").count() == 1


@pytest.mark.parametrize(("ssid", "password"), [("x" * 33, "sukamaju2026"), ("KantorDesa", "12345"),
                                                ("Kantor\x07Desa", "sukamaju2026")])
def test_bad_input_changes_nothing(db, ssid: str, password: str) -> None:  # noqa: ANN001
    office_wifi.save("KantorDesa", "sukamaju2026", "WPA", actor="admin")
    audits = AuditLog.select().count()
    with pytest.raises(ServiceError):
        office_wifi.save(ssid, password, "WPA", actor="admin")
    assert office_wifi.current() == OfficeWifi("KantorDesa", "sukamaju2026", "WPA", False)
    assert AuditLog.select().count() == audits


def test_wifi_does_not_travel_to_the_district(db) -> None:  # noqa: ANN001
    """The password stays in the office: no sync journal entry for a Wi-Fi change."""
    from kiosk.db import database

    before = database.execute_sql("SELECT count(*) FROM sync_journal").fetchone()[0]
    office_wifi.save("KantorDesa", "sukamaju2026", "WPA", actor="admin")
    office_wifi.clear(actor="admin")
    assert database.execute_sql("SELECT count(*) FROM sync_journal").fetchone()[0] == before


# ------------------------------------------------------------------------------------------ the ticket


def _printed_qrs(wifi_source: Callable[[], OfficeWifi | None] = office_wifi.current) -> list[str]:
    """Issue a ticket, print it on a memory printer and read every QR back from the printed bytes."""
    printer = MemoryPrinter()
    worker = PrintWorker(printer, make_renderer(PAPER_58MM, wifi_source), retry_cap_seconds=1)
    issued = queue.issue_ticket("A", status_url_base=BASE, print_ticket=True)
    assert worker.run_once() is True
    assert len(printer.jobs) == 1
    texts = [r.text for r in zxingcpp.read_barcodes(decode_escpos_raster(printer.jobs[0]).convert("L"))]
    assert BASE + issued.ticket.id in texts  # the status QR is always there
    return texts


def test_ticket_carries_the_wifi_when_configured(demo_db) -> None:  # noqa: ANN001
    assert len(_printed_qrs()) == 1          # no Wi-Fi set: one QR, as before
    office_wifi.save('Kantor "Desa"', "sukamaju;2026", "WPA", actor="admin")
    texts = _printed_qrs()
    assert len(texts) == 2
    assert [t for t in texts if t.startswith("WIFI:")] == ['WIFI:T:WPA;S:Kantor \\"Desa\\";P:sukamaju\\;2026;;']


def test_a_failing_wifi_read_still_prints_the_ticket(demo_db) -> None:  # noqa: ANN001
    def broken() -> OfficeWifi | None:
        raise RuntimeError("database is locked")

    assert len(_printed_qrs(broken)) == 1
