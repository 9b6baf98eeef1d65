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
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from django.core.exceptions import ValidationError
from django.db import connection

from core.import_plan import CHANGED, FIRST_LINE, INVALID, NEW, UNCHANGED, PlannedRow
from core.spreadsheets import FORM_UPLOAD_LIMITS, cell_text, xlsx_rows
from core.uploads import MAX_COLUMNS, RefusedFile, refuse_html, refuse_nul, refuse_wide
from team.access import actor_for
from team.models import Department

from .access import NOT_YOUR_PORTFOLIO, writes_department_budget
from .models import BudgetLine, Category, FiscalYear, FiscalYearStatus, Fund, MonthlyActual, Program
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


class Table:
    """A file's header (its own column names) and its rows of text (blank rows dropped), kept as a frame of strings
    (column ``i`` is the file's ``i``-th column) or as lists of cells, each made from the other when first asked for:
    the file is read into the frame, a background job keeps the lists (JSON) and gives them back."""

    def __init__(
        self, header: list[str], rows: list[list[str]] | None = None, *, frame: pd.DataFrame | None = None
    ) -> None:
        self.header = header
        self._rows = rows
        self._frame = frame

    @property
    def rows(self) -> list[list[str]]:
        if self._rows is None:
            assert self._frame is not None
            self._rows = self._frame.to_numpy(dtype=object).tolist()
        return self._rows

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            width = len(self.header)
            rows = [list(row[:width]) + [""] * (width - len(row)) for row in self._rows or []]
            self._frame = pd.DataFrame(rows, columns=range(width), dtype=object)
        return self._frame


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


def _checked_header(header_cells) -> list[str]:
    header = [cell_text(c).strip() for c in header_cells]
    refuse_wide(len(header))
    if not any(header):
        raise TableError("The file's first row must name its columns.")
    if len(set(header)) != len(header):
        raise TableError("Two of the file's columns have the same name: name each column once.")
    return header


def _too_many_rows() -> TableError:
    return TableError(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")


def _table(header_cells, body, *, text: bool = False) -> Table:
    """A table from rows read one at a time (an XLSX's, or a CSV whose rows are not all as wide as its header)."""
    header = _checked_header(header_cells)
    rows: list[list[str]] = []
    width = len(header)
    for cells in body:
        values = (cells if text else [cell_text(c) for c in cells])[:width]
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        rows.append(values + [""] * (width - len(values)) if len(values) < width else values)
    if not rows:
        raise TableError("The file has a header row but no rows under it.")
    return Table(header=header, rows=rows)


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError("The file is not UTF-8 text. Save it as “CSV UTF-8”, or upload it as .xlsx.") from exc
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    if first_line.strip():
        table = _read_csv_frame(data, delimiter)
        if table is not None:
            return table
    # A row wider than the header (its extra cells are dropped), or a first line with nothing on it: row by row.
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return _table(next(reader, []), reader, text=True)
    except csv.Error as exc:
        raise TableError(f"The file is not valid CSV: {exc}.") from exc


def _read_csv_frame(data: bytes, delimiter: str) -> Table | None:
    """The CSV read whole by pyarrow's multi-threaded reader, every cell as text (``None`` when a row is not as wide
    as the header: the row-by-row reader keeps such a file's rows, padded or cut). The threads split the file at line
    ends; a value with a line break inside its quotes makes them lose step, which pyarrow reports: the file is then
    read again, split only at line ends outside quotes (on one thread)."""
    for newlines_in_values in (False, True):
        try:
            table = pa_csv.read_csv(
                pa.py_buffer(data),
                read_options=pa_csv.ReadOptions(autogenerate_column_names=True, block_size=_BLOCK_BYTES),
                parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=newlines_in_values),
                convert_options=pa_csv.ConvertOptions(
                    column_types=_TEXT_COLUMNS, strings_can_be_null=False, quoted_strings_can_be_null=False
                ),
            )
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            continue
    else:
        return None
    if table.num_rows == 0:
        return None
    header = _checked_header([table.column(i)[0].as_py() for i in range(table.num_columns)])
    body = table.slice(1).rename_columns([str(i) for i in range(table.num_columns)]).to_pandas()
    body.columns = pd.RangeIndex(len(header))
    keep = _not_blank(body)
    if not keep.all():
        body = body[keep].reset_index(drop=True)
    if body.empty:
        raise TableError("The file has a header row but no rows under it.")
    if len(body) > MAX_ROWS:
        raise _too_many_rows()
    return Table(header=header, frame=body)


