"""The satisfaction survey (IKM): the regulation's arithmetic against a hand-worked example, the grade
boundaries, one answer per finished ticket or picked-up letter, refusals that change nothing, the report per
period and service, and the printable PDF."""

from __future__ import annotations

import io
import threading
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from pypdf import PdfReader

from kiosk.db import database
from kiosk.models import AuditLog, IkmInvite, IkmResponse, LetterRequest, Ticket
from kiosk.services import ikm, ikm_pdf, ikm_report, letter_requests, queue
from kiosk.services.errors import ServiceError
from kiosk.services.ikm_index import compute, from_counts, grade
from tests.services.letters_support import make_world

BASE = "http://127.0.0.1:8080/m/t/"
GOOD = [4, 3, 3, 4, 3, 4, 4, 3, 3]


# ---- arithmetic -------------------------------------------------------------------------------------------

def test_index_matches_a_hand_worked_example():
    # Four respondents. Column sums per element: u1 3+4+2+3=12, u2 3+3+2+4=12, u3 2+3+1+3=9, u4 4+4+4+4=16,
    # u5 3+3+3+3=12, u6 3+4+2+3=12, u7 4+4+3+4=15, u8 2+3+2+2=9, u9 3+3+2+4=12 -> total 109.
    # NRR = sum/4: 3.00 3.00 2.25 4.00 3.00 3.00 3.75 2.25 3.00; their mean = 109/36 = 3.02777...
    # IKM = 109/36 * 25 = 2725/36 = 75.69444... -> 75.69, grade C (65.00..76.60).
    answers = [
        [3, 3, 2, 4, 3, 3, 4, 2, 3],
        [4, 3, 3, 4, 3, 4, 4, 3, 3],
        [2, 2, 1, 4, 3, 2, 3, 2, 2],
        [3, 4, 3, 4, 3, 3, 4, 2, 4],
    ]
    result = compute(answers)
    assert result.respondents == 4
    assert result.nrr == tuple(Fraction(n, 4) for n in (12, 12, 9, 16, 12, 12, 15, 9, 12))
    assert result.weighted_nrr == Fraction(109, 36)
    assert result.weighted_text == "3.028"
    assert result.index == Decimal("75.69") and result.grade == "C"
    assert [result.nrr_text(n) for n in (2, 3, 6)] == ["2.250", "4.000", "3.750"]
    assert result.distribution[2] == (1, 1, 2, 0)


def test_extremes_and_empty():
    assert compute([[4] * 9]).index == Decimal("100.00") and compute([[4] * 9]).grade == "A"
    assert compute([[1] * 9]).index == Decimal("25.00") and compute([[1] * 9]).grade == "D"
    empty = compute([])
    assert empty.respondents == 0 and empty.grade is None and empty.index_text == "-"
    with pytest.raises(ValueError):
        compute([[5] * 9])
    with pytest.raises(ValueError):
        compute([[4] * 8])


@pytest.mark.parametrize("value, expected", [
    ("25.00", "D"), ("64.99", "D"), ("65.00", "C"), ("76.60", "C"), ("76.61", "B"), ("88.30", "B"),
    ("88.31", "A"), ("100.00", "A"),
])
def test_grade_boundaries(value, expected):
    assert grade(Decimal(value)) == expected


def test_grade_refuses_values_outside_the_scale():
    for value in ("24.99", "100.01"):
        with pytest.raises(ValueError):
            grade(Decimal(value))


def test_rounding_is_exact_half_up_at_a_boundary():
    # 88.305 = 25 * S / (9 * n) exactly when n = 5000 and the score sum S = 158949 (17661 per element): a
    # binary float may land on either side of 88.305; the exact fraction rounds half-up to 88.31, grade A.
    n = 5000
    counts = [[0, 0, 3 * n + n - 17661, 17661 - 3 * n] for _ in range(9)]   # 3s and 4s summing to 17661
    result = from_counts(counts, n)
    assert result.weighted_nrr * 25 == Fraction(17661, 200)
    assert result.index == Decimal("88.31") and result.grade == "A"


# ---- helpers -------------------------------------------------------------------------------------------------

def served_ticket(prefix: str = "A") -> queue.TicketInfo:
    """Issue a ticket and have Loket 1 call and finish it."""
    info = queue.issue_ticket(prefix, status_url_base=BASE, print_ticket=False).ticket
    counter = "Loket 1" if prefix in ("A", "B") else "Loket 2"
    called = queue.call_next(counter, actor="op")
    assert called is not None and called.number == info.number
    queue.finish_current(counter, "done", actor="op")
    return info


