"""Resident spreadsheets in and out: the Excel import format and SIAK exports become canonical rows.

Pure functions over files: nothing here touches the database, so a dry run costs nothing and the service
layer decides what to write. Code lists are loaded on first use, not at import.
"""

from __future__ import annotations

from kiosk.importing.columns import CODE_COLUMNS, COLUMNS, REQUIRED
from kiosk.importing.export import write_residents_csv, write_residents_xlsx
from kiosk.importing.messages import MESSAGES_EN, MESSAGES_ID
from kiosk.importing.model import ImportFormatError, ReadResult, RowProblem, SourceRow
from kiosk.importing.reader import read_residents

__all__ = [
    "CODE_COLUMNS", "COLUMNS", "REQUIRED", "ImportFormatError", "MESSAGES_EN", "MESSAGES_ID", "ReadResult",
    "RowProblem", "SourceRow", "read_residents", "write_residents_csv", "write_residents_xlsx",
]
