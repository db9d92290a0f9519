"""Which address phones should use to reach this server (for QR codes and mDNS)."""

from __future__ import annotations

import socket


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


def public_base_url(configured: str, host: str, port: int) -> str:
    """The base URL printed in QR codes: the configured one, else this machine's LAN address."""
    if configured:
        return configured.rstrip("/")
    address = host if host not in ("0.0.0.0", "::", "") else lan_address()
    return f"http://{address}:{port}"