#: How much of the file each of the reader's threads parses at a time.
_BLOCK_BYTES = 1 << 20
#: Every column read as text (the reader names them f0, f1...; a file wider than this is refused after reading).
_TEXT_COLUMNS = {f"f{i}": pa.string() for i in range(MAX_COLUMNS + 1)}


def _not_blank(frame: pd.DataFrame) -> np.ndarray:
    """Which rows have a cell with something other than spaces in it (a column at a time)."""
    keep = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        keep |= frame[column].astype(str).str.strip().ne("").to_numpy(dtype=bool)
        if keep.all():
            break
    return keep


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


def mapped_rows(table: Table, mapping: dict[str, str]) -> pd.DataFrame:
    """The file's rows as our fields (a column for each mapped one, in the file's row order), every value stripped."""
    check_mapping(table.header, mapping)
    frame = table.frame
    columns = {
        name: frame[table.header.index(column)].astype(str).str.strip()
        for name, column in mapping.items()
        if column and name in FIELDS
    }
    return pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))


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


def cents_to_money(cents: int) -> Decimal:
    """A whole number of cents as an amount (``12345`` → ``Decimal("123.45")``), exactly."""
    return Decimal(int(cents)).scaleb(-2)


_YEAR = re.compile(r"(?:fy\s*)?(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ].*)?")


def _year(text: str) -> int | None:
    match = _YEAR.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def _month(text: str) -> datetime.date | None:
    match = _MONTH.fullmatch(text.strip())
    if not match:
        return None
    try:
        return datetime.date(int(match.group(1)), int(match.group(2)), 1)
    except ValueError:
        return None


_NOISE = re.compile(r"[,$\s]")
#: An amount pyarrow reads as a float that names its cents beyond doubt: at most 12 digits before the point (14 in
#: all: a float holds 15), at most 2 after.
_PLAIN_AMOUNT = r"^-?[0-9]{1,12}(\.[0-9]{0,2})?$"


def _amount(text: str) -> Decimal:
    """A cell as an amount: ``1,234.50``, ``$1,234.50``, ``(1,234.50)`` (negative), ``-12``."""
    value = _NOISE.sub("", text)
    if value.startswith("(") and value.endswith(")"):
        value = "-" + value[1:-1]
    return money(value)


_CATEGORIES = {value: value for value in Category.values} | {
    str(label).lower(): value for value, label in Category.choices
}


def _each(values: pd.Series | np.ndarray, function) -> np.ndarray:
    """``function`` of each value, computed once per distinct value (years, departments, categories, months and codes
    repeat down a finance export)."""
    codes, uniques = pd.factorize(values)
    return np.array([function(value) for value in uniques] + [None], dtype=object)[codes]


