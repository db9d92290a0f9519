"""A change counter the pages watch, so the board and the operator screen update without a reload."""

from __future__ import annotations

import threading


class ChangeFeed:
    """Bumped after every queue or print change; pages compare versions on a short timer (cheap, no DB)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = 0

    @property
    def version(self) -> int:
        return self._version

    def bump(self) -> None:
        with self._lock:
            self._version += 1
