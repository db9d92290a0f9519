"""NIK and Nomor KK: normalizing, checking, masking and reading the data embedded in them.

One module so that every screen, importer and letter agrees on what a valid number is. Real registers are
messy, so the rules separate what makes a number impossible (errors: wrong length, non-digits, a region or
date that cannot exist) from what merely disagrees with other recorded data (warnings: birth date or sex
differing from the embedded ones) — villages must be able to import their books as they are.

Problems carry a message key and params, never text; `MESSAGES_ID` / `MESSAGES_EN` hold the templates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about a number; `key` selects the message, `params` fill its placeholders."""

    level: Level
    key: str
    params: dict = field(default_factory=dict)


# Province codes (Kepmendagri 050-145/2022 and its predecessors). A NIK keeps the province where it was
# first issued forever, so old and new numbering both occur: 91 and 94 were Papua Barat and Papua until
# 2022; the 2022 split gave 91..96 to Papua, Papua Barat, Papua Selatan, Papua Tengah, Papua Pegunungan and
# Papua Barat Daya; 97 (Papua Pegunungan in BPS numbering) is seen in registers and accepted too.
PROVINCES: frozenset[int] = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82,
     *range(91, 98)]
)

# Excel shows numbers of 12+ digits as 3.2041E+15 (one digit before the decimal separator, a short
# exponent); a CSV saved from it keeps that text. A typo such as "3204e228..." is not this.
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:[.,]\d+)?[eE][+-]?\d{1,3}$")
# Spaces (incl. no-break), dots, and the apostrophes/back-ticks Excel users type to force text.
_STRIP = re.compile(r"[\s.'`\u2018\u2019\u00a0]")
# Excel's "force text" formula ="3204..." as found in CSV files.
_FORMULA_TEXT = re.compile(r'^="(.*)"$')
# A number printed from a float column by another program: "3204122803780001.0".
_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")


def normalize_number(value: object) -> str:
    """An identity number as a digit string, whatever the spreadsheet cell held.

    Ints and floats that are exact integers become their digits (3204.0 -> "3204"), strings lose spaces,
    dots and apostrophes ("'3204 1234..." -> "32041234..."). Text in scientific notation is only trimmed:
    its digits are already lost and inventing them back would hide the problem. None becomes "".
    """
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if text.isdigit():  # the common case, worth skipping three regular expressions for
        return text
    match = _FORMULA_TEXT.match(text)
    if match:
        text = match.group(1).strip()
    if _SCIENTIFIC.match(text.replace(" ", "")):
        return text.replace(" ", "")
    match = _FLOAT_TEXT.match(text)
    if match:
        return match.group(1)
    return _STRIP.sub("", text)


def _digits_lost(value: object) -> bool:
    """True when the value went through Excel's number type and lost the 16th digit.

    Excel keeps 15 significant digits, so a 16-digit number it stored always ends in 0 and the real last
    digit is unknown. A float ending in another digit was written exactly by a program and is trusted.
    """
    if isinstance(value, float) and not isinstance(value, bool):
        return value.is_integer() and abs(value) >= 1e15 and int(value) % 10 == 0
    if isinstance(value, str) and ("e" in value or "E" in value):
        return bool(_SCIENTIFIC.match(value.strip().replace(" ", "")))
    return False


def _region_problem(digits: str, prefix: str) -> Problem | None:
    """Province must exist; kabupaten/kota and kecamatan codes are never 00."""
    province, kabupaten, kecamatan = int(digits[0:2]), digits[2:4], digits[4:6]
    region = f"{digits[0:2]}.{kabupaten}.{kecamatan}"
    if province not in PROVINCES:
        return Problem("error", f"{prefix}.region", {"value": region, "part": "province"})
    if kabupaten == "00":
        return Problem("error", f"{prefix}.region", {"value": region, "part": "kabupaten"})
    if kecamatan == "00":
        return Problem("error", f"{prefix}.region", {"value": region, "part": "kecamatan"})
    return None


