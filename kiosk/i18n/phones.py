"""Strings of phones (issue 6): Bahasa Indonesia first, English beside it."""

PHONES_ID: dict[str, str] = {
}

PHONES_EN: dict[str, str] = {
}
