"""Hostile files for the upload tests: scripts under image names, SVG with script, polyglots, lying names."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image

MARKERS = (b"<?php", b"<script", b"31337")
PHP = b"<?php echo 31337; system($_GET['c']); ?>"
HTML = b"<html><body><script>alert(31337)</script></body></html>"


def _image(kind: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 90)).save(out, kind)
    return out.getvalue()


def hostile_files() -> list[tuple[str, str, bytes]]:
    """(file name, content type the browser would claim, bytes)."""
    jpeg_with_comment = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 20, 20)).save(jpeg_with_comment, "JPEG", comment=PHP + HTML)
    return [
        ("shell.php", "application/x-php", PHP),
        ("shell.phtml", "application/x-httpd-php", PHP + HTML),
        ("gambar.svg", "image/svg+xml",
         b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(31337)</script></svg>'),
        ("poly.png", "image/png", _image("PNG") + PHP + HTML),
        ("poly.jpg", "image/jpeg", _image("JPEG") + PHP + HTML),
        ("komentar.jpg", "image/jpeg", jpeg_with_comment.getvalue()),
        ("poly.gif", "image/gif", b"GIF89a" + PHP + HTML),
        ("bohong.jpg", "image/jpeg", HTML + PHP),
        ("bohong.pdf", "application/pdf", b"%PDF-1.4\n" + HTML + PHP),
        ("bohong.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04" + PHP),
    ]


def leaks(root: Path) -> list[str]:
    """Files under `root` (the database aside) that hold a payload marker or are executable."""
    found: list[str] = []
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if name.startswith("balai.sqlite3") or path.is_symlink():
                continue
            if path.stat().st_mode & 0o111:
                found.append(f"executable: {path}")
            data = path.read_bytes()
            if any(marker in data for marker in MARKERS):
                found.append(f"payload kept: {path}")
    return found


def is_plain_jpeg(data: bytes) -> bool:
    """A re-encoded photo: JPEG from start to end marker, nothing hidden after it or in a comment."""
    return data.startswith(b"\xff\xd8") and data.rstrip(b"\x00").endswith(b"\xff\xd9") and \
        not any(marker in data for marker in MARKERS)
