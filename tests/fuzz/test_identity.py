"""NIK / Nomor KK checks: valid numbers built from their parts are accepted and read back; anything else is
refused with the documented error keys, and no input whatsoever makes the checks raise."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.identity import (MESSAGES_EN, MESSAGES_ID, PROVINCES, birth_date_from_nik, check_kk, check_nik, mask_nik,
                            normalize_number, sex_from_nik)

FAST = settings(max_examples=200, deadline=None)
TODAY = date(2026, 11, 24)
ERROR_KEYS = {"length", "digits", "scientific", "region", "date", "serial"}
WARNING_KEYS = {"temporary", "birth_date_mismatch", "sex_mismatch"}

provinces = st.sampled_from(sorted(PROVINCES))
nonzero_two = st.integers(1, 99).map(lambda n: f"{n:02d}")
birth_dates = st.dates(min_value=date(1927, 1, 1), max_value=TODAY)
serials = st.integers(1, 9999).map(lambda n: f"{n:04d}")
# Unicode decimal digits that are not ASCII: Arabic-Indic, Extended Arabic-Indic, Devanagari, full-width, Thai.
foreign_digits = st.sampled_from("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९０１２３４５６７８９๐๑๒๓๔๕๖๗๘๙")
anything = st.one_of(st.text(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.none(),
                     st.booleans(), st.text(alphabet="0123456789 .'-eE+,=\"", max_size=24))


def build_nik(province: int, kabupaten: str, kecamatan: str, born: date, sex: int, serial: str) -> str:
    day = born.day + (40 if sex == 2 else 0)
    return f"{province:02d}{kabupaten}{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial}"


def _keys(problems: list) -> set[str]:
    return {p.key for p in problems}


def _documented(problems: list, prefix: str) -> None:
    for problem in problems:
        kind, _, name = problem.key.partition(".")
        assert kind == prefix and name in ERROR_KEYS | WARNING_KEYS, problem
        assert problem.level == ("error" if name in ERROR_KEYS else "warning"), problem
        assert problem.key in MESSAGES_ID and problem.key in MESSAGES_EN
        # every template fills from the params the problem carries (+ the column the importer adds)
        MESSAGES_ID[problem.key].format(column="nik", **{"value": "", "length": 0, "expected": "", **problem.params})


@FAST
@given(provinces, nonzero_two, nonzero_two, birth_dates, st.sampled_from([1, 2]), serials)
def test_a_nik_built_from_valid_parts_is_accepted_and_reads_back(province, kabupaten, kecamatan, born, sex,
                                                                 serial) -> None:
    nik = build_nik(province, kabupaten, kecamatan, born, sex, serial)
    assert len(nik) == 16 and nik.isdigit()
    assert check_nik(nik, birth_date=born, sex=sex) == []
    assert check_nik(int(nik)) == []  # a number cell holding the exact integer
    assert sex_from_nik(nik) == sex
    assert birth_date_from_nik(nik, today=TODAY) == born
    assert normalize_number(f" '{nik[:4]} {nik[4:8]}.{nik[8:]} ") == nik
    masked = mask_nik(nik)
    assert len(masked) == 16 and masked[:4] == nik[:4] and masked[-2:] == nik[-2:] and set(masked[4:14]) == {"*"}


@FAST
@given(provinces, nonzero_two, nonzero_two, birth_dates, serials)
def test_a_kk_built_from_valid_parts_is_accepted(province, kabupaten, kecamatan, registered, serial) -> None:
    kk = f"{province:02d}{kabupaten}{kecamatan}{registered.strftime('%d%m%y')}{serial}"
    assert check_kk(kk) == []


@FAST
@given(provinces, nonzero_two, nonzero_two, birth_dates, st.sampled_from([1, 2]), serials, birth_dates)
def test_a_recorded_birth_date_or_sex_that_disagrees_only_warns(province, kabupaten, kecamatan, born, sex, serial,
                                                                recorded) -> None:
    nik = build_nik(province, kabupaten, kecamatan, born, sex, serial)
    problems = check_nik(nik, birth_date=recorded, sex=3 - sex)
    assert all(p.level == "warning" for p in problems)
    assert "nik.sex_mismatch" in _keys(problems)


@FAST
@given(st.text(alphabet="0123456789", max_size=40).filter(lambda s: len(s) != 16 and s))
def test_wrong_length_is_refused_with_the_length_key(text: str) -> None:
    for check, prefix in ((check_nik, "nik"), (check_kk, "kk")):
        problems = check(text)
        assert _keys(problems) == {f"{prefix}.length"}
        assert problems[0].params["length"] == len(text)


@FAST
@given(st.lists(st.one_of(st.sampled_from("0123456789"), foreign_digits), min_size=16, max_size=16)
       .filter(lambda chars: any(not c.isascii() for c in chars)).map("".join))
def test_unicode_digits_are_refused_not_accepted(text: str) -> None:
    assert text.isdigit() and not text.isascii()
    for check, prefix in ((check_nik, "nik"), (check_kk, "kk")):
        problems = check(text)
        assert f"{prefix}.digits" in _keys(problems)
        assert all(p.level == "error" for p in problems)
    assert sex_from_nik(text) is None and birth_date_from_nik(text, today=TODAY) is None


def test_arabic_indic_example() -> None:
    assert "nik.digits" in _keys(check_nik("٣٢٠٤١٢٢٨٠٣٧٨٠٠٠١"))
    assert _keys(check_nik("١٢٣")) == {"nik.length", "nik.digits"}


@FAST
@given(anything, st.one_of(st.none(), birth_dates), st.one_of(st.none(), st.integers(-2, 5)))
def test_the_checks_never_raise_and_use_only_documented_keys(value, recorded, sex) -> None:
    nik_problems = check_nik(value, birth_date=recorded, sex=sex)  # type: ignore[arg-type]
    kk_problems = check_kk(value)  # type: ignore[arg-type]
    _documented(nik_problems, "nik")
    _documented(kk_problems, "kk")
    digits = normalize_number(value)
    mask_nik(value)  # type: ignore[arg-type]
    sex_from_nik(value)  # type: ignore[arg-type]
    birth_date_from_nik(value, today=TODAY)  # type: ignore[arg-type]
    if not (len(digits) == 16 and digits.isascii() and digits.isdigit()):
        # not exactly 16 ASCII digits: always at least one error, never silently accepted
        assert any(p.level == "error" for p in nik_problems)
        assert any(p.level == "error" for p in kk_problems)
    if not nik_problems or all(p.level == "warning" for p in nik_problems):
        assert len(digits) == 16 and digits.isascii() and digits.isdigit()
