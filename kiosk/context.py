"""What a running office server holds: its settings and the few long-lived helpers pages and API share.

Built once by `kiosk.app.build_app` and handed to each page/router registration function; never imported
as a global.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.announce.audio import CallAudio
from kiosk.services.feed import ChangeFeed
from kiosk.services.print_jobs import PrintWorker
from kiosk.services.ratelimit import RateLimiter
from kiosk.settings import Settings


@dataclass
class AppContext:
    settings: Settings
    base_url: str
    feed: ChangeFeed
    ticket_limiter: RateLimiter
    audio: CallAudio
    print_worker: PrintWorker | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def status_url_base(self) -> str:
        """Tickets' QR codes point here plus the ticket's random public id."""
        return f"{self.base_url}/m/t/"

    def queue_changed(self) -> None:
        """Call after any queue write: wakes the print worker and tells live pages to refresh."""
        if self.print_worker is not None:
            self.print_worker.wake()
        self.feed.bump()
