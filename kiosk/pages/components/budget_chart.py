"""The budget's charts as plain numbers for HTML/CSS bars, shared by the kiosk, the phone page and the attract screen.

No chart library: a bar is a box whose width is its budget against the largest budget of the chart, filled
as far as it was realised. That reads the same on a Pi's kiosk and on any phone, costs a few hundred bytes,
and needs nothing from the internet.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import Translator
from kiosk.services.budget import Bar, BudgetSummary, rupiah


@dataclass(frozen=True)
class ChartRow:
    label: str
    budget: str          # "Rp 560.000.000"
    realised: str
    pct: str             # "90,1%"
    width: float         # the bar's length, % of the chart's widest (its budget against the largest)
    fill: float          # how far the bar is filled: realisation, % of its own budget (at most 100)
    over: bool           # realised more than budgeted (an income above its target)
    aria: str            # one sentence a screen reader says for the bar


def chart(bars: list[Bar], labels: dict[str, str], t: Translator) -> list[ChartRow]:
    """Rows of one chart; `labels` maps a bar's key to its words (a line's own name is used when it has one)."""
    scale = max((max(bar.budget, bar.realised) for bar in bars), default=0) or 1
    rows = []
    for bar in bars:
        label = bar.name or labels.get(bar.key, bar.key)
        width = max(bar.budget, bar.realised) * 100 / scale
        fill = 100.0 if bar.budget <= 0 and bar.realised > 0 else min(bar.percent, 100.0)
        rows.append(ChartRow(label, rupiah(bar.budget), rupiah(bar.realised), bar.percent_text, round(width, 2),
                             round(fill, 2), bar.realised > bar.budget,
                             t("budget.bar_label", name=label, budget=rupiah(bar.budget),
                               realised=rupiah(bar.realised), pct=bar.percent_text)))
    return rows


def bidang_rows(summary: BudgetSummary, t: Translator) -> list[ChartRow]:
    return chart(summary.bidang, {key: f"{key}. {t(f'budget.bidang.{key}')}" for key in "12345"}, t)


def income_rows(summary: BudgetSummary, t: Translator) -> list[ChartRow]:
    return chart(summary.income_groups, {bar.key: t(f"budget.income.{bar.key}") for bar in summary.income_groups}, t)


def financing_rows(summary: BudgetSummary, t: Translator) -> list[ChartRow]:
    bars = [bar for bar in (summary.financing_in, summary.financing_out) if bar.budget or bar.realised]
    return chart(bars, {"penerimaan": t("budget.financing.penerimaan"),
                        "pengeluaran": t("budget.financing.pengeluaran")}, t)


def balance(summary: BudgetSummary, t: Translator) -> tuple[str, str]:
    """('Surplus', 'Rp 75.000.000') or ('Defisit', '-Rp 40.000.000'): income less spending, as budgeted."""
    value = summary.surplus
    label = t("budget.surplus") if value > 0 else t("budget.deficit") if value < 0 else t("budget.balanced")
    return label, rupiah(value)
