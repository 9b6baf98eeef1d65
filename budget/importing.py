"""Reading a finance system's export (CSV or XLSX) and planning its import (the dry run): ``core.import_plan``'s
protocol, the write being :func:`budget.services.imports.budget_import`.

A finance export's columns are its own: an :class:`~budget.models.ImportSource` maps each of our :data:`FIELDS` to
one of the file's columns, once per source (saved, and offered again the next time).

The shape of a row (the import page's help text says the same):

* a **budget line**: fiscal year (``2027`` or ``FY2027``), fund code (and name, used when the fund is new),
  department (its code or its name; a division too), program code (and name, used when the program is new), category
  (personnel, operating or capital), and the amounts adopted, amended, actual and requested (blank: none; a blank
  adopted amount is 0). A line is one fiscal year, fund, program and category: a file names it once.
* a **monthly actual**: the same line's names, and a month (``2026-08``, or any date in it) with the amount spent that
  month in the amount column; its other amounts are not read. Its line is in the file or already in the budget.

Who imports what: the Stat lead any department; a budget analyst their portfolio's departments only (another
department's rows are invalid, "not your portfolio"). A closed fiscal year's rows are invalid; a fiscal year, fund or
program the budget does not have yet is added by the import.
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from core.import_plan import CHANGED, FIRST_LINE, INVALID, NEW, UNCHANGED, Plan, PlannedRow, Repeats
from core.spreadsheets import FORM_UPLOAD_LIMITS, cell_text, xlsx_rows
from core.uploads import RefusedFile, refuse_html, refuse_nul, refuse_wide
from team.access import actor_for
from team.models import Department

from .access import NOT_YOUR_PORTFOLIO, writes_department_budget
from .models import BudgetLine, Category, FiscalYear, FiscalYearStatus, Fund, MonthlyActual
from .services.data import fiscal_year_bounds, money

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: Our fields (field → its label), in the order the mapping form and the export show them.
FIELDS: dict[str, str] = {
    "fiscal_year": "Fiscal year",
    "fund_code": "Fund code",
    "fund_name": "Fund name",
    "department": "Department (code or name)",
    "program_code": "Program code",
    "program_name": "Program name",
    "category": "Category",
    "adopted": "Adopted",
    "amended": "Amended",
    "actual": "Actual",
    "requested": "Requested",
    "month": "Month (monthly actuals)",
    "amount": "Amount (monthly actuals)",
}
REQUIRED = ("fiscal_year", "fund_code", "department", "program_code", "category")
AMOUNTS = ("adopted", "amended", "actual", "requested")
#: Other names finance systems give our fields (lower case, spaces and punctuation as "_"), for a first mapping.
ALIASES: dict[str, tuple[str, ...]] = {
    "fiscal_year": ("fy", "year", "fiscal_yr", "budget_year"),
    "fund_code": ("fund", "fund_no", "fund_number", "fund_id"),
    "fund_name": ("fund_description", "fund_title"),
    "department": ("department_code", "dept", "dept_code", "department_name", "agency", "org"),
    "program_code": ("program", "program_no", "program_number", "activity"),
    "program_name": ("program_description", "program_title", "activity_name"),
    "category": ("expense_category", "object_class", "account_type", "character"),
    "adopted": ("adopted_budget", "original_budget", "budget"),
    "amended": ("amended_budget", "revised_budget", "modified_budget"),
    "actual": ("actuals", "expended", "expenditures", "spent"),
    "requested": ("request", "requested_budget", "proposed"),
    "month": ("period", "month_of", "posting_month"),
    "amount": ("monthly_amount", "month_amount", "monthly_actual"),
}

MAX_UPLOAD_BYTES = 40 * 1024 * 1024
MAX_ROWS = 100_000
XLSX_LIMITS = replace(FORM_UPLOAD_LIMITS, max_rows=MAX_ROWS + 1, max_cells=4_000_000)


class TableError(Exception):
    """The file cannot be read as a finance export, or its mapping does not fit it; the message says why."""


# --- reading ---------------------------------------------------------------------------------------------------------


@dataclass
class Table:
    """A file's header (its own column names) and its rows of text (blank rows dropped)."""

    header: list[str]
    rows: list[list[str]]