def _exists(day: int, month: int, yy: int) -> bool:
    """The day exists in 19YY or 20YY (29 Feb 00 exists: 2000 was a leap year)."""
    for century in (1900, 2000):
        try:
            date(century + yy, month, day)
            return True
        except ValueError:
            continue
    return False


def _embedded(digits: str) -> tuple[int, int, int, int] | None:
    """(day, month, yy, sex) from positions 7-12 of a NIK, or None when no such date can exist."""
    dd, mm, yy = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    sex = 2 if dd > 40 else 1
    day = dd - 40 if sex == 2 else dd
    if not 1 <= day <= 31 or not 1 <= mm <= 12 or not _exists(day, mm, yy):
        return None
    return day, mm, yy, sex


def _format_problems(raw: object, digits: str, prefix: str) -> list[Problem]:
    """Length and digit errors shared by NIK and KK; a non-empty result stops further checks."""
    if _digits_lost(raw):
        return [Problem("error", f"{prefix}.scientific", {"value": str(raw).strip()})]
    problems: list[Problem] = []
    if len(digits) != 16:
        problems.append(Problem("error", f"{prefix}.length", {"value": digits, "length": len(digits)}))
    if digits and (not digits.isdigit() or not digits.isascii()):
        problems.append(Problem("error", f"{prefix}.digits", {"value": digits}))
    return problems


def check_nik(nik: str | int | float, *, birth_date: date | None = None, sex: int | None = None) -> list[Problem]:
    """Every problem with a NIK; errors make it impossible, warnings only disagree with other data.

    A leading 0 marks a temporary village number: it gets one warning and no region/date/serial checks.
    `birth_date` and `sex` (1 male, 2 female) are the recorded values to compare with the embedded ones.
    """
    digits = normalize_number(nik)
    problems = _format_problems(nik, digits, "nik")
    if problems:
        return problems
    if digits[0] == "0":
        return [Problem("warning", "nik.temporary", {"value": digits})]
    region = _region_problem(digits, "nik")
    if region is not None:
        problems.append(region)
    embedded = _embedded(digits)
    if embedded is None:
        problems.append(Problem("error", "nik.date", {"value": digits[6:12]}))
    if digits[12:16] == "0000":
        problems.append(Problem("error", "nik.serial", {"value": digits}))
    if embedded is None:
        return problems
    day, month, yy, nik_sex = embedded
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (day, month, yy):
        problems.append(Problem("warning", "nik.birth_date_mismatch", {
            "value": f"{day:02d}-{month:02d}-{yy:02d}", "expected": birth_date.strftime("%d-%m-%Y")}))
    if sex in (1, 2) and sex != nik_sex:
        problems.append(Problem("warning", "nik.sex_mismatch", {"value": nik_sex, "expected": sex}))
    return problems


def check_kk(kk: str | int | float) -> list[Problem]:
    """Every problem with a Nomor KK: 16 digits, a real region, a plausible DDMMYY registration date."""
    digits = normalize_number(kk)
    problems = _format_problems(kk, digits, "kk")
    if problems:
        return problems
    if digits[0] == "0":
        return [Problem("warning", "kk.temporary", {"value": digits})]
    region = _region_problem(digits, "kk")
    if region is not None:
        problems.append(region)
    day, month = int(digits[6:8]), int(digits[8:10])
    if not 1 <= day <= 31 or not 1 <= month <= 12:
        problems.append(Problem("error", "kk.date", {"value": digits[6:12]}))
    return problems


def birth_date_from_nik(nik: str | int | float, *, today: date | None = None) -> date | None:
    """The birth date inside a NIK, or None for invalid or temporary numbers.

    Two digits of year are ambiguous: the latest century that is not in the future wins (a "05" is 2005
    today, an "80" 1980), falling back to the other century when 29 February does not exist in the first.
    """
    digits = normalize_number(nik)
    if len(digits) != 16 or not (digits.isdigit() and digits.isascii()) or digits[0] == "0":
        return None
    embedded = _embedded(digits)
    if embedded is None:
        return None
    day, month, yy, _ = embedded
    today = today or date.today()
    candidates = [2000 + yy, 1900 + yy] if 2000 + yy <= today.year else [1900 + yy, 2000 + yy]
    for year in candidates:
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return None


