"""Strings of discovery (issue 6): Bahasa Indonesia first, English beside it."""

DISCOVERY_ID: dict[str, str] = {
}

DISCOVERY_EN: dict[str, str] = {
}
