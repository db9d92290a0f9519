"""Population registers (Buku Administrasi Desa) as PDF: an HTML page laid out by WeasyPrint.

HTML + CSS rather than drawing with a PDF library because a register is a long table: WeasyPrint breaks it
over pages, repeats the header row on each page and numbers the pages ("Halaman X dari Y") from CSS alone,
and the layout stays editable by someone who knows HTML. Input is plain data (`RegisterTable`,
`RegisterHeader`) so this module never needs `kiosk`; WeasyPrint is imported only when a PDF is made,
because importing it costs about a second that pages not printing anything should not pay.
"""

from __future__ import annotations

import functools
import gc
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

TEMPLATES = Path(__file__).with_name("templates")
FONT_PT = 9  # table text
MIN_FONT_PT = 7  # the smallest a too-wide table may shrink to
HEADING_SCALE = 1.05  # bold 8.5 pt heading text against regular 9 pt
HYPHENATE_FROM = 12  # only heading words this long may be hyphenated ("Kewarga-negaraan"); the CSS agrees
MARGINS_MM = (12, 10, 14, 12)  # top, right, bottom, left: the template's @page margin
FONT_DIRS = ("/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/liberation")

# Landscape page sizes in millimetres (width, height). F4 (215 x 330 mm) is what village offices print on.
PAPERS: dict[str, tuple[int, int]] = {"F4": (330, 215), "A4": (297, 210)}


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


def register_html(table: RegisterTable, header: RegisterHeader, paper: str = "F4") -> str:
    """The HTML WeasyPrint lays out (also handy to look at in a browser when adjusting the layout)."""
    width, height = page_size_mm(paper)
    available_mm = width - MARGINS_MM[1] - MARGINS_MM[3]
    widths, font_pt = column_layout(table, available_mm)
    groups = table.column_groups or []
    # A one-column group without a label (the rekapitulasi's "Bulan") spans both heading rows instead.
    tall = {sum(span for _, span in groups[:i]) for i, (label, span) in enumerate(groups) if not label and span == 1}
    context: dict[str, Any] = {
        "table": table, "header": header, "width": width, "height": height, "widths": widths,
        "numeric": set(table.numeric_columns), "margins": MARGINS_MM, "font_pt": font_pt,
        "hyphenate_from": HYPHENATE_FROM, "tall": tall,
    }
    return _environment().get_template("register.html").render(**context)


def column_layout(table: RegisterTable, available_mm: float) -> tuple[list[float], float]:
    """Percent widths like a browser's automatic table layout, and the font size that makes them fit.

    WeasyPrint is only fast on long tables with `table-layout: fixed` (it never measures every cell), so
    we measure, once, on a sample of rows: every column gets at least its longest word (no word or number
    is cut; long heading words may be hyphenated), and the fewest lines per row that fit the page decide
    the rest, because layout time and the number of pages both grow with the lines. A table whose words
    alone are wider than the page (the 31-column rekapitulasi of a big village) gets a smaller font, down
    to `MIN_FONT_PT`, rather than numbers broken over two lines.
    """
    sample = table.rows[:400] + table.rows[-20:] + ([table.totals] if table.totals else [])
    pad = 0.8  # cell padding (2 x 1 mm) and borders, in em, with a little room for rounding
    minimum, natural = [], []
    for index, title in enumerate(table.columns):
        cells = [row[index] for row in sample if index < len(row)]
        words = [_text_em(w) for text in cells for w in text.split()]
        heading = [_text_em(w) * HEADING_SCALE / 2 + 0.5 if len(w) >= HYPHENATE_FROM else _text_em(w) * HEADING_SCALE
                   for w in title.split()]  # a long word split in two halves, plus the hyphen
        minimum.append(max(words + heading + [1.0]) + pad)
        natural.append(max([_text_em(c) for c in cells] + [0.0]) + pad)
    available_em = available_mm / (FONT_PT * 25.4 / 72)
    font_pt = float(FONT_PT)
    if sum(minimum) > available_em:
        font_pt = max(MIN_FONT_PT, round(FONT_PT * available_em / sum(minimum) - 0.05, 1))
        available_em = available_mm / (font_pt * 25.4 / 72)
    widths = minimum
    for lines in range(1, 7):
        candidate = [max(m, (n - pad) / lines + pad) for m, n in zip(minimum, natural)]
        if sum(candidate) <= available_em:
            widths = candidate
            break
    # What is left goes to the columns that still wrap, so fewer of their rows need the extra line.
    want = [max(0.0, n - w) for n, w in zip(natural, widths)]
    spare = available_em - sum(widths)
    if spare > 0 and sum(want) > 0:
        widths = [w + spare * x / sum(want) for w, x in zip(widths, want)]
    total = sum(widths) or 1.0
    return [round(100 * w / total, 3) for w in widths], font_pt


def _text_em(text: str) -> float:
    """Width of `text` in em in Liberation Sans (Arial's metrics); 0.56 em for unknown characters."""
    advances = _advances()
    return sum(advances.get(ch, 0.56) for ch in text)


@functools.lru_cache(maxsize=1)
def _advances() -> dict[str, float]:
    """Character widths read from the installed font once; an estimate when the font is missing."""
    for folder in FONT_DIRS:
        path = Path(folder) / "LiberationSans-Regular.ttf"
        if path.exists():
            from fontTools.ttLib import TTFont  # noqa: PLC0415 - installed with WeasyPrint

            font = TTFont(str(path), lazy=True)
            metrics, units = font["hmtx"], font["head"].unitsPerEm
            return {chr(code): metrics[glyph][0] / units for code, glyph in font.getBestCmap().items()
                    if code < 0x3000}
    return {}


def render_register_pdf(table: RegisterTable, header: RegisterHeader, paper: str = "F4") -> bytes:
    """The register as PDF bytes: title block, the table over as many pages as needed, signature block.

    Slow for big books (WeasyPrint lays out every cell in Python: roughly 20 ms and 0.3 MB per 13-column
    row on a small machine), so callers run it off the event loop.
    """
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when printing

    html = register_html(table, header, paper)
    with _collector_paused():
        return HTML(string=html, base_url=str(TEMPLATES)).render().write_pdf()


_pause_lock = threading.Lock()
_pause_state = {"renders": 0, "was_enabled": True}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while WeasyPrint builds its box tree.

    The layout allocates millions of long-lived objects that the collector keeps rescanning, which costs
    a third of the time on long registers. Nothing leaks: the boxes are freed by reference counting, and
    the collector comes back as it was once the last concurrent render ends.
    """
    with _pause_lock:
        if _pause_state["renders"] == 0:
            _pause_state["was_enabled"] = gc.isenabled()
            gc.disable()
        _pause_state["renders"] += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause_state["renders"] -= 1
            if _pause_state["renders"] == 0 and _pause_state["was_enabled"]:
                gc.enable()