def _arrow(column: pd.Series) -> pa.Array:
    """A column of text as one pyarrow array (pandas keeps it as one, or in chunks)."""
    values = pa.array(column.array, type=pa.large_string())
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _cents(column: pd.Series, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The amounts of ``column`` (text) at ``rows`` as whole cents, exactly: ``(cents, blank, bad)``. A plain number
    (``-1234.5``) is read by pyarrow a column at a time, as are those plain once their thousands commas and dollar
    signs are gone (``$1,234.50``); what is left (``(5.00)``, half cents, huge or odd amounts) goes through
    :func:`money` one by one, as every amount would."""
    count = len(column)
    cents = np.zeros(count, dtype=np.int64)
    bad = np.zeros(count, dtype=bool)
    blank = (column == "").to_numpy(dtype=bool)
    positions = np.flatnonzero(rows & ~blank)
    if not len(positions):
        return cents, blank, bad
    values = _arrow(column).take(pa.array(positions))

    def take(positions: np.ndarray, values: pa.Array) -> tuple[np.ndarray, pa.Array]:
        plain = pc.match_substring_regex(values, _PLAIN_AMOUNT).to_numpy(zero_copy_only=False)
        if plain.any():
            number = pc.cast(values.filter(pa.array(plain)), pa.float64()).to_numpy(zero_copy_only=False)
            cents[positions[plain]] = np.rint(number * 100).astype(np.int64)
        return positions[~plain], values.filter(pa.array(~plain))

    positions, values = take(positions, values)
    if len(positions):
        positions, values = take(positions, pc.replace_substring(pc.replace_substring(values, ",", ""), "$", ""))
    for position, text in zip(positions, values.to_pylist(), strict=True):
        try:
            cents[position] = int(_amount(text) * 100)
        except ValidationError:
            bad[position] = True
    return cents, blank, bad


class _Text(Mapping):
    """The file's text by our field, a column made an array of Python strings only when first asked for (the rows
    shown, the new funds' and programs' names): planning works on pandas' own columns."""

    def __init__(self, series: dict[str, pd.Series]) -> None:
        self._series = series
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            self._arrays[name] = self._series[name].to_numpy(dtype=object)
        return self._arrays[name]

    def __iter__(self):
        return iter(self._series)

    def __len__(self) -> int:
        return len(self._series)


class _Errors:
    """Each row's reasons for being invalid, in the order the checks ran."""

    def __init__(self, count: int) -> None:
        self.by_row: dict[int, list[str]] = {}
        self.invalid = np.zeros(count, dtype=bool)

    def add(self, mask: np.ndarray, message) -> None:
        """Refuse the rows of ``mask``, each with ``message`` (a text, or a function of the row's position)."""
        for position in np.flatnonzero(mask):
            self.by_row.setdefault(int(position), []).append(message if isinstance(message, str) else message(position))
        self.invalid |= mask


class BudgetPlan:
    """What importing a file's rows would do (``core.import_plan``'s plan), kept as one array per thing a row says:
    counted without a row object, each row made a :class:`BudgetRow` only when the rows are asked for (the preview's
    table, the reasons a row is invalid)."""

    def __init__(
        self,
        *,
        count: int,
        columns: Mapping[str, np.ndarray],
        arrays: dict[str, np.ndarray],
        errors: dict[int, list[str]],
        amount_names: list[str],
        departments: dict[int, Department],
    ) -> None:
        self.size = count
        self.columns = columns  # the file's text, by our field
        self.arrays = arrays  # what planning found, by name
        self.errors = errors
        self.amount_names = amount_names
        self.departments = departments
        self._rows: list[BudgetRow] | None = None

    @property
    def action(self) -> np.ndarray:
        return self.arrays["action"]

    def count(self, action: str) -> int:
        return int(np.count_nonzero(self.action == action))

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in (NEW, CHANGED, UNCHANGED, INVALID)}

    @property
    def to_write(self) -> int:
        return self.count(NEW) + self.count(CHANGED)

    def positions(self, *, action: str, kind: str) -> np.ndarray:
        return np.flatnonzero((self.action == action) & (self.arrays["kind"] == kind))

    def row(self, position: int) -> BudgetRow:
        """Row ``position`` of the file, planned."""
        text, found = self.columns, self.arrays
        get = lambda name: text[name][position] if name in text else ""  # noqa: E731
        row = BudgetRow(
            line=int(found["line"][position]),
            action=str(found["action"][position]),
            errors=list(self.errors.get(position, ())),
            kind=str(found["kind"][position]),
            fund_name=get("fund_name"),
            program_name=get("program_name"),
        )
        row.label = " · ".join(
            v for v in (get("fiscal_year"), get("department"), get("program_code"), get("category")) if v
        )
        if row.kind == "month":
            row.month = found["month"][position]
            if not found["amount_bad"][position]:
                row.amount = cents_to_money(found["amount"][position])
        else:
            for name in self.amount_names:
                if not found[f"{name}_bad"][position]:
                    row.amounts[name] = (
                        None if found[f"{name}_null"][position] else cents_to_money(found[name][position])
                    )
        if row.is_valid:
            department = self.departments[int(found["department_id"][position])]
            row.department = department
            row.key = (
                int(found["year"][position]),
                get("fund_code"),
                department.pk,
                get("program_code"),
                str(found["category"][position]),
            )
            row.changes = [name for name in self.amount_names if found[f"{name}_changed"][position]]
            if found["line_id"][position]:
                row.line_id = int(found["line_id"][position])
            if found["actual_id"][position]:
                row.actual_id = int(found["actual_id"][position])
        return row

    @property
    def rows(self) -> list[BudgetRow]:
        if self._rows is None:
            self._rows = [self.row(position) for position in range(self.size)]
        return self._rows

    def invalid_rows(self) -> list[BudgetRow]:
        return [self.row(int(position)) for position in np.flatnonzero(self.action == INVALID)]


