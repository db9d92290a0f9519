"""What a running office server holds: its settings and the few long-lived helpers pages and API share.

Built once by `kiosk.app.build_app` and handed to each page/router registration function; never imported
as a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.announce.audio import CallAudio
from kiosk.services.feed import ChangeFeed
from kiosk.services.letter_signing import LetterOptions
from kiosk.services.print_jobs import PrintWorker
from kiosk.services.ratelimit import RateLimiter
from kiosk.services.resident_pins import PinPolicy
from kiosk.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    base_url: str
    feed: ChangeFeed
    ticket_limiter: RateLimiter
    audio: CallAudio
    letters: LetterOptions
    pin_policy: PinPolicy
    kiosk_pin_policy: PinPolicy
    print_worker: PrintWorker | None = None
    letter_worker: PrintWorker | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def status_url_base(self) -> str:
        """Tickets' QR codes point here plus the ticket's random public id."""
        return f"{self.base_url}/m/t/"

    @property
    def letter_status_url_base(self) -> str:
        """Request slips' QR codes point here plus the tracking code."""
        return f"{self.base_url}/m/s/"

    @property
    def upload_max_bytes(self) -> int:
        return int(self.settings.upload_max_mb * 1_000_000)

    def letters_changed(self) -> None:
        """Call after any letter write that printed something or that live pages show."""
        for worker in (self.print_worker, self.letter_worker):
            if worker is not None:
                worker.wake()
        self.feed.bump()

    def queue_changed(self) -> None:
        """Call after any queue write: wakes the print worker and tells live pages to refresh."""
        if self.print_worker is not None:
            self.print_worker.wake()
        self.feed.bump()
