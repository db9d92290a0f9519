"""Turn ESC/POS bytes back into a picture of what the printer would print.

The preview printer and the tests need to see a ticket the way paper would,
from the exact bytes that go to the hardware, so that what is checked is what
is sent (not the Pillow image that existed before encoding).
"""

from __future__ import annotations

from PIL import Image

_GS_V_0 = b"\x1dv0"
_HEADER_LEN = 8  # GS v 0 m xL xH yL yH


def _decode_block(m: int, width_bytes: int, height: int, data: bytes) -> Image.Image:
    """Decode one GS v 0 payload into a mode "1" image where black = a dot.

    In raster data a set bit is a burnt dot; in Pillow's mode "1" a set bit is
    white, hence the inverting "1;I" raw mode. Density m (0-3, or '0'-'3')
    doubles width and/or height, as the printer would.
    """
    img = Image.frombytes("1", (width_bytes * 8, height), data, "raw", "1;I")
    scale = m & 0x03
    if scale:
        sx = 2 if scale & 0x01 else 1
        sy = 2 if scale & 0x02 else 1
        img = img.resize((img.width * sx, img.height * sy), Image.Resampling.NEAREST)
    return img


def decode_escpos_raster(data: bytes) -> Image.Image:
    """Stack every GS v 0 raster block in ``data`` into one mode "1" image.

    Other commands (ESC @, feeds, cut, text) are skipped; the scan jumps over
    each block's payload so raster bytes are never misread as commands. Blocks
    of different widths are left-aligned on white, as a printer would place
    them. Raises ValueError when there is no raster at all or a block is cut
    short, because a silent partial picture would hide a transport bug.
    """
    blocks: list[Image.Image] = []
    pos = 0
    size = len(data)
    while True:
        start = data.find(_GS_V_0, pos)
        if start < 0:
            break
        if start + _HEADER_LEN > size:
            raise ValueError(f"truncated GS v 0 header at byte {start}")
        m = data[start + 3]
        width_bytes = data[start + 4] | (data[start + 5] << 8)
        height = data[start + 6] | (data[start + 7] << 8)
        if m not in (0, 1, 2, 3, 48, 49, 50, 51):
            # Not a real raster command (GS v 0 bytes inside something else).
            pos = start + 1
            continue
        payload_start = start + _HEADER_LEN
        payload_end = payload_start + width_bytes * height
        if payload_end > size:
            raise ValueError(
                f"truncated GS v 0 block at byte {start}: "
                f"needs {width_bytes * height} bytes, has {size - payload_start}"
            )
        if width_bytes and height:
            blocks.append(_decode_block(m, width_bytes, height, data[payload_start:payload_end]))
        pos = payload_end
    if not blocks:
        raise ValueError("no GS v 0 raster image found in the data")
    if len(blocks) == 1:
        return blocks[0]
    width = max(b.width for b in blocks)
    height = sum(b.height for b in blocks)
    out = Image.new("1", (width, height), 1)
    y = 0
    for block in blocks:
        out.paste(block, (0, y))
        y += block.height
    return out
