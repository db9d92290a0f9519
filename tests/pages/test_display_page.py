"""The TV board: a new call shows up without a reload and is announced with an offline voice clip."""

from __future__ import annotations

import asyncio
import wave

from nicegui.testing import User

from kiosk.services import queue
from tests.pages import state


async def test_new_call_updates_board_and_makes_a_spoken_clip(office: User) -> None:
    await office.open("/display")
    await office.should_see("Sedang Dilayani", retries=30)
    queue.issue_ticket("B", status_url_base="http://x/m/t/", print_ticket=False)
    queue.call_next(2, actor="test")  # Loket 2
    assert state.ctx is not None
    state.ctx.queue_changed()
    await office.should_see("B-001", retries=50)
    await office.should_see("Nomor antrian B satu, silakan menuju loket dua", retries=50)
    audio_dir = state.ctx.settings.audio_dir
    clips: list = []
    for _ in range(100):
        clips = list(audio_dir.glob("call-*.wav"))
        if clips:
            break
        await asyncio.sleep(0.05)
    assert len(clips) == 1
    with wave.open(str(clips[0])) as clip:
        assert clip.getnframes() / clip.getframerate() > 1.5  # chime plus speech (or at least the chime)
