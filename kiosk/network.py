"""Which address phones should use to reach this server (for QR codes and mDNS)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from pathlib import Path

import ifaddr

IFF_UP = 0x1
RUNNING_STATES = {"up", "unknown"}  # "unknown": drivers that never report a link state
SYS_NET = Path("/sys/class/net")


def lan_address() -> str:
    """The address of the interface that carries the default route; no packet is sent (UDP connect only).

    Falls back to 127.0.0.1 on a machine with no network, so the QR is still valid on the kiosk itself.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def interface_is_up(name: str, sys_net: Path = SYS_NET) -> bool:
    """Switched on and carrying traffic: an unplugged cable keeps its static address, and advertising that
    address would send a second display to a dead end. Where /sys says nothing (not Linux) it counts as up."""
    try:
        flags = int((sys_net / name / "flags").read_text().strip(), 16)
        state = (sys_net / name / "operstate").read_text().strip()
    except (OSError, ValueError):
        return True
    return bool(flags & IFF_UP) and state in RUNNING_STATES


def lan_addresses(adapters: Iterable[ifaddr.Adapter] | None = None,
                  is_up: Callable[[str], bool] = interface_is_up) -> list[str]:
    """Every non-loopback IPv4 address of an interface that is up, sorted: what the mDNS record announces when
    no interfaces are configured. Unlike lan_address() it sees every interface (Ethernet and Wi-Fi both)."""
    found: set[ipaddress.IPv4Address] = set()
    for adapter in ifaddr.get_adapters() if adapters is None else adapters:
        if not is_up(str(adapter.name)):
            continue
        for ip in adapter.ips:
            if ip.is_IPv4 and not ipaddress.IPv4Address(ip.ip).is_loopback:
                found.add(ipaddress.IPv4Address(ip.ip))
    return [str(address) for address in sorted(found)]


def mdns_addresses(interfaces: list[str]) -> list[str]:
    """The addresses the mDNS record announces: the configured interface addresses (demo and tests:
    127.0.0.1), else every LAN address of the machine, read afresh each time because DHCP may change it."""
    return list(interfaces) if interfaces else lan_addresses()


def public_base_url(configured: str, host: str, port: int) -> str:
    """The base URL printed in QR codes: the configured one, else this machine's LAN address."""
    if configured:
        return configured.rstrip("/")
    address = host if host not in ("0.0.0.0", "::", "") else lan_address()
    return f"http://{address}:{port}"
