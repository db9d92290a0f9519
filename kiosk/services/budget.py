"""The village budget (APBDes) and its realisation: entered by hand or imported from Excel, shown to residents.

A fiscal year holds lines (section, kode rekening, uraian, anggaran, realisasi). Lines may be parents of other
lines (2.2 above 2.2.01); totals are always the sum of the leaves, so a sheet with subtotal rows counts once.
Every write is one transaction with its audit entry; an import replaces a year's lines all at once, and only
after its dry run found no errors. Only published years reach the kiosk, the phone pages and the attract
screen; earlier years stay and stay readable.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass, field

from peewee import fn

from kiosk.budget_rules import (BIDANG, FINANCING_GROUPS, INCOME_GROUPS, SECTIONS, BudgetRuleError, LineInput,
                                check_line, check_year, format_percent, format_rupiah, group_of, percent, segments)
from kiosk.db import database, reading
from kiosk.importing.budget_sheet import BudgetSheet, SheetError, SheetIssue, read_budget, write_template
from kiosk.models import BudgetLine, BudgetYear
from kiosk.services import audit
from kiosk.services.clock import utc_now
from kiosk.services.errors import NotFound, ServiceError


@dataclass(frozen=True)
class YearInfo:
    year: int
    published: bool
    lines: int
    updated_by: str


@dataclass(frozen=True)
class Line:
    id: int
    section: str
    code: str
    name: str
    budget: int
    realised: int
    parent: bool = False        # has lines below it: its totals are theirs (below), not its own amounts
    sum_budget: int = 0
    sum_realised: int = 0

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: a group (an income source, a bidang) or a single line (`name` is then its uraian)."""

    key: str
    budget: int
    realised: int
    name: str = ""

    @property
    def percent(self) -> float:
        return percent(self.realised, self.budget)

    @property
    def percent_text(self) -> str:
        return format_percent(self.realised, self.budget)


@dataclass
class BudgetSummary:
    """A year as the resident pages show it: totals, and the bars of each chart."""

    year: int
    published: bool
    income: Bar
    spending: Bar
    financing_in: Bar
    financing_out: Bar
    income_groups: list[Bar]
    bidang: list[Bar]
    activities: dict[str, list[Bar]] = field(default_factory=dict)  # bidang -> its leaf lines

    @property
    def surplus(self) -> int:
        return self.income.budget - self.spending.budget

    @property
    def surplus_realised(self) -> int:
        return self.income.realised - self.spending.realised

    @property
    def financing_net(self) -> int:
        return self.financing_in.budget - self.financing_out.budget

    @property
    def empty(self) -> bool:
        return not (self.income.budget or self.spending.budget or self.financing_in.budget
                    or self.financing_out.budget)


@dataclass
class ImportReport:
    """The dry run (or what was saved): counts, totals and every problem with its row."""

    year: int
    sheet: str
    header_row: int
    lines: int
    replaced: int
    sections: dict[str, int]
    income: int
    spending: int
    issues: list[SheetIssue]

    @property
    def errors(self) -> int:
        return sum(1 for issue in self.issues if issue.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for issue in self.issues if issue.level == "warning")


def _refused(error: BudgetRuleError | SheetError, status: int = 400) -> ServiceError:
    return ServiceError(error.key, status=status, **error.params)


def _sort_key(section: str, code: str) -> tuple[int, tuple[int, ...]]:
    return SECTIONS.index(section), tuple(segments(code))


def _year_row(year: int) -> BudgetYear:
    row = BudgetYear.get_or_none(BudgetYear.year == year)
    if row is None:
        raise NotFound("budget.year_unknown", year=year)
    return row


def _touch(row: BudgetYear, actor: str) -> None:
    BudgetYear.update(updated_at=utc_now(), updated_by=actor).where(BudgetYear.id == row.id).execute()


# --- years -----------------------------------------------------------------------------------------------

