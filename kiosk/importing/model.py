"""What reading a resident spreadsheet gives back: rows with their spreadsheet row numbers, and problems.

Row numbers are the ones a person sees in Excel (header = 1 when it is on the first line), so a message
can say "row 17" and the operator finds it without counting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SourceFormat = Literal["excel", "siak"]
Level = Literal["error", "warning"]


class ImportFormatError(Exception):
    """The file as a whole cannot be read; `key`/`params` say why in words for the operator."""

    def __init__(self, key: str, params: dict | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict = params or {}

    def __repr__(self) -> str:
        return f"ImportFormatError({self.key!r}, {self.params!r})"


@dataclass
class SourceRow:
    """One person: the spreadsheet row number and the canonical values keyed by the 43 column names."""

    row_number: int
    values: dict[str, object]


@dataclass(frozen=True)
class RowProblem:
    """One finding in one cell; params always include "column" so message templates can name it."""

    row_number: int
    column: str
    level: Level
    key: str
    params: dict = field(default_factory=dict)


@dataclass
class ReadResult:
    """Everything read from one file; nothing is written anywhere until the caller decides to."""

    source_format: SourceFormat
    rows: list[SourceRow]
    problems: list[RowProblem]

    @property
    def error_count(self) -> int:
        """Errors block an import; warnings only inform."""
        return sum(1 for p in self.problems if p.level == "error")
