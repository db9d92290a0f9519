"""Strings of kiosk access (issue 6): Bahasa Indonesia first, English beside it."""

ACCESS_ID: dict[str, str] = {
}

ACCESS_EN: dict[str, str] = {
}
