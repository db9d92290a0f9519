"""Village polls end to end in the page tests: the operator's set-up (bad input refused with a message and
nothing saved), voting at the kiosk with the in-page keys, voting on a phone, results, and stored text
always shown as text."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta

from nicegui.testing import User

from kiosk.db import database
from kiosk.i18n.polls import POLLS_EN, POLLS_ID
from kiosk.models import Poll, PollOption
from kiosk.pages.kiosk_letters import FLOW_KEY
from kiosk.services import accounts, polls
from kiosk.services.clock import utc_now
from tests.pages import state
from tests.pages.test_kiosk_letters import NIK, PIN, SLOW, make_resident, tap
from tests.pages.test_operator_pages import login

PASSWORD = "loket-satu-2026"
DEMO_QUESTION = "Kegiatan apa yang paling perlu didanai desa tahun depan?"


def _demo_poll() -> str:
    return next(p.uuid for p in polls.public_list() if p.question == DEMO_QUESTION)


def _stored_html_poll() -> str:
    """A poll whose text carries markup, written straight into the table (as an older release or a restored
    backup might have it): the pages must still show it as text."""
    uid = str(uuid.uuid4())
    stamp = lambda delta: (utc_now() + delta).strftime("%Y-%m-%d %H:%M:%S")  # noqa: E731
    with database.atomic():
        poll = Poll.create(uuid=uid, question="Pilih <b>tebal</b> <script>alert(1)</script>", description="",
                           starts_at=stamp(timedelta(hours=-1)), ends_at=stamp(timedelta(days=1)),
                           status="published", results_live=1, created_at=stamp(timedelta()), created_by="t",
                           updated_at=stamp(timedelta()), updated_by="t")
        PollOption.create(poll=poll.id, position=1, label="<img src=x onerror=alert(2)>")
        PollOption.create(poll=poll.id, position=2, label="Biasa")
    return uid


def test_every_poll_string_has_an_english_twin() -> None:
    assert set(POLLS_ID) == set(POLLS_EN)


async def test_operator_sets_up_publishes_and_closes_a_poll(office: User) -> None:
    accounts.create_user("siti", PASSWORD, "operator", actor="test")
    await login(office, "siti", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/polls")
    await office.should_see("Jajak pendapat baru", retries=30)
    await office.should_see(DEMO_QUESTION, retries=30)
    before = Poll.select().count()

    office.find(marker="poll-question-input").type("<script>alert(1)</script> Lampu jalan?")
    office.find(marker="poll-option-input-1").type("Ya")
    office.find(marker="poll-option-input-2").type("ya ")
    office.find(marker="poll-starts").type("2030-01-01T08:00")
    office.find(marker="poll-ends").type("2030-01-05T17:00")
    office.find(marker="poll-save").click()
    await office.should_see("Pertanyaan tidak boleh berisi kode HTML atau skrip. Tulis sebagai teks biasa.",
                            retries=30)
    office.find(marker="poll-question-input").clear().type("Perlukah lampu jalan di Dusun Krajan?")
    office.find(marker="poll-save").click()
    await office.should_see("Pilihan 2 sama dengan pilihan sebelumnya.", retries=30)
    office.find(marker="poll-option-input-2").clear().type("Tidak")
    office.find(marker="poll-add-option").click()
    await office.should_see(marker="poll-option-input-3", retries=30)
    office.find(marker="poll-option-input-3").type("1' OR '1'='1")
    office.find(marker="poll-save").click()
    await office.should_see("Pilihan 3 berisi teks yang tampak seperti perintah basis data.", retries=30)
    office.find(marker="poll-option-remove-3").click()
    office.find(marker="poll-ends").clear().type("2029-12-31T08:00")
    office.find(marker="poll-save").click()
    await office.should_see("Waktu selesai harus sesudah waktu mulai.", retries=30)
    assert Poll.select().count() == before

    office.find(marker="poll-ends").clear().type("2030-01-05T17:00")
    office.find(marker="poll-save").click()
    await office.should_see("Draf disimpan.", retries=30)
    await office.should_see("Perlukah lampu jalan di Dusun Krajan?", retries=30)
    await office.should_see("Draf", retries=30)
    created = Poll.get(Poll.question == "Perlukah lampu jalan di Dusun Krajan?")
    assert created.status == "draft" and created.starts_at == "2030-01-01 01:00:00"  # 08:00 WIB

    office.find(marker="poll-publish").click()
    await office.should_see("Jajak pendapat diterbitkan.", retries=30)
    await office.should_see("Terjadwal", retries=30)
    assert Poll.get_by_id(created.id).status == "published"
    await office.should_see("Partisipasi: 0 dari 0 pemilih (0,0%)", retries=30)
    # Both the new scheduled poll and the demo's open one can be closed early.
    assert len(office.find(marker="poll-close").elements) == 2


async def test_kiosk_vote_with_nik_and_pin(office: User) -> None:
    make_resident()
    uid = _demo_poll()
    await office.open("/kiosk/polls")
    await office.should_see(DEMO_QUESTION, retries=30)
    office.find(marker="poll-vote").click()
    await office.should_see(marker="poll-option-2", retries=30)
    await office.should_see("Posyandu dan kesehatan")
    office.find(marker="poll-option-2").click()
    await office.should_see("Pilihan Anda: Posyandu dan kesehatan", retries=30)
    tap(office, NIK)
    office.find(marker="step-next").click()
    await office.should_see(marker="pin-input", retries=30)
    tap(office, "111111")
    office.find(marker="step-next").click()
    await office.should_see("NIK atau PIN salah.", retries=SLOW)
    tap(office, PIN)
    office.find(marker="step-next").click()
    await office.should_see("Suara Anda tercatat", retries=SLOW)
    screen = office.client.storage[FLOW_KEY]
    assert (screen.flow.nik, screen.option_id) == ("", 0)  # wiped as soon as the vote was stored
    assert [o.votes for o in polls.results(uid, public=False).options] == [0, 1, 0, 0]

    office.find(marker="poll-see-results").click()
    await office.should_see(marker="poll-results", retries=30)
    await office.should_see("1 · 100,0%", retries=30)

    # A second vote with the same NIK: refused, counters unchanged.
    office.find(marker="step-back").click()
    await office.should_see(marker="poll-vote", retries=30)
    office.find(marker="poll-vote").click()
    await office.should_see(marker="poll-option-1", retries=30)
    office.find(marker="poll-option-1").click()
    await office.should_see(marker="nik-input", retries=30)
    tap(office, NIK)
    office.find(marker="step-next").click()
    await office.should_see(marker="pin-input", retries=30)
    tap(office, PIN)
    office.find(marker="step-next").click()
    await office.should_see("Anda sudah memberikan suara untuk jajak pendapat ini.", retries=SLOW)
    assert [o.votes for o in polls.results(uid, public=False).options] == [0, 1, 0, 0]


async def test_kiosk_idle_wipes_nik_and_shows_html_as_text(office: User) -> None:
    html_uid = _stored_html_poll()
    await office.open("/kiosk/polls")
    await office.should_see("Pilih <b>tebal</b> <script>alert(1)</script>", retries=30)
    screen = office.client.storage[FLOW_KEY]
    screen.show_poll(html_uid)
    await office.should_see("<img src=x onerror=alert(2)>", retries=30)
    office.find(marker="poll-option-1").click()
    await office.should_see(marker="nik-input", retries=30)
    tap(office, NIK[:10])
    await office.should_see("10 dari 16 angka", retries=30)
    assert screen.flow.step == "nik" and screen.option_id
    assert state.ctx is not None
    state.ctx.settings = dataclasses.replace(state.ctx.settings, kiosk_idle_seconds=1)
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=50)
    assert (screen.flow.nik, screen.option_id, screen.poll_uid, screen.inputs) == ("", 0, "", [])


async def test_phone_vote_results_and_escaping(office: User) -> None:
    make_resident()
    uid = _demo_poll()
    html_uid = _stored_html_poll()
    http = office.http_client
    listing = await http.get("/m/polls")
    assert listing.status_code == 200 and DEMO_QUESTION in listing.text
    assert "Pilih &lt;b&gt;tebal&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in listing.text
    assert "<script>alert(1)" not in listing.text
    page = await http.get(f"/m/polls/{html_uid}")
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text and "<img src=x" not in page.text

    form = await http.get(f"/m/polls/{uid}")
    assert form.status_code == 200 and "Posyandu dan kesehatan" in form.text and 'name="pin"' in form.text
    option_ids = [o.id for o in polls.get(uid).options]
    wrong = await http.post(f"/m/polls/{uid}", data={"option": option_ids[0], "nik": NIK, "pin": "111111"})
    assert wrong.status_code == 401 and "NIK atau PIN salah." in wrong.text
    unknown = await http.post(f"/m/polls/{uid}", data={"option": option_ids[0], "nik": "3204129999990009",
                                                      "pin": PIN})
    assert unknown.status_code == 401 and "NIK atau PIN salah." in unknown.text
    none = await http.post(f"/m/polls/{uid}", data={"nik": NIK, "pin": PIN})
    assert none.status_code == 422 and "Pilih salah satu pilihan dulu." in none.text
    assert sum(o.votes for o in polls.results(uid, public=False).options) == 0

    voted = await http.post(f"/m/polls/{uid}", data={"option": option_ids[2], "nik": NIK, "pin": PIN})
    assert voted.status_code == 200 and "Suara Anda tercatat" in voted.text
    again = await http.post(f"/m/polls/{uid}", data={"option": option_ids[1], "nik": NIK, "pin": PIN,
                                                    "lang": "en"})
    assert again.status_code == 409 and "You have already voted in this poll." in again.text
    results = await http.get(f"/m/polls/{uid}/hasil")
    assert results.status_code == 200 and "1 · 100,0%" in results.text and "Partisipasi" in results.text
    english = await http.get(f"/m/polls/{uid}/hasil?lang=en")
    assert "1 · 100.0%" in english.text and "Turnout" in english.text

    # A draft is not there for residents; hidden results say so.
    draft = polls.create_draft("Rapat warga hari apa?", "", ["Sabtu", "Minggu"], "2030-01-01T08:00",
                               "2030-01-02T08:00", actor="t")
    assert (await http.get(f"/m/polls/{draft}")).status_code == 404
    hidden = polls.create_draft("Ketua RT baru?", "", ["A", "B"], "2020-01-01T08:00", "2030-01-02T08:00",
                                results_live=False, actor="t")
    polls.publish(hidden, actor="t")
    shut = await http.get(f"/m/polls/{hidden}/hasil")
    assert shut.status_code == 403 and "Hasil akan ditampilkan setelah jajak pendapat selesai." in shut.text


async def test_kiosk_pages_through_many_options_and_viewers_may_not_set_up_polls(office: User) -> None:
    many = polls.create_draft("Nama baru untuk lapangan desa?", "", [f"Nama {n}" for n in range(1, 9)],
                              "2020-01-01T08:00", "2030-01-02T08:00", actor="t")
    polls.publish(many, actor="t")
    await office.open("/kiosk/polls")
    await office.should_see("Nama baru untuk lapangan desa?", retries=30)
    office.client.storage[FLOW_KEY].show_poll(many)
    await office.should_see(marker="poll-option-6", retries=30)
    await office.should_not_see(marker="poll-option-7")
    await office.should_see("1/2")
    office.find(marker="page-next").click()
    await office.should_see(marker="poll-option-8", retries=30)
    await office.should_not_see(marker="poll-option-1")

    accounts.create_user("tamu", PASSWORD, "viewer", actor="test")
    await login(office, "tamu", PASSWORD)
    await office.should_see("Loket saya", retries=30)
    await office.open("/operator/polls")
    await office.should_see(marker="forbidden", retries=30)
    await office.should_not_see("Jajak pendapat baru")