def picked_up_letter(settings, person: str = "siti") -> str:
    world = make_world(settings)
    summary = letter_requests.create_request("TES", getattr(world, person), {"keperluan": "Melamar kerja"},
                                             channel="kiosk", actor="kiosk")
    LetterRequest.update(status="diambil").where(LetterRequest.id == summary.id).execute()
    return summary.tracking_code


@pytest.fixture
def survey_db(demo_db):
    """The demo office without the demo's own survey answers, so each test counts only its own."""
    IkmResponse.delete().where(IkmResponse.channel == "demo").execute()
    return demo_db


def counts() -> tuple[int, int, int]:
    return (IkmResponse.select().count(), IkmInvite.select().where(IkmInvite.answered == 1).count(),
            AuditLog.select().where(AuditLog.action == "ikm.answer").count())


# ---- invites and answers -------------------------------------------------------------------------------------

def test_done_ticket_is_answered_once_and_stored_anonymously(survey_db):
    ticket = served_ticket("A")
    offer = ikm.offer_for_ticket(ticket.id)
    assert offer is not None and offer.kind == "queue" and offer.reference == ticket.number
    assert offer.service_name == "Administrasi Kependudukan"
    assert ikm.offer_for_ticket(ticket.id).token == offer.token  # the same invite, not a new one
    assert ticket.id not in offer.token and len(offer.token) >= 24

    done = ikm.submit(offer.token, GOOD, profile={"jenis_kelamin": "P", "umur": "u26_35"},
                      saran="  Ruang   tunggu <b>panas</b> ", channel="phone", client="10.0.0.5")
    assert done.answered
    row = IkmResponse.get()
    assert (row.service_kind, row.service_name, row.channel, row.jenis_kelamin, row.umur, row.pendidikan) == \
        ("queue", "Administrasi Kependudukan", "phone", "P", "u26_35", "")
    assert [getattr(row, f"u{n}") for n in range(1, 10)] == GOOD
    assert row.saran == "Ruang tunggu <b>panas</b>"  # stored as typed; every page shows it escaped
    # Anonymous: the response names neither the invite nor the ticket.
    assert not {"invite_id", "ticket_id", "letter_request_id"} & set(IkmResponse._meta.columns)
    assert counts() == (1, 1, 1)

    with pytest.raises(ServiceError) as error:
        ikm.submit(offer.token, GOOD, channel="phone")
    assert error.value.key == "ikm.already" and error.value.status == 409
    assert ikm.offer_for_ticket(ticket.id) is None   # the phone page stops offering it
    with pytest.raises(ServiceError) as error:
        ikm.kiosk_subject(ticket.number)
    assert error.value.key == "ikm.already"
    assert counts() == (1, 1, 1)


def test_tickets_not_done_are_refused(survey_db):
    waiting = queue.issue_ticket("A", status_url_base=BASE, print_ticket=False).ticket
    assert ikm.offer_for_ticket(waiting.id) is None
    with pytest.raises(ServiceError) as error:
        ikm.kiosk_subject(waiting.number)
    assert error.value.key == "ikm.not_done"
    queue.call_next("Loket 1", actor="op")
    with pytest.raises(ServiceError) as error:
        ikm.kiosk_subject(waiting.number.replace("-", "").lower())  # "a001" reads as A-001
    assert error.value.key == "ikm.not_done"
    queue.finish_current("Loket 1", "skipped", actor="op")
    assert ikm.offer_for_ticket(waiting.id) is None
    with pytest.raises(ServiceError) as error:
        ikm.kiosk_subject(waiting.number)
    assert error.value.key == "ikm.not_done"
    assert IkmInvite.select().count() == 0 and counts() == (0, 0, 0)


def test_kiosk_entry_forms(survey_db):
    ticket = served_ticket("B")
    assert ikm.kiosk_subject(" b-1 ").reference == "B-001"
    assert ikm.kiosk_subject(f"http://kantor.desa/m/t/{ticket.id}").reference == "B-001"
    token = ikm.kiosk_subject("B-001").token
    assert ikm.kiosk_subject(f"http://kantor.desa/m/survey/{token}").token == token
    for text, key in (("", "ikm.entry_invalid"), ("hello world", "ikm.entry_invalid"),
                      ("B-002", "ikm.ticket_unknown"), ("Z-001", "ikm.ticket_unknown"),
                      ("ABCD-EFGH", "letter.code_unknown")):
        with pytest.raises(ServiceError) as error:
            ikm.kiosk_subject(text)
        assert error.value.key == key, text
    assert IkmInvite.select().count() == 1