def _frame(rows: pd.DataFrame | list[dict[str, str]]) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows
    return pd.DataFrame.from_records(rows).fillna("").astype(str) if rows else pd.DataFrame()


def import_plan(*, rows: pd.DataFrame | list[dict[str, str]], by: User | None) -> BudgetPlan:
    """What importing ``rows`` (our fields, :func:`mapped_rows`) would do with ``by``'s rights, row by row; writes
    nothing. Reads the database a fixed number of times and works a column at a time, however many rows."""
    frame = _frame(rows)
    count = len(frame)
    series = {name: frame[name].reset_index(drop=True).astype(str) for name in frame.columns if name in FIELDS}
    columns = _Text(series)
    blank_series = pd.Series([""] * count, dtype=str)
    blank_column = np.full(count, "", dtype=object)
    column = lambda name: series.get(name, blank_series)  # noqa: E731
    text = lambda name: columns.get(name, blank_column)  # noqa: E731
    empty = lambda name: (column(name) == "").to_numpy(dtype=bool)  # noqa: E731
    errors = _Errors(count)
    arrays: dict[str, np.ndarray] = {"line": np.arange(FIRST_LINE, FIRST_LINE + count)}

    # Each required field, then the rest only of rows that have them all (as the reasons read best).
    for name in REQUIRED:
        errors.add(empty(name), f"No {FIELDS[name].lower()}.")
    checked = ~errors.invalid

    years = _each(column("fiscal_year"), _year)
    unreadable_year = checked & pd.isna(years)
    errors.add(unreadable_year, lambda i: f"“{text('fiscal_year')[i]}” is not a fiscal year (such as 2027 or FY2027).")
    year = np.where(unreadable_year | ~checked, 0, np.where(pd.isna(years), 0, years)).astype(np.int64)

    department_by_name: dict[str, Department] = {}
    for department in Department.objects.all():
        department_by_name.setdefault(department.name.lower(), department)
        department_by_name[department.code.lower()] = department
    departments = {department.pk: department for department in department_by_name.values()}
    department_id = _each(column("department"), lambda v: getattr(department_by_name.get(v.lower()), "pk", 0)).astype(
        np.int64
    )
    errors.add(
        checked & (department_id == 0), lambda i: f"No department has the code or name “{text('department')[i]}”."
    )
    actor = actor_for(by) if by is not None else None
    if actor is not None:
        refused = {pk for pk, d in departments.items() if not writes_department_budget(actor, d.pk, d.portfolio_id)}
        if refused:
            barred = checked & np.isin(department_id, list(refused))
            errors.add(barred, lambda i: f"{departments[int(department_id[i])].name}: {NOT_YOUR_PORTFOLIO}.")

    category = _each(column("category"), lambda value: _CATEGORIES.get(value.lower()))
    errors.add(
        checked & pd.isna(category),
        lambda i: f"“{text('category')[i]}” is not a category: {', '.join(Category.values)}.",
    )
    fund_code, fund_codes = pd.factorize(column("fund_code"))
    program_code, program_codes = pd.factorize(column("program_code"))
    errors.add(
        checked & np.array([len(v) > 20 for v in fund_codes], dtype=bool)[fund_code],
        "A fund code has at most 20 characters.",
    )
    errors.add(
        checked & np.array([len(v) > 30 for v in program_codes], dtype=bool)[program_code],
        "A program code has at most 30 characters.",
    )
    fiscal_years = {fy.year: fy for fy in FiscalYear.objects.all()}
    closed = [y for y, fy in fiscal_years.items() if fy.status == FiscalYearStatus.CLOSED]
    errors.add(
        checked & np.isin(year, closed),
        lambda i: f"{fiscal_years[int(year[i])].name} is closed: its budget no longer changes.",
    )
    errors.add(
        checked & ~unreadable_year & ((year < 1900) | (year > 2999)), lambda i: f"{year[i]} is not a fiscal year."
    )

    # A monthly actual (a month named) or a line's amounts.
    is_month = ~empty("month")
    month = _each(column("month"), _month)
    unreadable_month = checked & is_month & pd.isna(month)
    errors.add(unreadable_month, lambda i: f"“{text('month')[i]}” is not a month (such as 2026-08).")
    month_number = np.zeros(count, dtype=np.int64)
    dated = is_month & ~pd.isna(month)
    month_number[dated] = [day.year * 12 + day.month for day in month[dated]]
    outside = checked & dated & (year > 0)
    if outside.any():
        years_here = sorted(set(year[outside].tolist()))
        first = {y: (b := fiscal_year_bounds(y))[0].year * 12 + b[0].month for y in years_here}
        last = {y: (b := fiscal_year_bounds(y))[1].year * 12 + b[1].month for y in years_here}
        at = np.flatnonzero(outside)
        starts = pd.Series(year[at]).map(first).to_numpy(dtype=np.int64)
        ends = pd.Series(year[at]).map(last).to_numpy(dtype=np.int64)
        outside[at] = (month_number[at] < starts) | (month_number[at] > ends)
    errors.add(outside, lambda i: f"{month[i]:%B %Y} is not in FY{year[i]}.")
    arrays["amount"], amount_blank, arrays["amount_bad"] = _cents(column("amount"), checked & is_month)
    arrays["amount_bad"] |= checked & is_month & amount_blank
    errors.add(arrays["amount_bad"], lambda i: f"“{text('amount')[i]}” is not an amount.")
    arrays["amount_bad"] |= ~(checked & is_month)
    amount_names = [name for name in AMOUNTS if name in series]
    for name in amount_names:
        cents, blank, bad = _cents(series[name], checked & ~is_month)
        errors.add(bad, lambda i, name=name: f"{FIELDS[name]}: “{text(name)[i]}” is not an amount.")
        if name == "adopted":
            blank = np.zeros(count, dtype=bool)  # a blank adopted amount is 0
        arrays[name], arrays[f"{name}_null"], arrays[f"{name}_bad"] = cents, blank, bad | ~(checked & ~is_month)

    valid = ~errors.invalid
    arrays.update(
        kind=np.where(is_month, "month", "line"), year=year, department_id=department_id, category=category, month=month
    )
    line_id = np.zeros(count, dtype=np.int64)
    actual_id = np.zeros(count, dtype=np.int64)
    for name in amount_names:
        arrays[f"{name}_changed"] = np.zeros(count, dtype=bool)

    # One number per line named, from its year, fund, department, program code and category, each numbered: the
    # file's codes by their place among the file's distinct codes.
    year_index = pd.Index(np.unique(year[valid]), dtype=np.int64)
    department_index = pd.Index(np.unique(department_id[valid]), dtype=np.int64)
    category_index = pd.Index(Category.values, dtype=object)
    sizes = [len(year_index), len(fund_codes), len(department_index), len(program_codes), len(category_index)]

    def line_keys(*parts: np.ndarray) -> np.ndarray:
        combined = np.zeros(len(parts[0]), dtype=np.int64)
        missing = np.zeros(len(parts[0]), dtype=bool)
        for size, part in zip(sizes, parts, strict=True):
            missing |= part < 0
            combined = combined * size + part
        return np.where(missing, -1, combined)

    key = line_keys(
        year_index.get_indexer(year),
        fund_code,
        department_index.get_indexer(department_id),
        program_code,
        category_index.get_indexer(category),
    )
    key[~valid] = -1

    # A line named twice is refused the second time; a month of a line likewise.
    lines_here = valid & ~is_month
    repeated = np.zeros(count, dtype=bool)
    repeated[lines_here] = pd.Series(key[lines_here]).duplicated().to_numpy()
    if repeated.any():
        first_line = pd.Series(arrays["line"][lines_here], index=key[lines_here]).groupby(level=0).first()
        errors.add(
            repeated, lambda i: f"The same line (year, fund, program, category) is also on line {first_line[key[i]]}."
        )
    months_here = ~errors.invalid & is_month
    repeated = np.zeros(count, dtype=bool)
    pairs = pd.DataFrame({"key": key[months_here], "month": month_number[months_here]})
    repeated[months_here] = pairs.duplicated().to_numpy()
    if repeated.any():
        first_month = pairs.assign(line=arrays["line"][months_here]).groupby(["key", "month"])["line"].first()
        errors.add(
            repeated,
            lambda i: f"The same month of the same line is also on line {first_month[(key[i], month_number[i])]}.",
        )

    # The lines the budget has for the file's years, numbered the same way (their fund's and program's codes found
    # among the file's through the two small tables), and what each row changes.
    lines_here = ~errors.invalid & ~is_month
    existing = _existing_lines(year_index.tolist())
    if len(existing["pk"]):
        fund_place = _place_by_pk(Fund.objects.values_list("pk", "code"), fund_codes)
        programs = list(Program.objects.values_list("pk", "department_id", "code"))
        program_place = _place_by_pk(((pk, code) for pk, _, code in programs), program_codes)
        program_department = _place_by_pk(((pk, department) for pk, department, _ in programs), department_index)
        existing_key = line_keys(
            year_index.get_indexer(existing["year"]),
            fund_place[existing["fund"]],
            program_department[existing["program"]],
            program_place[existing["program"]],
            existing["category"],
        )
        named = existing_key >= 0  # the lines of the file's years that no row names are not looked at
        existing = {name: values[named] for name, values in existing.items()}
        where = pd.Index(existing_key[named], dtype=np.int64).get_indexer(key)
    else:
        where = np.full(count, -1, dtype=np.int64)
    matched = (where >= 0) & ~errors.invalid
    line_id[matched] = existing["pk"][where[matched]]
    action = np.full(count, NEW, dtype=object)
    any_change = np.zeros(count, dtype=bool)
    for name in amount_names:
        old, old_null = existing[name], existing[f"{name}_null"]
        at = np.flatnonzero(matched & lines_here)
        new_null = arrays[f"{name}_null"][at]
        differs = (new_null != old_null[where[at]]) | (~new_null & (arrays[name][at] != old[where[at]]))
        arrays[f"{name}_changed"][at] = differs
        any_change[at] |= differs
    action[matched & lines_here] = np.where(any_change[matched & lines_here], CHANGED, UNCHANGED)

    months_here = ~errors.invalid & is_month
    if months_here.any():
        file_lines = set(key[lines_here].tolist())
        orphan = months_here & ~matched & ~np.isin(key, list(file_lines))
        errors.add(orphan, "No budget line of this year, fund, program and category, in the file or the budget.")
        known = ~errors.invalid & is_month & matched
        actuals = _existing_actuals(year_index.tolist())
        actual_key = actuals["line"] * 40_000 + actuals["month"]
        found_at = (
            pd.Index(actual_key, dtype=np.int64).get_indexer(line_id * 40_000 + month_number)
            if len(actual_key)
            else np.full(count, -1)
        )
        has = known & (found_at >= 0)
        actual_id[has] = actuals["pk"][found_at[has]]
        old_amount = np.zeros(count, dtype=np.int64)
        old_amount[has] = actuals["amount"][found_at[has]]
        differs = has & (arrays["amount"] != old_amount)
        action[has] = np.where(differs[has], CHANGED, UNCHANGED)
        arrays["amount_changed"] = differs
    action[errors.invalid] = INVALID
    key[errors.invalid] = -1
    arrays.update(action=action, line_id=line_id, actual_id=actual_id, key=key)
    return BudgetPlan(
        count=count,
        columns=columns,
        arrays=arrays,
        errors=errors.by_row,
        amount_names=amount_names,
        departments=departments,
    )


