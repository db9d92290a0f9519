"""The queue ticket: one raster image, then ESC/POS bytes.

The whole ticket is drawn with Pillow instead of using the printer's built-in
text modes, because those only know a few legacy code pages: a village name
with "é", Javanese script or an emoji would either fail the job or print
garbage. As an image, any character at worst becomes a box, and the ticket
looks the same on every printer model.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass

import qrcode
import qrcode.constants
from qrcode.exceptions import DataOverflowError
from PIL import Image, ImageDraw, ImageFont

from printing.paper import PaperProfile

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

_FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/truetype/liberation",
)
_REGULAR_FILES: tuple[str, ...] = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf")
_BOLD_FILES: tuple[str, ...] = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf")

_BLACK = 0
_WHITE = 255


@dataclass(frozen=True)
class TicketContent:
    """Everything printed on a ticket, already formatted and translated.

    The caller owns language, time zone and URL building; this module only
    lays out strings, so it never needs to import kiosk or sync.
    """

    village_name: str
    service_name: str
    number: str
    issued_at: str
    ahead_text: str
    qr_url: str
    qr_caption: str
    footer: str
    # The office Wi-Fi, printed small under the status QR when the office has one: the `WIFI:` text for
    # the QR and the lines beside it ("Wi-Fi: <name>\nScan to connect"). Empty = no Wi-Fi block at all.
    wifi_qr: str = ""
    wifi_caption: str = ""


# --------------------------------------------------------------------- fonts


@functools.lru_cache(maxsize=2)
def _font_path(bold: bool) -> str | None:
    """Find the first installed TrueType font of the wanted weight.

    Cached because the answer cannot change while the appliance runs and a
    stat() per ticket line would be wasted work.
    """
    names = _BOLD_FILES if bold else _REGULAR_FILES
    for name in names:
        for folder in _FONT_DIRS:
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    return None


@functools.lru_cache(maxsize=64)
def _font(bold: bool, size: int) -> Font:
    """Load (once) a font at a pixel size, falling back to Pillow's own font.

    Parsing a TrueType file costs about a millisecond, several times per
    ticket, so fonts are cached by (weight, size). The BASIC layout engine is
    used because the tickets are Latin text and it is several times faster
    than Raqm; missing glyphs still render as boxes.
    """
    path = _font_path(bold)
    if path is not None:
        try:
            return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            pass
    return ImageFont.load_default(size=size)


# ---------------------------------------------------------------------- text


def _clean(text: str) -> str:
    """Make arbitrary caller text safe for Pillow without ever raising.

    Lone surrogates (from badly decoded input) would make FreeType encoding
    fail, and control characters draw as junk; both become harmless.
    """
    text = text.encode("utf-8", "replace").decode("utf-8").replace("\t", " ")
    return "".join(
        ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc"
    )


def _text_width(font: Font, text: str) -> float:
    """Advance width of a string, the measure used for wrapping and centring."""
    return font.getlength(text)


def _split_long_word(word: str, font: Font, max_width: int) -> list[str]:
    """Break a word wider than the paper into pieces that fit.

    Needed for long unbroken strings (URLs, scripts written without spaces):
    they must wrap rather than be clipped at the paper edge.
    """
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and _text_width(font, current + ch) > max_width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def _wrap(text: str, font: Font, max_width: int) -> list[str]:
    """Greedy word wrap to a pixel width, honouring explicit newlines."""
    lines: list[str] = []
    for paragraph in _clean(text).split("\n"):
        words = paragraph.split()
        current = ""
        for word in words:
            candidate = f"{current} {word}" if current else word
            if _text_width(font, candidate) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            pieces = _split_long_word(word, font, max_width)
            lines.extend(pieces[:-1])
            current = pieces[-1] if pieces else ""
        if current:
            lines.append(current)
    return lines


def _line_height(font: Font) -> int:
    """Distance between baselines of consecutive wrapped lines."""
    if isinstance(font, ImageFont.FreeTypeFont):
        ascent, descent = font.getmetrics()
        return ascent + descent
    left, top, right, bottom = font.getbbox("Ag")
    return bottom - top + 2


# --------------------------------------------------------------------- blocks
#
# A ticket is a vertical list of blocks. Each block knows its height before
# anything is drawn, so the canvas is allocated once at the exact size.


@dataclass(frozen=True)
class _TextBlock:
    """Centred, already wrapped lines in one font."""

    lines: tuple[str, ...]
    font: Font
    height: int

    def draw(self, canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        """Draw each line centred on the paper."""
        step = _line_height(self.font)
        for line in self.lines:
            x = (canvas.width - _text_width(self.font, line)) / 2
            draw.text((x, y), line, font=self.font, fill=_BLACK)
            y += step


@dataclass(frozen=True)
class _BigTextBlock:
    """One line drawn by its ink box, so a huge font wastes no paper."""

    text: str
    font: Font
    bbox: tuple[int, int, int, int]
    height: int

    def draw(self, canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        """Draw the text with its ink, not its line box, at the top of the block."""
        left, top, right, _ = self.bbox
        x = (canvas.width - (right - left)) / 2 - left
        draw.text((x, y - top), self.text, font=self.font, fill=_BLACK)


@dataclass(frozen=True)
class _RuleBlock:
    """A thin horizontal line separating sections."""

    margin: int
    thickness: int
    height: int

    def draw(self, canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        """Draw the rule vertically centred in its block."""
        top = y + (self.height - self.thickness) // 2
        draw.rectangle(
            (self.margin, top, canvas.width - self.margin - 1, top + self.thickness - 1),
            fill=_BLACK,
        )


@dataclass(frozen=True)
class _ImageBlock:
    """A pre-rendered picture (the QR code), centred."""

    image: Image.Image
    height: int

    def draw(self, canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        """Paste the picture centred on the canvas."""
        canvas.paste(self.image, ((canvas.width - self.image.width) // 2, y))


@dataclass(frozen=True)
class _Gap:
    """Vertical white space."""

    height: int

    def draw(self, canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        """Nothing to draw: the canvas is already white."""


@dataclass(frozen=True)
class _SideBlock:
    """A small QR on the left with a few lines of text beside it, vertically centred on each other.

    Side by side rather than stacked: the Wi-Fi block then costs the height of its QR only, and the
    58 mm ticket stays short.
    """

    image: Image.Image
    text: _TextBlock | _Gap
    margin: int
    gap: int
    height: int

    def draw(self, canvas: Image.Image, draw: ImageDraw.ImageDraw, y: int) -> None:
        """Paste the QR at the left margin and draw the lines left-aligned beside it."""
        canvas.paste(self.image, (self.margin, y + (self.height - self.image.height) // 2))
        if isinstance(self.text, _TextBlock):
            x = self.margin + self.image.width + self.gap
            line_y = y + (self.height - self.text.height) // 2
            for line in self.text.lines:
                draw.text((x, line_y), line, font=self.text.font, fill=_BLACK)
                line_y += _line_height(self.text.font)


_Block = _TextBlock | _BigTextBlock | _RuleBlock | _ImageBlock | _Gap | _SideBlock


def _text_block(text: str, font: Font, max_width: int) -> _TextBlock | _Gap:
    """Wrap text into a block; empty text takes no space at all."""
    lines = _wrap(text, font, max_width)
    if not lines:
        return _Gap(0)
    return _TextBlock(tuple(lines), font, _line_height(font) * len(lines))


def _number_block(number: str, max_width: int, max_size: int, min_size: int) -> _Block:
    """The queue number, as big as the paper allows.

    People read it from across the room when it is called, so the font size
    is fitted to the width (up to ``max_size``); a number too long even at
    ``min_size`` wraps like ordinary text instead of being clipped.
    """
    text = " ".join(_clean(number).split())
    if not text:
        return _Gap(0)
    reference = 100
    width_at_reference = _text_width(_font(True, reference), text) or 1.0
    size = int(reference * max_width / width_at_reference)
    size = max(min_size, min(max_size, size))
    font = _font(True, size)
    while size > min_size and _text_width(font, text) > max_width:
        size = max(min_size, int(size * 0.95))
        font = _font(True, size)
    if _text_width(font, text) > max_width:
        return _text_block(text, font, max_width)
    left, top, right, bottom = (int(v) for v in font.getbbox(text))
    return _BigTextBlock(text, font, (left, top, right, bottom), bottom - top)


def _qr_matrix(data: str) -> list[list[bool]] | None:
    """Encode ``data`` as a QR matrix including its 4-module quiet zone.

    Medium error correction survives smudges and thermal fade; a URL too long
    for that falls back to low correction. None means it cannot be encoded.
    The mask pattern is fixed: every reader handles all eight, and searching
    for the "best" one was ~40% of a ticket's render time on the kiosk's CPU.
    """
    for level in (qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_L):
        qr = qrcode.QRCode(error_correction=level, box_size=1, border=4, mask_pattern=4)
        qr.add_data(data)
        try:
            qr.make(fit=True)
        except (ValueError, DataOverflowError):
            continue
        return qr.get_matrix()
    return None


def _qr_image(data: str, max_width: int, max_module: int) -> Image.Image | None:
    """The QR as whole-dot modules no wider than ``max_width``, or None when no usable one fits.

    Modules are whole dots (nearest-neighbour scaling) so edges stay sharp on
    a thermal head; at least 3 dots per module is what phone cameras read
    reliably at arm's length.
    """
    matrix = _qr_matrix(data)
    if matrix is None:
        return None
    modules = len(matrix)
    module_px = min(max_module, max_width // modules)
    if module_px < 3:
        return None
    raw = bytes(_BLACK if dark else _WHITE for row in matrix for dark in row)
    small = Image.frombytes("L", (modules, modules), raw)
    size = modules * module_px
    return small.resize((size, size), Image.Resampling.NEAREST)


def _qr_block(url: str, max_width: int, max_module: int, fallback_font: Font) -> _Block:
    """The phone-status QR code, or the URL as text if no usable QR fits.

    Modules are whole dots (nearest-neighbour scaling) so edges stay sharp on
    a thermal head; at least 3 dots per module is what phone cameras read
    reliably at arm's length. A URL that cannot become such a code is still
    printed as text so the ticket is never lost over it.
    """
    url = _clean(url).strip()
    if not url:
        return _Gap(0)
    image = _qr_image(url, max_width, max_module)
    if image is not None:
        return _ImageBlock(image, image.height)
    return _text_block(url, fallback_font, max_width)


def _wifi_blocks(data: str, caption: str, margin: int, text_width: int, max_module: int,
                 font: Font) -> list[_Block]:
    """The office Wi-Fi: a small QR with its caption beside it.

    A long network name and password make a bigger code: wider than half the paper it goes under its
    caption instead, so the caption keeps a readable column. With no usable QR only the caption prints;
    the payload holds the password, so unlike the status URL it is never printed as text.
    """
    data = _clean(data).strip()
    if not data:
        return []
    image = _qr_image(data, text_width, max_module)
    if image is None:
        return [_text_block(caption, font, text_width)]
    gap = max(4, margin)
    if image.width > text_width // 2:
        return [_text_block(caption, font, text_width), _Gap(gap), _ImageBlock(image, image.height)]
    text = _text_block(caption, font, text_width - image.width - gap)
    return [_SideBlock(image, text, margin, gap, max(image.height, text.height))]


def _layout(content: TicketContent, width: int) -> list[_Block]:
    """Decide every block of the ticket for a paper width, top to bottom.

    Sizes are given for 58 mm (384 dots) and scaled, so an 80 mm ticket is
    the same design, larger, rather than a different layout to maintain.
    """
    scale = width / 384
    margin = round(8 * scale)
    text_width = width - 2 * margin

    def px(value: float) -> int:
        return max(1, round(value * scale))

    village_font = _font(True, px(28))
    service_font = _font(False, px(22))
    date_font = _font(False, px(19))
    ahead_font = _font(True, px(22))
    small_font = _font(False, px(18))

    rule = _RuleBlock(margin, max(2, px(2)), px(16))
    blocks: list[_Block] = [
        _Gap(px(6)),
        _text_block(content.village_name, village_font, text_width),
        _Gap(px(4)),
        _text_block(content.service_name, service_font, text_width),
        rule,
        _number_block(content.number, text_width, max_size=px(150), min_size=px(48)),
        _Gap(px(14)),
        _text_block(content.issued_at, date_font, text_width),
        _Gap(px(6)),
        _text_block(content.ahead_text, ahead_font, text_width),
        _Gap(px(14)),
        _qr_block(content.qr_url, text_width, max_module=px(6), fallback_font=small_font),
        _Gap(px(4)),
        _text_block(content.qr_caption, small_font, text_width),
    ]
    if content.wifi_qr.strip():
        blocks.append(_Gap(px(10)))
        blocks += _wifi_blocks(content.wifi_qr, content.wifi_caption, margin, text_width, max_module=px(3),
                               font=small_font)
    blocks += [
        rule,
        _text_block(content.footer, small_font, text_width),
        _Gap(px(8)),
    ]
    return blocks


def render_ticket_image(content: TicketContent, paper: PaperProfile) -> Image.Image:
    """Draw the ticket as a mode "1" image exactly ``paper.width_px`` wide.

    Text is drawn anti-aliased in greyscale and then thresholded (not
    dithered): dithering would turn glyph edges and QR edges into speckle.
    """
    width = paper.width_px
    blocks = _layout(content, width)
    height = max(1, sum(block.height for block in blocks))
    canvas = Image.new("L", (width, height), _WHITE)
    draw = ImageDraw.Draw(canvas)
    y = 0
    for block in blocks:
        block.draw(canvas, draw, y)
        y += block.height
    return canvas.convert("1", dither=Image.Dither.NONE)


def ticket_escpos(content: TicketContent, paper: PaperProfile) -> bytes:
    """Render the ticket and encode it as an ESC/POS job (init, GS v 0, cut).

    python-escpos is imported here, not at module import, because importing
    it configures root logging, creates a temporary directory and takes a
    noticeable fraction of a second. The Dummy printer is told the paper
    width so it can check the image against it (instead of printing a
    warning about an unknown width to stdout on every ticket).
    """
    from escpos.printer import Dummy

    image = render_ticket_image(content, paper)
    dummy = Dummy()
    profile_data = dict(dummy.profile.profile_data)
    profile_data["media"] = {
        "width": {"mm": "Unknown", "pixels": paper.width_px},
        "dpi": 203,
    }
    dummy.profile.profile_data = profile_data  # per-instance; the shared profile is untouched
    dummy.hw("INIT")
    dummy.image(image, impl="bitImageRaster")
    dummy.cut()
    return dummy.output
