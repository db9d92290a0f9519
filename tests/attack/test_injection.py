"""HTML/JS and template injection in every free-text field that is shown somewhere else.

Two walls: the forms refuse text that looks like code (kiosk/services/text_checks.py), and everything shown
is escaped where it is rendered. The second wall is what matters for data that never passed a form (an
Excel import, a synced or restored record, an old row), so these tests write the payload straight into the
database and look at every place it appears: the raw HTML of the phone pages (escaped `&lt;img`, never a
live tag), the NiceGUI pages (shown as label text, never fed to an HTML element), the letter PDF (the
payload is there as literal text), and the district dashboard (a village's data is the attacker's there).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from nicegui import ui
from nicegui.testing import User

from kiosk.db import database
from kiosk.models import (AuditLog, BudgetLine, Complaint, ComplaintCategory, ComplaintReply, Counter, LetterRequest,
                          LetterType, Penduduk, Poll, PollOption, Service, User as AccountRow, Village)
from kiosk.services import (accounts, announcements, complaints, letter_requests, letter_signing, polls, queue,
                            registers)
from kiosk.services.complaints import NewComplaint
from kiosk.services.errors import ServiceError
from kiosk.services.letter_types import save_type
from kiosk.services.text_checks import code_in
from tests.hub.conftest import district
from tests.hub.support import add_incident, add_record, add_village
from tests.pages import state
from tests.pages.conftest import office
from tests.pages.test_operator_pages import login
from tests.services.letters_support import SIMPLE_BODY, SIMPLE_TYPE, make_world

PAGE_FIXTURES = (office, district)  # shared with tests/pages and tests/hub, used by name below
TAG = "<img src=x onerror=alert(1)>"
PAYLOADS = (TAG, "<script>alert(1)</script>", '"><svg onload=alert(1)>', "javascript:alert(1)")
# One string carrying every trick; `{{7*7}}` must stay as typed (no template evaluates stored text).
PAYLOAD = f'{TAG}"><svg onload=alert(1)><script>alert(1)</script>{{{{7*7}}}}'
RAW_TAGS = ("<img src=x", "<svg onload", "<script>alert")
PASSWORD = "kades-desa-2026"


def poison(field: str) -> str:
    """The payload tagged with the field it is stored in, so each page proves which fields it escapes."""
    return f"{PAYLOAD}[{field}]"


def escaped(field: str) -> str:
    """How an autoescaped page must carry `poison(field)` (Jinja writes a double quote as &#34;)."""
    return ("&lt;img src=x onerror=alert(1)&gt;&#34;&gt;&lt;svg onload=alert(1)&gt;&lt;script&gt;alert(1)"
            f"&lt;/script&gt;{{{{7*7}}}}[{field}]")


def test_forms_refuse_text_that_looks_like_code(demo_db: object) -> None:
    """The first wall: each payload is refused by the checks and by the services that use them."""
    assert all(code_in(payload) == "markup" for payload in PAYLOADS)
    before = (Complaint.select().count(), Poll.select().count(),
              database.execute_sql("SELECT count(*) FROM announcement").fetchone()[0])
    attempts = [
        lambda p: complaints.create(NewComplaint("infrastruktur", f"Jalan rusak {p}", identity="nama", name="Ani"),
                                    None, folder=None, channel="kiosk", actor="kiosk"),
        lambda p: complaints.create(NewComplaint("infrastruktur", "Jalan di RT 2 rusak parah", identity="nama",
                                                 name=p), None, folder=None, channel="kiosk", actor="kiosk"),
        lambda p: polls.create_draft(f"Setuju {p}?", "", ["Ya", "Tidak"], datetime(2030, 1, 1, 8),
                                     datetime(2030, 1, 2, 8), actor="test"),
        lambda p: polls.create_draft("Setuju jalan baru?", "", ["Ya", p], datetime(2030, 1, 1, 8),
                                     datetime(2030, 1, 2, 8), actor="test"),
        lambda p: save_type(dict(SIMPLE_TYPE, code="XSS", name=f"Surat {p}"), SIMPLE_BODY, actor="test", create=True),
        lambda p: save_type(dict(SIMPLE_TYPE, code="XSS", fields=[dict(SIMPLE_TYPE["fields"][0], label=f"Isi {p}")]),
                            SIMPLE_BODY, actor="test", create=True),
    ]
    for payload in PAYLOADS:
        for attempt in attempts:
            with pytest.raises(ServiceError) as refused:
                attempt(payload)
            reason = f"{refused.value.key} {refused.value.params}"
            assert "markup" in reason or "no HTML" in reason, (payload, reason)
    assert not LetterType.select().where(LetterType.code == "XSS").exists()
    assert (Complaint.select().count(), Poll.select().count(),
            database.execute_sql("SELECT count(*) FROM announcement").fetchone()[0]) == before
    # Announcements come from office staff and are kept as typed by design (tests/services/test_announcements.py):
    # their only wall is the escaping, which the page tests below check on every screen that shows them.


def test_qr_codes_drawn_as_inline_svg_carry_no_text() -> None:
    """The one ui.html with sanitising off (kiosk/pages/components/qr.py) draws text only as QR modules: a
    Wi-Fi name or a URL full of markup never reaches the SVG as text."""
    from kiosk.pages.components.qr import qr_svg

    svg = qr_svg(PAYLOAD)
    assert svg.startswith("<svg") and not any(raw in svg for raw in RAW_TAGS) and "alert" not in svg


def _poison_office() -> dict[str, object]:
    """Every free-text field an attacker can reach, written past the forms (as an import or sync would)."""
    assert state.ctx is not None
    world = make_world(state.ctx.settings)
    Village.update(name=poison("village"), address=poison("address"), kecamatan=poison("kecamatan"),
                   kabupaten=poison("kabupaten")).execute()
    Service.update(name=poison("service")).where(Service.prefix == "A").execute()
    Counter.update(name=poison("counter")).where(Counter.id == 1).execute()
    ticket = queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False).ticket
    queue.issue_ticket("A", status_url_base="http://x/m/t/", print_ticket=False)
    queue.call_next(1, actor="test")  # the board shows a call; the first ticket's phone page shows "called"
    Penduduk.update(nama=poison("resident"), alamat=poison("alamat"), tempatlahir=poison("birthplace"),
                    nama_ayah=poison("father")) \
        .where(Penduduk.id == world.siti).execute()
    AccountRow.update(full_name=poison("signer")).where(AccountRow.username == "kades").execute()
    accounts.create_user("sekdes", PASSWORD, "admin", full_name=poison("admin"), actor="test")
    AccountRow.update(must_change_password=False).where(AccountRow.username == "sekdes").execute()
    AuditLog.create(at=datetime.utcnow(), actor=poison("actor"), action="residents.update", target=poison("target"),
                    detail=poison("detail"))
    letter = letter_requests.create_request("TES", world.siti, {"keperluan": "Melamar kerja"}, channel="phone",
                                            actor="kiosk")
    LetterRequest.update(fields=json.dumps({"keperluan": poison("purpose")}), status_note=poison("note")) \
        .where(LetterRequest.id == letter.id).execute()
    LetterType.update(name=poison("lettertype")).where(LetterType.code == "TES").execute()
    complaints.create(NewComplaint("infrastruktur", "Jalan di RT 2 rusak parah", identity="nama", name="Ani"),
                      None, folder=None, channel="phone", actor="phone")
    complaint = Complaint.select().order_by(Complaint.id.desc()).first()
    ComplaintCategory.update(name=poison("category")).where(ComplaintCategory.code == "infrastruktur").execute()
    complaints.respond(complaint.id, reply="Sedang kami periksa.", actor="test")
    Complaint.update(body=poison("complaint"), identity="nama", reporter_name=poison("reporter")) \
        .where(Complaint.id == complaint.id).execute()
    ComplaintReply.update(body=poison("reply")).where(ComplaintReply.complaint == complaint.id).execute()
    uid = announcements.create("Kerja bakti", "Minggu pagi", announcements.village_today() - timedelta(days=1), None,
                               None, folder=state.ctx.settings.data_dir, actor="test")
    database.execute_sql("UPDATE announcement SET title = ?, body = ? WHERE uuid = ?",
                         (poison("announcement"), poison("announcement-body"), uid))
    now = datetime.now()
    poll = polls.create_draft("Setuju jalan baru?", "Jalan desa", ["Ya", "Tidak"], now - timedelta(hours=1),
                              now + timedelta(days=3), actor="test")
    polls.publish(poll, actor="test")
    Poll.update(question=poison("poll"), description=poison("poll-description")).where(Poll.uuid == poll).execute()
    PollOption.update(label=poison("option")).where(PollOption.poll == Poll.get(Poll.uuid == poll).id).execute()
    BudgetLine.update(name=poison("budget")).execute()
    return {"world": world, "ticket": ticket.id, "letter": letter, "complaint": complaint, "poll": poll}


