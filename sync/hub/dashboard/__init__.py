"""The district dashboard (NiceGUI): villages and their sync health, one village's statistics, letter
verification, and announcements sent down to villages. Every page but /login needs a district account.

Nothing happens at import: `register_dashboard` registers the pages on the running NiceGUI app.
"""

from __future__ import annotations

from sync.hub.app import HubContext


def register_dashboard(hub: HubContext) -> None:
    """Register every dashboard page for this hub (called once by `sync.hub.app.serve`, or a test's main file)."""
    from sync.hub.dashboard import login, send, verify, village, villages

    for page in (login, villages, village, verify, send):
        page.register(hub)
