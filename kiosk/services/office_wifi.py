"""The office Wi-Fi for residents: kept by the admin, shown as a QR on the kiosk and printed on tickets.

A phone that scans the QR joins the network without anyone typing a password, then opens the phone pages.
The password is no secret from residents (most offices write it on the wall), but it is still checked here
so a QR never encodes something a phone cannot join: the rules are the radio's own (SSID at most 32 bytes,
WPA passphrase 8-63 characters, WEP keys of 5/13 characters or 10/26 hex digits) and no control characters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from kiosk.db import database, reading
from kiosk.models.office_wifi import OfficeWifiRow
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import ServiceError

SECURITIES = ("WPA", "WEP", "nopass")
SSID_MAX_BYTES = 32
WPA_MIN, WPA_MAX = 8, 63
_ALIASES = {"wpa": "WPA", "wpa2": "WPA", "wpa3": "WPA", "wep": "WEP", "nopass": "nopass", "none": "nopass",
            "open": "nopass"}
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
_SPECIAL = re.compile(r'([\\;,:"])')
# Characters no SSID or passphrase typed by a person contains: control codes, lone surrogates (they cannot
# be encoded), line and paragraph separators.
_BAD_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}


@dataclass(frozen=True)
class OfficeWifi:
    ssid: str
    password: str = ""
    security: str = "WPA"        # WPA (any WPA/WPA2/WPA3 personal), WEP, or nopass (open network)
    hidden: bool = False


def _has_bad_characters(text: str) -> bool:
    """Control codes would end up inside the QR (and break a phone's parser); a person never means them."""
    return any(unicodedata.category(ch) in _BAD_CATEGORIES for ch in text)


def _valid_wep_key(password: str) -> bool:
    """WEP takes only these exact key lengths; any other would give residents a QR that never connects."""
    if len(password) in (10, 26):
        return bool(_HEX.match(password))
    return len(password) in (5, 13) and all(" " <= ch <= "~" for ch in password)


def validated(ssid: str, password: str, security: str, hidden: bool) -> OfficeWifi:
    """The cleaned settings, or ServiceError with a key the page shows next to the form."""
    kind = _ALIASES.get(str(security or "").strip().lower())
    if kind is None:
        raise ServiceError("wifi.security_invalid")
    ssid = str(ssid or "").strip()
    password = str(password or "")
    if not ssid:
        raise ServiceError("wifi.ssid_required")
    if _has_bad_characters(ssid):
        raise ServiceError("wifi.ssid_bad_characters")
    size = len(ssid.encode("utf-8"))
    if size > SSID_MAX_BYTES:
        raise ServiceError("wifi.ssid_too_long", size=size, limit=SSID_MAX_BYTES)
    if _has_bad_characters(password):
        raise ServiceError("wifi.password_bad_characters")
    if kind == "WPA" and not WPA_MIN <= len(password) <= WPA_MAX:
        raise ServiceError("wifi.wpa_length", length=len(password), low=WPA_MIN, high=WPA_MAX)
    if kind == "WEP" and not _valid_wep_key(password):
        raise ServiceError("wifi.wep_invalid")
    if kind == "nopass" and password:
        raise ServiceError("wifi.open_has_password")
    return OfficeWifi(ssid=ssid, password=password, security=kind, hidden=bool(hidden))


def current() -> OfficeWifi | None:
    """The configured Wi-Fi, or None: then no Wi-Fi QR is shown or printed anywhere."""
    with reading():
        row = OfficeWifiRow.get_or_none(OfficeWifiRow.id == 1)
        if row is None:
            return None
        return OfficeWifi(row.ssid, row.password, row.security, bool(row.hidden))


def save(ssid: str, password: str, security: str, hidden: bool = False, *, actor: str,
         client: str = "") -> OfficeWifi:
    """Check and store the Wi-Fi in one transaction; bad input raises before anything is written."""
    wifi = validated(ssid, password, security, hidden)
    with database.atomic():
        values = {"ssid": wifi.ssid, "password": wifi.password, "security": wifi.security,
                  "hidden": wifi.hidden, "updated_at": utc_now(), "updated_by": actor}
        if not OfficeWifiRow.update(**values).where(OfficeWifiRow.id == 1).execute():
            OfficeWifiRow.create(id=1, **values)
        # The audit log names the network, never its password.
        audit.record(actor, "wifi.update", wifi.ssid, wifi.security + (" hidden" if wifi.hidden else ""), client)
    return wifi


def clear(*, actor: str, client: str = "") -> None:
    """Stop offering the Wi-Fi (a network that was switched off or renamed elsewhere)."""
    with database.atomic():
        removed = OfficeWifiRow.delete().where(OfficeWifiRow.id == 1).execute()
        if removed:
            audit.record(actor, "wifi.clear", "", "", client)


def _escape(text: str) -> str:
    """Backslash before the characters the WIFI: format gives a meaning (\\ ; , : ")."""
    return _SPECIAL.sub(r"\\\1", text)


def wifi_qr_payload(wifi: OfficeWifi) -> str:
    """The de-facto standard Wi-Fi QR text phone cameras understand (ZXing's `WIFI:` format):
    `WIFI:T:WPA;S:<ssid>;P:<password>;H:true;;` with \\ ; , : " escaped by a backslash. An open network
    carries no P field; H only when the network is hidden."""
    fields = [f"T:{wifi.security}", f"S:{_escape(wifi.ssid)}"]
    if wifi.security != "nopass":
        fields.append(f"P:{_escape(wifi.password)}")
    if wifi.hidden:
        fields.append("H:true")
    return "WIFI:" + "".join(f"{field};" for field in fields) + ";"
