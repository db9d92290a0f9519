"""The national code lists (agama, pendidikan, pekerjaan, SHDK, ...) shipped in kiosk/data/kode_data.json."""

from __future__ import annotations

import re

from kiosk.data import code_lists


def label(list_name: str, code: int | None) -> str:
    """'ISLAM' -> 'Islam'; unknown or empty codes read as '-'."""
    if code is None:
        return "-"
    text = code_lists().get(list_name, {}).get(int(code))
    if text is None:
        return "-"
    if any(c.islower() for c in text):
        return text
    return re.sub(r"[A-Z0-9+\-]+", _word, text)


# Words that stay in capitals when a code label is shown in readable case.
_ACRONYMS = {"SD", "SLTP", "SLTA", "TK", "PNS", "TNI", "POLRI", "BUMN", "BUMD", "DPR", "DPRD", "DPD", "BPK",
             "KB", "KTP", "KK", "WNI", "WNA", "RI", "AB", "A", "B", "O", "II", "III", "IV", "BPJS", "IUD", "MOW", "MOP"}


def _word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.rstrip("+-") in _ACRONYMS or any(c.isdigit() for c in word):
        return word
    return word.capitalize()


def options(list_name: str) -> dict[int, str]:
    """Code -> readable label, for select boxes."""
    return {code: label(list_name, code) for code in code_lists().get(list_name, {})}
