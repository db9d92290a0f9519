"""Attachments to a letter request (a photo of the KTP, a scanned PDF): checked by content, never by name.

Images are decoded and re-encoded as JPEG (which drops anything hidden after the pixels, EXIF with GPS
included); PDFs must parse as PDF. Files are stored under the data folder, which nothing serves, with
names we make up; the original file name is never used as a path.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.services.errors import ServiceError

MAX_PIXELS = 40_000_000
LONGEST_SIDE = 2000


@dataclass(frozen=True)
class CheckedFile:
    media_type: str     # image/jpeg or application/pdf
    extension: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_upload(data: bytes, max_bytes: int) -> CheckedFile:
    """The upload as something safe to keep, or ServiceError with a message for the person."""
    if not data:
        raise ServiceError("upload.empty")
    if len(data) > max_bytes:
        raise ServiceError("upload.too_large", status=413, max_mb=f"{max_bytes / 1_000_000:g}")
    if data.startswith(b"%PDF-"):
        return CheckedFile("application/pdf", "pdf", _checked_pdf(data))
    return CheckedFile("image/jpeg", "jpg", _reencoded_image(data))


def _checked_pdf(data: bytes) -> bytes:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if not 1 <= len(reader.pages) <= 50:
            raise ServiceError("upload.bad_pdf")
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise ServiceError("upload.bad_pdf") from error
    return data


def _reencoded_image(data: bytes) -> bytes:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"JPEG", "PNG", "WEBP", "GIF", "BMP"}:
                raise ServiceError("upload.bad_type")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            # Pixels only: Pillow writes a source JPEG's comment (and ICC data) back out from `info`, so a
            # script hidden in a COM segment would survive the re-encoding.
            image = Image.frombytes(image.mode, image.size, image.tobytes())
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise ServiceError("upload.bad_type") from error


def store(folder: Path, checked: CheckedFile) -> str:
    """Write under a new random name (0600, fsynced) and return that name."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    name = f"{uuid.uuid4().hex}.{checked.extension}"
    fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(checked.data)
        handle.flush()
        os.fsync(handle.fileno())
    return name


def read_stored(folder: Path, name: str) -> bytes:
    """A stored file by the name we gave it; anything that looks like a path is refused."""
    if "/" in name or "\\" in name or name.startswith("."):
        raise ServiceError("error.not_found", status=404)
    return (folder / name).read_bytes()