def _assert_escaped_html(text: str, where: str, fields: tuple[str, ...]) -> None:
    for raw in RAW_TAGS:
        assert raw not in text, f"{where}: {raw!r} reached the page as markup"
    for field in fields:
        assert escaped(field) in text, f"{where}: {field} is not shown, or not escaped"


def _unsafe_elements(user: User) -> list[str]:
    """Elements whose content is inserted as HTML and carries the payload (ui.html, ui.markdown, innerHTML,
    a table slot with v-html)."""
    assert user.client is not None
    found = []
    for element in user.client.elements.values():
        content = str(getattr(element, "content", ""))
        if isinstance(element, (ui.html, ui.markdown)) and any(raw in content for raw in RAW_TAGS):
            found.append(f"{type(element).__name__}: {content[:80]}")
        for name, value in element.props.items():
            if name in ("innerHTML", "v-html", "html", "options-html") and any(raw in str(value) for raw in RAW_TAGS):
                found.append(f"{type(element).__name__}.{name}")
        for slot in element.slots.values():
            if slot.template and ("v-html" in slot.template or "innerHTML" in slot.template):
                found.append(f"{type(element).__name__} slot {slot.name}")
    return found


def _missing(user: User, fields: tuple[str, ...]) -> list[str]:
    """The fields whose payload is not on the page as data (a label's text, a table cell, a prop value)."""
    assert user.client is not None
    texts = []
    for element in user.client.elements.values():
        texts += [str(getattr(element, "text", "")), str(element.props)]
        if isinstance(element, ui.table):
            texts.append(str(element.rows))
    page = "\n".join(texts)
    return [field for field in fields if poison(field) not in page]


