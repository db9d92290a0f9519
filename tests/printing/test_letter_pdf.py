"""Letter PDFs: paper sizes, margins honoured to the point, the QR readable back, drafts, page flow, escaping."""

from __future__ import annotations

import base64
import dataclasses
import gc
import io
import re

import pytest
from pypdf import PdfReader

from printing.letters import LetterDocument, LetterHead, LetterSignature, letter_html, render_letter_pdf
from printing.pdf_qr import qr_texts_in_pdf

PT_PER_MM = 72 / 25.4
F4_PT = (609.45, 935.43)
A4_PT = (595.28, 841.89)
NUMBER = "470/012/2003/XI/2026"
QR_TEXT = "http://192.168.1.10:8080/v/" + base64.urlsafe_b64encode(bytes(range(150))).decode("ascii")
BODY = """<p>Yang bertanda tangan di bawah ini Kepala Desa Sukamaju, Kecamatan Ciparay, Kabupaten Bandung,
menerangkan dengan sebenarnya bahwa:</p>
<table class="biodata">
<tr><td>Nama Lengkap</td><td>: Siti Nurhaliza Rahmawati</td></tr>
<tr><td>Tempat, Tanggal Lahir</td><td>: Bandung, 17 Agustus 1990</td></tr>
<tr><td>Alamat</td><td>: Kampung Sukamaju RT 002 RW 005, Desa Sukamaju, Kecamatan Ciparay, Kabupaten Bandung</td></tr>
</table>
<p>Adalah benar warga kami yang berdomisili di alamat tersebut di atas sejak tahun 2015.</p>
<p>Demikian surat keterangan ini kami buat untuk dipergunakan sebagaimana mestinya.</p>"""


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 240), (20, 110, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _doc(**changes: object) -> LetterDocument:
    doc = LetterDocument(
        head=LetterHead("Bandung", "Ciparay", "Sukamaju", "Jl. Raya Ciparay No. 1, Kabupaten Bandung 40381", _png()),
        title="SURAT KETERANGAN DOMISILI", number=NUMBER, body_html=BODY,
        signature=LetterSignature("Desa Sukamaju, 22 November 2026", "a.n. Kepala Desa\nSekretaris Desa",
                                  "H. Ahmad Sulaeman"),
        qr_text=QR_TEXT)
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def _pages_text(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made single (justified lines come out with gaps)."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _text_positions(pdf: bytes, page_index: int = 0) -> list[tuple[str, float, float]]:
    """(text, x, y) in PDF points of every non-blank text run's baseline start, via pypdf's visitor."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((text.strip(), x, y))

    PdfReader(io.BytesIO(pdf)).pages[page_index].extract_text(visitor_text=visit)
    return runs


@pytest.fixture(scope="module")
def letter_pdf() -> bytes:
    return render_letter_pdf(_doc())


def test_text_has_number_name_and_date(letter_pdf: bytes) -> None:
    text = _pages_text(letter_pdf)[0]
    assert f"Nomor: {NUMBER}" in text
    assert "Siti Nurhaliza Rahmawati" in text and "H. Ahmad Sulaeman" in text
    assert "22 November 2026" in text
    assert "PEMERINTAH KABUPATEN BANDUNG" in text and "DESA SUKAMAJU" in text
    assert PdfReader(io.BytesIO(letter_pdf)).metadata.title == f"SURAT KETERANGAN DOMISILI {NUMBER}"
    assert gc.isenabled(), "the collector is back on after rendering"


@pytest.mark.parametrize("paper, size", [("F4", F4_PT), ("A4", A4_PT)])
def test_page_size(paper: str, size: tuple[float, float]) -> None:
    pdf = render_letter_pdf(_doc(paper=paper))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert abs(float(box.width) - size[0]) < 0.5 and abs(float(box.height) - size[1]) < 0.5


def test_unknown_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="paper"):
        letter_html(_doc(paper="Letter"))


@pytest.mark.parametrize("paper, margins", [("F4", (20, 20, 20, 30)), ("A4", (25, 15, 25, 40))])
def test_margins_are_honoured(paper: str, margins: tuple[float, float, float, float]) -> None:
    pdf = render_letter_pdf(_doc(paper=paper, margins_mm=margins))
    height = (F4_PT if paper == "F4" else A4_PT)[1]
    top, right, bottom, left = (m * PT_PER_MM for m in margins)
    runs = _text_positions(pdf)
    assert len(runs) > 10
    for text, x, y in runs:
        assert x >= left - 0.5, f"{text!r} starts at x={x:.1f} pt, left of the {left:.1f} pt margin"
        assert y <= height - top - 8, f"{text!r} has its baseline at y={y:.1f}, in the top margin"
        assert y >= bottom, f"{text!r} sits in the bottom margin"
    body = [x for text, x, _ in runs if text.startswith(("Yang bertanda", "Adalah benar", "Demikian"))]
    assert body and all(abs(x - left) <= 1.5 for x in body), "body paragraphs start at the left margin"
    assert abs(min(x for _, x, _ in runs) - left) <= 1.5


def test_qr_reads_back_as_the_given_text(letter_pdf: bytes) -> None:
    assert len(QR_TEXT) > 220
    assert qr_texts_in_pdf(letter_pdf) == [QR_TEXT]


def test_draft_has_watermark_and_no_qr() -> None:
    pdf = render_letter_pdf(_doc(qr_text=None, number=None, draft=True))
    text = _pages_text(pdf)[0]
    assert "DRAF" in text
    assert "Nomor: …/…/…" in text
    assert qr_texts_in_pdf(pdf) == []


def test_draft_with_qr_is_refused() -> None:
    with pytest.raises(ValueError, match="draft"):
        render_letter_pdf(_doc(draft=True))


def test_long_body_flows_to_a_second_page_with_the_signature_block_whole() -> None:
    paragraph = ("<p>Bahwa berdasarkan catatan dan keterangan yang ada pada kami, warga tersebut telah memenuhi "
                 "seluruh persyaratan administrasi kependudukan yang berlaku di desa ini, paragraf {n}.</p>")
    body = BODY + "".join(paragraph.format(n=n) for n in range(1, 19))
    pdf = render_letter_pdf(_doc(body_html=body))
    pages = _pages_text(pdf)
    assert len(pages) == 2
    assert "paragraf 18." in pages[1]
    for part in ("Desa Sukamaju, 22 November 2026", "a.n. Kepala Desa", "Sekretaris Desa", "H. Ahmad Sulaeman",
                 "Pindai untuk memeriksa keaslian surat"):
        assert part in pages[1] and part not in pages[0], f"{part!r} belongs on the last page only"
    assert qr_texts_in_pdf(pdf) == [QR_TEXT]


def test_head_and_signature_fields_are_escaped() -> None:
    doc = _doc(head=LetterHead("Bandung", "Ciparay", "Suka & Maju", "Jl. <i>Raya</i> No. 1", None),
               signature=LetterSignature("Desa Sukamaju, 22 November 2026", "Kepala Desa", "<b>x</b>"),
               title="SURAT <script>", qr_text=None)
    html = letter_html(doc)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<script>" not in html and "<i>Raya" not in html
    text = _pages_text(render_letter_pdf(doc))[0]
    assert "<b>x</b>" in text and "Jl. <i>Raya</i> No. 1" in text and "DESA SUKA & MAJU" in text


def test_without_logo_and_qr_no_image_is_embedded() -> None:
    doc = _doc(head=dataclasses.replace(_doc().head, logo_png=None), qr_text=None)
    assert "<img" not in letter_html(doc)
    assert not PdfReader(io.BytesIO(render_letter_pdf(doc))).pages[0].images


def test_not_a_pdf_is_refused() -> None:
    with pytest.raises(ValueError):
        qr_texts_in_pdf(b"not a pdf")
