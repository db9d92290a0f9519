"""The satisfaction survey (IKM) on its pages: the phone ticket page and a letter's tracking page offer it
once eligible, the phone survey refuses bad answers keeping the choices, answers once, and gives every bad
link the same page; the kiosk survey from a ticket number to the thanks; the operator's report and its PDF,
with a resident's suggestion shown as text."""

from __future__ import annotations

import io
import re

from nicegui.testing import User
from pypdf import PdfReader

from kiosk.models import IkmResponse, LetterRequest
from kiosk.services import accounts, ikm, letter_requests, queue
from tests.pages.test_kiosk_letters import ensure_test_type, make_resident, tap
from tests.pages.test_operator_pages import login

BASE = "http://kantor.desa:8080/m/t/"
MARKUP = '<img src=x onerror="window.__pwned=1"> panas & <b>sempit</b>'


def real():  # noqa: ANN201 - a peewee query
    """Answers given in the test (the demo office comes with its own, marked "demo")."""
    return IkmResponse.select().where(IkmResponse.channel != "demo")


def served(prefix: str = "A") -> queue.TicketInfo:
    info = queue.issue_ticket(prefix, status_url_base=BASE, print_ticket=False).ticket
    queue.call_next("Loket 1", actor="op")
    queue.finish_current("Loket 1", "done", actor="op")
    return info


def answers(score: str = "4", leave_out: int = 0) -> dict[str, str]:
    return {f"u{n}": score for n in range(1, 10) if n != leave_out}


async def test_phone_ticket_page_offers_the_survey_once_done(office: User) -> None:
    http = office.http_client
    ticket = queue.issue_ticket("A", status_url_base=BASE, print_ticket=False).ticket
    waiting = await http.get(f"/m/t/{ticket.id}")
    assert waiting.status_code == 200 and "/m/survey/" not in waiting.text
    queue.call_next("Loket 1", actor="op")
    queue.finish_current("Loket 1", "done", actor="op")
    done = await http.get(f"/m/t/{ticket.id}")
    link = re.search(r'href="(/m/survey/[A-Za-z0-9_-]+)\?lang=id"', done.text)
    assert link and "Nilai layanan kami" in done.text
    assert ticket.id not in link.group(1)

    form = await http.get(link.group(1))
    assert form.status_code == 200 and "Administrasi Kependudukan (A-001)" in form.text
    assert form.text.count('type="radio"') == 36 and "cdn" not in form.text.lower()
    assert "Penanganan Pengaduan, Saran dan Masukan" in form.text

    missing = await http.post(link.group(1), data={**answers("3", leave_out=5), "jenis_kelamin": "P",
                                                   "saran": MARKUP, "lang": "id"})
    assert missing.status_code == 400
    assert "Pilih satu wajah untuk setiap pertanyaan (1 belum dijawab)." in missing.text
    assert len(re.findall(r" checked data-testid=\"u\d-3\"", missing.text)) == 8 and 'value="P" selected' in missing.text
    assert "&lt;img src=x" in missing.text and "<img src=x" not in missing.text
    bad = await http.post(link.group(1), data={**answers("3"), "u9": "7", "lang": "en"})
    assert bad.status_code == 400 and "A rating must be one of the four faces (1 to 4)." in bad.text
    assert real().count() == 0

    sent = await http.post(link.group(1), data={**answers("3"), "jenis_kelamin": "P", "saran": MARKUP, "lang": "id"})
    assert sent.status_code == 200 and "Terima kasih! Penilaian Anda" in sent.text
    assert real().count() == 1 and real().get().saran == MARKUP
    again = await http.post(link.group(1), data={**answers("1"), "lang": "id"})
    assert again.status_code == 409 and "sudah diisi" in again.text
    assert (await http.get(link.group(1))).status_code == 409
    assert "/m/survey/" not in (await http.get(f"/m/t/{ticket.id}")).text
    assert real().count() == 1 and real().get().u1 == 3


async def test_bad_survey_links_all_get_the_same_page(office: User) -> None:
    http = office.http_client
    pages = []
    for token in ("x", "A" * 24, "1", "%3Cscript%3E", "Z" * 64, "a" * 99):
        response = await http.get(f"/m/survey/{token}")
        body = re.sub(r'href="/m/survey/[^"]*"', "", response.text)
        pages.append((response.status_code, body))
        posted = await http.post(f"/m/survey/{token}", data={**answers(), "lang": "id"})
        pages.append((posted.status_code, re.sub(r'href="/m/survey/[^"]*"', "", posted.text)))
    assert len(set(pages)) == 1 and pages[0][0] == 404 and "Tautan survei ini tidak berlaku." in pages[0][1]
    english = await http.get("/m/survey/x?lang=en")
    assert "This survey link is not valid." in english.text


