"""Every check of one loaded table, in as few passes over it as possible.

One aggregate query measures every per-column check at once (a ``count(*) FILTER (WHERE ...)`` and the first
offending ``rowid`` values for each), plus the newest date for freshness; duplicate rows and unique columns take one
grouped query each; one last query fetches the example values. Check names and what ``value`` measures:

=================== ========================================================= ======================================
check               value                                                     status
=================== ========================================================= ======================================
encoding            rows with bytes that are not UTF-8                        error when not UTF-8 (converted, read)
delimiter           -                                                         warn when the name says otherwise
header              blank or repeated column names                            fail when any
ragged_rows         rows with more or fewer fields than the header            error when any
malformed_rows      rows that cannot be parsed (unterminated quote...)       error when any (only shown then)
row_count           rows                                                      fail at 0, warn on a big change
freshness           age of the data in days                                   fail when stale
missing_columns     schema fields absent from the file                        fail when any
unexpected_columns  columns the schema does not name                          warn when any
blank_rows          rows with every value empty                               warn when any
duplicate_rows      rows identical to an earlier row                          warn past the threshold
completeness        percent of the column's values that are empty             warn past the threshold
required            empty values in a required column                         fail when any
type                values not valid for the column's type and format         fail when any
enum                values outside the allowed values                         fail when any
minimum / maximum   values below the minimum / above the maximum              fail when any
pattern             values that do not match the pattern                      fail when any
unique              values repeated in a unique column                        fail when any
=================== ========================================================= ======================================
"""

from __future__ import annotations

from collections.abc import Iterable

from .load import LoadedTable
from .result import FAIL, PASS, WARN, CheckOutcome
from .rules import ColumnRule, one_row
from .thresholds import Thresholds

RAGGED = ("MISSING COLUMNS", "TOO MANY COLUMNS")
BAD_ENCODING = "INVALID ENCODING"
VALUE_CHARS = 200


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"“{n}”" for n in names)


# --- checks settled without the data -----------------------------------------------------------------------------


def header_check(header: list[str]) -> CheckOutcome:
    blank = [i + 1 for i, name in enumerate(header) if not name.strip()]
    seen: dict[str, int] = {}
    repeated = []
    for name in header:
        key = name.strip().lower()
        if key and key in seen:
            repeated.append(name.strip())
        seen[key] = seen.get(key, 0) + 1
    problems = []
    if blank:
        which = f"column {blank[0]} has" if len(blank) == 1 else f"columns {', '.join(map(str, blank))} have"
        problems.append(f"{which} no name")
    if repeated:
        problems.append(f"{_names(dict.fromkeys(repeated))} named more than once")
    if problems:
        return CheckOutcome(
            "header", FAIL, len(blank) + len(repeated), "The header row has problems: " + "; ".join(problems) + "."
        )
    return CheckOutcome("header", PASS, 0, f"{_plural(len(header), 'column')}, each with its own name.")


def match_schema(
    header: list[str], schema: dict | None
) -> tuple[dict[int, ColumnRule], list[CheckOutcome], list[str], list[str]]:
    """Schema fields matched to the file's columns by name (exact, else ignoring case and spaces).

    Returns the rule per column index, the column-set checks, and the missing and unexpected names."""
    missing_values = [""]
    if schema is not None:
        missing_values = [str(v) for v in schema.get("missingValues", [""])]
    rules: dict[int, ColumnRule] = {}
    for index, name in enumerate(header):
        rules[index] = ColumnRule(
            name=name.strip() or f"column {index + 1}", sql=f"c{index}", missing_values=missing_values
        )
    if schema is None:
        return rules, [], [], []
    exact: dict[str, int] = {}
    loose: dict[str, int] = {}
    for index, name in enumerate(header):
        exact.setdefault(name, index)
        loose.setdefault(name.strip().lower(), index)
    matched: set[int] = set()
    missing: list[str] = []
    primary_key = schema.get("primaryKey") or []
    primary_key = [primary_key] if isinstance(primary_key, str) else list(primary_key)
    for descriptor in schema.get("fields") or []:
        name = descriptor.get("name", "")
        position = exact.get(name, loose.get(str(name).strip().lower()))
        if position is None or position in matched:
            missing.append(name)
            continue
        matched.add(position)
        rule = ColumnRule.from_field(descriptor, f"c{position}", missing_values)
        if name in primary_key:
            rule.required = True
            rule.unique = rule.unique or len(primary_key) == 1
        rules[position] = rule
    unexpected = [header[i].strip() or f"column {i + 1}" for i in range(len(header)) if i not in matched]
    checks = [
        CheckOutcome(
            "missing_columns",
            FAIL if missing else PASS,
            len(missing),
            f"The data dictionary names {_plural(len(missing), 'column')} the file lacks: {_names(missing)}."
            if missing
            else "Every column of the data dictionary is in the file.",
        ),
        CheckOutcome(
            "unexpected_columns",
            WARN if unexpected else PASS,
            len(unexpected),
            f"The file has {_plural(len(unexpected), 'column')} the data dictionary does not describe: "
            f"{_names(unexpected)}."
            if unexpected
            else "The data dictionary describes every column of the file.",
        ),
    ]
    return rules, checks, missing, unexpected


