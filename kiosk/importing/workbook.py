"""Opening a spreadsheet file and finding the sheet and header row that hold residents.

python-calamine reads .xlsx, .xlsm and .xls. The file is opened by its content, not its name, so an .xls
saved as .xlsx still reads; anything that is not a spreadsheet becomes one ImportFormatError instead of a
traceback, because the operator can only act on "this is not a spreadsheet", not on a zip error.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from kiosk.importing.columns import COLUMNS, REQUIRED
from kiosk.importing.model import ImportFormatError, SourceFormat
from kiosk.importing.siak import HEADERS as SIAK_HEADERS
from kiosk.importing.siak import REQUIRED_HEADERS as SIAK_REQUIRED
from kiosk.importing.siak import header_key

EXTENSIONS = (".xlsx", ".xlsm", ".xls")
HEADER_SEARCH_ROWS = 10
PREFERRED_SHEET = "data penduduk"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")  # an Office file saved with a password


@dataclass
class Table:
    """The rows of the chosen sheet (index 0 = spreadsheet row 1) and where its header is."""

    source_format: SourceFormat
    sheet: str
    header_index: int
    # canonical column -> column index in the sheet; extra columns the sheet has are ignored
    columns: dict[str, int]
    # header key -> column index for SIAK helper columns such as "Desa/Kel"
    extra: dict[str, int]
    rows: list[list[object]]


def _open(path: Path) -> CalamineWorkbook:
    """The workbook, or ImportFormatError("import.not_spreadsheet") with a short reason."""
    if path.suffix.lower() not in EXTENSIONS:
        raise ImportFormatError("import.extension", {"value": path.suffix or path.name,
                                                     "allowed": ", ".join(EXTENSIONS)})
    try:
        data = path.read_bytes()
    except OSError:
        raise ImportFormatError("import.not_spreadsheet", {"reason": "unreadable"}) from None
    if not data:
        raise ImportFormatError("import.not_spreadsheet", {"reason": "empty"})
    if data.startswith(_OLE_MAGIC) and _ENCRYPTED_MARK in data[:1 << 20]:
        raise ImportFormatError("import.not_spreadsheet", {"reason": "encrypted"})
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises several unrelated types for broken files
        reason = "encrypted" if "password" in str(exc).lower() else "corrupt"
        raise ImportFormatError("import.not_spreadsheet", {"reason": reason}) from None


def _read_sheet(book: CalamineWorkbook, name: str) -> list[list[object]]:
    """Rows from the top-left cell A1, so list indexes map to the row numbers people see.

    Calamine parses the whole sheet when it is opened, so the sheet is read once and the header search
    looks at the first rows of that list.
    """
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:
        raise ImportFormatError("import.not_spreadsheet", {"reason": "corrupt"}) from None


def _classify(header: list[object]) -> SourceFormat | None:
    """"siak" for "NIK" with "Nama Penduduk" or "Nomor KK"; "excel" for lower-case "nik" and "nama"."""
    keys = {header_key(cell) for cell in header if isinstance(cell, str)}
    if "nik" in keys and ("namapenduduk" in keys or "nomorkk" in keys):
        return "siak"
    exact = {cell.strip().casefold() for cell in header if isinstance(cell, str)}
    if "nik" in exact and "nama" in exact:
        return "excel"
    return None


def _map_excel(header: list[object]) -> dict[str, int]:
    wanted = set(COLUMNS)
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = str(cell).strip().casefold() if isinstance(cell, str) else ""
        if name in wanted and name not in found:
            found[name] = index
    return found


def _map_siak(header: list[object]) -> tuple[dict[str, int], dict[str, int]]:
    found: dict[str, int] = {}
    extra: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = header_key(cell) if isinstance(cell, str) else ""
        column = SIAK_HEADERS.get(key)
        if column and column not in found:
            found[column] = index
        elif key and key not in extra:
            extra[key] = index
    return found, extra


def _sheet_order(book: CalamineWorkbook) -> list[str]:
    """Every sheet, "Data Penduduk" first: it is where the Excel format keeps its people."""
    return sorted(book.sheet_names, key=lambda n: n.strip().casefold() != PREFERRED_SHEET)


def load_table(path: Path) -> Table:
    """The first sheet whose header (within the first 10 rows) is the Excel or the SIAK format."""
    book = _open(path)
    best_missing: list[str] | None = None
    try:
        for name in _sheet_order(book):
            rows = _read_sheet(book, name)
            for header_index, header in enumerate(rows[:HEADER_SEARCH_ROWS]):
                source_format = _classify(header)
                if source_format is None:
                    present = {str(c).strip().casefold() for c in header if isinstance(c, str)}
                    missing = [c for c in REQUIRED if c not in present]
                    if len(missing) < len(REQUIRED) and (best_missing is None or len(missing) < len(best_missing)):
                        best_missing = missing
                    continue
                if source_format == "siak":
                    columns, extra = _map_siak(header)
                    missing = [SIAK_REQUIRED[c] for c in REQUIRED if c not in columns]
                else:
                    columns, extra = _map_excel(header), {}
                    missing = [c for c in REQUIRED if c not in columns]
                if missing:
                    raise ImportFormatError("import.columns_missing", {"columns": ", ".join(missing)})
                return Table(source_format, name, header_index, columns, extra, rows)
    finally:
        book.close()
    raise ImportFormatError("import.columns_missing", {"columns": ", ".join(best_missing or REQUIRED)})