async def test_letter_tracking_page_offers_the_survey_after_pickup(office: User) -> None:
    http = office.http_client
    ensure_test_type()
    person = make_resident()
    summary = letter_requests.create_request("TES", person, {"keperluan": "Beasiswa"}, channel="kiosk",
                                             actor="kiosk")
    code = letter_requests.normalize_code(summary.tracking_code)
    assert "/m/survey/" not in (await http.get(f"/m/s/{code}")).text
    LetterRequest.update(status="diambil").where(LetterRequest.id == summary.id).execute()
    page = await http.get(f"/m/s/{code}")
    link = re.search(r'href="(/m/survey/[A-Za-z0-9_-]+)\?lang=id"', page.text)
    assert link and "Nilai layanan kami" in page.text
    form = await http.get(link.group(1))
    assert "Surat Keterangan Percobaan" in form.text and "Siti" not in form.text
    sent = await http.post(link.group(1), data={**answers("2"), "lang": "id"})
    assert sent.status_code == 200
    row = real().get()
    assert (row.service_kind, row.service_key, row.u5) == ("letter", "TES", 2)
    assert "/m/survey/" not in (await http.get(f"/m/s/{code}")).text


async def test_kiosk_survey_from_ticket_number_to_thanks(office: User) -> None:
    ticket = queue.issue_ticket("A", status_url_base=BASE, print_ticket=False).ticket
    await office.open("/kiosk/survey")
    await office.should_see(marker="survey-entry", retries=30)
    await office.should_see("Tulis nomor antrean Anda hari ini")
    office.find(marker="survey-start").click()
    await office.should_see("Tulis nomor antrean hari ini (misalnya A-012)", retries=30)
    tap(office, "A-001")
    office.find(marker="survey-start").click()
    await office.should_see("belum selesai", retries=30)
    queue.call_next("Loket 1", actor="op")
    queue.finish_current("Loket 1", "done", actor="op")
    office.find(marker="survey-start").click()
    await office.should_see(marker="survey-subject", retries=30)
    await office.should_see("Anda menilai: Administrasi Kependudukan (A-001)")
    office.find(marker="survey-begin").click()
    for n in range(1, 10):
        await office.should_see(f"Pertanyaan {n} dari 9", retries=30)
        office.find(marker=f"face-{2 if n == 4 else 4}").click()
    await office.should_see(marker="survey-send", retries=30)
    office.find(marker="profile-jenis_kelamin-L").click()
    await office.should_see(marker="survey-send", retries=30)
    office.find(marker="profile-umur-u36_45").click()
    await office.should_see(marker="survey-send", retries=30)
    office.find(marker="survey-send").click()
    await office.should_see(marker="survey-thanks", retries=30)
    row = real().get()
    assert [getattr(row, f"u{n}") for n in range(1, 10)] == [4, 4, 4, 2, 4, 4, 4, 4, 4]
    assert (row.channel, row.jenis_kelamin, row.umur, row.service_kind) == ("kiosk", "L", "u36_45", "queue")
    assert ticket.id not in str(row.__data__)

    # The same ticket once more: refused, nothing stored.
    await office.open("/kiosk/survey")
    await office.should_see(marker="survey-entry", retries=30)
    tap(office, "A1")
    office.find(marker="survey-start").click()
    await office.should_see("Survei untuk layanan ini sudah diisi. Terima kasih!", retries=30)
    assert real().count() == 1


async def test_kiosk_survey_in_english_and_back(office: User) -> None:
    served("A")
    await office.open("/kiosk/survey")
    await office.should_see(marker="survey-entry", retries=30)
    office.find(marker="survey-language").click()
    await office.should_see("Type your queue number of today", retries=30)
    tap(office, "A-009")
    office.find(marker="survey-start").click()
    await office.should_see("There is no queue number A-009 today.", retries=30)
    office.find(marker="survey-entry").clear()
    tap(office, "A-001")
    office.find(marker="survey-start").click()
    await office.should_see("You are rating: Administrasi Kependudukan (A-001)", retries=30)
    office.find(marker="survey-begin").click()
    await office.should_see("Question 1 of 9", retries=30)
    office.find(marker="face-3").click()
    await office.should_see("Question 2 of 9", retries=30)
    office.find(marker="survey-back").click()
    await office.should_see("Question 1 of 9", retries=30)
    assert real().count() == 0


