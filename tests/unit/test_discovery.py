"""mDNS on loopback only: the office server is found by a second device browsing `_http._tcp`, stays found
when its address or the village name changes, and lives beside another mDNS responder (avahi on the Pi).

Every zeroconf here binds interfaces=['127.0.0.1']: no multicast leaves the machine. Other test runs may
advertise Balai servers on loopback at the same time, so each test uses a name and a host of its own and
looks only for those. Waits poll against a deadline: a loaded machine answers late, never wrongly.
"""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ifaddr
import pytest
from zeroconf import IPVersion, NonUniqueNameException, ServiceInfo
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from kiosk import discovery
from kiosk.discovery import (SERVICE_TYPE, AddressWatcher, Advertiser, FoundServer, async_find_servers, describe,
                             found_server, host_name, service_name)
from kiosk.network import interface_is_up, lan_addresses, mdns_addresses

LOOPBACK = ["127.0.0.1"]
DEADLINE = 30.0
ELSEWHERE = "198.51.100.7"  # TEST-NET-2: only ever a value in our A record, never an address we send from


def unique(prefix: str = "Uji") -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def advertiser(village: str, port: int = 8123, addresses: list[str] | None = None) -> Advertiser:
    """An advertiser on loopback with a host name of its own, so parallel runs never share address records."""
    return Advertiser(village, port, addresses or ["127.0.0.1"], LOOPBACK, "0.1.0",
                      host=f"balai-test-{uuid.uuid4().hex[:8]}.local.")


async def wait_for_servers(check: Callable[[list[FoundServer]], bool], deadline: float = DEADLINE) -> list[FoundServer]:
    """Browse again and again until `check` holds for what a fresh browser finds, or fail with what it saw."""
    end = time.monotonic() + deadline
    seen: list[FoundServer] = []
    while time.monotonic() < end:
        seen = await async_find_servers(1.5, LOOPBACK)
        if check(seen):
            return seen
    raise AssertionError(f"not seen within {deadline}s; last browse found {[s.name for s in seen]}")


def named(servers: list[FoundServer], name: str) -> FoundServer | None:
    return next((server for server in servers if server.name == name), None)


