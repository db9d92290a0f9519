"""Letter numbers: the format with its tokens, and the gap-free yearly series.

A number is taken only inside the signing transaction (`next_in_series` runs under the write lock that
transaction holds), so a failed signing rolls its number back with it: numbers are unique, in order and
without gaps, also when two signers press "sign" at the same moment.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from kiosk.models import LetterNumberCounter

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
TOKENS = ("kode", "nomor", "kode_desa", "bulan", "bulan_romawi", "tahun", "jenis")


@dataclass(frozen=True)
class NumberParts:
    kode: str          # classification code, e.g. 470
    nomor: int         # position in the series
    kode_desa: str     # the last four digits of the region code, e.g. 2003
    month: int
    year: int
    jenis: str         # letter type code, e.g. SKD


def check_format(number_format: str) -> None:
    """Refuse unknown tokens at start, not at the first signing."""
    for _, name, spec, _ in string.Formatter().parse(number_format):
        if name is None:
            continue
        if name not in TOKENS:
            raise ValueError(f"unknown token {{{name}}} in letter number format")
        if spec and name != "nomor":
            raise ValueError(f"only {{nomor}} takes a width, e.g. {{nomor:03}}")
        if spec and not re.fullmatch(r"0?\d", spec):
            raise ValueError("the width of {nomor} is written like {nomor:03}")


def format_number(number_format: str, parts: NumberParts) -> str:
    """'{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}/{tahun}' -> '470/012/2003/XI/2026'."""
    check_format(number_format)
    return number_format.format(
        kode=parts.kode, nomor=parts.nomor, kode_desa=parts.kode_desa, bulan=f"{parts.month:02d}",
        bulan_romawi=ROMAN_MONTHS[parts.month - 1], tahun=parts.year, jenis=parts.jenis)


def village_number_code(region_code: str) -> str:
    """The village's own part of its region code: 32.04.12.2003 -> 2003."""
    digits = re.sub(r"\D", "", region_code)
    return digits[-4:] if len(digits) >= 4 else digits


def series_name(mode: str, type_code: str) -> str:
    return "*" if mode == "shared" else type_code.upper()


def next_in_series(series: str, year: int) -> int:
    """The next number of a series in a year. Must run inside the caller's write transaction."""
    updated = (LetterNumberCounter.update(last=LetterNumberCounter.last + 1)
               .where((LetterNumberCounter.series == series) & (LetterNumberCounter.year == year)).execute())
    if not updated:
        LetterNumberCounter.insert(series=series, year=year, last=1).execute()
        return 1
    return LetterNumberCounter.get((LetterNumberCounter.series == series) & (LetterNumberCounter.year == year)).last