def sex_from_nik(nik: str | int | float) -> int | None:
    """1 (male) when the embedded day is 01..31, 2 (female) when it is 41..71, else None."""
    digits = normalize_number(nik)
    if len(digits) != 16 or not (digits.isdigit() and digits.isascii()) or digits[0] == "0":
        return None
    embedded = _embedded(digits)
    return embedded[3] if embedded else None


def mask_nik(nik: str | int | float) -> str:
    """"3204**********01": first 4 and last 2 digits visible, every other character a `*`, length kept.

    The first 4 digits (province + kabupaten) are shared by nearly everyone in a village, so they reveal
    nothing personal; the kecamatan and the embedded birth date (digits 5-12) do and are always hidden. The
    last 2 let an officer tell two people apart on a screen or a queue ticket. Numbers shorter than 10
    characters are masked completely, so a mask never shows more than 6 digits nor most of a short number.
    """
    digits = normalize_number(nik)
    if len(digits) < 10:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


mask_kk = mask_nik

MESSAGES_ID: dict[str, str] = {
    "nik.length": "NIK harus 16 angka, yang tertulis {length} karakter: {value}.",
    "nik.digits": "NIK hanya boleh berisi angka: {value}.",
    "nik.scientific": "NIK {value} tersimpan sebagai angka sehingga digit terakhirnya hilang. "
                      "Ketik ulang NIK sebagai teks (format sel Teks atau awali dengan ').",
    "nik.region": "Kode wilayah {value} pada NIK tidak ada.",
    "nik.date": "Tanggal lahir {value} di dalam NIK tidak mungkin.",
    "nik.serial": "Nomor urut 0000 pada NIK {value} tidak mungkin.",
    "nik.temporary": "NIK {value} adalah nomor sementara desa (diawali 0).",
    "nik.birth_date_mismatch": "Tanggal lahir di NIK ({value}) berbeda dengan tanggal lahir tercatat ({expected}).",
    "nik.sex_mismatch": "Jenis kelamin menurut NIK berbeda dengan jenis kelamin tercatat.",
    "kk.length": "Nomor KK harus 16 angka, yang tertulis {length} karakter: {value}.",
    "kk.digits": "Nomor KK hanya boleh berisi angka: {value}.",
    "kk.scientific": "Nomor KK {value} tersimpan sebagai angka sehingga digit terakhirnya hilang. "
                     "Ketik ulang sebagai teks.",
    "kk.region": "Kode wilayah {value} pada Nomor KK tidak ada.",
    "kk.date": "Tanggal pendaftaran {value} di dalam Nomor KK tidak mungkin.",
    "kk.temporary": "Nomor KK {value} adalah nomor sementara desa (diawali 0).",
}

MESSAGES_EN: dict[str, str] = {
    "nik.length": "A NIK has 16 digits; this one has {length} characters: {value}.",
    "nik.digits": "A NIK may contain digits only: {value}.",
    "nik.scientific": "NIK {value} was stored as a number and lost its last digit. "
                      "Type it again as text (Text cell format, or start it with ').",
    "nik.region": "The region code {value} in the NIK does not exist.",
    "nik.date": "The birth date {value} inside the NIK is impossible.",
    "nik.serial": "The serial number 0000 in NIK {value} is impossible.",
    "nik.temporary": "NIK {value} is a temporary village number (starts with 0).",
    "nik.birth_date_mismatch": "The birth date in the NIK ({value}) differs from the recorded birth date ({expected}).",
    "nik.sex_mismatch": "The sex according to the NIK differs from the recorded sex.",
    "kk.length": "A family card number has 16 digits; this one has {length} characters: {value}.",
    "kk.digits": "A family card number may contain digits only: {value}.",
    "kk.scientific": "Family card number {value} was stored as a number and lost its last digit. "
                     "Type it again as text.",
    "kk.region": "The region code {value} in the family card number does not exist.",
    "kk.date": "The registration date {value} inside the family card number is impossible.",
    "kk.temporary": "Family card number {value} is a temporary village number (starts with 0).",
}
