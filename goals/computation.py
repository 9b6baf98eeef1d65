"""The arithmetic of computed measures, apart from the database: check a definition, read a data file, and turn
its rows into one value per period with pandas.

A definition is an aggregation (count, sum, mean, median, or share of rows meeting a condition) of a value column,
over the rows left by its filters, grouped by a date column into the measure's periods. Every cell is read as text
(``dtype=str``, ``keep_default_na=False``) and cast here explicitly, so "N/A", "" or "1,234" mean what this module
says they mean and never what pandas guesses. Anything that cannot be computed raises :class:`ComputeError` with a
message for the person who defined the measure.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gzip
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pandas as pd

from core.safejson import UnsafeJSON, loads_checked
from core.spreadsheets import SheetLimits, cell_text, xlsx_rows
from core.uploads import RefusedFile, refuse_html, refuse_nul, refuse_wide

from .models import Aggregation
from .periods import PANDAS_FREQUENCY, next_period

#: Row filters and share conditions: the operator, and how a sentence says it.
OPS = {
    "=": "equals",
    "!=": "does not equal",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
    "in": "is one of (separate values with commas)",
    "not in": "is none of (separate values with commas)",
    "empty": "is empty",
    "not empty": "is not empty",
}
ORDERING_OPS = {"<", "<=", ">", ">="}
VALUELESS_OPS = {"empty", "not empty"}
#: Aggregations that read a numeric value column.
NUMERIC_AGGREGATIONS = {Aggregation.SUM, Aggregation.MEAN, Aggregation.MEDIAN}
#: Dictionary types a numeric aggregation accepts (blank: the dictionary does not say).
NUMERIC_TYPES = {"integer", "number", "any", ""}
#: Largest value an observation holds (DecimalField(max_digits=16, decimal_places=4)).
MAX_VALUE = Decimal("999999999999.9999")
#: Offending cells quoted in an error message.
EXAMPLES = 3


class ComputeError(Exception):
    """The measure cannot be computed from this data; the message says why, for a person to act on."""


# --- checking a definition --------------------------------------------------------------------------------------


def _clean_rule(rule: Mapping | None) -> dict:
    rule = rule or {}
    return {
        "column": str(rule.get("column", "") or "").strip(),
        "op": str(rule.get("op", "") or "").strip(),
        "value": str(rule.get("value", "") if rule.get("value") is not None else "").strip(),
    }


def clean_filters(filters: Sequence[Mapping] | None) -> list[dict]:
    """The filters without empty rows, each as ``{"column", "op", "value"}`` text."""
    rows = [_clean_rule(rule) for rule in (filters or [])]
    return [rule for rule in rows if rule["column"] or rule["value"]]


def clean_condition(condition: Mapping | None) -> dict:
    """The condition as ``{"column", "op", "value"}`` text, or ``{}`` when it names no column."""
    rule = _clean_rule(condition)
    return rule if rule["column"] or rule["value"] else {}


def _rule_problem(rule: dict, columns: Mapping[str, str] | None, dataset_name: str) -> str:
    if not rule["column"]:
        return "name the column it tests"
    if rule["op"] not in OPS:
        return f"“{rule['op']}” is not an operator ({', '.join(OPS)})"
    if rule["op"] not in VALUELESS_OPS and not rule["value"]:
        return f"give the value the column {OPS[rule['op']].split(' (')[0]}"
    if rule["op"] in ORDERING_OPS and _as_number(rule["value"]) is None and _as_date(rule["value"]) is None:
        return f"“{rule['op']}” compares numbers or dates (YYYY-MM-DD), and “{rule['value']}” is neither"
    if columns is not None and rule["column"] not in columns:
        return _unknown_column(rule["column"], columns, dataset_name)
    return ""


def _unknown_column(name: str, columns: Mapping[str, str], dataset_name: str) -> str:
    known = ", ".join(columns) or "none"
    return f"“{name}” is not a column of {dataset_name} (its data dictionary lists: {known})"


def computation_problems(
    *,
    aggregation: str,
    has_dataset: bool,
    value_column: str,
    date_column: str,
    filters: list[dict],
    condition: dict,
    columns: Mapping[str, str] | None,
    dataset_name: str = "the dataset",
) -> dict[str, list[str]]:
    """What is wrong with a computation, by the Measure field each problem belongs to (empty when nothing is).

    ``columns`` is the source dataset's data dictionary as ``{name: Table Schema type}``, or ``None`` when it has
    none (then column names cannot be checked until the data is read)."""
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    if not aggregation:
        if value_column or date_column or filters or condition:
            add("aggregation", "Choose how to compute this measure from its dataset, or clear the computation.")
        return problems
    if aggregation not in Aggregation.values:
        add("aggregation", "Choose an aggregation from the list.")
        return problems
    if not has_dataset:
        add("source_dataset", "A computed measure needs the dataset it is computed from.")
    if not date_column:
        add("date_column", "Name the date column that places each row in a period.")
    elif columns is not None and date_column not in columns:
        add("date_column", _unknown_column(date_column, columns, dataset_name) + ".")
    if aggregation in NUMERIC_AGGREGATIONS:
        label = Aggregation(aggregation).label.split(" of ")[0].lower()
        if not value_column:
            add("value_column", f"Name the column whose numbers the {label} is taken of.")
        elif columns is not None and value_column not in columns:
            add("value_column", _unknown_column(value_column, columns, dataset_name) + ".")
        elif columns is not None and columns[value_column] not in NUMERIC_TYPES:
            add(
                "value_column",
                f"“{value_column}” holds {columns[value_column]} values in the data dictionary; a {label} needs "
                "numbers.",
            )
    if aggregation == Aggregation.SHARE:
        if not condition:
            add("condition", "A share needs the condition its rows must meet, e.g. minutes <= 10.")
        else:
            problem = _rule_problem(condition, columns, dataset_name)
            if problem:
                add("condition", f"The condition: {problem}.")
    elif condition:
        add("condition", "Only a share has a condition; use a filter to leave rows out.")
    for number, rule in enumerate(filters, start=1):
        problem = _rule_problem(rule, columns, dataset_name)
        if problem:
            add("filters", f"Filter {number}: {problem}.")
    return problems


# --- reading a data file ----------------------------------------------------------------------------------------


#: Largest decompressed size of a gzipped data file.
MAX_DECOMPRESSED_BYTES = 500 * 1024 * 1024


def _gunzip(data: bytes) -> bytes:
    stream = gzip.GzipFile(fileobj=io.BytesIO(data))
    try:
        text = stream.read(MAX_DECOMPRESSED_BYTES + 1)
    except (OSError, EOFError) as exc:
        raise ComputeError("The data file is not a valid gzip file.") from exc
    if len(text) > MAX_DECOMPRESSED_BYTES:
        raise ComputeError(f"The data file unpacks to more than {MAX_DECOMPRESSED_BYTES // (1024 * 1024)} MB.")
    return text


def _json_rows(data: bytes) -> pd.DataFrame:
    """A JSON array of objects (an API's answer) or a GeoJSON FeatureCollection (its features' properties)."""
    try:
        document = loads_checked(data.decode("utf-8-sig"))
    except UnsafeJSON as exc:
        raise ComputeError(str(exc)) from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise ComputeError(f"The data file is not valid JSON ({exc}).") from exc
    if isinstance(document, dict) and isinstance(document.get("features"), list):
        document = [feature.get("properties") or {} for feature in document["features"] if isinstance(feature, dict)]
    if not isinstance(document, list) or not all(isinstance(row, dict) for row in document):
        raise ComputeError("The JSON data is not a list of records (or a GeoJSON FeatureCollection).")
    frame = pd.DataFrame.from_records(document)
    # Every cell as text, as for CSV: missing keys and nulls are empty cells.
    return frame.apply(lambda column: column.map(lambda v: "" if v is None or v != v else str(v))).astype(str)


def _xlsx_as_csv(data: bytes) -> str:
    """The first worksheet as CSV text, read as a stream within bounds (``core.spreadsheets``): a workbook that
    inflates past :data:`MAX_DECOMPRESSED_BYTES`, or has too many members, shared strings, rows or cells, or a member
    compressed like a bomb, is refused before it is parsed. Trailing empty cells and rows are formatting, not data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    blank_rows = 0
    with xlsx_rows(io.BytesIO(data), SheetLimits().with_total(MAX_DECOMPRESSED_BYTES)) as rows:
        for row in rows:
            cells = [cell_text(value) for value in row]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                blank_rows += 1
                continue
            for _ in range(blank_rows):
                writer.writerow([])
            blank_rows = 0
            writer.writerow(cells)
    return out.getvalue()