def years(published_only: bool = False) -> list[YearInfo]:
    """Every year (or only the published ones), newest first."""
    with reading():
        query = BudgetYear.select().order_by(BudgetYear.year.desc())
        if published_only:
            query = query.where(BudgetYear.published == True)  # noqa: E712 - peewee expression
        counts = dict(BudgetLine.select(BudgetLine.year, fn.COUNT(BudgetLine.id)).group_by(BudgetLine.year).tuples())
        return [YearInfo(row.year, bool(row.published), counts.get(row.id, 0), row.updated_by) for row in query]


def create_year(year: object, *, actor: str, client: str = "") -> int:
    """A new, empty, unpublished year; refused when it exists already."""
    try:
        value = check_year(year)
    except BudgetRuleError as error:
        raise _refused(error) from error
    with database.atomic():
        if BudgetYear.select().where(BudgetYear.year == value).exists():
            raise ServiceError("budget.year_exists", year=value)
        now = utc_now()
        BudgetYear.create(uuid=str(uuid_module.uuid4()), year=value, published=False, created_at=now,
                          updated_at=now, updated_by=actor)
        audit.record(actor, "budget.year.create", str(value), "", client)
    return value


def set_published(year: int, published: bool, *, actor: str, client: str = "") -> None:
    """Show the year to residents, or take it back. An empty year cannot be published."""
    with database.atomic():
        row = _year_row(year)
        if published and not BudgetLine.select().where(BudgetLine.year == row.id).exists():
            raise ServiceError("budget.publish_empty", year=year)
        BudgetYear.update(published=published, updated_at=utc_now(), updated_by=actor) \
            .where(BudgetYear.id == row.id).execute()
        audit.record(actor, "budget.publish" if published else "budget.unpublish", str(year), "", client)


def latest_published() -> int | None:
    with reading():
        row = (BudgetYear.select(BudgetYear.year).where(BudgetYear.published == True)  # noqa: E712
               .order_by(BudgetYear.year.desc()).first())
        return row.year if row else None


# --- lines -----------------------------------------------------------------------------------------------

def lines(year: int) -> list[Line]:
    """The year's lines in budget order (pendapatan, belanja, pembiayaan; codes in natural order)."""
    with reading():
        row = _year_row(year)
        found = [Line(r.id, r.section, r.code, r.name, r.budget, r.realised)
                 for r in BudgetLine.select().where(BudgetLine.year == row.id)]
    leaves = _leaves(found)
    sums: dict[tuple[str, str], tuple[int, int]] = {}
    for leaf in leaves:
        parts = leaf.code.split(".")
        for n in range(1, len(parts)):
            key = (leaf.section, ".".join(parts[:n]))
            spent = sums.get(key, (0, 0))
            sums[key] = (spent[0] + leaf.budget, spent[1] + leaf.realised)
    shown = [line if (line.section, line.code) not in sums else
             Line(line.id, line.section, line.code, line.name, line.budget, line.realised, True,
                  *sums[(line.section, line.code)]) for line in found]
    return sorted(shown, key=lambda line: _sort_key(line.section, line.code))


def _checked(section: str, code: object, name: object, budget: object, realised: object) -> LineInput:
    try:
        return check_line(section, code, name, budget, realised)
    except BudgetRuleError as error:
        raise _refused(error) from error


def _detail(line: LineInput) -> str:
    return f"{line.section} {line.code} {line.name}: {line.budget}/{line.realised}"


def add_line(year: int, section: str, code: object, name: object, budget: object, realised: object = None,
             *, actor: str, client: str = "") -> int:
    """One line typed on the operator page; refused when its code is taken in that section."""
    line = _checked(section, code, name, budget, realised)
    with database.atomic():
        row = _year_row(year)
        if BudgetLine.select().where((BudgetLine.year == row.id) & (BudgetLine.section == line.section)
                                     & (BudgetLine.code == line.code)).exists():
            raise ServiceError("budget.code_taken", value=line.code)
        created = BudgetLine.create(uuid=str(uuid_module.uuid4()), year=row.id, section=line.section,
                                    code=line.code, name=line.name, budget=line.budget, realised=line.realised)
        _touch(row, actor)
        audit.record(actor, "budget.line.add", str(year), _detail(line), client)
    return int(created.id)


