"""A population register as an Excel workbook, for offices that keep or adjust their books in a spreadsheet.

Same `RegisterTable` as the PDF, so screen, paper and spreadsheet never disagree. Identity numbers stay text
cells (a 16-digit NIK stored as a number loses its last digit in Excel); counts are numbers so the office
can add them up. The sheet is set up to print like the PDF: landscape on F4 (Excel's "Folio", 8.5 x 13 in)
or A4, one page wide, the header row repeated on every page and "Halaman X dari Y" in the footer.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from printing.register_pdf import RegisterHeader, RegisterTable

# Excel's paper size codes: 14 is Folio (216 x 330 mm), what F4 is called there; 9 is A4.
PAPER_CODES: dict[str, int] = {"F4": 14, "A4": 9}
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", start_color="E8E8E8")
_WRAP_TOP = Alignment(wrap_text=True, vertical="top")
_HEAD_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")
_CELL, _TOTAL = "Register", "Register Jumlah"


def register_xlsx(table: RegisterTable, header: RegisterHeader, paper: str = "F4") -> bytes:
    """The register as .xlsx bytes: title block, bold frozen header row, the rows, totals, signature."""
    book = Workbook()
    sheet = book.active
    sheet.title = table.title[:31]
    width = max(1, len(table.columns))
    row = _title_block(sheet, table, header, width)
    first_header = row
    if table.column_groups:
        column = 1
        for text, span in table.column_groups:
            _heading(sheet, row, column, text)
            if span > 1:
                sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + span - 1)
            column += span
        row += 1
    for column, text in enumerate(table.columns, start=1):
        _heading(sheet, row, column, text)
    header_row = row
    numeric = set(table.numeric_columns)
    for name, bold in ((_CELL, False), (_TOTAL, True)):
        book.add_named_style(NamedStyle(name=name, font=Font(bold=bold), border=_BORDER, alignment=_WRAP_TOP))
    for values in table.rows:
        row += 1
        _data_row(sheet, row, values, numeric, _CELL)
    if table.totals:
        row += 1
        _data_row(sheet, row, table.totals, numeric, _TOTAL)
    _signature(sheet, row + 2, header, width)
    _column_widths(sheet, table)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _print_setup(sheet, paper, first_header, header_row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _title_block(sheet: Worksheet, table: RegisterTable, header: RegisterHeader, width: int) -> int:
    """Title, village and period over the table's full width; returns the first row after it."""
    place = ", ".join(part for part in (f"Desa {header.desa}" if header.desa else "",
                                        f"Kecamatan {header.kecamatan}" if header.kecamatan else "",
                                        f"Kabupaten {header.pemerintah_kabupaten}"
                                        if header.pemerintah_kabupaten else "") if part)
    lines = [(table.title.upper(), Font(bold=True, size=14)), (place, Font(bold=True, size=11)),
             (table.subtitle, Font(size=10))]
    for number, (text, font) in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=text)
        cell.font = font
        cell.alignment = Alignment(horizontal="center")
        if width > 1:
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    return len(lines) + 2


def _heading(sheet: Worksheet, row: int, column: int, text: str) -> None:
    cell = sheet.cell(row=row, column=column, value=text)
    cell.font = Font(bold=True)
    cell.fill = _HEAD_FILL
    cell.alignment = _HEAD_ALIGN
    cell.border = _BORDER


def _data_row(sheet: Worksheet, row: int, values: list[str], numeric: set[int], style: str) -> None:
    """Text stays text (NIK, KK, RT 001); numeric columns become numbers when they are plain digits.

    One named style per cell instead of setting border, alignment and font one by one: openpyxl hashes
    every style object it is given, and for 130,000 cells that alone took seconds.
    """
    for index, value in enumerate(values):
        content: str | int = int(value) if index in numeric and value.isdigit() else value
        cell = sheet.cell(row=row, column=index + 1, value=content)
        cell.style = style
        if isinstance(content, str) and content.startswith("="):
            cell.data_type = "s"  # text typed by a person, never a formula in the office's Excel


def _signature(sheet: Worksheet, row: int, header: RegisterHeader, width: int) -> None:
    """Place, date, title, room to sign and the name (or a dotted line), under the table's right part."""
    column = max(1, width - 2)
    for offset, text in ((0, header.place_date), (1, header.signer_title),
                         (5, header.signer_name or "(..........................................)")):
        cell = sheet.cell(row=row + offset, column=column, value=text)
        cell.font = Font(bold=offset == 5, underline="single" if offset == 5 and header.signer_name else None)


def _column_widths(sheet: Worksheet, table: RegisterTable) -> None:
    """Widths in characters from the longest text in a sample of rows, within readable limits."""
    sample = table.rows[:500] + table.rows[-20:] + ([table.totals] if table.totals else [])
    for index, title in enumerate(table.columns):
        longest = max([len(word) for word in title.split()] + [len(r[index]) for r in sample if index < len(r)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest + 2, 5), 45)


def _print_setup(sheet: Worksheet, paper: str, first_header: int, header_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_CODES.get(paper.strip().upper(), PAPER_CODES["F4"])
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{first_header}:{header_row}"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.oddFooter.center.text = "Halaman &P dari &N"
    sheet.oddFooter.center.size = 8
