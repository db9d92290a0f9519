"""mDNS (zeroconf): the office server announces itself as `_http._tcp`, so a second display, a kiosk or a
laptop finds it without anyone typing an address, and the announcement stays true when DHCP changes the
address or the admin renames the village.

The interfaces come from settings: every LAN interface on the appliance, 127.0.0.1 only in demo mode and in
tests, so no multicast leaves a developer's machine.

Raspberry Pi OS runs avahi-daemon, and Balai runs beside it rather than replacing it: python-zeroconf binds
UDP 5353 with SO_REUSEADDR and SO_REUSEPORT, and avahi sets the same options on its own socket (unless
`disallow-other-stacks=yes`), so the kernel lets both listen, every multicast packet reaches both, and each
answers for its own records. What must never happen is both claiming one host name: see host_name().
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Callable
from dataclasses import asdict, dataclass

from zeroconf import DNSQuestionType, IPVersion, ServiceInfo, ServiceStateChange, Zeroconf
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from kiosk.i18n import translate

log = logging.getLogger(__name__)

SERVICE_TYPE = "_http._tcp.local."
APP_TAG = "balai"  # TXT app=balai: tells our record apart from every printer and router on `_http._tcp`


def service_name(village_name: str) -> str:
    """The friendly instance name people see in a browser's list ("Balai Desa Sukamaju"); only letters,
    digits, spaces and dashes, because the name is also a DNS label."""
    clean = "".join(c for c in village_name if c.isalnum() or c in " -")[:40].strip() or "Balai"
    return f"Balai Desa {clean}"


def host_name(hostname: str | None = None) -> str:
    """The host name in our record: `balai-<hostname>.local.`, never `<hostname>.local.`.

    avahi-daemon on the Pi already owns `<hostname>.local.` (ssh pi@raspberrypi.local uses it). Host address
    records are unique in mDNS: if Balai announced the same name with a different address set (IPv4 only, or
    fewer interfaces), avahi would see a conflict and rename the machine to `<hostname>-2.local`, and the two
    stacks would keep flushing each other's addresses from every cache on the LAN. A name of our own avoids it.
    """
    label = (hostname or socket.gethostname()).split(".")[0].lower()
    clean = re.sub(r"[^a-z0-9-]+", "-", label).strip("-")[:50] or "server"
    return f"balai-{clean}.local."


def instance_name(full_name: str) -> str:
    """The instance part of a full service name, as people read it: `Balai Desa Sukamaju`."""
    suffix = "." + SERVICE_TYPE
    return full_name[: -len(suffix)] if full_name.lower().endswith(suffix) else full_name


def _open_zeroconf(interfaces: list[str]) -> AsyncZeroconf:
    """IPv4 only (the office LAN is IPv4). An empty list means every interface: the appliance; demo mode and
    tests always pass 127.0.0.1."""
    if interfaces:
        return AsyncZeroconf(interfaces=list(interfaces), ip_version=IPVersion.V4Only)
    return AsyncZeroconf(ip_version=IPVersion.V4Only)


class Advertiser:
    """Registers one service record, keeps it current (addresses, name), and withdraws it on stop.

    Runs on the server's event loop: zeroconf's blocking API would deadlock there. Every change takes one
    lock, because the address watcher and a rename may arrive together.
    """

    def __init__(self, village_name: str, port: int, addresses: list[str], interfaces: list[str],
                 version: str, *, host: str | None = None, path: str = "/kiosk") -> None:
        self._friendly = service_name(village_name)
        self._port = port
        self._addresses = list(addresses)
        self._interfaces = list(interfaces)
        self._version = version
        self._host = host or host_name()
        self._path = path
        self._zeroconf: AsyncZeroconf | None = None
        self._info: ServiceInfo | None = None
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        """The name on the network: the friendly one, or zeroconf's `-2` variant when another device has it."""
        return instance_name(self._info.name) if self._info is not None else self._friendly

    @property
    def addresses(self) -> list[str]:
        return list(self._addresses)

    @property
    def host(self) -> str:
        return self._host

    def _service_info(self, instance: str, addresses: list[str]) -> ServiceInfo:
        return ServiceInfo(
            SERVICE_TYPE, f"{instance}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in addresses], port=self._port,
            properties={"path": self._path, "app": APP_TAG, "version": self._version},
            server=self._host,
        )

    async def start(self) -> None:
        self._zeroconf = _open_zeroconf(self._interfaces)
        info = self._service_info(self._friendly, self._addresses)
        await self._zeroconf.async_register_service(info, allow_name_change=True)
        self._info = info
        log.info("mDNS: advertising %r at %s on %s", self.name, self._addresses, self._interfaces or "all interfaces")

    async def update_addresses(self, addresses: list[str]) -> bool:
        """Announce a new address list (True when it changed), so a display that looks again finds the server
        where it now is; browsers that cached the old address drop it (address records flush the cache)."""
        async with self._lock:
            if self._zeroconf is None or self._info is None or set(addresses) == set(self._addresses):
                return False
            info = self._service_info(self.name, addresses)
            if self._interfaces:
                await self._zeroconf.async_update_service(info)
            else:
                await self._rebind_and_announce(info)
            self._info, self._addresses = info, list(addresses)
            log.info("mDNS: %r now at %s", self.name, self._addresses)
            return True

    async def _rebind_and_announce(self, info: ServiceInfo) -> None:
        """With all interfaces in use the sockets follow the addresses: one bound to the old address can no
        longer send. zeroconf 0.150+ rebinds in place; an older one is closed and opened afresh."""
        assert self._zeroconf is not None
        if hasattr(self._zeroconf, "async_update_interfaces"):
            await self._zeroconf.async_update_interfaces()
            await self._zeroconf.async_update_service(info)
            return
        await self._zeroconf.async_close()
        self._zeroconf = _open_zeroconf(self._interfaces)
        await self._zeroconf.async_register_service(info, allow_name_change=True)

    async def rename(self, village_name: str) -> bool:
        """Follow the village's new name (True when it changed). The new record is registered before the old
        one is withdrawn, so the host's address records never disappear in between."""
        friendly = service_name(village_name)
        async with self._lock:
            if friendly == self._friendly:
                return False
            if self._zeroconf is None or self._info is None:
                self._friendly = friendly
                return True
            old, new = self._info, self._service_info(friendly, self._addresses)
            if new.key == old.key:  # only the letter case changed: the same DNS name, updated in place
                await self._zeroconf.async_update_service(new)
            else:
                await self._zeroconf.async_register_service(new, allow_name_change=True)
                await self._zeroconf.async_unregister_service(old)
            self._info, self._friendly = new, friendly
            log.info("mDNS: renamed to %r", self.name)
            return True

    async def stop(self) -> None:
        """Withdraw the record (goodbye packets, awaited) and close the sockets."""
        async with self._lock:
            if self._zeroconf is not None:
                try:
                    await self._zeroconf.async_close()
                finally:
                    self._zeroconf, self._info = None, None


