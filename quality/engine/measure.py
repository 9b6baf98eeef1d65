"""The per-column checks (completeness, required, type, enum, minimum, maximum, pattern) and blank rows, measured
while the file is read: each check becomes a bit of a flag mask column of the table, computed by the same parallel
pass that parses the CSV, then one cheap aggregate over the masks counts them and finds their first offending rows.

:func:`plan` builds the SQL in layers so that each expensive expression (a cast, a regular expression) runs once per
value, however many checks use it; :func:`flagged` wraps it around a source::

    SELECT c0, c1, ..., (CASE WHEN <check 0> THEN 1 ELSE 0 END | CASE WHEN <check 1> THEN 2 ...) AS m0, d AS newest
    FROM (SELECT *, <valid for its type?> AS ok0, ... FROM                                      -- validity, once
          (SELECT *, <typed value> AS x0, ..., <date> AS d FROM read_csv(...)))                 -- each cast, once

and :func:`collect` runs ``SELECT count(*), count_if(m0 & 1 <> 0), ...`` over the table, then ``min(rid, 5) FILTER
(WHERE m0 & 2 <> 0)`` for the checks that did not pass: the count of each check and its first five offending rows in
file order (insertion order is kept, so ``rowid`` is the row's position). The flags are packed 64 to an unsigned
integer (``m0``, ``m1``...) because the table keeps them: twenty boolean columns cost DuckDB about five times as much
to store as one integer, and the counting pass reads one column instead of twenty.

DuckDB inlines a projected expression into every expression that uses it, so a constraint on a typed value tests its
cheap comparison first and only then the type's regular expression (``CASE WHEN x > 5 THEN ok``). An empty value is a
NULL, so emptiness is ``c IS NULL`` inline (a projected flag only where the schema names other ``missingValues``), and
completeness is ``count(*) - count(c)``, which reads only the validity mask. JSON records, already in a table, get their
flags computed by the counting passes instead.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import duckdb

from .result import FAIL, PASS, WARN, CheckOutcome
from .rules import ANY_DATETIME_FORMATS, ColumnRule, lit, one_row
from .thresholds import Thresholds

CALENDAR = ("date", "datetime", "time")
#: Flags packed into one UBIGINT mask column.
MASK_BITS = 64
#: A judge turns a count of offending rows into (status, value, message).
Judge = Callable[[int], tuple[str, float | int, str]]


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


@dataclass
class Plan:
    #: Layer 1: the raw text and, per column, its typed value (and whether it is empty, when that is not a NULL).
    values: list[str] = field(default_factory=list)
    #: Layer 2: whether each non-empty value is valid for its type.
    validity: list[str] = field(default_factory=list)
    #: The aggregates: one predicate per check, true on an offending row, and what it is about.
    checks: list[tuple[CheckOutcome, str, str, Judge]] = field(default_factory=list)
    #: Outcomes settled without the data (a format or pattern DuckDB cannot use).
    settled: list[CheckOutcome] = field(default_factory=list)
    #: Rows read (set once the table is loaded; completeness is a share of them).
    rows: int = 0
    #: The flag columns (``p<k>``), the plain text columns and ``newest``, over the text columns ``c<n>``.
    flags: list[str] = field(default_factory=list)
    #: The checks whose first offending rows are wanted.
    with_examples: list[int] = field(default_factory=list)
    #: Where each flagged check's flag is kept: check index -> (mask column ``m<j>``, bit).
    bits: dict[int, tuple[int, int]] = field(default_factory=dict)
    date_ceiling: str = ""
    has_date: bool = False

    def add(self, outcome: CheckOutcome, predicate: str, column_sql: str, judge: Judge) -> None:
        self.checks.append((outcome, predicate, column_sql, judge))

    def flag(self, k: int) -> str:
        """SQL true on the rows that offend check ``k`` (one with a flag: ``k in bits``)."""
        mask, bit = self.bits[k]
        return f"((m{mask} & {1 << bit}::UBIGINT) <> 0)"


def _compiles(con: duckdb.DuckDBPyConnection, *expressions: str) -> str:
    """'' when the expressions compile against the table, else DuckDB's message."""
    try:
        # Run on one row (``probe``, all NULL): some errors (a regular expression RE2 cannot compile) only show when
        # executing.
        con.execute(f"SELECT {', '.join(expressions)} FROM probe").fetchall()  # noqa: S608 - lit()
    except duckdb.Error as exc:
        return str(exc).splitlines()[0]
    return ""