def row_count_check(rows: int, previous: int | None, thresholds: Thresholds) -> CheckOutcome:
    if rows == 0:
        return CheckOutcome("row_count", FAIL, 0, "The file has no data rows, only a header (or nothing readable).")
    if previous is None:
        return CheckOutcome("row_count", PASS, rows, f"{_plural(rows, 'row')}.")
    if previous == 0:
        return CheckOutcome("row_count", PASS, rows, f"{_plural(rows, 'row')}; the last run found none.")
    change = (rows - previous) / previous * 100
    direction = "more" if change >= 0 else "fewer"
    words = f"{_plural(rows, 'row')}, {abs(change):.1f}% {direction} than the {previous:,} of the last run"
    if abs(change) > thresholds.row_change_warn_percent:
        return CheckOutcome(
            "row_count",
            WARN,
            rows,
            f"{words}: a change of more than {thresholds.row_change_warn_percent}% may mean a truncated or doubled "
            "export.",
        )
    return CheckOutcome("row_count", PASS, rows, f"{words}.")


def duplicate_rows(
    table: LoadedTable, rules: dict[int, ColumnRule], thresholds: Thresholds, key: ColumnRule | None = None
) -> tuple[CheckOutcome, list[tuple[int, int]]]:
    """Rows identical to an earlier row (blank rows aside), compared column by column, but only among candidates.

    With ``key``, a unique column whose repeated values :func:`unique_checks` has kept in ``repeated_<sql>``, two
    identical rows share its value, so the candidates are the rows whose key repeats or is empty: a semi-join DuckDB
    answers from the key column alone. Without one, a 64-bit hash of each row is grouped (one integer per row instead
    of every column) and the candidates are the rows whose hash repeats; comparing them column by column means a
    hash collision between two different rows is never counted."""
    if not rules:
        return CheckOutcome("duplicate_rows", PASS, 0, "No columns."), []
    columns = ", ".join(rule.sql for rule in rules.values())
    # Blank rows are their own check; a row DuckDB read as all NULL (every field empty) is left out here.
    blank = f"coalesce({columns}) IS NULL"
    if key is not None:
        candidates = f"{key.empty} OR {key.text} IN (SELECT k FROM repeated_{key.sql})"  # noqa: S608 - column names are c<n>
        prefix = ""
    else:
        prefix = (
            f"WITH h AS MATERIALIZED (SELECT rowid AS r, hash({columns}) AS h FROM t WHERE NOT ({blank})), "  # noqa: S608
            "candidates AS (SELECT r FROM h WHERE h IN (SELECT h FROM h GROUP BY h HAVING count(*) > 1)), "
        )
        candidates = "rowid IN (SELECT r FROM candidates)"
    count, pairs = one_row(
        table.con.execute(
            f"{prefix or 'WITH '}g AS (SELECT count(*) AS n, min(rowid) AS first, max(rowid) AS last FROM t "  # noqa: S608
            f"WHERE NOT ({blank}) AND ({candidates}) GROUP BY {columns} HAVING count(*) > 1) "
            f"SELECT (SELECT coalesce(sum(n - 1), 0) FROM g), "
            f"(SELECT list([last, first] ORDER BY last)[1:{int(thresholds.example_limit)}] FROM g)"
        )
    )
    count = int(count or 0)
    share = count / table.rows * 100 if table.rows else 0.0
    if count and share > thresholds.duplicate_warn_percent:
        status = WARN
        message = (
            f"{_plural(count, 'row')} repeat{'s' if count == 1 else ''} an earlier row exactly ({share:.2f}% of rows)."
        )
    else:
        status = PASS
        message = (
            f"{_plural(count, 'row')} repeat an earlier row ({share:.2f}%), within the "
            f"{thresholds.duplicate_warn_percent}% allowed."
            if count
            else "No row repeats another."
        )
    return CheckOutcome("duplicate_rows", status, count, message), [
        tuple(p) for p in (pairs or [])
    ] if status != PASS else []


def unique_checks(
    table: LoadedTable, groups: list[tuple[str, list[ColumnRule]]], thresholds: Thresholds
) -> list[tuple[CheckOutcome, list[tuple[int, str]]]]:
    """Values repeated in a unique column (or a composite primary key), compared as written: one grouping per
    column gives both the count and the first repeated rows. A single column's repeated values are kept in the
    temporary table ``repeated_<sql>`` (column ``k``), which :func:`duplicate_rows` narrows its search with."""
    results = []
    for label, members in groups:
        not_empty = " AND ".join(f"NOT {r.empty}" for r in members)
        key = ", ".join(r.text for r in members)
        grouped = (
            f"SELECT {key}{' AS k' if len(members) == 1 else ''}, count(*) AS n, min(rowid) AS first, "  # noqa: S608
            f"max(rowid) AS last FROM t WHERE {not_empty} GROUP BY {key} HAVING count(*) > 1"
        )
        if len(members) == 1:
            table.con.execute(f"CREATE OR REPLACE TEMP TABLE repeated_{members[0].sql} AS {grouped}")
            grouped = f"SELECT * FROM repeated_{members[0].sql}"  # noqa: S608
        n, rowids = one_row(
            table.con.execute(
                f"SELECT coalesce(sum(n - 1), 0), list(last ORDER BY first)[1:{int(thresholds.example_limit)}] "  # noqa: S608
                f"FROM ({grouped})"
            )
        )
        n = int(n or 0)
        outcome = CheckOutcome(
            "unique",
            FAIL if n else PASS,
            n,
            f"{_plural(n, 'value')} repeat{'s' if n == 1 else ''} a value of an earlier row; each must be unique."
            if n
            else "Every value is unique.",
            label,
        )
        results.append((outcome, [(int(r), members[0].sql) for r in rowids or []]))
    return results