def _csv_frame(text: str) -> pd.DataFrame:
    first_line = text.split("\n", 1)[0]
    separator = ";" if first_line.count(";") > first_line.count(",") else ","
    header = next(csv.reader(io.StringIO(first_line), delimiter=separator), [])
    refuse_wide(len(header))
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=separator)


def read_table(data: bytes, name: str = "") -> pd.DataFrame:
    """A CSV (UTF-8, commas or semicolons), XLSX or JSON (records, GeoJSON) file, gzipped or not, as a DataFrame of
    text, header names stripped.

    Raises :class:`ComputeError` when the file cannot be read as a table: a web page, a NUL byte anywhere in a text
    file, more than ``core.uploads.MAX_COLUMNS`` columns, or a workbook over the bounds of ``core.spreadsheets``
    among the rest."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data)
        name = name.removesuffix(".gz")
    if not data.strip():
        raise ComputeError("The data file is empty.")
    try:
        if data[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
            text = _xlsx_as_csv(data)
            if not text.strip():
                raise ComputeError("The workbook's first sheet is empty.")
            frame = _csv_frame(text)
        else:
            refuse_html(data)
            if data.lstrip()[:1] in (b"[", b"{"):
                refuse_nul(data)
                frame = _json_rows(data)
            else:
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    raise ComputeError("The data file is not UTF-8 text (save it as “CSV UTF-8”).") from exc
                refuse_nul(data)
                frame = _csv_frame(text)
    except ComputeError:
        raise
    except RefusedFile as exc:
        raise ComputeError(str(exc)) from exc
    except Exception as exc:  # pandas raises many kinds; each means "this is not a table we can read"
        raise ComputeError(f"The data file could not be read as a table: {exc}".strip()) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


# --- casting ----------------------------------------------------------------------------------------------------


def _as_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _as_date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise ComputeError(
            f"The data has no column “{name}” ({role}). Its columns are: {', '.join(map(str, frame.columns))}."
        )
    return frame[name].astype(str).str.strip()


def _examples(text: pd.Series, bad: pd.Series) -> str:
    """The first few offending cells with their line in the file (the header is line 1)."""
    rows = text[bad].head(EXAMPLES)
    return "; ".join(f"line {int(index) + 2}: “{value}”" for index, value in rows.items())


def _numbers(text: pd.Series, name: str) -> pd.Series:
    """``text`` as floats (thousands separators allowed, blank = missing); unparsable cells are an error."""
    numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = numbers.isna() & (text != "")
    if bad.any():
        raise ComputeError(
            f"{_cells(bad)} of “{name}” {'is not a number' if bad.sum() == 1 else 'are not numbers'} "
            f"({_examples(text, bad)}). Fix the data or filter those rows out."
        )
    return numbers.astype(float)


_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"


def _local(parsed: pd.Series, tz: str) -> pd.Series:
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(tz).dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _dates(text: pd.Series, name: str, tz: str) -> pd.Series:
    """``text`` as naive local timestamps (blank = missing); unparsable cells are an error. A time with an offset
    (``Z``, ``-05:00``) is converted to the city's time zone before its date is taken; one without is local."""
    present = text != ""
    with_offset = present & text.str.contains(_OFFSET, regex=True)
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if with_offset.any():
        parsed[with_offset] = _local(pd.to_datetime(text[with_offset], errors="coerce", format="ISO8601", utc=True), tz)
    plain = present & ~with_offset
    if plain.any():
        parsed[plain] = _local(pd.to_datetime(text[plain], errors="coerce", format="ISO8601"), tz)
    unparsed = parsed.isna() & present
    if unparsed.any():
        # Not ISO 8601: try other common ways of writing a date, month first as in the US (3/5/2026 = 5 March).
        # Cells it cannot read either stay unparsed and are reported below with examples.
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            parsed[unparsed] = _local(pd.to_datetime(text[unparsed], errors="coerce", format="mixed"), tz)
    bad = parsed.isna() & present
    if bad.any():
        raise ComputeError(
            f"{_cells(bad)} of “{name}” {'is not a date' if bad.sum() == 1 else 'are not dates'} "
            f"({_examples(text, bad)}). Write dates as YYYY-MM-DD."
        )
    return parsed