def _scalar(con: duckdb.DuckDBPyConnection, expression: str) -> Any:
    try:
        return one_row(con.execute(f"SELECT {expression}"))[0]  # noqa: S608 - values go through lit()
    except duckdb.Error:
        return None


def _beyond_bound(n: int, *, words: str, key: str, bound: object) -> str:
    return f"{plural(n, 'value')} {_are(n)} {words} the {key} of {bound}."


def _counted(fail_words: Callable[[int], str], pass_words: str, status: str = FAIL) -> Judge:
    return lambda n: (status if n else PASS, n, fail_words(n) if n else pass_words)


def _plan_column(plan: Plan, con: duckdb.DuckDBPyConnection, i: int, rule: ColumnRule, limits: Thresholds) -> None:
    name, text, x, ok = rule.name, rule.text, f"x{i}", f"ok{i}"
    plan.values.append(f"c{i}")
    if rule.empty == f"(c{i} IS NULL)":
        e = f"(c{i} IS NULL)"  # inline: reads only the validity mask
    else:
        e = f"e{i}"
        plan.values.append(f"{rule.empty} AS {e}")

    def completeness(n: int) -> tuple[str, float, str]:
        rows = plan.rows
        share = n / rows * 100 if rows else 0.0
        words = f"{share:.1f}% of values are empty ({n:,} of {rows:,})"
        if share > limits.empty_warn_percent:
            return WARN, round(share, 2), f"{words}, more than the {limits.empty_warn_percent}% allowed."
        return PASS, round(share, 2), words + "."

    plan.add(CheckOutcome("completeness", PASS, column=name), e, "", completeness)
    if rule.required:
        plan.add(
            CheckOutcome("required", PASS, column=name),
            e,
            f"c{i}",
            _counted(lambda n: f"{plural(n, 'row')} leave this required column empty.", "No empty values."),
        )

    valid, typed = rule.valid(), rule.typed()
    if valid is not None:
        problem = _compiles(con, valid, typed or "1")
        if problem:
            plan.settled.append(
                CheckOutcome("type", WARN, None, f"The type or format cannot be checked ({problem}).", name)
            )
            valid = typed = None
    uses_typed = typed is not None and (
        rule.type in CALENDAR or rule.minimum not in (None, "") or rule.maximum not in (None, "") or bool(rule.enum)
    )
    if uses_typed:
        plan.values.append(f"{typed} AS {x}")
    if valid is None:
        plan.validity.append(f"true AS {ok}")
    else:
        plan.validity.append(
            f"({x} IS NOT NULL) AS {ok}" if rule.type in CALENDAR else f"coalesce({valid}, false) AS {ok}"
        )
        words = rule.type_words
        plan.add(
            CheckOutcome("type", PASS, column=name),
            f"NOT {e} AND NOT {ok}",
            f"c{i}",
            _counted(lambda n: f"{plural(n, 'value')} {_are(n)} not {words}.", f"Every value is {words}."),
        )
    good = f"NOT {e} AND {ok}"

    def only_if_valid(offends: str) -> str:
        # DuckDB inlines ``ok`` into every predicate using it: test the cheap comparison first, so the type's
        # regular expression runs again only on the few rows it selects, not on every row.
        return f"CASE WHEN {offends} THEN {good} ELSE false END"

    if rule.enum:
        if rule.type in ("integer", "number", "boolean") and uses_typed:
            subject, items = x, [rule.literal(v) or "NULL" for v in rule.enum]
        else:
            subject, items = text, [lit(str(v).lower() if isinstance(v, bool) else v) for v in rule.enum]
        allowed = ", ".join(str(v) for v in rule.enum[:10]) + (" …" if len(rule.enum) > 10 else "")
        plan.add(
            CheckOutcome("enum", PASS, column=name),
            only_if_valid(f"NOT coalesce({subject} IN ({', '.join(items)}), false)"),
            f"c{i}",
            _counted(
                lambda n: f"{plural(n, 'value')} {_are(n)} not among the allowed values ({allowed}).",
                "Every value is an allowed value.",
            ),
        )
    for key, op, words in (("minimum", "<", "below"), ("maximum", ">", "above")):
        bound = getattr(rule, key)
        literal = rule.literal(bound) if bound not in (None, "") else None
        compared: str | None = text if rule.type == "yearmonth" else (x if uses_typed else None)
        if literal is None or compared is None:
            continue
        if _scalar(con, literal) is None:
            plan.settled.append(
                CheckOutcome(
                    key, WARN, None, f"The {key} “{bound}” is not a valid {rule.type}, so it is not checked.", name
                )
            )
            continue
        plan.add(
            CheckOutcome(key, PASS, column=name),
            only_if_valid(f"coalesce({compared} {op} {literal}, false)"),
            f"c{i}",
            _counted(
                partial(_beyond_bound, words=words, key=key, bound=bound),
                f"No value is {words} the {key} of {bound}.",
            ),
        )
    if rule.pattern:
        expression = f"regexp_full_match({text}, {lit(rule.pattern)})"
        problem = _compiles(con, expression)
        if problem:
            plan.settled.append(
                CheckOutcome("pattern", WARN, None, f"The pattern cannot be checked ({problem}).", name)
            )
        else:
            pattern = rule.pattern
            plan.add(
                CheckOutcome("pattern", PASS, column=name),
                f"NOT {e} AND NOT {expression}",
                f"c{i}",
                _counted(
                    lambda n: f"{plural(n, 'value')} do{'es' if n == 1 else ''} not match the pattern {pattern}.",
                    f"Every value matches the pattern {pattern}.",
                ),
            )


