"""The raster decoder reads exactly the GS v 0 blocks and nothing else."""

from __future__ import annotations

import pytest
from PIL import Image

from printing.raster import decode_escpos_raster


def gs_v_0(width_bytes: int, rows: list[bytes], m: int = 0) -> bytes:
    """Build one GS v 0 command from rows of raster bytes."""
    header = bytes([0x1D, 0x76, 0x30, m, width_bytes & 0xFF, width_bytes >> 8, len(rows) & 0xFF, len(rows) >> 8])
    return header + b"".join(rows)


def test_blocks_are_stacked_and_other_commands_ignored() -> None:
    data = (
        b"\x1b@"
        + gs_v_0(1, [b"\x80", b"\x00"])
        + b"\x1bd\x03"
        + gs_v_0(2, [b"\x1dv", b"0\x01"])  # payload that looks like a command
        + b"\x1dV\x00"
    )
    image = decode_escpos_raster(data)
    assert image.size == (16, 4)
    black = {(x, y) for y in range(4) for x in range(16) if image.getpixel((x, y)) == 0}
    # Row 0: 0x80 -> first dot. Row 2: 0x1d 0x76. Row 3: 0x30 0x01.
    expected = {(0, 0)}
    for y, row in ((2, b"\x1dv"), (3, b"0\x01")):
        for byte_index, byte in enumerate(row):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    expected.add((byte_index * 8 + bit, y))
    assert black == expected


def test_double_size_mode_is_scaled() -> None:
    image = decode_escpos_raster(gs_v_0(1, [b"\xff"], m=3))
    assert image.size == (16, 2)


def test_no_raster_raises() -> None:
    with pytest.raises(ValueError):
        decode_escpos_raster(b"\x1b@hello\x1dV\x00")


def test_truncated_raster_raises() -> None:
    with pytest.raises(ValueError):
        decode_escpos_raster(gs_v_0(4, [b"\x00" * 4] * 3)[:-1])


def test_image_is_black_on_white() -> None:
    image = decode_escpos_raster(gs_v_0(1, [b"\x0f"]))
    assert isinstance(image, Image.Image)
    assert [image.getpixel((x, 0)) for x in range(8)] == [255] * 4 + [0] * 4
