"""Turning one spreadsheet cell into its canonical value, with at most one problem per cell.

A cell may hold text, an int, a float, a date, a datetime or a time depending on who typed it and which
program saved it. Each converter accepts all of them and says what it could not understand instead of
guessing, so the operator sees the cell to fix.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from typing import Callable

from kiosk.identity import normalize_number
from kiosk.importing.codes import code_for_label, is_code

# (level, key, params) of a cell problem; params get the column added by the reader.
CellProblem = tuple[str, str, dict]
Converted = tuple[object, CellProblem | None]
Converter = Callable[[object], Converted]

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 29 Feb 1900
_MAX_SERIAL = 2958465  # 9999-12-31
_DMY = re.compile(r"^(\d{1,2})[-/](\d{1,2})[-/](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_PLACEHOLDERS = frozenset({"", "-", "--"})


def is_blank(raw: object) -> bool:
    """Empty cells, whitespace and the lone "-" that registers use for "nothing"."""
    if raw is None or raw == "":
        return True
    if isinstance(raw, str):
        return raw.strip() in _PLACEHOLDERS
    return isinstance(raw, float) and math.isnan(raw)


def shown(raw: object) -> str:
    """A cell value as the operator would recognise it in a message (2.0 -> "2")."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (date, datetime)):
        return raw.isoformat()
    return str(raw).strip()


def to_text(raw: object) -> Converted:
    """Stripped text; numbers lose a ".0" tail; a date where text belongs is kept as ISO with a warning."""
    if is_blank(raw):
        return None, None
    if isinstance(raw, str):
        return raw.strip(), None
    if isinstance(raw, (date, datetime)):
        text = (raw.date() if isinstance(raw, datetime) else raw).isoformat()
        return text, ("warning", "text.date", {"value": text})
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return normalize_number(raw), None
    return str(raw).strip(), None


def to_identity(raw: object) -> Converted:
    """A NIK/KK as digit strings; the identity checks report what is wrong with it."""
    if is_blank(raw):
        return None, None
    return normalize_number(raw) or None, None


def parse_date(raw: object) -> date | None:
    """A date from a date/datetime cell, an Excel serial, or "dd-mm-yyyy", "dd/mm/yyyy", "yyyy-mm-dd"."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, bool) or isinstance(raw, (time, timedelta)):
        return None
    if isinstance(raw, (int, float)):
        if not (isinstance(raw, int) or raw.is_integer()) or not 1 <= raw <= _MAX_SERIAL:
            return None
        return _EXCEL_EPOCH + timedelta(days=int(raw))
    text = str(raw).strip()
    try:
        match = _DMY.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = _YMD.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def to_date(raw: object) -> Converted:
    """A `datetime.date`, or None with "date.invalid" for anything not clearly a date."""
    if is_blank(raw):
        return None, None
    value = parse_date(raw)
    if value is None:
        return None, ("error", "date.invalid", {"value": shown(raw)})
    return value, None


def code_converter(list_name: str) -> Converter:
    """A converter for one code list: numbers must be codes of the list, text must match a label.

    A column holds few distinct values (2.0, 1.0, "Islam"), so results are memoized per converter: a
    10,000-row file then costs one dictionary look-up per code cell.
    """
    memo: dict[object, Converted] = {}

    def convert(raw: object) -> Converted:
        if isinstance(raw, bool):  # True == 1 would hit the memo of code 1
            return None, ("error", "code.unknown", {"value": shown(raw)})
        try:
            return memo[raw]
        except KeyError:
            pass
        except TypeError:  # unhashable: never from a spreadsheet, but stay total
            return _convert_code(list_name, raw)
        result = _convert_code(list_name, raw)
        if len(memo) < 1000:
            memo[raw] = result
        return result

    return convert


def _convert_code(list_name: str, raw: object) -> Converted:
    """The uncached conversion behind `code_converter`."""
    if is_blank(raw):
        return None, None
    code: int | None = None
    if isinstance(raw, int):
        code = raw
    elif isinstance(raw, float):
        code = int(raw) if raw.is_integer() else None
    elif isinstance(raw, str):
        text = raw.strip()
        if text.isdigit() and text.isascii():  # "²".isdigit() is True but int("²") raises
            code = int(text)
        elif text.endswith(".0") and text[:-2].isdigit() and text.isascii():
            code = int(text[:-2])
        else:
            code = code_for_label(list_name, text)
    if code is None or not is_code(list_name, code):
        return None, ("error", "code.unknown", {"value": shown(raw)})
    return code, None


def to_area(raw: object) -> Converted:
    """RW/RT as 3-digit strings ("2" -> "002"); anything else is kept as typed with a warning."""
    if is_blank(raw):
        return None, None
    text = normalize_number(raw) if isinstance(raw, (int, float)) else str(raw).strip()
    if text.isdigit() and text.isascii() and len(text) <= 3:
        return text.zfill(3), None
    return text, ("warning", "area.invalid", {"value": shown(raw)})


def coordinate_converter(limit: float) -> Converter:
    """Latitude (|x| <= 90) or longitude (|x| <= 180) as float; a comma decimal separator is accepted."""

    def convert(raw: object) -> Converted:
        if is_blank(raw):
            return None, None
        try:
            value = float(raw.replace(",", ".").strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = math.nan
        if math.isnan(value) or abs(value) > limit or isinstance(raw, bool):
            return None, ("warning", "coordinate.invalid", {"value": shown(raw)})
        return value, None

    return convert
