"""The kiosk as a resident uses it: one tap from the home screen to a number on screen and on paper."""

from __future__ import annotations

import asyncio

from nicegui.testing import User

from kiosk.models import PrintJob, Ticket
from tests.pages import state


async def test_one_tap_gives_a_number_and_a_print_job(office: User) -> None:
    await office.open("/kiosk")
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=30)
    await office.should_see("Administrasi Kependudukan", retries=30)
    office.find(marker="service-A").click()
    await office.should_see("A-001", retries=30)
    await office.should_see("Nomor antrian Anda", retries=30)
    await office.should_see("Tidak ada antrian di depan Anda", retries=30)
    ticket = Ticket.get()
    assert ticket.number == "A-001" and ticket.status == "waiting"
    assert state.ctx is not None and state.ctx.print_worker is not None
    printer = state.ctx.print_worker.printer
    for _ in range(200):  # the worker thread prints in the background, then marks the job done
        if printer.jobs and PrintJob.get().status == "done":
            break
        await asyncio.sleep(0.05)
    assert len(printer.jobs) == 1
    assert PrintJob.get().status == "done"


async def test_second_resident_sees_people_ahead_and_can_go_home(office: User) -> None:
    await office.open("/kiosk")
    office.find(marker="service-B").click()
    await office.should_see("B-001", retries=30)
    office.find(marker="ticket-done").click()
    await office.should_see("Sentuh layanan yang Anda perlukan", retries=30)
    office.find(marker="service-B").click()
    await office.should_see("B-002", retries=30)
    await office.should_see("1 orang di depan Anda", retries=30)


async def test_language_switch(office: User) -> None:
    await office.open("/kiosk")
    office.find(marker="kiosk-language").click()
    await office.should_see("Touch the service you need", retries=30)
    office.find(marker="service-C").click()
    await office.should_see("Your queue number", retries=30)
