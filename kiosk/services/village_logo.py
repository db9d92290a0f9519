"""The village logo printed in the letterhead (kop surat): checked by content, stored as one PNG.

An uploaded PNG or JPEG is decoded with Pillow (anything else, or a file that only pretends to be an image,
is refused), shrunk to at most 600 px on its longest side and written again as PNG, which drops whatever
rode along after the pixels (EXIF, comments). The file is replaced atomically, so a power cut leaves the
old logo or the new one, never half of one. `LetterLayout` reads it from `data_dir / "logo.png"`.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.db import database
from kiosk.private_file import write_private
from kiosk.services import audit
from kiosk.services.errors import ServiceError

MAX_BYTES = 1_000_000
LONGEST_SIDE = 600
MAX_PIXELS = 40_000_000
FORMATS = {"PNG", "JPEG"}


def check_logo(data: bytes, max_bytes: int = MAX_BYTES) -> bytes:
    """The upload as a clean PNG of at most 600 px, or ServiceError ("logo.empty", "logo.too_large",
    "logo.bad_type") with a message for the admin."""
    if not data:
        raise ServiceError("logo.empty")
    if len(data) > max_bytes:
        raise ServiceError("logo.too_large", status=413, max_mb=f"{max_bytes / 1_000_000:g}")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise ServiceError("logo.bad_type")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            image = Image.frombytes(image.mode, image.size, image.tobytes())  # pixels only, no comments/profiles
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
            return out.getvalue()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ServiceError("logo.bad_type") from error



def save_logo(data: bytes, target: Path, *, actor: str, client: str = "", max_bytes: int = MAX_BYTES) -> int:
    """Check and store a new logo at `target` (the settings' data_dir / "logo.png"); returns the PNG's size."""
    png = check_logo(data, max_bytes)
    write_private(target, png)
    with database.atomic():
        audit.record(actor, "village.logo", target.name, f"{len(png)} bytes", client)
    return len(png)


def remove_logo(target: Path, *, actor: str, client: str = "") -> None:
    """Letters go back to a letterhead without a logo."""
    target.unlink(missing_ok=True)
    with database.atomic():
        audit.record(actor, "village.logo_removed", target.name, "", client)


def read_logo(target: Path) -> bytes | None:
    """The current logo's PNG bytes, or None when there is none."""
    try:
        return target.read_bytes()
    except FileNotFoundError:
        return None