def _cells(bad: pd.Series) -> str:
    count = int(bad.sum())
    return f"{count} value" if count == 1 else f"{count} values"


def _mask(frame: pd.DataFrame, rule: dict, what: str, tz: str = "UTC") -> pd.Series:
    """The rows meeting one filter or condition."""
    text = _column(frame, rule["column"], what)
    op, value = rule["op"], rule["value"]
    if op == "empty":
        return text == ""
    if op == "not empty":
        return text != ""
    if op in ("=", "!="):
        number = _as_number(value)
        equal = text.str.casefold() == value.casefold()
        if number is not None:
            # "5" matches "5.0" and "5.00": compare as numbers where the cell is one.
            cells = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
            equal = equal | (cells == float(number))
        return equal if op == "=" else ~equal
    if op in ("in", "not in"):
        wanted = {part.strip().casefold() for part in value.split(",") if part.strip()}
        inside = text.str.casefold().isin(wanted)
        return inside if op == "in" else ~inside
    if op not in ORDERING_OPS:
        raise ComputeError(f"{what.capitalize()}: “{op}” is not an operator.")
    number = _as_number(value)
    if number is not None:
        cells, bound = _numbers(text, rule["column"]), float(number)
    else:
        day = _as_date(value)
        if day is None:
            raise ComputeError(f"{what.capitalize()}: “{value}” is neither a number nor a date.")
        cells, bound = _dates(text, rule["column"], tz), pd.Timestamp(day)
    compare = {"<": cells.lt, "<=": cells.le, ">": cells.gt, ">=": cells.ge}[op]
    return compare(bound).fillna(False).astype(bool)