def test_bad_tokens_get_identical_answers(survey_db):
    ticket = served_ticket("A")
    real = ikm.offer_for_ticket(ticket.id).token
    answers = []
    for token in ("", "x", "../../etc/passwd", "A" * 24, real[:-1] + ("A" if real[-1] != "A" else "B"),
                  ticket.id, "1", "<script>", real + "x" * 50):
        with pytest.raises(ServiceError) as error:
            ikm.subject_for_token(token)
        answers.append((type(error.value), error.value.key, error.value.status, error.value.params))
        with pytest.raises(ServiceError) as error:
            ikm.submit(token, GOOD, channel="phone")
        answers.append((type(error.value), error.value.key, error.value.status, error.value.params))
    assert len(set(map(repr, answers))) == 1 and answers[0][1] == "ikm.link_invalid"
    assert counts() == (0, 0, 0)


def test_bad_input_is_refused_and_changes_nothing(survey_db):
    token = ikm.offer_for_ticket(served_ticket("A").id).token
    cases = [
        (GOOD[:8], {}, "", "ikm.score_missing"),
        ([*GOOD[:8], ""], {}, "", "ikm.score_missing"),
        ([*GOOD[:8], 5], {}, "", "ikm.score_invalid"),
        ([*GOOD[:8], "0"], {}, "", "ikm.score_invalid"),
        ([*GOOD[:8], "3.5"], {}, "", "ikm.score_invalid"),
        (GOOD, {"jenis_kelamin": "X"}, "", "ikm.profile_invalid"),
        (GOOD, {"nik": "3204125505900001"}, "", "ikm.profile_invalid"),
        (GOOD, {}, "a" * 501, "ikm.saran_too_long"),
        (GOOD, {}, "ok\x00", "ikm.saran_control"),
    ]
    for scores, profile, saran, key in cases:
        with pytest.raises(ServiceError) as error:
            ikm.submit(token, scores, profile=profile, saran=saran, channel="kiosk")
        assert error.value.key == key
    assert counts() == (0, 0, 0)
    with pytest.raises(ValueError):
        ikm.submit(token, GOOD, channel="sms")
    ikm.submit(token, [str(s) for s in GOOD], saran="a" * 500, channel="kiosk")
    assert counts() == (1, 1, 1)


def test_two_phones_answering_at_once_store_one_response(survey_db):
    token = ikm.offer_for_ticket(served_ticket("A").id).token
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def answer() -> None:
        database.connect(reuse_if_open=True)
        try:
            barrier.wait()
            ikm.submit(token, GOOD, channel="phone")
            outcomes.append("ok")
        except ServiceError as error:
            outcomes.append(error.key)
        finally:
            database.close()

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ikm.already"] * 3 + ["ok"]
    assert counts() == (1, 1, 1)


def test_picked_up_letter_is_rated_once(survey_db):
    code = picked_up_letter(survey_db)
    raw = letter_requests.normalize_code(code)
    offer = ikm.offer_for_letter(raw)
    assert offer is not None and offer.kind == "letter" and offer.service_name == "Surat Keterangan Percobaan"
    assert ikm.kiosk_subject(code).token == offer.token
    ikm.submit(offer.token, GOOD, channel="kiosk")
    row = IkmResponse.get()
    assert (row.service_kind, row.service_key) == ("letter", "TES")
    assert ikm.offer_for_letter(raw) is None
    with pytest.raises(ServiceError) as error:
        ikm.kiosk_subject(code)
    assert error.value.key == "ikm.already"


def test_letter_not_picked_up_is_refused(survey_db):
    world = make_world(survey_db)
    summary = letter_requests.create_request("TES", world.siti, {"keperluan": "Sekolah"}, channel="kiosk",
                                             actor="kiosk")
    assert ikm.offer_for_letter(summary.tracking_code) is None
    with pytest.raises(ServiceError) as error:
        ikm.kiosk_subject(summary.tracking_code)
    assert error.value.key == "ikm.letter_not_taken"
    assert IkmInvite.select().count() == 0


# ---- report and PDF ------------------------------------------------------------------------------------------

def _answer(prefix: str, scores: list[int], **profile: str) -> None:
    token = ikm.offer_for_ticket(served_ticket(prefix).id).token
    ikm.submit(token, scores, profile=profile, channel="kiosk")