class AddressWatcher:
    """Keeps the advertisement true while the server runs: DHCP hands the Pi a new address, a cable moves to
    another switch, the admin renames the village.

    Polls every `interval` seconds on the server's event loop rather than following netlink: simple,
    portable, and quick enough for a display that keeps looking. The sources run in a worker thread (they
    read /sys and SQLite). The loop ends on an Event, not only on cancellation, because NiceGUI's
    run.io_bound swallows CancelledError and a cancelled task could otherwise keep going.
    """

    def __init__(self, advertiser: Advertiser, address_source: Callable[[], list[str]], interval: float = 30.0,
                 name_source: Callable[[], str] | None = None) -> None:
        self._advertiser = advertiser
        self._address_source = address_source
        self._name_source = name_source
        self._interval = interval
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="mdns-address-watcher")

    async def check(self) -> None:
        """One look: re-announce when the addresses or the village name differ from what is advertised."""
        addresses = await asyncio.to_thread(self._address_source)
        await self._advertiser.update_addresses(addresses)
        if self._name_source is not None:
            await self._advertiser.rename(await asyncio.to_thread(self._name_source))

    async def _run(self) -> None:
        while not await self._stopped_within(self._interval):
            try:
                await self.check()
            except Exception:  # noqa: BLE001 - a failed look must not end the watch; the next one may work
                log.warning("mDNS: could not refresh the advertised addresses or name", exc_info=True)

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stopping.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    async def stop(self, timeout: float = 10.0) -> None:
        """Ask the loop to end and wait for it; cancel only a look that hangs past `timeout`."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@dataclass(frozen=True)
class FoundServer:
    """A Balai office server seen on the network, as a second display or a laptop needs it."""

    name: str
    url: str
    local_url: str
    host: str
    addresses: tuple[str, ...]
    port: int
    path: str
    version: str

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "addresses": list(self.addresses)}


def _text(value: bytes | None) -> str:
    return (value or b"").decode("utf-8", errors="replace")


def found_server(info: ServiceInfo) -> FoundServer | None:
    """A resolved record as a Balai server, or None for any other `_http._tcp` service (printers, routers)."""
    properties = {_text(key): _text(value) for key, value in info.properties.items()}
    if properties.get("app") != APP_TAG or not info.port:
        return None
    path = properties.get("path") or "/"
    path = path if path.startswith("/") else "/" + path
    addresses = tuple(info.parsed_addresses(IPVersion.V4Only))
    host = (info.server or "").rstrip(".")
    local_url = f"http://{host}:{info.port}{path}" if host else ""
    url = f"http://{addresses[0]}:{info.port}{path}" if addresses else local_url
    return FoundServer(instance_name(info.name), url, local_url, host, addresses, info.port, path,
                       properties.get("version", ""))


async def _resolve(zeroconf: Zeroconf, name: str, deadline: float) -> FoundServer | None:
    """Most answers to the browse already carry SRV, TXT and A (read from the cache at once); a short
    minimum leaves a record seen at the very end a moment to complete."""
    remaining = max(deadline - asyncio.get_running_loop().time(), 0.5)
    info = AsyncServiceInfo(SERVICE_TYPE, name)
    if not await info.async_request(zeroconf, int(remaining * 1000), question_type=DNSQuestionType.QM):
        return None
    return found_server(info)


async def async_find_servers(timeout: float = 3.0, interfaces: list[str] | None = None) -> list[FoundServer]:
    """Browse `_http._tcp` for `timeout` seconds and return the Balai servers seen, sorted by name.

    `interfaces` None or empty: every interface (a laptop on the office LAN); tests pass ['127.0.0.1'].
    Every question is QM (answer by multicast): a QU answer comes back by unicast to port 5353, which this
    browser shares with avahi or any other responder on the same machine, and the kernel hands a unicast
    datagram to only one of those sockets, so the answer could go to the wrong one.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    aiozc = _open_zeroconf(interfaces or [])
    resolving: dict[str, asyncio.Task[FoundServer | None]] = {}
    removed: set[str] = set()

    def on_change(zeroconf: Zeroconf, service_type: str, name: str, state_change: ServiceStateChange) -> None:
        if state_change is ServiceStateChange.Removed:
            removed.add(name)
            return
        removed.discard(name)
        if name not in resolving:
            resolving[name] = asyncio.ensure_future(_resolve(zeroconf, name, deadline))

    browser = AsyncServiceBrowser(aiozc.zeroconf, SERVICE_TYPE, handlers=[on_change],
                                  question_type=DNSQuestionType.QM)
    try:
        await asyncio.sleep(max(deadline - loop.time(), 0.0))
        results = dict(zip(resolving, await asyncio.gather(*resolving.values(), return_exceptions=True)))
    finally:
        for task in resolving.values():
            task.cancel()
        await browser.async_cancel()
        await aiozc.async_close()
    found = [server for name, server in results.items()
             if isinstance(server, FoundServer) and name not in removed]
    return sorted(found, key=lambda server: server.name)


