"""NIK/KK rules: examples for each rule, and properties over every valid and invalid shape."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from kiosk.identity import (MESSAGES_EN, MESSAGES_ID, PROVINCES, Problem, birth_date_from_nik, check_kk, check_nik,
                            mask_kk, mask_nik, normalize_number, sex_from_nik)


def keys(problems: list[Problem]) -> list[str]:
    return [p.key for p in problems]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]


VALID = "3204122803780001"  # Jawa Barat, male born 28-03-78


def test_valid_nik_has_no_problem() -> None:
    assert check_nik(VALID) == []
    assert check_nik(VALID, birth_date=date(1978, 3, 28), sex=1) == []


def test_woman_day_plus_40() -> None:
    nik = "3204126803780001"
    assert check_nik(nik, birth_date=date(1978, 3, 28), sex=2) == []
    assert sex_from_nik(nik) == 2 and sex_from_nik(VALID) == 1
    assert birth_date_from_nik(nik, today=date(2026, 1, 1)) == date(1978, 3, 28)


def test_length_and_digits() -> None:
    assert keys(check_nik("320412280378000")) == ["nik.length"]
    assert keys(check_nik("32041228037800011")) == ["nik.length"]
    assert keys(check_nik("320412280378000A")) == ["nik.digits"]
    assert keys(check_nik("")) == ["nik.length"]
    assert check_nik("320412280378000")[0].params == {"value": "320412280378000", "length": 15}


def test_normalization_strips_what_people_type() -> None:
    assert check_nik(" '3204.1228.0378.0001 ") == []
    assert check_nik("3204 1228 0378 0001") == []
    assert normalize_number(3204122803780001) == VALID
    assert normalize_number(3204.0) == "3204"
    assert normalize_number("'3204") == "3204"
    assert normalize_number('="3204122803780001"') == VALID
    assert normalize_number(None) == ""
    assert normalize_number(12.5) == "12.5"
    assert normalize_number("3204122803780001.0") == VALID


def test_scientific_from_excel_is_an_error() -> None:
    assert keys(check_nik(3.2041e15)) == ["nik.scientific"]
    assert keys(check_nik("3.2041E+15")) == ["nik.scientific"]
    assert keys(check_nik("3,2041E+15")) == ["nik.scientific"]
    assert keys(check_kk(3.204122e15)) == ["kk.scientific"]
    # A float that keeps all 16 digits (written by a program, not Excel) is trusted.
    assert check_nik(3204122803780001.0) == []


def test_region_errors() -> None:
    assert keys(check_nik("1004122803780001")) == ["nik.region"]  # no province 10
    assert check_nik("1004122803780001")[0].params == {"value": "10.04.12", "part": "province"}
    assert keys(check_nik("3200122803780001")) == ["nik.region"]
    assert keys(check_nik("3204002803780001")) == ["nik.region"]
    for papua in ("91", "92", "93", "94", "95", "96", "97"):
        assert check_nik(papua + "01012803780001") == [], papua
    assert keys(check_nik("9801012803780001")) == ["nik.region"]


def test_date_errors() -> None:
    assert keys(check_nik("3204123203780001")) == ["nik.date"]  # day 32
    assert keys(check_nik("3204127203780001")) == ["nik.date"]  # day 72 (32 for a woman)
    assert keys(check_nik("3204124003780001")) == ["nik.date"]  # day 40
    assert keys(check_nik("3204120013780001")) == ["nik.date"]  # month 13
    assert keys(check_nik("3204123102780001")) == ["nik.date"]  # 31 February
    assert check_nik("3204122902000001") == []  # 29-02-2000 exists
    assert check_nik("3204122902040001") == []  # 29-02-2004 exists
    assert keys(check_nik("3204122902010001")) == ["nik.date"]  # neither 1901 nor 2001 is a leap year
    assert check_nik("3204126902960001") == []  # woman born 29-02-96


def test_serial_zero() -> None:
    assert keys(check_nik("3204122803780000")) == ["nik.serial"]


def test_disagreements_are_warnings() -> None:
    problems = check_nik(VALID, birth_date=date(1978, 3, 29), sex=2)
    assert keys(problems) == ["nik.birth_date_mismatch", "nik.sex_mismatch"]
    assert all(p.level == "warning" for p in problems)
    assert problems[0].params == {"value": "28-03-78", "expected": "29-03-1978"}
    assert keys(check_nik(VALID, birth_date=date(2078, 3, 28))) == []  # same two-digit year


def test_temporary_numbers() -> None:
    problems = check_nik("0000000000000000")
    assert problems == [Problem("warning", "nik.temporary", {"value": "0000000000000000"})]
    assert keys(check_kk("0000000000000012")) == ["kk.temporary"]
    assert keys(check_nik("012")) == ["nik.length"]
    assert birth_date_from_nik("0204122803780001") is None and sex_from_nik("0204122803780001") is None


def test_kk() -> None:
    assert check_kk("3204121503100004") == []
    assert keys(check_kk("3204123213100004")) == ["kk.date"]
    assert keys(check_kk("3204121513100004")) == ["kk.date"]
    assert keys(check_kk("1000000103170000")) == ["kk.region"]
    assert keys(check_kk("32041215031000")) == ["kk.length"]
    assert keys(check_kk("32041215031000x4")) == ["kk.digits"]


def test_birth_date_century() -> None:
    assert birth_date_from_nik("3204120101050001", today=date(2026, 1, 1)) == date(2005, 1, 1)
    assert birth_date_from_nik("3204120101800001", today=date(2026, 1, 1)) == date(1980, 1, 1)
    assert birth_date_from_nik("3204122902000001", today=date(2026, 1, 1)) == date(2000, 2, 29)
    assert birth_date_from_nik("3204123202800001") is None
    assert birth_date_from_nik("bogus") is None


def test_mask() -> None:
    assert mask_nik(VALID) == "3204**********01"
    assert mask_kk is mask_nik
    assert mask_nik("12345") == "*****"


def test_messages_cover_every_key() -> None:
    assert MESSAGES_ID.keys() == MESSAGES_EN.keys()
    for key in ("nik.length", "nik.digits", "nik.scientific", "nik.region", "nik.date", "nik.serial",
                "nik.temporary", "nik.birth_date_mismatch", "nik.sex_mismatch", "kk.length", "kk.digits",
                "kk.scientific", "kk.region", "kk.date", "kk.temporary"):
        assert key in MESSAGES_ID


# ---- properties -------------------------------------------------------------------------------------

@st.composite
def valid_niks(draw: st.DrawFn) -> tuple[str, date, int]:
    province = draw(st.sampled_from(sorted(PROVINCES)))
    kabupaten = draw(st.integers(1, 99))
    kecamatan = draw(st.integers(1, 99))
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    sex = draw(st.sampled_from([1, 2]))
    serial = draw(st.integers(1, 9999))
    day = born.day + (40 if sex == 2 else 0)
    nik = f"{province:02d}{kabupaten:02d}{kecamatan:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    return nik, born, sex


@given(valid_niks())
def test_any_valid_nik_passes(case: tuple[str, date, int]) -> None:
    nik, born, sex = case
    assert check_nik(nik, birth_date=born, sex=sex) == []
    assert sex_from_nik(nik) == sex
    found = birth_date_from_nik(nik)
    assert found is not None and (found.day, found.month, found.year % 100) == (born.day, born.month, born.year % 100)


_NO_STRIP = st.characters(blacklist_categories=("Zs", "Cc"), blacklist_characters=".'`\u2018\u2019")


@given(st.text(alphabet=st.sampled_from("0123456789"), max_size=40).filter(lambda s: len(s) != 16))
def test_wrong_length_fails(text: str) -> None:
    assert "nik.length" in keys(errors(check_nik(text)))


@given(valid_niks(), st.integers(0, 15), _NO_STRIP.filter(lambda c: not (c.isdigit() and c.isascii())))
def test_any_non_digit_fails(case: tuple[str, date, int], position: int, char: str) -> None:
    nik = case[0][:position] + char + case[0][position + 1:]
    problems = check_nik(nik)
    if not _looks_scientific(nik):
        assert "nik.digits" in keys(errors(problems))
    else:
        assert keys(problems) == ["nik.scientific"]


def _looks_scientific(text: str) -> bool:
    from kiosk.identity import _SCIENTIFIC

    return bool(_SCIENTIFIC.match(text))


@given(st.text(alphabet=st.sampled_from("0123456789"), max_size=30))
def test_mask_never_reveals_more_than_six_digits(text: str) -> None:
    masked = mask_nik(text)
    assert len(masked) == len(text)
    assert sum(c.isdigit() for c in masked) <= 6
    assert all(m in ("*", c) for m, c in zip(masked, text))
