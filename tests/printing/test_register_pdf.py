"""Register PDFs: real PDF bytes on F4 or A4 landscape, the title inside, escaping, a signature block."""

from __future__ import annotations

import gc
import re
import zlib

import pytest

from printing.register_pdf import (RegisterHeader, RegisterTable, page_size_mm, register_html,
                                   render_register_pdf)

MM_PER_PT = 25.4 / 72
HEADER = RegisterHeader(pemerintah_kabupaten="Bandung", kecamatan="Cileunyi", desa="Sukamaju",
                        signer_title="Kepala Desa Sukamaju", signer_name="H. Ahmad Sulaeman",
                        place_date="Desa Sukamaju, 22 November 2026")
COLUMNS = ["No", "Nama Lengkap", "NIK", "Jenis Kelamin", "Tempat, Tanggal Lahir", "Alamat Lengkap", "Nomor KK"]


def _table(rows: int, title: str = "Buku Induk Penduduk") -> RegisterTable:
    body = [[str(n), f"Warga Nomor {n} Saputra", "3204**********01", "Laki-laki", "Bandung, 17 Mei 1980",
             "Jl. Mawar No. 12, RT 001/RW 002, Dusun Krajan", "3204**********03"] for n in range(1, rows + 1)]
    return RegisterTable(title, "Periode 1 Januari 2026 s.d. 22 November 2026 · Semua dusun", COLUMNS, body, None)


def _objects(pdf: bytes) -> bytes:
    """The PDF with every Flate stream inflated: WeasyPrint packs the page objects into object streams."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _media_boxes_mm(pdf: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", _objects(pdf))
    return [((float(x1) - float(x0)) * MM_PER_PT, (float(y1) - float(y0)) * MM_PER_PT) for x0, y0, x1, y1 in boxes]


@pytest.mark.parametrize("paper, size", [("F4", (330, 215)), ("A4", (297, 210)), ("f4 ", (330, 215))])
def test_pdf_is_landscape_on_the_chosen_paper(paper: str, size: tuple[int, int]) -> None:
    pdf = render_register_pdf(_table(3), HEADER, paper)
    assert pdf.startswith(b"%PDF-")
    boxes = _media_boxes_mm(pdf)
    assert boxes, "every page has a MediaBox"
    for width, height in boxes:
        assert abs(width - size[0]) < 1 and abs(height - size[1]) < 1


def test_pdf_carries_the_title_and_many_rows_make_many_pages() -> None:
    pdf = render_register_pdf(_table(120), HEADER)
    objects = _objects(pdf)
    assert b"(Buku Induk Penduduk)" in objects  # the document title (from <title>)
    assert len(_media_boxes_mm(pdf)) >= 3
    assert gc.isenabled(), "the collector is back on after rendering"


def test_pdf_text_with_pypdf_when_available() -> None:
    pypdf = pytest.importorskip("pypdf")
    from io import BytesIO

    reader = pypdf.PdfReader(BytesIO(render_register_pdf(_table(120), HEADER)))
    pages = [page.extract_text() for page in reader.pages]
    assert "BUKU INDUK PENDUDUK" in pages[0]
    assert f"Halaman 2 dari {len(pages)}" in pages[1]
    assert "Nama Lengkap" in pages[1], "the header row repeats on every page"
    assert "H. Ahmad Sulaeman" in pages[-1]


def test_html_escapes_names_and_has_a_signature_block() -> None:
    table = RegisterTable("Buku Mutasi Penduduk", "Periode", ["No", "Nama"], [["1", "<script>x</script> & \"Budi\""]])
    header = RegisterHeader("Bandung", "Cileunyi", 'Suka"maju</style>', "Kepala Desa", "", "Desa Sukamaju, 1 Mei 2026")
    html = register_html(table, header)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "</style>\n" in html and 'Suka"maju</style>' not in html.split("</style>")[0]
    assert "(......" in html, "no signer name: a dotted line to write it on"
    assert "Desa Sukamaju, 1 Mei 2026" in html and "Kepala Desa" in html
    assert render_register_pdf(table, header).startswith(b"%PDF")


def test_empty_register_and_totals_row() -> None:
    empty = RegisterTable("Buku Penduduk Sementara", "Periode", ["No", "Nama"], [])
    assert "Tidak ada data" in register_html(empty, HEADER)
    counted = RegisterTable("Buku Rekapitulasi Jumlah Penduduk", "Periode", ["Bulan", "L", "P"],
                            [["Januari 2026", "10", "12"]], ["Jumlah", "10", "12"],
                            column_groups=[("", 1), ("Jumlah awal", 2)], numeric_columns=(1, 2))
    html = register_html(counted, HEADER)
    assert 'colspan="2">Jumlah awal' in html and 'class="totals"' in html and 'class="num"' in html
    assert render_register_pdf(counted, HEADER).startswith(b"%PDF")


def test_unknown_paper_is_refused() -> None:
    assert page_size_mm("a4") == (297, 210)
    with pytest.raises(ValueError):
        render_register_pdf(_table(1), HEADER, "Letter")


def test_isolated_rendering_gives_a_pdf_from_a_child_process() -> None:
    from printing.register_process import render_register_pdf_isolated

    table = RegisterTable(title="BUKU INDUK PENDUDUK", subtitle="Uji", columns=["No", "Nama"],
                          rows=[["1", "Siti <b>Aminah</b>"], ["2", "Budi"]])
    header = RegisterHeader("Pemerintah Kabupaten Bandung", "Kecamatan Cileunyi", "Desa Sukamaju",
                            "Kepala Desa Sukamaju", "", "Sukamaju, 23 November 2026")
    data = render_register_pdf_isolated(table, header, "A4", timeout=120)
    assert data.startswith(b"%PDF") and len(data) > 1000