async def _problems(user: User, path: str, *fields: str) -> list[str]:
    """What is wrong on one page: a named field not shown, or the payload fed to an HTML element."""
    await user.open(path)
    for _ in range(30):
        if not _missing(user, fields):
            break
        await asyncio.sleep(0.1)
    return [f"{path}: {field} not shown" for field in _missing(user, fields)] + \
        [f"{path}: {unsafe}" for unsafe in _unsafe_elements(user)]


async def test_phone_pages_escape_every_stored_payload(office: User) -> None:
    poisoned = _poison_office()
    http = office.http_client
    letter = poisoned["letter"]
    complaint = poisoned["complaint"]
    pages = {
        "/m": ("village",), "/m/pengumuman": ("announcement", "announcement-body"),
        f"/m/t/{poisoned['ticket']}": ("service", "village", "counter"),
        f"/m/complaint/{complaint.tracking_code}": ("reply", "category"), "/m/polls": ("poll",),
        f"/m/polls/{poisoned['poll']}": ("poll", "option"), "/m/budget": ("budget",),
        f"/m/s/{letter.tracking_code}": ("lettertype",),
    }
    for path, fields in pages.items():
        answer = await http.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        _assert_escaped_html(answer.text, path, fields)


async def test_nicegui_pages_show_stored_payloads_as_text(office: User) -> None:
    poisoned = _poison_office()
    problems: list[str] = []
    for path, fields in {"/display": ("counter", "village"), "/kiosk": ("village",), "/kiosk/polls": ("poll",),
                         "/kiosk/budget": (), "/kiosk/surat/cek": ()}.items():
        problems += await _problems(office, path, *fields)
    await login(office, "sekdes", PASSWORD)
    await office.should_see(marker="logout", retries=50)
    person = poisoned["world"].siti  # type: ignore[attr-defined]
    complaint = poisoned["complaint"].id  # type: ignore[attr-defined]
    pages = {
        "/operator": ("service", "admin"), f"/operator/residents/{person}": ("resident", "alamat"),
        f"/operator/letters/{poisoned['letter'].id}": ("purpose", "resident"),  # type: ignore[attr-defined]
        "/operator/letters": ("resident",), f"/operator/complaints/{complaint}": ("complaint", "reply", "reporter"),
        "/operator/complaints": ("category",), "/operator/announcements": ("announcement",),
        "/operator/polls": ("poll",), "/operator/budget": ("budget",), "/operator/audit": ("actor", "target"),
        "/operator/users": ("admin", "signer"), "/operator/letters/types": ("lettertype",),
        "/operator/village": ("village", "address"), "/operator/services": ("service",),
        "/operator/statistics": (),  # ECharts escapes its tooltips itself
    }
    for path, fields in pages.items():
        problems += await _problems(office, path, *fields)
    assert problems == []


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    """The PDF's text without spaces, lower case: headers are upper-cased by CSS and narrow cells wrap."""
    source = tmp_path / "letter.pdf"
    source.write_bytes(data)
    text = subprocess.run(["pdftotext", "-raw", str(source), "-"], capture_output=True, text=True,
                          check=True).stdout
    return "".join(text.split()).lower()