async def wait_until(condition: Callable[[], bool], deadline: float = 10.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, "condition not reached in time"
        await asyncio.sleep(0.05)


# --- names and addresses (no network) ---------------------------------------------------------------------

def test_service_name_is_friendly_and_safe() -> None:
    assert service_name("Sukamaju") == "Balai Desa Sukamaju"
    assert service_name("<script>") == "Balai Desa script"
    assert service_name("") == "Balai Desa Balai"


def test_host_name_is_never_avahis_own() -> None:
    assert host_name("raspberrypi") == "balai-raspberrypi.local."
    assert host_name("Kantor_Desa.lan") == "balai-kantor-desa.local."
    assert host_name("???") == "balai-server.local."
    assert host_name("raspberrypi") != "raspberrypi.local."
    assert host_name().startswith("balai-") and host_name().endswith(".local.")


def _adapter(name: str, *ips: Any) -> ifaddr.Adapter:
    return ifaddr.Adapter(name, name, [ifaddr.IP(ip, 24, name) for ip in ips])


def test_lan_addresses_are_ipv4_of_up_interfaces_without_loopback() -> None:
    adapters = [
        _adapter("lo", "127.0.0.1", ("::1", 0, 0)),
        _adapter("eth0", "192.168.1.20", ("fe80::1", 0, 2)),
        _adapter("wlan0", "10.0.0.5"),
        _adapter("eth1", "172.16.0.9"),  # cable unplugged, static address kept
    ]
    assert lan_addresses(adapters, is_up=lambda name: name != "eth1") == ["10.0.0.5", "192.168.1.20"]
    assert lan_addresses([], is_up=lambda name: True) == []


def test_interface_is_up_reads_flags_and_link_state(tmp_path: Path) -> None:
    for name, flags, state in [("eth0", "0x1003", "up"), ("eth1", "0x1003", "down"), ("eth2", "0x1002", "up"),
                               ("tun0", "0x1091", "unknown")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "flags").write_text(flags + "\n")
        (tmp_path / name / "operstate").write_text(state + "\n")
    assert interface_is_up("eth0", tmp_path)
    assert not interface_is_up("eth1", tmp_path)  # no carrier
    assert not interface_is_up("eth2", tmp_path)  # switched off
    assert interface_is_up("tun0", tmp_path)  # a driver with no link state
    assert interface_is_up("missing", tmp_path)  # nothing known: assume up rather than advertise nothing


def test_configured_interfaces_are_what_is_advertised() -> None:
    assert mdns_addresses(["127.0.0.1"]) == ["127.0.0.1"]
    assert "127.0.0.1" not in mdns_addresses([])


def test_found_server_reads_a_balai_record_and_skips_others() -> None:
    info = ServiceInfo(SERVICE_TYPE, f"Balai Desa Sukamaju.{SERVICE_TYPE}",
                       addresses=[socket.inet_aton("192.168.1.20")], port=8080,
                       properties={"path": "/kiosk", "app": "balai", "version": "1.2.3"},
                       server="balai-raspberrypi.local.")
    assert found_server(info) == FoundServer(
        name="Balai Desa Sukamaju", url="http://192.168.1.20:8080/kiosk",
        local_url="http://balai-raspberrypi.local:8080/kiosk", host="balai-raspberrypi.local",
        addresses=("192.168.1.20",), port=8080, path="/kiosk", version="1.2.3")
    printer = ServiceInfo(SERVICE_TYPE, f"Printer.{SERVICE_TYPE}", addresses=[socket.inet_aton("192.168.1.30")],
                          port=80, properties={"path": "/"}, server="printer.local.")
    assert found_server(printer) is None


def test_describe_prints_indonesian_first_with_both_addresses() -> None:
    server = FoundServer("Balai Desa Sukamaju", "http://192.168.1.20:8080/kiosk",
                         "http://balai-pi.local:8080/kiosk", "balai-pi.local", ("192.168.1.20", "10.0.0.5"),
                         8080, "/kiosk", "1.2.3")
    text = describe([server], "id")
    assert "1 server Balai ditemukan" in text and "Balai Desa Sukamaju (versi 1.2.3)" in text
    assert "http://192.168.1.20:8080/kiosk" in text and "http://balai-pi.local:8080/kiosk" in text
    assert "10.0.0.5" in text
    assert "version 1.2.3" in describe([server], "en")
    assert "Tidak ada server Balai" in describe([], "id", 3) and "3 detik" in describe([], "id", 3)


# --- the all-interfaces path, with a recording stand-in for zeroconf (no sockets) --------------------------

class RecordingZeroconf:
    """Stands in for AsyncZeroconf where real multicast would leave loopback (interfaces = all)."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.calls: list[str] = []

    @staticmethod
    def _done() -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done

    async def async_register_service(self, info: ServiceInfo, allow_name_change: bool = False) -> Any:
        self.calls.append("register")
        return self._done()

    async def async_update_interfaces(self) -> None:
        self.calls.append("rebind")

    async def async_update_service(self, info: ServiceInfo) -> Any:
        self.calls.append("update " + ",".join(info.parsed_addresses()))
        return self._done()

    async def async_close(self) -> None:
        self.calls.append("close")


@pytest.mark.parametrize("interfaces, expected", [
    ([], ["register", "rebind", "update 10.0.0.5"]),  # all interfaces: sockets follow the new address
    (["192.168.1.20"], ["register", "update 10.0.0.5"]),  # configured: the sockets stay as they are
])
async def test_address_change_rebinds_only_when_using_every_interface(monkeypatch: pytest.MonkeyPatch,
                                                                    interfaces: list[str], expected: list[str]) -> None:
    made: list[RecordingZeroconf] = []
    monkeypatch.setattr(discovery, "AsyncZeroconf", lambda **kw: made.append(RecordingZeroconf(**kw)) or made[-1])
    ad = Advertiser("Sukamaju", 8080, ["192.168.1.20"], interfaces, "1.0", host="balai-pi.local.")
    await ad.start()
    assert await ad.update_addresses(["10.0.0.5"])
    assert not await ad.update_addresses(["10.0.0.5"])  # unchanged: nothing sent
    await ad.stop()
    assert made[0].calls == [*expected, "close"]
    assert ("interfaces" in made[0].kwargs) == bool(interfaces)


# --- real zeroconf on loopback ------------------------------------------------------------------------------

async def test_advertised_server_is_found_with_its_url_and_friendly_name() -> None:
    village = unique()
    ad = advertiser(village, port=8123)
    await ad.start()
    try:
        servers = await wait_for_servers(lambda seen: named(seen, f"Balai Desa {village}") is not None)
        server = named(servers, f"Balai Desa {village}")
        assert server is not None
        assert server.url == "http://127.0.0.1:8123/kiosk"
        assert server.local_url == f"http://{ad.host.rstrip('.')}:8123/kiosk"
        assert server.version == "0.1.0" and server.addresses == ("127.0.0.1",)
    finally:
        await ad.stop()


async def test_address_change_is_reannounced_to_new_and_existing_browsers() -> None:
    village = unique()
    current = ["127.0.0.1"]
    ad = advertiser(village, port=8124)
    await ad.start()
    watcher = AddressWatcher(ad, lambda: list(current), interval=0.2)
    browser = AsyncZeroconf(interfaces=LOOPBACK, ip_version=IPVersion.V4Only)
    full_name = f"Balai Desa {village}.{SERVICE_TYPE}"
    try:
        assert await _resolved_addresses(browser, full_name, lambda found: found == ["127.0.0.1"])
        # mDNS flushes a cached address record only once it is over a second old (RFC 6762 10.2): let the
        # browser's copy age past that, as any real one has, before the address moves.
        await asyncio.sleep(1.5)
        watcher.start()
        current[:] = [ELSEWHERE]
        await wait_until(lambda: ad.addresses == [ELSEWHERE])
        servers = await wait_for_servers(lambda seen: getattr(named(seen, f"Balai Desa {village}"), "addresses", ())
                                         == (ELSEWHERE,))
        moved = named(servers, f"Balai Desa {village}")
        assert moved is not None and moved.url == f"http://{ELSEWHERE}:8124/kiosk"
        assert await _resolved_addresses(browser, full_name, lambda found: found == [ELSEWHERE])
    finally:
        await watcher.stop()
        await browser.async_close()
        await ad.stop()


async def _resolved_addresses(browser: AsyncZeroconf, full_name: str, check: Callable[[list[str]], bool]) -> bool:
    """Resolve through one long-lived browser (its cache included) until `check` holds for the addresses."""
    end = time.monotonic() + DEADLINE
    last: list[str] = []
    while time.monotonic() < end:
        info = AsyncServiceInfo(SERVICE_TYPE, full_name)
        if await info.async_request(browser.zeroconf, 1500):
            last = info.parsed_addresses()
            if check(last):
                return True
        await asyncio.sleep(0.2)
    raise AssertionError(f"{full_name} resolved to {last}")


async def test_rename_announces_the_new_name_and_withdraws_the_old() -> None:
    old, new = unique("Lama"), unique("Baru")
    ad = advertiser(old, port=8125)
    await ad.start()
    try:
        await wait_for_servers(lambda seen: named(seen, f"Balai Desa {old}") is not None)
        assert await ad.rename(new)
        assert not await ad.rename(new)
        assert ad.name == f"Balai Desa {new}"
        servers = await wait_for_servers(lambda seen: named(seen, f"Balai Desa {new}") is not None
                                         and named(seen, f"Balai Desa {old}") is None)
        renamed = named(servers, f"Balai Desa {new}")
        assert renamed is not None and renamed.url == "http://127.0.0.1:8125/kiosk"
    finally:
        await ad.stop()


async def test_watcher_follows_the_village_name() -> None:
    old, new = unique("Lama"), unique("Baru")
    name = [old]
    ad = advertiser(old, port=8126)
    await ad.start()
    watcher = AddressWatcher(ad, lambda: ["127.0.0.1"], interval=0.2, name_source=lambda: name[0])
    watcher.start()
    try:
        name[0] = new
        await wait_until(lambda: ad.name == f"Balai Desa {new}")
        await wait_for_servers(lambda seen: named(seen, f"Balai Desa {new}") is not None
                               and named(seen, f"Balai Desa {old}") is None)
    finally:
        await watcher.stop()
        await ad.stop()


async def test_watcher_survives_a_failing_look_and_stops_cleanly() -> None:
    looks: list[float] = []

    def flaky() -> list[str]:
        looks.append(time.monotonic())
        if len(looks) == 1:
            raise OSError("no network yet")
        return ["127.0.0.1"]

    ad = advertiser(unique(), port=8127)
    await ad.start()
    watcher = AddressWatcher(ad, flaky, interval=0.05)
    try:
        watcher.start()
        await wait_until(lambda: len(looks) >= 3)  # the first look failed, the watch went on
        assert watcher.running
        started = time.monotonic()
        await watcher.stop()
        assert time.monotonic() - started < 2.0 and not watcher.running
        count = len(looks)
        await asyncio.sleep(0.3)
        assert len(looks) == count  # nothing looks after stop
        slow = AddressWatcher(ad, flaky, interval=30.0)  # stop does not wait out the interval
        slow.start()
        started = time.monotonic()
        await slow.stop()
        assert time.monotonic() - started < 2.0 and not slow.running
    finally:
        await watcher.stop()
        await ad.stop()


async def test_coexists_with_another_mdns_responder_on_the_same_host() -> None:
    """The avahi stand-in owns `<hostname>.local.` and publishes a service of its own on `_http._tcp`; Balai,
    started after it as on the Pi, claims `balai-<hostname>.local.`. Neither conflicts, and a third browser
    finds both, each with its own host and address."""
    hostname = f"pi-{uuid.uuid4().hex[:8]}"
    avahi = AsyncZeroconf(interfaces=LOOPBACK, ip_version=IPVersion.V4Only)
    avahi_info = ServiceInfo(SERVICE_TYPE, f"{hostname} web.{SERVICE_TYPE}", addresses=[socket.inet_aton("127.0.0.1")],
                             port=80, properties={"path": "/"}, server=f"{hostname}.local.")
    village = unique()
    ad = Advertiser(village, 8128, [ELSEWHERE], LOOPBACK, "0.1.0", host=host_name(hostname))
    browser = AsyncZeroconf(interfaces=LOOPBACK, ip_version=IPVersion.V4Only)
    try:
        await avahi.async_register_service(avahi_info)  # raises NonUniqueNameException on a conflict
        await ad.start()
        assert ad.name == f"Balai Desa {village}"  # not renamed: nothing conflicted
        servers = await wait_for_servers(lambda seen: named(seen, f"Balai Desa {village}") is not None)
        ours = named(servers, f"Balai Desa {village}")
        assert ours is not None and ours.host == f"balai-{hostname}.local" and ours.addresses == (ELSEWHERE,)
        assert all(server.host != f"{hostname}.local" for server in servers)  # the stand-in's is not Balai's
        theirs = AsyncServiceInfo(SERVICE_TYPE, avahi_info.name)
        end = time.monotonic() + DEADLINE
        while not await theirs.async_request(browser.zeroconf, 1500):
            assert time.monotonic() < end, "the avahi stand-in's service was not resolved"
        assert theirs.server == f"{hostname}.local." and theirs.parsed_addresses() == ["127.0.0.1"]
    except NonUniqueNameException:
        pytest.fail("Balai and the other responder claimed the same name")
    finally:
        await browser.async_close()
        await ad.stop()
        await avahi.async_close()
