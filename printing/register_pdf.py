"""Population registers (Buku Administrasi Desa) as PDF: an HTML page laid out by WeasyPrint.

HTML + CSS rather than drawing with a PDF library because a register is a long table: WeasyPrint breaks it
over pages, repeats the header row on each page and numbers the pages ("Halaman X dari Y") from CSS alone,
and the layout stays editable by someone who knows HTML. Input is plain data (`RegisterTable`,
`RegisterHeader`) so this module never needs `kiosk`; WeasyPrint is imported only when a PDF is made,
because importing it costs about a second that pages not printing anything should not pay.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).with_name("templates")

# Landscape page sizes in millimetres (width, height). F4 (215 x 330 mm) is what village offices print on.
PAPERS: dict[str, tuple[int, int]] = {"F4": (330, 215), "A4": (297, 210)}

# Above this many rows the table is laid out in chunks of this size (see `_render_document`).
CHUNK_ROWS = 1500


@dataclass(frozen=True)
class RegisterTable:
    """One register as the office prints it: already formatted text, in Indonesian.

    `column_groups` optionally spans a header row over the columns ((label, span) pairs whose spans add up
    to the number of columns), for books such as the rekapitulasi whose sub-columns repeat ("L", "P").
    `numeric_columns` are right-aligned. `totals` is a last row in bold, as long as `columns`.
    """

    title: str
    subtitle: str
    columns: list[str]
    rows: list[list[str]]
    totals: list[str] | None = None
    column_groups: list[tuple[str, int]] | None = None
    numeric_columns: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RegisterHeader:
    """Who the register belongs to and who signs it; `signer_name` may be blank (a dotted line is printed)."""

    pemerintah_kabupaten: str
    kecamatan: str
    desa: str
    signer_title: str
    signer_name: str
    place_date: str


def page_size_mm(paper: str) -> tuple[int, int]:
    """(width, height) of the landscape page; unknown paper names are refused rather than guessed."""
    try:
        return PAPERS[paper.strip().upper()]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}: expected one of {', '.join(PAPERS)}") from None


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    """Built on first use (no import-time work); autoescape because names come from people and files."""
    environment = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                              trim_blocks=True, lstrip_blocks=True)
    environment.filters["css_string"] = css_string
    return environment


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string for the page footer: HTML escaping does not apply inside <style>."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>&\n\r' else c for c in str(text))
    return Markup(f'"{escaped}"')


def register_html(table: RegisterTable, header: RegisterHeader, paper: str = "F4",
                  rows: list[list[str]] | None = None, first: bool = True, last: bool = True) -> str:
    """The HTML WeasyPrint lays out; `rows`, `first` and `last` select one chunk of a long table."""
    width, height = page_size_mm(paper)
    widths = _column_widths(table)
    context: dict[str, Any] = {
        "table": table, "header": header, "rows": table.rows if rows is None else rows,
        "width": width, "height": height, "widths": widths, "first": first, "last": last,
        "numeric": set(table.numeric_columns),
    }
    return _environment().get_template("register.html").render(**context)


def _column_widths(table: RegisterTable) -> list[float]:
    """Percent widths from the longest text per column (sampled), so the fixed table layout looks natural.

    A fixed layout is what keeps WeasyPrint fast on thousands of rows: it never measures every cell.
    """
    sample = table.rows[:300] + ([table.totals] if table.totals else [])
    lengths = []
    for index, title in enumerate(table.columns):
        longest = max([len(word) for word in title.split()] + [min(len(row[index]), 40) for row in sample
                                                                if index < len(row)] or [1])
        lengths.append(max(3, min(longest, 40)))
    total = sum(lengths) or 1
    return [round(100 * n / total, 2) for n in lengths]


def render_register_pdf(table: RegisterTable, header: RegisterHeader, paper: str = "F4") -> bytes:
    """The register as PDF bytes: title block, the table over as many pages as needed, signature block."""
    return _render_document(table, header, paper).write_pdf()


def _render_document(table: RegisterTable, header: RegisterHeader, paper: str) -> Any:
    """Lay out the HTML; long tables in chunks whose pages are joined into one document.

    WeasyPrint's layout time grows faster than linearly with the size of one table, so 10,000 rows are
    laid out as several documents of `CHUNK_ROWS` rows and their pages concatenated. Each chunk starts on
    a new page, so the page breaks stay where they would have been. The footer's "Halaman X dari Y" is
    then filled in from the page's position in the joined document (see the template's running element).
    """
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when printing

    chunks = [table.rows[i:i + CHUNK_ROWS] for i in range(0, len(table.rows), CHUNK_ROWS)] or [[]]
    if len(chunks) == 1:
        return HTML(string=register_html(table, header, paper), base_url=str(TEMPLATES)).render()
    documents = [
        HTML(string=register_html(table, header, paper, rows=chunk, first=i == 0, last=i == len(chunks) - 1),
             base_url=str(TEMPLATES)).render()
        for i, chunk in enumerate(chunks)
    ]
    return _joined(documents)


def _joined(documents: list[Any]) -> Any:
    """One document with every chunk's pages, the footers renumbered across the whole register."""
    pages = [page for document in documents for page in document.pages]
    _renumber(pages)
    return documents[0].copy(pages)


def _renumber(pages: list[Any]) -> None:
    """Rewrite the footer text boxes marked with the page-number placeholder to the joined numbering."""
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        for box in _descendants(page._page_box):
            text = getattr(box, "text", None)
            if isinstance(text, str) and text.startswith("Halaman "):
                box.text = f"Halaman {number} dari {total}"


def _descendants(box: Any) -> Any:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _descendants(child)
