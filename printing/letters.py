"""Village letters (surat) as PDF: kop surat, title and number, body, signature block, optional QR.

Plain dataclasses in, PDF bytes out, laid out by WeasyPrint from letter.html + letter.css: the body comes
from the letter type's own (already rendered) template, so HTML is the natural common ground, and CSS
gives exact page sizes and margins in millimetres. Village offices print on F4 (215 x 330 mm) or A4, in
Liberation Sans (Arial's metrics: text set for Arial fits the same), 12 pt. This module knows
nothing of `kiosk`: numbering, signing and the QR payload are the caller's business.

A letter is rendered while a resident waits, so warm renders are kept cheap: one cached Jinja environment,
one cached WeasyPrint font configuration (fontconfig is asked once, not per letter), images as PNG data
URIs (nothing to fetch), the stylesheet parsed once, the QR image cached, and Python's collector paused
during layout as for registers. About 0.1 s per one-page letter on a small machine; the first render of
a process pays about a second more for imports and font discovery.
"""

from __future__ import annotations

import base64
import functools
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qrcode
import qrcode.constants
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from printing.register_pdf import _collector_paused

TEMPLATES = Path(__file__).with_name("templates")
# Portrait page sizes in millimetres (width, height).
PAPERS: dict[str, tuple[int, int]] = {"F4": (215, 330), "A4": (210, 297)}
QR_BOX_PIXELS = 4  # pixels per module in the embedded PNG: decodable from the PDF itself, sharp when printed
QR_BORDER_MODULES = 2  # the quiet zone inside the image; the page's white space around it adds to it

_render_lock = threading.Lock()  # the shared font configuration (a Pango font map) is not made for concurrent use


@dataclass(frozen=True)
class LetterHead:
    """The kop surat. Names are given as spoken ("Bandung") and printed in capitals with their level."""

    kabupaten: str
    kecamatan: str
    desa: str
    address: str
    logo_png: bytes | None = None


@dataclass(frozen=True)
class LetterSignature:
    """Who signs; `title` may span lines ("a.n. Kepala Desa\\nSekretaris Desa")."""

    place_date: str
    title: str
    name: str


@dataclass(frozen=True)
class LetterDocument:
    """One letter, ready to print. `body_html` is trusted HTML rendered (and escaped) by the caller.

    `number` None prints "Nomor: …/…/…" (not numbered yet). `qr_text` is only for signed letters, so a
    draft carrying one is refused rather than printed with a QR that would vouch for an unsigned text.
    """

    head: LetterHead
    title: str
    number: str | None
    body_html: str
    signature: LetterSignature
    qr_text: str | None = None
    qr_caption: str = "Pindai untuk memeriksa keaslian surat"
    paper: str = "F4"
    margins_mm: tuple[float, float, float, float] = (20, 20, 20, 30)  # top, right, bottom, left
    draft: bool = False


def page_size_mm(paper: str) -> tuple[int, int]:
    """(width, height) of the portrait page; an unknown paper name is refused rather than guessed."""
    try:
        return PAPERS[paper]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}: expected one of {', '.join(PAPERS)}") from None


def _check(doc: LetterDocument) -> None:
    """Refuse documents that cannot be printed as asked, before any layout work."""
    page_size_mm(doc.paper)
    if doc.draft and doc.qr_text:
        raise ValueError("a draft letter must not carry a verification QR code")
    if len(doc.margins_mm) != 4 or any(m < 0 for m in doc.margins_mm):
        raise ValueError(f"margins_mm must be four non-negative numbers, got {doc.margins_mm!r}")


@functools.lru_cache(maxsize=1)
def _environment() -> Environment:
    """Built on first use (no import-time work); autoescape because names come from people."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


@functools.lru_cache(maxsize=1)
def _css() -> Markup:
    """The stylesheet, inlined so the HTML stands alone (a browser shows the same letter)."""
    return Markup((TEMPLATES / "letter.css").read_text(encoding="utf-8"))


def _png_uri(png: bytes) -> str:
    """PNG bytes as a data URI: WeasyPrint embeds it without any URL fetching."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.lru_cache(maxsize=32)
def qr_png(text: str) -> bytes:
    """The QR code as a 1-bit PNG, error correction M (survives a stamp or a fold, stays small).

    Cached: choosing the mask costs ~40 ms in pure Python, and a letter is often rendered twice (print,
    then download) with the same QR.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX_PIXELS,
                         border=QR_BORDER_MODULES)
    code.add_data(text.encode("utf-8"))
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_title(doc: LetterDocument) -> str:
    """The PDF's metadata title: what a file manager or the print queue shows."""
    return f"{doc.title} {doc.number}" if doc.number else doc.title


def letter_html(doc: LetterDocument) -> str:
    """The HTML WeasyPrint lays out, stylesheet inlined: handy in a browser when adjusting the layout."""
    return _html(doc, inline_css=True)


def _html(doc: LetterDocument, inline_css: bool) -> str:
    """The letter's HTML; without the stylesheet when the renderer passes its parsed copy instead."""
    _check(doc)
    width, height = page_size_mm(doc.paper)
    context: dict[str, Any] = {
        "doc": doc, "width": width, "height": height, "margins": [f"{m:g}" for m in doc.margins_mm],
        "css": _css() if inline_css else "", "body": Markup(doc.body_html), "pdf_title": pdf_title(doc),
        "logo_uri": _png_uri(doc.head.logo_png) if doc.head.logo_png else None,
        "qr_uri": _png_uri(qr_png(doc.qr_text)) if doc.qr_text else None,
    }
    return _environment().get_template("letter.html").render(**context)


@functools.lru_cache(maxsize=1)
def _font_config() -> Any:
    """One WeasyPrint FontConfiguration for every letter: building one per render costs a fontconfig scan."""
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415 - heavy import, only when printing

    return FontConfiguration()


@functools.lru_cache(maxsize=1)
def _stylesheet() -> Any:
    """letter.css parsed once: parsing it for every letter was a quarter of a warm render.

    WeasyPrint applies it with "user" origin: still above its browser defaults, and the document's own
    <style> (which then holds only the @page size and margins) has nothing that competes with it.
    """
    from weasyprint import CSS  # noqa: PLC0415 - heavy import, only when printing

    return CSS(string=str(_css()), base_url=str(TEMPLATES), font_config=_font_config())


def render_letter_pdf(doc: LetterDocument) -> bytes:
    """The letter as PDF bytes. Blocking (about 0.1 s warm): callers run it off the event loop."""
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when printing

    html = _html(doc, inline_css=False)
    with _render_lock, _collector_paused():
        document = HTML(string=html, base_url=str(TEMPLATES)).render(font_config=_font_config(),
                                                                      stylesheets=[_stylesheet()])
        return document.write_pdf()
