"""The village budget's (APBDes, Permendagri 20/2018) codes, amounts and text rules, with no database.

One module so that the operator form, the Excel importer and the resident pages agree on what a valid code,
amount and description is, and on how Rupiah read (`Rp 1.250.000`). Like `kiosk.identity`, refusals are a
message key with params, never text: the i18n tables (kiosk/i18n/budget.py) hold the wording.

Sections and codes (kode rekening):
  pendapatan  4.1 Pendapatan Asli Desa, 4.2 Transfer (4.2.1 Dana Desa, 4.2.2 Bagi Hasil Pajak dan Retribusi,
              4.2.3 Alokasi Dana Desa, 4.2.4/4.2.5 Bantuan Keuangan Provinsi/Kabupaten), 4.3 Lain-lain
  belanja     by bidang 1..5 with sub-bidang and kegiatan below (2.2.01 ...)
  pembiayaan  6.1 Penerimaan (SiLPA, ...), 6.2 Pengeluaran (Penyertaan Modal Desa, ...)
Belanja codes collide with pendapatan's ("4.1" is both Pendapatan Asli Desa and a sub-bidang of bidang 4),
so a line always carries its section; the code alone decides only the group inside that section.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from kiosk.services.text_checks import code_in

SECTIONS = ("pendapatan", "belanja", "pembiayaan")
BIDANG = (1, 2, 3, 4, 5)
# Pendapatan groups in the order the resident pages show them.
INCOME_GROUPS = ("pades", "dana_desa", "bagi_hasil", "add", "bantuan", "transfer", "lain")
FINANCING_GROUPS = ("penerimaan", "pengeluaran")
YEAR_MIN, YEAR_MAX = 2000, 2100
NAME_MAX = 200
AMOUNT_MAX = 10_000_000_000_000  # Rp 10 triliun: far above any village's budget, below float precision limits

_CODE = re.compile(r"^\d{1,2}(\.\d{1,4}){0,5}$")
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Zl", "Zp"}


class BudgetRuleError(ValueError):
    """A refused value: `key` names a message in kiosk/i18n/budget.py, `params` fill its placeholders."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# --- Rupiah ----------------------------------------------------------------------------------------------

def thousands(amount: int) -> str:
    """1250000 -> '1.250.000' (Indonesian groups with dots)."""
    return f"{abs(int(amount)):,}".replace(",", ".")


def format_rupiah(amount: int) -> str:
    """'Rp 1.250.000'; a negative amount (a deficit) as '-Rp 1.250.000'."""
    value = int(amount)
    return f"-Rp {thousands(value)}" if value < 0 else f"Rp {thousands(value)}"


def format_percent(part: int, whole: int) -> str:
    """Realisation as '87,5%' (one decimal, Indonesian comma); '0%' when nothing was budgeted."""
    if whole <= 0:
        return "0%"
    value = math.floor(part * 1000 / whole) / 10
    text = f"{value:.1f}".replace(".", ",")
    return (text[:-2] if text.endswith(",0") else text) + "%"


def percent(part: int, whole: int) -> float:
    """Realisation in percent for bar widths (0 when nothing was budgeted)."""
    return 0.0 if whole <= 0 else part * 100 / whole


# --- amounts ---------------------------------------------------------------------------------------------

_AMOUNT_TEXT = re.compile(r"^\d[\d.,]*$")


def _number_from_text(text: str) -> float:
    """A typed or pasted amount: '1.250.000', 'Rp 1.250.000,00', '1,250,000', 'Rp1.250.000,-', '1250000'."""
    cleaned = text.replace("\u00a0", " ").strip()
    cleaned = re.sub(r"^(rp\.?|idr)\s*", "", cleaned, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s+", "", cleaned)
    cleaned = re.sub(r"[,.]-$", "", cleaned)
    if cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")")):
        raise BudgetRuleError("budget.amount_negative", value=text[:30])
    if not _AMOUNT_TEXT.match(cleaned):
        raise BudgetRuleError("budget.amount_not_number", value=text[:30])
    last_dot, last_comma = cleaned.rfind("."), cleaned.rfind(",")
    decimal = max(last_dot, last_comma)
    # The last separator is a decimal one when it is followed by one or two digits ('1.250.000,50', '12.5');
    # groups of three after it mean thousands ('1.250.000', '1,250,000').
    if decimal >= 0 and len(cleaned) - decimal - 1 in (1, 2):
        whole, fraction = cleaned[:decimal], cleaned[decimal + 1:]
    else:
        whole, fraction = cleaned, ""
    groups = re.split(r"[.,]", whole)
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        raise BudgetRuleError("budget.amount_not_number", value=text[:30])
    return float("".join(groups) + ("." + fraction if fraction else ""))


