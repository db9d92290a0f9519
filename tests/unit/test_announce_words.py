"""Indonesian wording of queue calls: number words, letter names and the call sentence."""

from __future__ import annotations

import pytest

from kiosk.announce.words import call_text, letter_name, number_to_words, spoken_text

SPECIAL_FORMS: list[tuple[int, str]] = [
    (0, "nol"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (21, "dua puluh satu"),
    (100, "seratus"),
    (101, "seratus satu"),
    (111, "seratus sebelas"),
    (205, "dua ratus lima"),
    (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"),
    (1001, "seribu satu"),
    (2000, "dua ribu"),
    (11000, "sebelas ribu"),
    (100000, "seratus ribu"),
    (999999, "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan"),
]

TABLE: list[tuple[int, str]] = [
    (1, "satu"),
    (2, "dua"),
    (3, "tiga"),
    (4, "empat"),
    (5, "lima"),
    (6, "enam"),
    (7, "tujuh"),
    (8, "delapan"),
    (9, "sembilan"),
    (13, "tiga belas"),
    (14, "empat belas"),
    (15, "lima belas"),
    (17, "tujuh belas"),
    (30, "tiga puluh"),
    (45, "empat puluh lima"),
    (58, "lima puluh delapan"),
    (99, "sembilan puluh sembilan"),
    (110, "seratus sepuluh"),
    (112, "seratus dua belas"),
    (119, "seratus sembilan belas"),
    (120, "seratus dua puluh"),
    (200, "dua ratus"),
    (310, "tiga ratus sepuluh"),
    (411, "empat ratus sebelas"),
    (1010, "seribu sepuluh"),
    (1011, "seribu sebelas"),
    (1100, "seribu seratus"),
    (1999, "seribu sembilan ratus sembilan puluh sembilan"),
    (2024, "dua ribu dua puluh empat"),
    (10000, "sepuluh ribu"),
    (12345, "dua belas ribu tiga ratus empat puluh lima"),
    (21000, "dua puluh satu ribu"),
    (101000, "seratus satu ribu"),
    (111111, "seratus sebelas ribu seratus sebelas"),
    (200001, "dua ratus ribu satu"),
    (1000000, "satu juta"),
    (1001000, "satu juta seribu"),
    (2500000, "dua juta lima ratus ribu"),
    (1000000000, "satu miliar"),
    (10**12, "satu triliun"),
]


@pytest.mark.parametrize(("n", "expected"), SPECIAL_FORMS)
def test_special_forms(n: int, expected: str) -> None:
    """Each irregular form (se-, belas, puluh, ratus, ribu) is spelled as Indonesians say it."""
    assert number_to_words(n) == expected


@pytest.mark.parametrize(("n", "expected"), TABLE)
def test_number_table(n: int, expected: str) -> None:
    """A broader table so a regression in one group (tens, hundreds, thousands) shows up."""
    assert number_to_words(n) == expected


def test_table_is_large_enough() -> None:
    """The brief asks for at least 30 numbers beyond the special forms."""
    assert len(TABLE) >= 30


def test_every_number_up_to_a_million_is_well_formed() -> None:
    """No double spaces, no stray "nol" or "satu ratus/ribu": all of 1..2100, then a sample to 999999."""
    for n in [*range(1, 2101), *range(2101, 1_000_000, 37)]:
        words = number_to_words(n)
        assert "  " not in words and words == words.strip(), n
        assert "nol" not in words, n
        assert "satu ratus" not in words and "satu puluh" not in words, n
        assert not words.startswith("satu ribu"), n


def test_negative_raises_value_error() -> None:
    """A negative ticket number is a bug upstream, not something to read aloud."""
    with pytest.raises(ValueError):
        number_to_words(-1)


def test_too_large_and_wrong_types_are_rejected() -> None:
    """Out-of-range and non-int input fail loudly instead of producing nonsense words."""
    with pytest.raises(ValueError):
        number_to_words(10**15)
    with pytest.raises(TypeError):
        number_to_words(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        number_to_words(True)


def test_letter_names() -> None:
    """All 26 Indonesian letter names, case-insensitive."""
    expected = {
        "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha",
        "I": "i", "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe",
        "Q": "ki", "R": "er", "S": "es", "T": "te", "U": "u", "V": "fe", "W": "we", "X": "eks",
        "Y": "ye", "Z": "zet",
    }  # fmt: skip
    for letter, name in expected.items():
        assert letter_name(letter) == name
        assert letter_name(letter.lower()) == name


@pytest.mark.parametrize("bad", ["", "AB", "1", "-", "É"])
def test_letter_name_rejects_non_letters(bad: str) -> None:
    """Only a single A-Z letter has a name to speak."""
    with pytest.raises(ValueError):
        letter_name(bad)


def test_call_text_examples() -> None:
    """The exact captions from the brief."""
    assert call_text("A", 12, "Loket 2") == "Nomor antrian A dua belas, silakan menuju loket dua"
    assert call_text("B", 105, "Loket 1") == "Nomor antrian B seratus lima, silakan menuju loket satu"


def test_call_text_prefix_is_capitalised() -> None:
    """The caption shows the prefix as printed on the ticket, in capitals."""
    assert call_text("c", 7, "Loket 3") == "Nomor antrian C tujuh, silakan menuju loket tiga"


def test_spoken_text_uses_letter_names() -> None:
    """espeak-ng gets the spelled letter name instead of the bare capital."""
    assert spoken_text("A", 12, "Loket 2") == "Nomor antrian a dua belas, silakan menuju loket dua"
    assert spoken_text("B", 105, "Loket 1") == "Nomor antrian be seratus lima, silakan menuju loket satu"
    assert spoken_text("Q", 1, "Loket 10") == "Nomor antrian ki satu, silakan menuju loket sepuluh"


def test_counter_label_variants() -> None:
    """Trailing integers become words; labels without a number are used as they are."""
    assert call_text("A", 1, "Loket 11") == "Nomor antrian A satu, silakan menuju loket sebelas"
    assert call_text("A", 1, "Loket-3") == "Nomor antrian A satu, silakan menuju loket tiga"
    assert call_text("A", 1, "  Loket   4 ") == "Nomor antrian A satu, silakan menuju loket empat"
    assert call_text("A", 1, "KTP 2") == "Nomor antrian A satu, silakan menuju KTP dua"
    assert call_text("A", 1, "Kasir") == "Nomor antrian A satu, silakan menuju Kasir"
    assert call_text("A", 1, "Meja Pelayanan") == "Nomor antrian A satu, silakan menuju Meja Pelayanan"


def test_multi_letter_and_empty_prefix() -> None:
    """A two-letter prefix is spelled letter by letter; no prefix means just the number."""
    assert spoken_text("AB", 3, "Loket 1") == "Nomor antrian a be tiga, silakan menuju loket satu"
    assert call_text("", 3, "Loket 1") == "Nomor antrian tiga, silakan menuju loket satu"


def test_call_text_rejects_bad_input() -> None:
    """Non-letter prefixes, negative numbers and empty counters are caller bugs."""
    with pytest.raises(ValueError):
        call_text("A1", 3, "Loket 1")
    with pytest.raises(ValueError):
        call_text("A", -3, "Loket 1")
    with pytest.raises(ValueError):
        call_text("A", 3, "   ")