def find_servers(timeout: float = 3.0, interfaces: list[str] | None = None) -> list[FoundServer]:
    """async_find_servers for a program without an event loop (the CLI); never call it from one."""
    return asyncio.run(async_find_servers(timeout, interfaces))


def describe(servers: list[FoundServer], lang: str = "id", timeout: float = 3.0) -> str:
    """What `balai discover` prints for a person: each server's name, its address and its `.local` name."""
    if not servers:
        return "\n".join([translate("discover.none", lang, seconds=f"{timeout:g}"), translate("discover.hint", lang)])
    lines = [translate("discover.found", lang, count=len(servers))]
    for server in servers:
        version = translate("discover.version", lang, version=server.version) if server.version else ""
        lines.append(f"  {server.name}" + (f" ({version})" if version else ""))
        local_url = server.local_url if server.local_url != server.url else ""
        lines += _labelled(lang, [("discover.address", server.url), ("discover.local_name", local_url),
                                  ("discover.also", ", ".join(server.addresses[1:]))])
    return "\n".join(lines)


def _labelled(lang: str, rows: list[tuple[str, str]]) -> list[str]:
    """Label: value lines with the labels padded to one width; empty values are left out."""
    shown = [(translate(key, lang), value) for key, value in rows if value]
    width = max((len(label) for label, _ in shown), default=0)
    return [f"    {label.ljust(width)} : {value}" for label, value in shown]