# --- computing ---------------------------------------------------------------------------------------------------


@dataclass
class Computed:
    """One value per finished period, and what the rows looked like."""

    values: dict[datetime.date, Decimal] = field(default_factory=dict)
    rows: int = 0
    rows_used: int = 0
    rows_without_date: int = 0
    rows_in_unfinished_period: int = 0


def _decimal(number: float, period: datetime.date) -> Decimal:
    value = Decimal(repr(float(number))).quantize(Decimal("0.0001"))
    if abs(value) > MAX_VALUE:
        raise ComputeError(f"The value for the period starting {period:%Y-%m-%d} ({value}) is too large to record.")
    return value


def compute(
    frame: pd.DataFrame,
    *,
    aggregation: str,
    value_column: str,
    date_column: str,
    filters: Sequence[Mapping],
    condition: Mapping,
    frequency: str,
    today: datetime.date,
    tz: str = "UTC",
    shared: dict | None = None,
) -> Computed:
    """One value per period of ``frequency`` from the rows of ``frame``.

    Rows with an empty date are left out (and counted); so are rows of the period that contains ``today``, which
    has not finished (a half month is not a month). Counts and sums are 0 for a period between the data's first
    and last with no matching rows; means, medians and shares have no value for a period with no rows (or, for
    means and medians, no values). Raises :class:`ComputeError` for a missing column or a cell that is not a
    number or date where one is needed. ``shared``: a dict kept across the measures computed from the same
    ``frame``, so a date column they share is read and cut into periods once."""
    shared = {} if shared is None else shared
    result = Computed(rows=len(frame))
    if (date_column, tz) not in shared:
        shared[date_column, tz] = _dates(_column(frame, date_column, "the date column"), date_column, tz)
    dates = shared[date_column, tz]
    result.rows_without_date = int(dates.isna().sum())
    if (date_column, tz, frequency) not in shared:
        # Each row's period as the timestamp of its start: compared and grouped as numbers, and only the few
        # periods found are turned into dates (a date object per row cost more than the aggregation).
        shared[date_column, tz, frequency] = dates.dt.to_period(PANDAS_FREQUENCY[frequency]).dt.start_time
    periods = shared[date_column, tz, frequency]
    current = pd.Period(pd.Timestamp(today), PANDAS_FREQUENCY[frequency]).start_time
    finished = dates.notna() & (periods < current)
    result.rows_in_unfinished_period = int((dates.notna() & ~finished).sum())
    keep = finished.copy()
    for number, rule in enumerate(clean_filters(filters), start=1):
        keep &= _mask(frame, rule, f"filter {number}", tz)
    covered = periods[finished]
    first_and_last = [covered.min().date(), covered.max().date()] if len(covered) else []
    rows = frame[keep]
    groups = periods[keep]
    result.rows_used = len(rows)
    if aggregation == Aggregation.COUNT:
        series = groups.value_counts()
    elif aggregation == Aggregation.SHARE:
        meets = _mask(rows, clean_condition(condition), "the condition", tz)
        series = meets.groupby(groups).mean() * 100
    elif aggregation in NUMERIC_AGGREGATIONS:
        numbers = _numbers(_column(rows, value_column, "the value column"), value_column)
        grouped = numbers.groupby(groups)
        series = {"sum": grouped.sum, "mean": grouped.mean, "median": grouped.median}[aggregation]()
    else:
        raise ComputeError(f"“{aggregation}” is not an aggregation.")
    values = {period.date(): value for period, value in series.items() if pd.notna(value)}
    if aggregation in (Aggregation.COUNT, Aggregation.SUM) and first_and_last:
        # No matching rows in a period the data covers means none happened: 0, not "no data".
        period, last = first_and_last[0], first_and_last[-1]
        while period <= last:
            values.setdefault(period, 0)
            period = next_period(period, frequency)
    result.values = {period: _decimal(values[period], period) for period in sorted(values)}
    return result
