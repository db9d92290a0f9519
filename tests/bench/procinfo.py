"""The server process as the kernel sees it: name and resident memory, read from /proc (no psutil)."""

from __future__ import annotations

import asyncio
from pathlib import Path


def process_name(pid: int) -> str:
    return Path(f"/proc/{pid}/comm").read_text().strip()


def rss_kib(pid: int) -> int:
    """VmRSS of one process in KiB (its threads included, its children not)."""
    for text in Path(f"/proc/{pid}/status").read_text().splitlines():
        if text.startswith("VmRSS:"):
            return int(text.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def threads(pid: int) -> int:
    for text in Path(f"/proc/{pid}/status").read_text().splitlines():
        if text.startswith("Threads:"):
            return int(text.split()[1])
    return 0


def check_is_python(pid: int) -> None:
    """BalaiServer starts `taskset -c N python ...`; taskset execs, so the pid must now be python's."""
    name = process_name(pid)
    if not name.startswith("python"):
        raise RuntimeError(f"pid {pid} is {name!r}, not the python server")


class RssSampler:
    """Samples a pid's VmRSS every `interval` seconds in the running event loop; keeps peak and last."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid = pid
        self.interval = interval
        self.samples: list[int] = []
        self._task: asyncio.Task[None] | None = None

    @property
    def peak(self) -> int:
        return max(self.samples)

    async def _run(self) -> None:
        while True:
            self.samples.append(rss_kib(self.pid))
            await asyncio.sleep(self.interval)

    def start(self) -> None:
        self.samples.append(rss_kib(self.pid))
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.samples.append(rss_kib(self.pid))