def test_periods():
    assert ikm_report.period("month", 2026, 2).end == date(2026, 2, 28)
    q4 = ikm_report.period("quarter", "2026", "4")
    assert (q4.start, q4.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert ikm_report.period("semester", 2026, 1).end == date(2026, 6, 30)
    assert ikm_report.period("year", 2026).start == date(2026, 1, 1)
    assert ikm_report.period("dates", 0, 0, "2026-10-05", "2026-11-04").end == date(2026, 11, 4)
    for args, key in (((("week", 2026, 1)), "ikm.period_invalid"), (("month", 2026, 13), "ikm.period_invalid"),
                      (("month", "x", 1), "ikm.period_invalid"), (("year", 1999), "ikm.year_invalid"),
                      (("dates", 0, 0, "2026-13-01", "2026-12-01"), "ikm.dates_invalid"),
                      (("dates", 0, 0, "2026-12-01", "2026-11-01"), "ikm.dates_order"),
                      (("dates", 0, 0, "2020-01-01", "2026-11-01"), "ikm.dates_too_long")):
        with pytest.raises(ServiceError) as error:
            ikm_report.period(*args)
        assert error.value.key == key


def test_report_per_period_and_service_and_its_pdf(survey_db):
    _answer("A", [4] * 9, jenis_kelamin="P")
    _answer("A", [3] * 9, jenis_kelamin="L", pendidikan="sma")
    _answer("B", [2] * 9)
    today = date.fromisoformat(IkmResponse.get().day)
    month = ikm_report.period("month", today.year, today.month)

    everything = ikm_report.report(month)
    # (4*9 + 3*9 + 2*9) / (9*3) = 3.0 -> 75.00, C.
    assert everything.overall.respondents == 3 and everything.overall.index == Decimal("75.00")
    assert everything.overall.grade == "C"
    by_name = {row.name: row.result for row in everything.services}
    assert by_name["Administrasi Kependudukan"].index == Decimal("87.50")
    assert by_name["Administrasi Kependudukan"].grade == "B"
    assert by_name["Surat Keterangan"].index == Decimal("50.00") and by_name["Surat Keterangan"].grade == "D"
    assert everything.profile["jenis_kelamin"] == {"": 1, "L": 1, "P": 1}
    assert everything.profile["pendidikan"]["sma"] == 1

    key = next(k for k, name in ikm_report.service_choices() if name == "Administrasi Kependudukan")
    only_a = ikm_report.report(month, key)
    assert only_a.overall.respondents == 2 and only_a.service_name == "Administrasi Kependudukan"
    assert [row.name for row in only_a.services] == ["Administrasi Kependudukan"]
    assert ikm_report.report(month, "letter").overall.respondents == 0
    last_year = ikm_report.period("year", today.year - 1)
    assert ikm_report.report(last_year).overall.grade is None
    with pytest.raises(ServiceError) as error:
        ikm_report.report(month, "bogus")
    assert error.value.key == "ikm.service_invalid"

    data = ikm_pdf.render_pdf(everything)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    assert "LAPORAN SURVEI KEPUASAN MASYARAKAT" in flat.upper()
    assert "75.00" in flat and "C (Kurang Baik)" in flat
    assert "DESA SUKAMAJU" in flat and "Administrasi Kependudukan" in flat and "87.50" in flat
    assert "Jumlah responden: 3" in flat


def test_pdf_escapes_stored_text(survey_db):
    token = ikm.offer_for_ticket(served_ticket("A").id).token
    ikm.submit(token, GOOD, saran='<img src=x onerror="alert(1)"> & <b>tebal</b>', channel="phone")
    today = date.fromisoformat(IkmResponse.get().day)
    html = ikm_pdf.report_html(ikm_report.report(ikm_report.period("year", today.year)))
    assert "&lt;img src=x" in html and "<img src=x" not in html and "&lt;b&gt;tebal&lt;/b&gt;" in html
    assert Ticket.select().count() == 1


def test_demo_office_has_a_filled_report_before_today(demo_db):
    demo = IkmResponse.select().where(IkmResponse.channel == "demo")
    assert demo.count() > 50
    today = date.today()
    assert max(row.day for row in demo) < today.isoformat()
    wide = ikm_report.period("dates", 0, 0, date.fromordinal(today.toordinal() - 95).isoformat(), today.isoformat())
    shown = ikm_report.report(wide)
    assert shown.overall.respondents == demo.count() and shown.overall.grade in ("A", "B", "C")
    assert len(shown.services) >= 4
    assert ikm_report.report(ikm_report.period("dates", 0, 0, today.isoformat(), today.isoformat())) \
        .overall.respondents == 0