def read_table(upload, filename: str = "") -> Table:
    """The header and rows of an uploaded CSV (UTF-8; comma or semicolon) or XLSX file, every cell as text, the file
    bounded before it is parsed (its size, a web page, NUL bytes, the width, an XLSX's ZIP and parts). Raises
    :class:`TableError`."""
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise TableError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise TableError("The file is empty.")
    name = (filename or getattr(upload, "name", "") or "").lower()
    try:
        if data[:4] == b"PK\x03\x04":
            return _read_xlsx(data)
        if name.endswith((".xlsx", ".xls", ".ods")):
            raise TableError("The file is not a valid XLSX workbook. Save it from your spreadsheet as .xlsx or .csv.")
        refuse_html(data)
        refuse_nul(data)
        return _read_csv(data)
    except RefusedFile as exc:
        raise TableError(str(exc)) from exc


def _table(header_cells, body, *, text: bool = False) -> Table:
    header = [cell_text(c).strip() for c in header_cells]
    refuse_wide(len(header))
    if not any(header):
        raise TableError("The file's first row must name its columns.")
    if len(set(header)) != len(header):
        raise TableError("Two of the file's columns have the same name: name each column once.")
    rows: list[list[str]] = []
    width = len(header)
    for cells in body:
        values = (cells if text else [cell_text(c) for c in cells])[:width]
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise TableError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
        rows.append(values + [""] * (width - len(values)) if len(values) < width else values)
    if not rows:
        raise TableError("The file has a header row but no rows under it.")
    return Table(header=header, rows=rows)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("The file is not UTF-8 text. Save it as “CSV UTF-8”, or upload it as .xlsx.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _table(next(reader, []), reader, text=True)
    except csv.Error as exc:
        raise TableError(f"The file is not valid CSV: {exc}.") from exc


def _read_xlsx(data: bytes) -> Table:
    with xlsx_rows(io.BytesIO(data), XLSX_LIMITS) as rows:
        return _table(next(rows, ()) or (), rows)


# --- mapping ---------------------------------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def guess_mapping(header: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """A first mapping for a file: the source's saved one where its columns are in the file, else a column named
    like our field (``fiscal_year``, ``Fiscal Year``, ``FY``...)."""
    saved = saved or {}
    by_normal = {_normal(column): column for column in header}
    mapping: dict[str, str] = {}
    for name in FIELDS:
        if saved.get(name) in header:
            mapping[name] = saved[name]
            continue
        for candidate in (name, _normal(FIELDS[name]), *ALIASES.get(name, ())):
            if candidate in by_normal:
                mapping[name] = by_normal[candidate]
                break
    return mapping


def check_mapping(header: list[str], mapping: dict[str, str]) -> None:
    """Raise :class:`TableError` when ``mapping`` leaves a required field out or names a column the file lacks."""
    missing = [FIELDS[name] for name in REQUIRED if not mapping.get(name)]
    if missing:
        raise TableError(f"Choose the file's column for: {', '.join(missing)}.")
    absent = sorted({column for column in mapping.values() if column and column not in header})
    if absent:
        raise TableError(f"The file has no column {', '.join(repr(c) for c in absent)}: map its columns again.")
    if bool(mapping.get("month")) != bool(mapping.get("amount")):
        raise TableError("Monthly actuals need both a month column and an amount column (or neither).")


def mapped_rows(table: Table, mapping: dict[str, str]) -> list[dict[str, str]]:
    """The file's rows as our fields (only the mapped ones), every value stripped."""
    check_mapping(table.header, mapping)
    index = {name: table.header.index(column) for name, column in mapping.items() if column}
    return [{name: row[i].strip() for name, i in index.items()} for row in table.rows]


# --- planning --------------------------------------------------------------------------------------------------------

#: A line's identity: (fiscal year, fund code, department id, program code, category).
LineKey = tuple[int, str, int, str, str]


@dataclass(kw_only=True)
class BudgetRow(PlannedRow):
    """What importing one row would do: the line (or monthly actual) it names, its values, and what changes."""

    label: str = ""
    kind: str = "line"  # or "month"
    key: LineKey | None = None
    fund_name: str = ""
    program_name: str = ""
    department: Department | None = None
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    month: datetime.date | None = None
    amount: Decimal | None = None
    changes: list[str] = field(default_factory=list)
    line_id: int | None = None
    actual_id: int | None = None


BudgetPlan = Plan[BudgetRow]


def _amount(text: str) -> Decimal:
    """A cell as an amount: ``1,234.50``, ``$1,234.50``, ``(1,234.50)`` (negative), ``-12``."""
    value = text.replace(",", "").replace("$", "").replace(" ", "")
    if value.startswith("(") and value.endswith(")"):
        value = "-" + value[1:-1]
    return money(value)


_YEAR = re.compile(r"(?:fy\s*)?(\d{4})", re.IGNORECASE)


@functools.lru_cache(maxsize=256)
def _year(text: str) -> int:
    match = _YEAR.fullmatch(text.strip())
    if not match:
        raise ValueError
    return int(match.group(1))


def _month(text: str) -> datetime.date:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?", text.strip())
    if not match:
        raise ValueError
    return datetime.date(int(match.group(1)), int(match.group(2)), 1)


_CATEGORIES = {value: value for value in Category.values} | {
    str(label).lower(): value for value, label in Category.choices
}


class _Lookups:
    """What the rows name, each kind read with one query."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.departments: dict[str, Department] = {}
        for department in Department.objects.all():
            self.departments.setdefault(department.name.lower(), department)
            self.departments[department.code.lower()] = department
        self.years = {fy.year: fy for fy in FiscalYear.objects.all()}
        self.funds = set(Fund.objects.values_list("code", flat=True))
        self.lines: dict[LineKey, tuple[int, dict[str, Decimal | None]]] = {}
        years = set()
        for row in rows:
            try:
                years.add(_year(row.get("fiscal_year", "")))
            except ValueError:
                continue
        for pk, year, fund, department_id, program, category, *amounts in (
            BudgetLine.objects.filter(fiscal_year__year__in=years)
            .values_list(
                "pk", "fiscal_year__year", "fund__code", "program__department_id", "program__code", "category", *AMOUNTS
            )
            .iterator(chunk_size=5000)
        ):
            self.lines[(year, fund, department_id, program, category)] = (pk, dict(zip(AMOUNTS, amounts, strict=True)))
        self.actuals: dict[tuple[int, datetime.date], tuple[int, Decimal]] = {}
        if any(row.get("month") for row in rows):
            for pk, line_id, month, amount in MonthlyActual.objects.filter(
                line__fiscal_year__year__in=years
            ).values_list("pk", "line_id", "month", "amount"):
                self.actuals[(line_id, month)] = (pk, amount)


def _plan_row(line: int, raw: dict[str, str], lookups: _Lookups, writes) -> BudgetRow:
    row = BudgetRow(line=line, fund_name=raw.get("fund_name", ""), program_name=raw.get("program_name", ""))
    row.label = " · ".join(
        v for v in (raw.get("fiscal_year"), raw.get("department"), raw.get("program_code"), raw.get("category")) if v
    )
    for name in REQUIRED:
        if not raw.get(name):
            row.refuse(f"No {FIELDS[name].lower()}.")
    if not row.is_valid:
        return row
    try:
        year = _year(raw["fiscal_year"])
    except ValueError:
        row.refuse(f"“{raw['fiscal_year']}” is not a fiscal year (such as 2027 or FY2027).")
        year = 0
    department = lookups.departments.get(raw["department"].lower())
    if department is None:
        row.refuse(f"No department has the code or name “{raw['department']}”.")
    elif not writes(department):
        row.refuse(f"{department.name}: {NOT_YOUR_PORTFOLIO}.")
    category = _CATEGORIES.get(raw["category"].lower())
    if category is None:
        row.refuse(f"“{raw['category']}” is not a category: {', '.join(Category.values)}.")
    if len(raw["fund_code"]) > 20:
        row.refuse("A fund code has at most 20 characters.")
    if len(raw["program_code"]) > 30:
        row.refuse("A program code has at most 30 characters.")
    fiscal_year = lookups.years.get(year)
    if fiscal_year is not None and fiscal_year.status == FiscalYearStatus.CLOSED:
        row.refuse(f"{fiscal_year.name} is closed: its budget no longer changes.")
    if year and not 1900 <= year <= 2999:
        row.refuse(f"{year} is not a fiscal year.")
    if raw.get("month"):
        row.kind = "month"
        try:
            row.month = _month(raw["month"])
        except ValueError:
            row.refuse(f"“{raw['month']}” is not a month (such as 2026-08).")
        if row.month and year:
            starts_on, ends_on = fiscal_year_bounds(year)
            if not starts_on <= row.month <= ends_on:
                row.refuse(f"{row.month:%B %Y} is not in FY{year}.")
        try:
            row.amount = _amount(raw.get("amount", ""))
        except ValidationError:
            row.refuse(f"“{raw.get('amount', '')}” is not an amount.")
    else:
        for name in AMOUNTS:
            if name not in raw:
                continue
            if not raw[name]:
                row.amounts[name] = Decimal("0.00") if name == "adopted" else None
                continue
            try:
                row.amounts[name] = _amount(raw[name])
            except ValidationError:
                row.refuse(f"{FIELDS[name]}: “{raw[name]}” is not an amount.")
    if row.is_valid and department is not None and category is not None:
        row.department = department
        row.key = (year, raw["fund_code"], department.pk, raw["program_code"], category)
    return row


def import_plan(*, rows: list[dict[str, str]], by: User | None) -> BudgetPlan:
    """What importing ``rows`` (our fields, :func:`mapped_rows`) would do with ``by``'s rights, row by row; writes
    nothing. Reads the database a fixed number of times, however many rows."""
    lookups = _Lookups(rows)
    actor = actor_for(by) if by is not None else None
    allowed: dict[int, bool] = {}

    def writes(department: Department) -> bool:
        if actor is None:
            return True
        if department.pk not in allowed:
            allowed[department.pk] = writes_department_budget(actor, department.pk, department.portfolio_id)
        return allowed[department.pk]

    line_repeats, month_repeats = Repeats(), Repeats()
    planned: list[BudgetRow] = []
    file_lines: set[LineKey] = set()
    for index, raw in enumerate(rows):
        row = _plan_row(index + FIRST_LINE, raw, lookups, writes)
        planned.append(row)
        if not row.is_valid or row.key is None:
            continue
        if row.kind == "line":
            earlier = line_repeats.earlier_line(row.key, row.line)
            if earlier is not None:
                row.refuse(f"The same line (year, fund, program, category) is also on line {earlier}.")
                continue
            file_lines.add(row.key)
            existing = lookups.lines.get(row.key)
            if existing is None:
                row.action = NEW
                continue
            row.line_id, old = existing
            row.changes = [name for name, value in row.amounts.items() if old[name] != value]
            row.action = CHANGED if row.changes else UNCHANGED
    for row in planned:  # monthly actuals, once every line of the file is known
        if row.kind != "month" or not row.is_valid or row.key is None:
            continue
        assert row.month is not None
        earlier = month_repeats.earlier_line((row.key, row.month), row.line)
        if earlier is not None:
            row.refuse(f"The same month of the same line is also on line {earlier}.")
            continue
        existing_line = lookups.lines.get(row.key)
        if existing_line is None:
            if row.key not in file_lines:
                row.refuse("No budget line of this year, fund, program and category, in the file or the budget.")
            else:
                row.action = NEW
            continue
        row.line_id = existing_line[0]
        actual = lookups.actuals.get((row.line_id, row.month))
        if actual is None:
            row.action = NEW
        else:
            row.actual_id = actual[0]
            row.changes = ["amount"] if actual[1] != row.amount else []
            row.action = CHANGED if row.changes else UNCHANGED
    return Plan(rows=planned)


def invalid_rows(plan: BudgetPlan) -> list[BudgetRow]:
    return [row for row in plan.rows if row.action == INVALID]
