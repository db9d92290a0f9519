"""mDNS: announce the office server as `_http._tcp` so a second display or kiosk can find it.

The interfaces come from settings; demo mode and tests use 127.0.0.1 only, so no multicast leaves the
machine.
"""

from __future__ import annotations

import logging
import socket

from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

log = logging.getLogger(__name__)

SERVICE_TYPE = "_http._tcp.local."


def service_name(village_name: str) -> str:
    clean = "".join(c for c in village_name if c.isalnum() or c in " -")[:40].strip() or "Balai"
    return f"Balai Desa {clean}"


class Advertiser:
    """Registers one service record and withdraws it on stop."""

    def __init__(self, village_name: str, port: int, addresses: list[str], interfaces: list[str],
                 version: str) -> None:
        self.name = service_name(village_name)
        self._port = port
        self._addresses = addresses
        self._interfaces = interfaces
        self._version = version
        self._zeroconf: AsyncZeroconf | None = None
        self._info: ServiceInfo | None = None

    async def start(self) -> None:
        """Runs on the server's event loop: zeroconf's blocking API would deadlock there."""
        interfaces = self._interfaces or None
        self._zeroconf = AsyncZeroconf(interfaces=interfaces, ip_version=IPVersion.V4Only) if interfaces \
            else AsyncZeroconf(ip_version=IPVersion.V4Only)
        self._info = ServiceInfo(
            SERVICE_TYPE, f"{self.name}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in self._addresses], port=self._port,
            properties={"path": "/kiosk", "app": "balai", "version": self._version},
            server=f"balai-{socket.gethostname()}.local.",
        )
        await self._zeroconf.async_register_service(self._info, allow_name_change=True)
        log.info("mDNS: advertising %r on %s", self.name, interfaces or "all interfaces")

    async def stop(self) -> None:
        if self._zeroconf is not None:
            try:
                if self._info is not None:
                    await self._zeroconf.async_unregister_service(self._info)
            finally:
                await self._zeroconf.async_close()
                self._zeroconf = None
