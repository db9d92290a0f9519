"""Pure letter rules: number formats, template filters and sandbox, field checks, the seal format."""

from __future__ import annotations

from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from kiosk.seal import SealFacts, make_seal, mask_name, read_seal
from kiosk.services.letter_fields import FieldErrors, FieldSpec, clean_fields
from kiosk.services.letter_numbers import NumberParts, check_format, format_number, village_number_code
from kiosk.services.letter_templates import (TemplateProblem, angka, baris, hari, render_body, rupiah,
                                             sample_context, terbilang)


def test_number_format_tokens():
    parts = NumberParts("470", 12, village_number_code("32.04.12.2003"), 11, 2026, "SKD")
    assert format_number("{kode}/{nomor:03}/{kode_desa}/{bulan_romawi}/{tahun}", parts) == "470/012/2003/XI/2026"
    assert format_number("{jenis}-{nomor}/{bulan}/{tahun}", parts) == "SKD-12/11/2026"
    for bad in ("{kode}/{nomer}", "{kode:03}/{nomor}", "{nomor:x}"):
        with pytest.raises(ValueError):
            check_format(bad)


def test_filters_write_indonesian_numbers_dates_and_words():
    assert rupiah("1250000") == "Rp 1.250.000" and angka("3.5") == "3,5" and angka("1250000") == "1.250.000"
    assert terbilang("1250000") == "satu juta dua ratus lima puluh ribu" and terbilang("11") == "sebelas"
    assert terbilang("2001") == "dua ribu satu" and terbilang("115") == "seratus lima belas"
    assert hari("2026-11-22") == "Minggu, 22 November 2026"
    assert str(baris("Ahmad\n<b>Budi</b>")) == "Ahmad<br>&lt;b&gt;Budi&lt;/b&gt;"


def test_templates_are_sandboxed_escaped_and_report_their_line():
    context = sample_context(["nama"], [FieldSpec("keperluan", "Keperluan")])
    context.isian["keperluan"] = "<script>alert(1)</script>"  # type: ignore[index]
    assert "&lt;script&gt;" in str(render_body("<p>{{ isian.keperluan }}</p>", context))
    with pytest.raises(TemplateProblem):
        render_body("{{ ''.__class__.__mro__[1].__subclasses__() }}", context)
    with pytest.raises(TemplateProblem, match="baris 2"):
        render_body("<p>\n{% if isian.keperluan %}</p>", context)
    with pytest.raises(TemplateProblem):
        render_body("{{ isian.tidak_ada }}", context)


def test_fields_are_cleaned_and_every_problem_reported():
    specs = (FieldSpec("tanggal", "Tanggal", "date"), FieldSpec("harga", "Harga", "money"),
             FieldSpec("jam", "Jam", "time", required=False), FieldSpec("pilih", "Pilih", "select", options=("A", "B")))
    clean = clean_fields(specs, {"tanggal": "2026-11-22", "harga": "Rp 1.250.000", "jam": "9:30", "pilih": "B"})
    assert clean == {"tanggal": "2026-11-22", "harga": "1250000", "jam": "09.30", "pilih": "B"}
    with pytest.raises(FieldErrors) as refused:
        clean_fields(specs, {"tanggal": "22/11/2026", "harga": "-5", "jam": "25.00", "pilih": "C"})
    assert {name: key for name, (key, _) in refused.value.problems.items()} == {
        "tanggal": "letter.field_date", "harga": "letter.field_range", "jam": "letter.field_time",
        "pilih": "letter.field_option"}


KEY = Ed25519PrivateKey.generate()


def test_mask_name_keeps_first_and_last_letters():
    assert mask_name("SITI AMINAH") == "S**I A****H" and mask_name("Al Ahmad") == "A* A***d"


@given(number=st.text(alphabet="0123456789/.-ABCXIV", min_size=1, max_size=40),
       name=st.text(alphabet=st.characters(blacklist_characters="|", blacklist_categories=("Cs",)), min_size=1,
                    max_size=40))
def test_seal_round_trip_and_any_flipped_character_fails(number, name):
    facts = SealFacts("32.04.12.2003", number, "SKD", date(2026, 11, 22), mask_name(name) or "x", "ab" * 32)
    qr = make_seal(facts, KEY, "http://10.0.0.1:8080")
    keys = {"3204122003": KEY.public_key()}
    reading = read_seal(qr, keys)
    assert reading.valid and reading.number == number
    token = qr.rsplit("/", 1)[1]
    for position in (0, len(token) // 2, len(token) - 1):
        changed = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1:]
        assert not read_seal(changed, keys).valid


@given(st.text(max_size=400))
def test_seal_reader_never_raises_on_garbage(text):
    assert read_seal(text, {"3204122003": KEY.public_key()}).valid is False
