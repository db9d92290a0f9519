"""/manifest.webmanifest and its icons: a resident can put the phone pages on the home screen.

The icons are the village logo when the admin uploaded one (on white, so a transparent logo still shows on
a dark launcher), else a drawn Balai pavilion on the app's teal. They are drawn with Pillow on the first
request and kept in memory until the logo changes: nothing to ship, nothing on disk.
"""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

from fastapi.responses import Response
from nicegui import app, run
from PIL import Image, ImageDraw

from kiosk.context import AppContext
from kiosk.i18n import Translator
from kiosk.services import village, village_logo

MANIFEST_PATH = "/manifest.webmanifest"
ICON_PATH = "/m/icon-{size}.png"
ICON_SIZES = (180, 192, 512)          # 180: apple-touch-icon; 192 and 512: what Android asks a manifest for
THEME_COLOUR = "#115e59"
BACKGROUND_COLOUR = "#f0fdfa"
SHORT_NAME_MAX = 12                   # longer short names are cut off under the launcher icon
_TEAL = (17, 94, 89)
_WHITE = (255, 255, 255)
_SUPERSAMPLE = 4


def manifest_data(village_name: str, t: Translator) -> dict[str, Any]:
    """The manifest: standalone, opening the phone home page, in the app's colours."""
    name = t("phones.app_name", village=village_name) if village_name else "Balai"
    short = village_name if village_name and len(village_name) <= SHORT_NAME_MAX else "Balai"
    return {
        "id": "/m",
        "name": name,
        "short_name": short,
        "description": t("phones.home_intro"),
        "lang": t.lang,
        "start_url": "/m",
        "scope": "/m",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": ICON_PATH.format(size=size), "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any"} for size in ICON_SIZES if size != 180],
    }


def _png(image: Image.Image) -> bytes:
    """Optimised PNG: a phone on weak office Wi-Fi downloads the 512 px icon once, small is kind."""
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def builtin_icon(size: int) -> bytes:
    """A white pavilion (balai: roof, four posts, a raised floor) on teal, kept inside the central 80% so
    launchers that cut a circle out of it keep the whole drawing. Drawn large and scaled down for smooth
    edges."""
    big = 512 * _SUPERSAMPLE
    image = Image.new("RGB", (big, big), _TEAL)
    draw = ImageDraw.Draw(image)

    def box(*points: float) -> list[float]:
        return [p * _SUPERSAMPLE for p in points]

    draw.polygon(box(256, 120, 400, 214, 112, 214), fill=_WHITE)             # upper roof
    draw.polygon(box(150, 214, 362, 214, 412, 262, 100, 262), fill=_WHITE)   # lower, wider roof
    for x in (150, 206, 290, 346):                                           # four posts
        draw.rectangle(box(x, 262, x + 16, 356), fill=_WHITE)
    draw.rectangle(box(120, 356, 392, 376), fill=_WHITE)                     # raised floor
    draw.rectangle(box(100, 376, 412, 392), fill=_WHITE)                     # step
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


def logo_icon(logo: bytes, size: int) -> bytes | None:
    """The uploaded logo fitted on a white square (opaque: iOS paints a transparent icon black), or None
    when the stored file cannot be read (then the built-in icon is used)."""
    try:
        with Image.open(io.BytesIO(logo)) as source:
            picture = source.convert("RGBA")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    inner = round(size * 0.76)
    picture.thumbnail((inner, inner), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (size, size), _WHITE)
    canvas.paste(picture, ((size - picture.width) // 2, (size - picture.height) // 2), picture)
    return _png(canvas)


class IconCache:
    """Icons by size, drawn once per logo version (the logo file's modification time and size)."""

    def __init__(self, logo_file: Path) -> None:
        self.logo_file = logo_file
        self._items: dict[int, tuple[object, bytes]] = {}
        self._lock = threading.Lock()

    def _stamp(self) -> object:
        """Which logo is on disk now; None when there is none (then the built-in icon)."""
        try:
            stat = self.logo_file.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def icon(self, size: int) -> bytes:
        """The PNG for `size`, drawn again only after the admin uploads or removes a logo."""
        stamp = self._stamp()
        with self._lock:
            found = self._items.get(size)
        if found is not None and found[0] == stamp:
            return found[1]
        logo = village_logo.read_logo(self.logo_file) if stamp is not None else None
        data = (logo_icon(logo, size) if logo else None) or builtin_icon(size)
        with self._lock:
            self._items[size] = (stamp, data)
        return data


def register(ctx: AppContext) -> None:
    """Public routes: the manifest and its icons carry nothing personal (village name and logo only)."""
    icons = IconCache(ctx.settings.data_dir / "logo.png")

    @app.get(MANIFEST_PATH, include_in_schema=False)
    def web_app_manifest() -> Response:
        info = village.get_village()
        data = manifest_data(info.name if info else "", Translator(ctx.settings.language))
        return Response(json.dumps(data, ensure_ascii=False), media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    @app.get(ICON_PATH, include_in_schema=False)
    async def web_app_icon(size: int) -> Response:
        if size not in ICON_SIZES:
            return Response(status_code=404)
        data = await run.io_bound(icons.icon, size)
        return Response(data, media_type="image/png", headers={
            "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})