def update_line(line_id: int, section: str, code: object, name: object, budget: object, realised: object = None,
                *, actor: str, client: str = "") -> None:
    line = _checked(section, code, name, budget, realised)
    with database.atomic():
        current = BudgetLine.get_or_none(BudgetLine.id == line_id)
        if current is None:
            raise NotFound("budget.line_unknown")
        clash = BudgetLine.select().where((BudgetLine.year == current.year_id) & (BudgetLine.section == line.section)
                                          & (BudgetLine.code == line.code) & (BudgetLine.id != line_id)).exists()
        if clash:
            raise ServiceError("budget.code_taken", value=line.code)
        BudgetLine.update(section=line.section, code=line.code, name=line.name, budget=line.budget,
                          realised=line.realised).where(BudgetLine.id == line_id).execute()
        year = BudgetYear.get_by_id(current.year_id)
        _touch(year, actor)
        audit.record(actor, "budget.line.edit", str(year.year), _detail(line), client)


def delete_line(line_id: int, *, actor: str, client: str = "") -> None:
    with database.atomic():
        current = BudgetLine.get_or_none(BudgetLine.id == line_id)
        if current is None:
            raise NotFound("budget.line_unknown")
        year = BudgetYear.get_by_id(current.year_id)
        BudgetLine.delete().where(BudgetLine.id == line_id).execute()
        _touch(year, actor)
        audit.record(actor, "budget.line.delete", str(year.year), f"{current.section} {current.code} {current.name}",
                     client)


# --- import ----------------------------------------------------------------------------------------------

def _read(data: bytes, filename: str, year: int) -> BudgetSheet:
    try:
        sheet = read_budget(data, filename)
    except SheetError as error:
        raise _refused(error, status=422) from error
    if sheet.year_hint is not None and sheet.year_hint != year:
        sheet.issues.insert(0, SheetIssue(1, "tahun", "warning", "budget.year_mismatch",
                                          {"found": sheet.year_hint, "year": year}))
    return sheet


def _report(sheet: BudgetSheet, year: int, replaced: int) -> ImportReport:
    inputs = [Line(0, line.section, line.code, line.name, line.budget, line.realised) for line in sheet.lines]
    leaves = _leaves(inputs)
    sections = {section: sum(1 for line in sheet.lines if line.section == section) for section in SECTIONS}
    return ImportReport(year, sheet.sheet, sheet.header_row, len(sheet.lines), replaced, sections,
                        sum(line.budget for line in leaves if line.section == "pendapatan"),
                        sum(line.budget for line in leaves if line.section == "belanja"), sheet.issues)


def _existing_count(year: int) -> int:
    row = BudgetYear.get_or_none(BudgetYear.year == year)
    return 0 if row is None else BudgetLine.select().where(BudgetLine.year == row.id).count()


def plan_import(data: bytes, filename: str, year: object) -> ImportReport:
    """The dry run: what the sheet holds and every problem per row. Writes nothing."""
    try:
        value = check_year(year)
    except BudgetRuleError as error:
        raise _refused(error) from error
    sheet = _read(data, filename, value)
    with reading():
        replaced = _existing_count(value)
    return _report(sheet, value, replaced)


