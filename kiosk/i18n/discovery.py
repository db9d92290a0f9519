"""Strings of discovery (issue 6): Bahasa Indonesia first, English beside it."""

DISCOVERY_ID: dict[str, str] = {
    "discover.found": "{count} server Balai ditemukan:",
    "discover.none": "Tidak ada server Balai yang ditemukan dalam {seconds} detik.",
    "discover.hint": "Periksa: server menyala, komputer ini di jaringan kantor yang sama, dan mDNS (UDP 5353) "
                     "tidak diblokir. Coba lagi dengan --timeout 10.",
    "discover.version": "versi {version}",
    "discover.address": "alamat",
    "discover.local_name": "nama .local",
    "discover.also": "alamat lain",
}

DISCOVERY_EN: dict[str, str] = {
    "discover.found": "{count} Balai server(s) found:",
    "discover.none": "No Balai server found within {seconds} seconds.",
    "discover.hint": "Check: the server is on, this computer is on the same office network, and mDNS "
                     "(UDP 5353) is not blocked. Try again with --timeout 10.",
    "discover.version": "version {version}",
    "discover.address": "address",
    "discover.local_name": ".local name",
    "discover.also": "other addresses",
}