def _absent(text: str, *fields: str) -> list[str]:
    """The fields whose payload is not in the PDF text literally (markup would have been laid out, not printed)."""
    return [field for field in fields if "".join(poison(field).split()).lower() not in text]


async def test_letters_registers_and_the_seal_page_print_payloads_as_text(office: User, tmp_path: Path) -> None:
    poisoned = _poison_office()
    world, letter = poisoned["world"], poisoned["letter"]
    draft = _pdf_text(letter_signing.draft_pdf(letter.id, options=world.options), tmp_path)
    assert _absent(draft, "village", "kabupaten", "resident", "purpose") == [], draft[:600]
    letter_requests.move(letter.id, "menunggu_ttd", actor="test")
    signed = letter_signing.sign(letter.id, signer="kades", options=world.options)
    text = _pdf_text(letter_signing.signed_pdf(letter.id, options=world.options), tmp_path)
    assert _absent(text, "village", "resident", "purpose", "signer") == [], text[-700:]
    seal_page = await office.http_client.get(urlsplit(signed.qr).path)
    assert seal_page.status_code == 200
    _assert_escaped_html(seal_page.text, "the seal check /v/", ("village", "signer"))
    today = date.today()
    table = registers.build("induk", (today.replace(day=1), today))
    register = _pdf_text(registers.render_pdf(table, registers.register_header()), tmp_path)
    assert _absent(register, "resident", "alamat") == [], register[:600]


async def test_district_dashboard_shows_village_data_as_text(district: User) -> None:
    from sync.hub.accounts import create_user

    code = "3204122001"
    add_village(code, poison("hub-village"))
    add_record(code, "complaint", "c1", {"status": "diterima", "body": poison("hub-complaint"), "identity": "anonim",
                                        "category": poison("hub-category"), "created_at": "2026-11-01T08:00:00"})
    add_record(code, "letter", "l1", {"number": poison("hub-number"), "type": "SKD",
                                      "type_name": poison("hub-letter"), "content_hash": "a"})
    add_incident(code, "bad_signature", poison("hub-incident"))
    create_user("camat", PASSWORD, full_name=poison("hub-user"))
    await district.open("/login")
    district.find(marker="username").type("camat")
    district.find(marker="password").type(PASSWORD)
    district.find(marker="login").click()
    await district.should_see("Desa dan sinkronisasi", retries=50)
    assert await _problems(district, "/", "hub-village") == []
    assert await _problems(district, f"/desa/{code}", "hub-village", "hub-incident") == []