def commit_import(data: bytes, filename: str, year: object, *, actor: str, client: str = "") -> ImportReport:
    """Replace the year's lines with the sheet's, in one transaction; nothing changes when it has errors.

    The file is read again rather than trusting an earlier dry run's result, so what is saved is exactly what
    this file holds. The year is created when new; its published state stays as it was."""
    try:
        value = check_year(year)
    except BudgetRuleError as error:
        raise _refused(error) from error
    sheet = _read(data, filename, value)
    if sheet.errors:
        raise ServiceError("budget.import_has_errors", status=422, errors=sheet.errors)
    with database.atomic():
        now = utc_now()
        row = BudgetYear.get_or_none(BudgetYear.year == value)
        if row is None:
            row = BudgetYear.create(uuid=str(uuid_module.uuid4()), year=value, published=False, created_at=now,
                                    updated_at=now, updated_by=actor)
        replaced = BudgetLine.delete().where(BudgetLine.year == row.id).execute()
        BudgetLine.insert_many([
            {"uuid": str(uuid_module.uuid4()), "year": row.id, "section": line.section, "code": line.code,
             "name": line.name, "budget": line.budget, "realised": line.realised, "sort_order": order}
            for order, line in enumerate(sheet.lines)]).execute()
        _touch(row, actor)
        report = _report(sheet, value, replaced)
        audit.record(actor, "budget.import", str(value),
                     f"{filename[:80]}: {report.lines} baris, {report.replaced} diganti", client)
    return report


def template(year: int, village: str) -> bytes:
    """The Excel template: the year's own lines when it has some (edit and import back), else the standard."""
    with reading():
        row = BudgetYear.get_or_none(BudgetYear.year == year)
        found = [] if row is None else [(r.section, r.code, r.name, r.budget, r.realised)
                                        for r in BudgetLine.select().where(BudgetLine.year == row.id)]
    found.sort(key=lambda item: _sort_key(item[0], item[1]))
    # Parent rows go out without amounts: totals are their leaves' sums, so a stale subtotal cannot disagree.
    leaves = {(line.section, line.code) for line in _leaves([Line(0, *item) for item in found])}
    return write_template(year, village, [item if (item[0], item[1]) in leaves else (*item[:3], None, None)
                                          for item in found])


# --- what residents see ----------------------------------------------------------------------------------

def _leaves(found: list[Line]) -> list[Line]:
    parents = set()
    for line in found:
        parts = line.code.split(".")
        for n in range(1, len(parts)):
            parents.add((line.section, ".".join(parts[:n])))
    return [line for line in found if (line.section, line.code) not in parents]


def _sum(key: str, found: list[Line]) -> Bar:
    return Bar(key, sum(line.budget for line in found), sum(line.realised for line in found))


def summary(year: int, *, published_only: bool = True) -> BudgetSummary | None:
    """The year's totals and chart bars, or None when the year is unknown (or unpublished, for residents)."""
    with reading():
        row = BudgetYear.get_or_none(BudgetYear.year == year)
        if row is None or (published_only and not row.published):
            return None
        found = [Line(r.id, r.section, r.code, r.name, r.budget, r.realised)
                 for r in BudgetLine.select().where(BudgetLine.year == row.id)]
    found.sort(key=lambda line: _sort_key(line.section, line.code))
    leaves = _leaves(found)
    income = [line for line in leaves if line.section == "pendapatan"]
    spending = [line for line in leaves if line.section == "belanja"]
    financing = [line for line in leaves if line.section == "pembiayaan"]
    groups = [_sum(group, [line for line in income if group_of("pendapatan", line.code) == group])
              for group in INCOME_GROUPS]
    by_bidang = {str(b): [line for line in spending if group_of("belanja", line.code) == str(b)] for b in BIDANG}
    flows = {group: [line for line in financing if group_of("pembiayaan", line.code) == group]
             for group in FINANCING_GROUPS}
    return BudgetSummary(
        year=row.year, published=bool(row.published),
        income=_sum("pendapatan", income), spending=_sum("belanja", spending),
        financing_in=_sum("penerimaan", flows["penerimaan"]), financing_out=_sum("pengeluaran", flows["pengeluaran"]),
        income_groups=[bar for bar in groups if bar.budget or bar.realised],
        bidang=[_sum(key, items) for key, items in by_bidang.items()],
        activities={key: [Bar(line.code, line.budget, line.realised, line.name) for line in items]
                    for key, items in by_bidang.items()})


def rupiah(amount: int) -> str:
    """`Rp 1.250.000` for pages and templates (re-exported so pages need only this service)."""
    return format_rupiah(amount)
