"""QR codes drawn in the page as inline SVG: crisp at any size and no image request."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from nicegui import ui


def qr_svg(text: str) -> str:
    """A fixed mask pattern: the library's search over all eight costs ~40 ms per code on the tap-to-number path
    (more on a Pi) for a score no phone camera notices."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2, mask_pattern=4,
                        error_correction=qrcode.constants.ERROR_CORRECT_M)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.find("<svg"):]


def qr_code(text: str, size_px: int = 160) -> ui.html:
    """Our own SVG, never user HTML: sanitizing would strip the drawing, so it is off here only."""
    return ui.html(qr_svg(text), sanitize=False).style(f"width:{size_px}px;height:{size_px}px;background:white") \
        .classes("[&>svg]:w-full [&>svg]:h-full")