def _date_expression(rule: ColumnRule) -> str:
    """A column's values as timestamps for freshness: by its type when it is a date type, else any date spelling."""
    if rule.type in ("date", "datetime") and rule.typed():
        return f"({rule.typed()})::TIMESTAMP"
    auto = ColumnRule(name=rule.name, sql=rule.sql, type="datetime", format="any")
    tries = [f"({auto.typed()})"] + [f"try_strptime({rule.text}, {lit(f)})" for f in ANY_DATETIME_FORMATS]
    return "coalesce(" + ", ".join(tries) + ")::TIMESTAMP"


def plan(
    con: duckdb.DuckDBPyConnection,
    rules: dict[int, ColumnRule],
    width: int,
    *,
    thresholds: Thresholds,
    date_rule: ColumnRule | None,
    now: datetime.datetime,
) -> Plan:
    """Plan the checks of a table of ``width`` text columns: what :func:`flagged` computes per row and
    :func:`collect` counts. Needs no data (a one-row ``probe`` table tells whether an expression runs)."""
    columns = ", ".join(f"NULL::VARCHAR AS c{i}" for i in range(max(width, 1)))
    con.execute(f"CREATE OR REPLACE TEMP TABLE probe AS SELECT {columns}")  # noqa: S608 - c<n> names only
    result = Plan()
    for i, rule in rules.items():
        _plan_column(result, con, i, rule, thresholds)
    plain = {i for i, rule in rules.items() if rule.empty == f"({rule.sql} IS NULL)"}
    if rules and len(plain) == len(rules):
        blank = f"coalesce({', '.join(f'c{i}' for i in rules)}) IS NULL"  # cheaper than a chain of ANDs
    else:
        blank = " AND ".join(f"(c{i} IS NULL)" if i in plain else f"e{i}" for i in rules) or "false"
    blank_check = (
        CheckOutcome("blank_rows", PASS),
        blank,
        "",
        _counted(
            lambda n: f"{plural(n, 'row')} {'has' if n == 1 else 'have'} every value empty.", "No blank rows.", WARN
        ),
    )
    result.checks.insert(0, blank_check)
    if date_rule is not None:
        date_index = next(i for i, rule in rules.items() if rule is date_rule)
        if date_rule.type in ("date", "datetime") and f"x{date_index}" in {v.split(" AS ")[-1] for v in result.values}:
            result.values.append(f"x{date_index}::TIMESTAMP AS newest")
        else:
            result.values.append(f"{_date_expression(date_rule)} AS newest")
        ceiling = (now + datetime.timedelta(days=1)).astimezone(datetime.UTC).replace(tzinfo=None)
        result.date_ceiling = ceiling.isoformat(sep=" ")
        result.has_date = True
    # Each check's predicate once, as a flag that both its count and its first rows read.
    result.flags = [f"c{i}" for i in range(width)] + (["newest"] if result.has_date else [])
    predicates: list[tuple[int, str]] = []
    for k, (outcome, predicate, column_sql, _) in enumerate(result.checks):
        column = predicate[2:-9] if predicate.startswith("(c") and predicate.endswith(" IS NULL)") else None
        if not (outcome.check == "completeness" and column is not None and column.isdigit()):
            predicates.append((k, predicate))
        if column_sql or outcome.check == "blank_rows":
            result.with_examples.append(k)
    for start in range(0, len(predicates), MASK_BITS):
        mask = start // MASK_BITS
        terms = []
        for bit, (k, predicate) in enumerate(predicates[start : start + MASK_BITS]):
            result.bits[k] = (mask, bit)
            terms.append(f"CASE WHEN {predicate} THEN {1 << bit}::UBIGINT ELSE 0::UBIGINT END")
        result.flags.append(f"({' | '.join(terms)}) AS m{mask}")
    return result


