"""The IKM arithmetic of PermenPANRB 14/2017, pure and exact: no database, no rounding until the end.

Each of the nine elements (unsur) is rated 1..4. An element's NRR (nilai rata-rata) is the mean of its scores;
the weighted NRR is the mean of the nine NRRs (each weight 1/9 — the regulation prints it as 0.111, which is
1/9 rounded: used literally, a perfect score would give 99.90 and not 100); IKM = weighted NRR x 25, so the
index runs 25..100. Sums are kept as integers and divided as `Fraction`s, then rounded half-up once to two
decimals, so 88.305 reads 88.31 (grade A) on every machine and never 88.30 from a binary float.

Grades, from the regulation's conversion table, are decided on the two-decimal index the report shows:
A (Sangat Baik) 88.31-100.00, B (Baik) 76.61-88.30, C (Kurang Baik) 65.00-76.60, D (Tidak Baik) 25.00-64.99.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Iterable, Sequence

ELEMENTS = 9
SCORES = (1, 2, 3, 4)
TWO_PLACES = Decimal("0.01")
THREE_PLACES = Decimal("0.001")
# (lowest index of the grade, grade), best first.
GRADES: tuple[tuple[Decimal, str], ...] = (
    (Decimal("88.31"), "A"), (Decimal("76.61"), "B"), (Decimal("65.00"), "C"), (Decimal("25.00"), "D"),
)


def round_half_up(value: Fraction, places: Decimal = TWO_PLACES) -> Decimal:
    """Exact rounding of a fraction: Decimal division to plenty of digits first, then half-up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def grade(index: Decimal) -> str:
    """The mutu pelayanan letter for a two-decimal index (refuses values outside 25..100)."""
    value = index.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    if not Decimal("25.00") <= value <= Decimal("100.00"):
        raise ValueError(f"IKM outside 25..100: {index}")
    return next(letter for low, letter in GRADES if value >= low)


@dataclass(frozen=True)
class IkmResult:
    """One computed index: `nrr` per element (exact), their mean, the index and its grade."""

    respondents: int
    nrr: tuple[Fraction, ...]
    weighted_nrr: Fraction
    index: Decimal          # two decimals, half-up
    grade: str | None       # None when nobody answered
    distribution: tuple[tuple[int, int, int, int], ...]   # per element: how many gave 1, 2, 3, 4

    def nrr_text(self, element: int) -> str:
        return str(round_half_up(self.nrr[element], THREE_PLACES))

    def share_text(self, element: int) -> str:
        """The element's NRR times its weight 1/9 (the regulation's "NRR tertimbang" column)."""
        return str(round_half_up(self.nrr[element] / ELEMENTS, THREE_PLACES))

    @property
    def weighted_text(self) -> str:
        return str(round_half_up(self.weighted_nrr, THREE_PLACES))

    @property
    def index_text(self) -> str:
        return str(self.index) if self.respondents else "-"


def compute(answers: Iterable[Sequence[int]]) -> IkmResult:
    """The index of a set of responses, each nine scores in element order."""
    counts = [[0, 0, 0, 0] for _ in range(ELEMENTS)]
    respondents = 0
    for scores in answers:
        if len(scores) != ELEMENTS or any(score not in SCORES for score in scores):
            raise ValueError(f"a response needs nine scores 1..4, got {list(scores)!r}")
        respondents += 1
        for element, score in enumerate(scores):
            counts[element][score - 1] += 1
    return from_counts(counts, respondents)


def from_counts(counts: Sequence[Sequence[int]], respondents: int) -> IkmResult:
    """The index from per-element counts of each score (what a GROUP BY in the database gives)."""
    distribution = tuple((c[0], c[1], c[2], c[3]) for c in counts)
    if respondents == 0:
        zero = Fraction(0)
        return IkmResult(0, (zero,) * ELEMENTS, zero, Decimal("0.00"), None, distribution)
    nrr = tuple(Fraction(sum(score * n for score, n in zip(SCORES, c)), respondents) for c in distribution)
    weighted = sum(nrr, Fraction(0)) / ELEMENTS
    index = round_half_up(weighted * 25)
    return IkmResult(respondents, nrr, weighted, index, grade(index), distribution)