async def test_operator_report_and_pdf(office: User) -> None:
    token = ikm.offer_for_ticket(served("A").id).token
    ikm.submit(token, [4, 4, 3, 4, 4, 4, 4, 3, 4], saran=MARKUP, channel="phone")
    token = ikm.offer_for_ticket(served("B").id).token
    ikm.submit(token, [3] * 9, profile={"jenis_kelamin": "L"}, channel="kiosk")
    accounts.create_user("siti", "loket-satu-2026", "operator", actor="test")
    accounts.create_user("vera", "lihat-saja-2026", "viewer", actor="test")
    await login(office, "vera", "lihat-saja-2026")
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/survey")
    await office.should_see("Anda tidak berhak", retries=30)

    await office.open("/logout")
    await login(office, "siti", "loket-satu-2026")
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/survey")
    await office.should_see("Indeks Kepuasan Masyarakat (IKM)", retries=30)
    await office.should_see(marker="ikm-index", retries=30)
    # Today only (the demo's answers lie before today): (34 + 27) / 18 * 25 = 84.72, B.
    today = real().get().day
    office.find(marker="ikm-kind").click()
    office.find("Rentang tanggal").click()
    office.find(marker="ikm-from").clear().type(today)
    office.find(marker="ikm-to").clear().type(today)
    office.find(marker="ikm-show").click()
    await office.should_see("s.d.", retries=30)
    assert next(iter(office.find(marker="ikm-index").elements)).text == "84.72"
    assert next(iter(office.find(marker="ikm-grade").elements)).text == "B (Baik)"
    assert next(iter(office.find(marker="ikm-respondents").elements)).text == "2"
    await office.should_see(MARKUP)   # a label's text: shown as typed, never as HTML
    await office.should_see("Administrasi Kependudukan")

    office.find(marker="ikm-to").clear().type("2026-13-01")
    office.find(marker="ikm-show").click()
    await office.should_see("Tanggal tidak dapat dibaca", retries=30)
    office.find(marker="ikm-kind").click()
    office.find("Tahun").click()
    office.find(marker="ikm-year").clear().type("20x6")
    office.find(marker="ikm-show").click()
    await office.should_see("Pilih periode: bulan", retries=30)
    office.find(marker="ikm-year").clear().type("1999")
    office.find(marker="ikm-show").click()
    await office.should_see("Tahun harus antara 2000 dan 2100.", retries=30)
    office.find(marker="ikm-year").clear().type("2001")
    office.find(marker="ikm-show").click()
    await office.should_see("Belum ada responden pada periode ini.", retries=30)
    office.find(marker="ikm-kind").click()
    office.find("Rentang tanggal").click()
    office.find(marker="ikm-to").clear().type(today)
    office.find(marker="ikm-show").click()
    await office.should_see(marker="ikm-elements", retries=30)

    office.find(marker="ikm-pdf").click()
    download = await office.download.next(timeout=60)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(download.content)).pages)
    assert "84.72" in text and "B (Baik)" in text and "Jumlah responden: 2" in text
    assert "<img" in text  # the suggestion printed as the text it is (the PDF has no markup to run)


async def test_phone_survey_start_page_from_the_phone_home(office: User) -> None:
    http = office.http_client
    assert 'href="/m/survey?lang=id"' in (await http.get("/m")).text
    page = await http.get("/m/survey")
    assert page.status_code == 200 and "Nomor antrean atau kode surat" in page.text
    unknown = await http.post("/m/survey", data={"kode": "A-001", "lang": "id"})
    assert unknown.status_code == 404 and "Nomor antrean A-001 tidak ada hari ini." in unknown.text
    assert 'value="A-001"' in unknown.text
    odd = await http.post("/m/survey", data={"kode": '"><script>x</script>', "lang": "en"})
    assert odd.status_code == 400 and "queue number (for example A-012)" in odd.text and "<script>x" not in odd.text
    served("A")
    found = await http.post("/m/survey", data={"kode": "a1", "lang": "id"})
    assert found.status_code == 303 and found.headers["location"].startswith("/m/survey/")
    form = await http.get(found.headers["location"])
    assert "Administrasi Kependudukan (A-001)" in form.text
