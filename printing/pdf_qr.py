"""Read the QR codes embedded in a PDF, offline: what `balai verify letter.pdf` starts from.

A letter's QR is embedded as an image, so decoding the embedded images themselves (pypdf extracts them,
Pillow opens them, zxing-cpp decodes them) finds it exactly, without rasterising pages: no poppler, no
Ghostscript, no network. A scanned letter (one big photo per page) works too when the scan is sharp.
"""

from __future__ import annotations

import io
import logging

from PIL import Image

log = logging.getLogger(__name__)

MIN_SIDE_PIXELS = 21  # the smallest QR code (version 1) has 21 modules: smaller images cannot hold one


def qr_texts_in_pdf(pdf: bytes) -> list[str]:
    """Decoded texts of every QR code in the PDF's images, in page order, each text once.

    Raises ValueError when `pdf` is not a readable PDF; an image that cannot be decoded is skipped (a
    logo in an exotic format must not hide the QR next to it).
    """
    import zxingcpp  # noqa: PLC0415 - native library, loaded only when verifying
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.errors import PyPdfError  # noqa: PLC0415

    if b"%PDF-" not in bytes(pdf[:1024]):  # readers accept the header anywhere in the first kilobyte
        raise ValueError("not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(pdf))
        pages = list(reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ValueError(f"unreadable PDF: {exc}") from exc
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        for image in _page_images(page, number):
            for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
                if barcode.valid and barcode.text not in texts:
                    texts.append(barcode.text)
    return texts


def _page_images(page: object, number: int) -> list[Image.Image]:
    """The page's embedded images as 8-bit grey Pillow images, skipping any pypdf cannot decode."""
    images: list[Image.Image] = []
    try:
        files = list(page.images)  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - a damaged resource dictionary: no images on this page
        log.debug("page %d: cannot list images: %s", number, exc)
        return images
    for file in files:
        try:
            image = file.image
            if image is None or min(image.size) < MIN_SIDE_PIXELS:
                continue
            images.append(_grey(image))
        except Exception as exc:  # noqa: BLE001 - pypdf/Pillow raise many kinds for odd image formats
            log.debug("page %d: skipping image %s: %s", number, getattr(file, "name", "?"), exc)
    return images


def _grey(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white (a transparent QR background must read as light) and go grey."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("L")
