"""mDNS on loopback only: the office server is found by a second device browsing `_http._tcp`."""

from __future__ import annotations

import asyncio

from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from kiosk.discovery import SERVICE_TYPE, Advertiser, service_name


def test_service_name_is_friendly_and_safe():
    assert service_name("Sukamaju") == "Balai Desa Sukamaju"
    assert service_name("<script>") == "Balai Desa script"
    assert service_name("") == "Balai Desa Balai"


async def test_advertised_on_loopback_and_resolvable():
    advertiser = Advertiser("Sukamaju", 8123, ["127.0.0.1"], ["127.0.0.1"], "0.1.0")
    await advertiser.start()
    browser = AsyncZeroconf(interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only)
    try:
        info = AsyncServiceInfo(SERVICE_TYPE, f"Balai Desa Sukamaju.{SERVICE_TYPE}")
        found = False
        for _ in range(5):
            if await info.async_request(browser.zeroconf, 2000):
                found = True
                break
            await asyncio.sleep(0.2)
        assert found
        assert info.port == 8123
        assert info.parsed_addresses() == ["127.0.0.1"]
        assert info.properties[b"path"] == b"/kiosk"
    finally:
        await browser.async_close()
        await advertiser.stop()