def flagged(plan: Plan, source: str, *, rowid: bool = False) -> str:
    """SQL for every text column of ``source`` (a table or ``read_csv(...)``) with the checks' flags beside it
    (and the table's ``rowid`` as ``rid`` with ``rowid``)."""
    rid = "rowid AS rid, " if rowid else ""
    layer1 = f"SELECT {rid}*{''.join(', ' + v for v in plan.values if ' AS ' in v)} FROM {source}"  # noqa: S608
    layer2 = f"SELECT *{''.join(', ' + v for v in plan.validity)} FROM ({layer1})"  # noqa: S608
    return f"SELECT {'rid, ' if rowid else ''}{', '.join(plan.flags)} FROM ({layer2})"  # noqa: S608


def collect(
    con: duckdb.DuckDBPyConnection, plan: Plan, relation: str, limit: int
) -> tuple[list[CheckOutcome], datetime.datetime | None, list[tuple[CheckOutcome, list[tuple[int, str]]]]]:
    """Count every check over ``relation`` (holding ``rid``, the text columns and the flags) in one pass. Returns
    the outcomes (blank rows first, then column by column), the newest date (None without a date column), and each
    failing check's first ``limit`` offending rows as ``(rowid, column)``."""
    aggregates = ["count(*)"]
    for k, (_, predicate, _, _) in enumerate(plan.checks):
        if k in plan.bits:
            aggregates.append(f"count_if({plan.flag(k)})")
        else:
            # An empty value is a NULL: counting the non-NULL ones reads only the validity mask.
            aggregates.append(f"count(*) - count({predicate[1:-9]})")
    if plan.has_date:
        aggregates.append(f"max(newest) FILTER (WHERE newest <= TIMESTAMP {lit(plan.date_ceiling)})")
    row = list(one_row(con.execute(f"SELECT {', '.join(aggregates)} FROM {relation}")))  # noqa: S608 - lit()
    newest = row.pop() if plan.has_date else None
    outcomes: list[CheckOutcome] = []
    for k, (outcome, _, _, judge) in enumerate(plan.checks):
        outcome.status, outcome.value, outcome.message = judge(int(row[k + 1] or 0))
        outcomes.append(outcome)
    # The first offending rows of the checks that did not pass, in file order (insertion order is preserved), in
    # one more pass that reads only their flags.
    failing = [k for k in plan.with_examples if plan.checks[k][0].status != PASS and k in plan.bits]
    examples: list[tuple[CheckOutcome, list[tuple[int, str]]]] = []
    if failing:
        firsts = one_row(
            con.execute(
                f"SELECT {', '.join(f'min(rid, {int(limit)}) FILTER (WHERE {plan.flag(k)})' for k in failing)} "  # noqa: S608
                f"FROM {relation}"
            )
        )
        for k, rowids in zip(failing, firsts, strict=True):
            outcome, _, column_sql, _ = plan.checks[k]
            if rowids:
                examples.append((outcome, [(int(r), column_sql) for r in sorted(rowids)]))
    return outcomes + plan.settled, newest, examples