def _place_by_pk(pairs, values) -> np.ndarray:
    """An array giving, for each primary key of ``pairs`` (pk, value), the place of its value among ``values`` (-1
    where it is not there)."""
    pairs = list(pairs)
    keys = np.array([pk for pk, _ in pairs], dtype=np.int64)
    places = np.full(int(keys.max()) + 1 if len(keys) else 1, -1, dtype=np.int64)
    if len(keys):
        places[keys] = pd.Index(values).get_indexer(pd.Index([value for _, value in pairs]))
    return places


def _existing_lines(years: list[int]) -> dict[str, np.ndarray]:
    """The budget's lines of ``years``, a column each: pk, year, fund id, program id, category (its place among
    :class:`Category`'s values) and the amounts in whole cents (with a null mask), read in one query (on PostgreSQL
    copied out as CSV and read by pyarrow)."""
    names = ["pk", "year", "fund", "program", "category", *AMOUNTS]
    table, fy_table = BudgetLine._meta.db_table, FiscalYear._meta.db_table
    years = [int(y) for y in years]
    postgres = connection.vendor == "postgresql"
    if postgres:
        cents = ", ".join(f"(line.{name} * 100)::bigint" for name in AMOUNTS)
        where = f"fy.year = ANY(ARRAY[{', '.join(str(y) for y in years)}]::integer[])" if years else "false"
    else:
        cents = ", ".join(f"CAST(ROUND(line.{name} * 100) AS INTEGER)" for name in AMOUNTS)
        where = f"fy.year IN ({', '.join(str(y) for y in years)})" if years else "0"
    # Built from our own column and table names and the years as integers: no text from the file reaches it.
    sql = (
        f"SELECT line.id, fy.year, line.fund_id, line.program_id, line.category, {cents} "  # noqa: S608
        f"FROM {table} line JOIN {fy_table} fy ON fy.id = line.fiscal_year_id WHERE {where}"
    )
    types = {name: pa.int64() for name in names} | {"category": pa.string()}
    with connection.cursor() as cursor:
        if postgres:
            buffer = io.BytesIO()
            cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", buffer)
            read = (
                pa_csv.read_csv(
                    pa.py_buffer(buffer.getvalue()),
                    read_options=pa_csv.ReadOptions(column_names=names),
                    convert_options=pa_csv.ConvertOptions(column_types=types),
                )
                if buffer.tell()
                else None
            )
        else:
            cursor.execute(sql)
            found = cursor.fetchall()
            read = pa.table(
                {name: pa.array([row[i] for row in found], type=types[name]) for i, name in enumerate(names)}
            )
    if read is None or not read.num_rows:
        return {name: np.zeros(0, dtype=np.int64) for name in names} | {
            f"{name}_null": np.zeros(0, dtype=bool) for name in AMOUNTS
        }
    out: dict[str, np.ndarray] = {name: read.column(name).to_numpy() for name in ("pk", "year", "fund", "program")}
    category = pc.index_in(read.column("category"), value_set=pa.array(Category.values))
    out["category"] = pc.fill_null(category, -1).to_numpy().astype(np.int64)
    for name in AMOUNTS:
        values = read.column(name)
        out[f"{name}_null"] = values.is_null().to_numpy()
        out[name] = pc.fill_null(values, 0).to_numpy()
    return out


def _existing_actuals(years: list[int]) -> dict[str, np.ndarray]:
    rows = list(
        MonthlyActual.objects.filter(line__fiscal_year__year__in=years).values_list("pk", "line_id", "month", "amount")
    )
    return {
        "pk": np.array([r[0] for r in rows], dtype=np.int64),
        "line": np.array([r[1] for r in rows], dtype=np.int64),
        "month": np.array([r[2].year * 12 + r[2].month for r in rows], dtype=np.int64),
        "amount": np.array([int(r[3] * 100) for r in rows], dtype=np.int64),
    }


def invalid_rows(plan: BudgetPlan) -> list[BudgetRow]:
    return plan.invalid_rows()