def parse_amount(value: object, *, required: bool = True) -> tuple[int, bool]:
    """A whole-Rupiah amount from a cell or a form field; returns (amount, rounded).

    Empty is 0 unless `required`; a fraction of a Rupiah is rounded (`rounded` tells the caller to warn);
    negative, non-numeric and absurdly large amounts are refused with BudgetRuleError."""
    if value is None or (isinstance(value, str) and value.strip() in ("", "-")):
        if required:
            raise BudgetRuleError("budget.amount_missing")
        return 0, False
    if isinstance(value, bool):
        raise BudgetRuleError("budget.amount_not_number", value=str(value))
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        number = _number_from_text(value)
    else:
        raise BudgetRuleError("budget.amount_not_number", value=str(value)[:30])
    if math.isnan(number) or math.isinf(number):
        raise BudgetRuleError("budget.amount_not_number", value=str(value)[:30])
    if number < 0:
        raise BudgetRuleError("budget.amount_negative", value=format_rupiah(int(number)))
    if number > AMOUNT_MAX:
        raise BudgetRuleError("budget.amount_too_large", max=format_rupiah(AMOUNT_MAX))
    amount = int(round(number))
    return amount, abs(number - amount) > 1e-6


# --- text ------------------------------------------------------------------------------------------------

def clean_name(value: object, *, required: bool = True) -> str:
    """A line's description (uraian) as stored: one line, trimmed; markup, SQL and control codes refused.

    Pages show it escaped anyway; refusing it here means what a resident reads is what the office meant."""
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        if required:
            raise BudgetRuleError("budget.name_missing")
        return ""
    if len(text) > NAME_MAX:
        raise BudgetRuleError("budget.name_too_long", max=NAME_MAX)
    if any(unicodedata.category(ch) in _BAD_CATEGORIES for ch in text):
        raise BudgetRuleError("budget.name_control")
    kind = code_in(text)
    if kind is not None:
        raise BudgetRuleError(f"budget.name_{kind}")
    return text


# --- codes -----------------------------------------------------------------------------------------------

def clean_code(value: object) -> str:
    """'4.2.1', from '4.2.1.', ' 4. 2. 1 ' or a number cell 4.2 (Excel turns '4.2' into a float)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"\s+", "", str(value if value is not None else "")).rstrip(".")
    if not text:
        raise BudgetRuleError("budget.code_missing")
    if not _CODE.match(text):
        raise BudgetRuleError("budget.code_invalid", value=text[:20])
    return text


def segments(code: str) -> list[int]:
    return [int(part) for part in code.split(".")]


def check_code(section: str, code: str) -> str:
    """The cleaned code if it belongs in `section`; BudgetRuleError naming what is wrong otherwise."""
    if section not in SECTIONS:
        raise BudgetRuleError("budget.section_invalid", value=str(section)[:20])
    code = clean_code(code)
    parts = segments(code)
    if section == "pendapatan":
        if parts[0] != 4:
            raise BudgetRuleError("budget.code_not_income", value=code)
        if len(parts) < 2 or parts[1] not in (1, 2, 3):
            raise BudgetRuleError("budget.code_income_group", value=code)
    elif section == "belanja":
        if parts[0] not in BIDANG:
            raise BudgetRuleError("budget.bidang_unknown", value=code)
    else:
        if parts[0] != 6:
            raise BudgetRuleError("budget.code_not_financing", value=code)
        if len(parts) < 2 or parts[1] not in (1, 2):
            raise BudgetRuleError("budget.code_financing_group", value=code)
    return code


def group_of(section: str, code: str) -> str:
    """Where a line is counted: an income source, a bidang ('1'..'5'), or penerimaan/pengeluaran."""
    parts = segments(code)
    if section == "belanja":
        return str(parts[0])
    if section == "pembiayaan":
        return "penerimaan" if parts[1] == 1 else "pengeluaran"
    if parts[1] == 1:
        return "pades"
    if parts[1] == 3:
        return "lain"
    sub = parts[2] if len(parts) > 2 else 0
    return {1: "dana_desa", 2: "bagi_hasil", 3: "add", 4: "bantuan", 5: "bantuan"}.get(sub, "transfer")


def is_parent(code: str, other: str) -> bool:
    """True when `other` sits below `code` (2.2 above 2.2.01)."""
    return other.startswith(code + ".")


def check_year(value: object) -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise BudgetRuleError("budget.year_invalid", min=YEAR_MIN, max=YEAR_MAX) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise BudgetRuleError("budget.year_invalid", min=YEAR_MIN, max=YEAR_MAX)
    return year


@dataclass(frozen=True)
class LineInput:
    """One budget line as a person or a sheet gave it, checked: what the service stores."""

    section: str
    code: str
    name: str
    budget: int
    realised: int


def check_line(section: str, code: object, name: object, budget: object, realised: object) -> LineInput:
    """A whole line from the operator's form; the first problem is raised (the form shows one message)."""
    section = str(section or "").strip().lower()
    checked_code = check_code(section, clean_code(code))
    checked_name = clean_name(name)
    amount, _ = parse_amount(budget)
    spent, _ = parse_amount(realised, required=False)
    return LineInput(section, checked_code, checked_name, amount, spent)
