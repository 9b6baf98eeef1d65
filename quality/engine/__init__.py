"""The data-quality engine: check one file against its data dictionary, fast, with no Django.

:func:`check_file` reads every value as text with DuckDB (no type guessing, no ``n/a`` silently turned into a
null: only an empty field, or a value the schema lists in ``missingValues``, counts as empty), casts it explicitly
against the Table Schema in SQL, and returns an :class:`EngineResult` of :class:`CheckOutcome` s and a score. The
pieces: :mod:`.source` (formats, compression, encoding, delimiter), :mod:`.load` (into DuckDB), :mod:`.rules` (types
and constraints as SQL), :mod:`.checks` (the checks), :mod:`.freshness`, :mod:`.score`, :mod:`.thresholds`.

Each example row is ``{"row": n, "column": name, "value": text}``: ``n`` is the line in the file (the header is
line 1) for CSV and TSV, the sheet row for XLSX, and the record number (1 = first) for JSON.
"""

from __future__ import annotations

import datetime
import logging
import shutil
import tempfile
from pathlib import Path

import duckdb

from .checks import (
    BAD_ENCODING,
    RAGGED,
    VALUE_CHARS,
    duplicate_rows,
    header_check,
    match_schema,
    row_count_check,
    unique_checks,
)
from .freshness import freshness_check
from .load import NewlineCount, connect
from .load import load as load_table
from .measure import Plan, collect, flagged
from .measure import plan as plan_checks
from .result import ERROR, PASS, CheckOutcome, EngineResult, UnreadableSource
from .rules import ColumnRule
from .score import SCORE_EXPLANATION, score_for
from .source import prepare
from .thresholds import DEFAULTS, Thresholds

logger = logging.getLogger(__name__)

__all__ = [
    "SCORE_EXPLANATION",
    "CheckOutcome",
    "EngineResult",
    "Thresholds",
    "UnreadableSource",
    "check_file",
]


def _reject_checks(table, example_limit: int) -> list[CheckOutcome]:
    rejects = table.rejects
    checks = []
    if table.prepared.kind != "json":
        ragged = sum(rejects.counts.get(kind, 0) for kind in RAGGED)
        examples = sorted(e for kind in RAGGED for e in rejects.examples.get(kind, []))[:example_limit]
        width = len(table.header)
        checks.append(
            CheckOutcome(
                "ragged_rows",
                ERROR if ragged else PASS,
                ragged,
                f"Ragged rows: {ragged:,} row{'s' if ragged != 1 else ''} {'has' if ragged == 1 else 'have'} more or "
                f"fewer fields than the header's {width} columns (a stray delimiter, an unquoted comma or a cut-off "
                f"line?), so {'its values' if ragged == 1 else 'their values'} cannot be matched to columns. "
                f"{'It was' if ragged == 1 else 'They were'} left out of the other checks; fix "
                f"{'it' if ragged == 1 else 'them'} and publish the file again."
                if ragged
                else f"Every row has the header's {width} columns.",
                examples=[{"row": line, "column": "", "value": text[:VALUE_CHARS]} for line, text in examples],
            )
        )
    other = {k: v for k, v in rejects.counts.items() if k not in RAGGED and k != BAD_ENCODING}
    malformed = sum(other.values()) + table.non_record_count
    if malformed:
        examples = sorted(e for kind in other for e in rejects.examples.get(kind, []))
        examples += [(r, "not a record (an object)") for r in table.non_records]
        kinds = ", ".join(k.lower() for k in other) or "not records"
        checks.append(
            CheckOutcome(
                "malformed_rows",
                ERROR,
                malformed,
                f"{malformed:,} row{'s' if malformed != 1 else ''} could not be read ({kinds}) and "
                f"{'was' if malformed == 1 else 'were'} left out of the other checks; fix "
                f"{'it' if malformed == 1 else 'them'} and publish the file again.",
                examples=[
                    {"row": line, "column": "", "value": text[:VALUE_CHARS]} for line, text in examples[:example_limit]
                ],
            )
        )
    return checks


def _encoding_outcome(prepared_checks: list[CheckOutcome], table, example_limit: int) -> list[CheckOutcome]:
    checks = list(prepared_checks)
    bad = table.rejects.counts.get(BAD_ENCODING, 0)
    if bad:
        examples = table.rejects.examples.get(BAD_ENCODING, [])[:example_limit]
        outcome = CheckOutcome(
            "encoding",
            ERROR,
            bad,
            f"Wrong encoding: {bad:,} row{'s' if bad != 1 else ''} hold{'s' if bad == 1 else ''} bytes that are not "
            f"UTF-8 (the file mixes encodings) and {'was' if bad == 1 else 'were'} left out of the other checks; save "
            "the file as UTF-8 and publish it again.",
            examples=[{"row": line, "column": "", "value": text[:VALUE_CHARS]} for line, text in examples],
        )
        checks = [outcome if c.check == "encoding" else c for c in checks] or [outcome]
    for check in checks:
        if check.check == "encoding" and check.value is None:
            check.value = bad
    return checks


def check_file(
    path: str | Path,
    *,
    schema: dict | None = None,
    thresholds: Thresholds | None = None,
    previous_row_count: int | None = None,
    source_modified: datetime.datetime | None = None,
    frequency: str | None = None,
    date_column: str = "",
    now: datetime.datetime | None = None,
    media_type: str = "",
    max_decompressed_bytes: int | None = None,
) -> EngineResult:
    """Check the data file at ``path`` and return every check's outcome and the score.

    ``schema`` is a Frictionless Table Schema dict (without it only the checks that need no dictionary run);
    ``frequency`` an ISO 8601 repeating duration such as ``R/P1D`` (``irregular`` or blank: freshness passes, no
    schedule); ``date_column`` a column whose newest date dates the data (else ``source_modified``);
    ``media_type`` the Content-Type the file was served with, a hint beside its extension and content.

    Raises :class:`UnreadableSource`, with a message for the user, when the file cannot be read as a table at all
    (empty, HTML, binary, an unknown encoding, a compression bomb past ``max_decompressed_bytes``...). Temporary
    files are removed before returning; memory stays bounded (DuckDB spills to disk past its limit).
    """
    path = Path(path).absolute()
    thresholds = thresholds or DEFAULTS
    now = now or datetime.datetime.now(datetime.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=datetime.UTC)
    limit = max_decompressed_bytes or thresholds.max_decompressed_bytes
    if schema is not None and not isinstance(schema.get("fields"), list):
        raise ValueError("schema must be a Table Schema dict with a list of fields")
    newlines: NewlineCount | None = None
    try:
        if not path.is_file():
            raise UnreadableSource("The file does not exist.")
        workdir = Path(tempfile.mkdtemp(prefix="quality-"))
    except OSError as exc:
        raise UnreadableSource(f"The file cannot be opened ({exc.strerror}).") from exc
    try:
        prepared = prepare(path, workdir, media_type=media_type, max_decompressed_bytes=limit)
        if any(char in str(prepared.path) for char in "*?[]{}"):
            # DuckDB would read such a name as a glob pattern: give it a plain one.
            link = workdir / "source"
            link.symlink_to(prepared.path.resolve())
            prepared.path = link
        con = connect()
        try:
            setup = plan = None
            if prepared.kind != "json":
                # The header is known: plan the checks now, so the load computes their flags as it reads.
                setup = _schema_rules(prepared.header, schema, date_column)
                plan = _plan(con, setup, len(prepared.header), thresholds, now)
            # The example rows' line numbers need the file's newline count: counted while the file was prepared
            # (CSV), else while DuckDB reads it (a worksheet's CSV).
            if prepared.kind != "json" and prepared.newlines is None:
                newlines = NewlineCount(prepared.path)
            table = load_table(con, prepared, (lambda source: flagged(plan, source)) if plan else None)
            table.newlines = newlines
            return _run(
                table,
                setup=setup,
                plan=plan,
                schema=schema,
                thresholds=thresholds,
                previous_row_count=previous_row_count,
                source_modified=source_modified,
                frequency=frequency,
                date_column=date_column,
                now=now,
            )
        finally:
            con.close()
    finally:
        if newlines is not None:
            newlines.wait()  # before its file is removed
        shutil.rmtree(workdir, ignore_errors=True)


def _schema_rules(header: list[str], schema: dict | None, date_column: str):
    """Each column's rule, the column-set checks, and the rule of the date column (None without one)."""
    rules, column_set, _missing, _unexpected = match_schema(header, schema)
    date_rule: ColumnRule | None = None
    if date_column:
        wanted = date_column.strip().lower()
        date_rule = next((r for r in rules.values() if r.name.strip().lower() == wanted), None)
    return rules, column_set, date_rule


def _plan(con, setup, width: int, thresholds: Thresholds, now: datetime.datetime) -> Plan | None:
    rules, _, date_rule = setup
    try:
        return plan_checks(con, rules, width, thresholds=thresholds, date_rule=date_rule, now=now)
    except duckdb.Error:
        logger.exception("Quality checks could not be planned")
        return None


def _run(
    table,
    *,
    setup=None,
    plan: Plan | None = None,
    schema,
    thresholds,
    previous_row_count,
    source_modified,
    frequency,
    date_column,
    now,
) -> EngineResult:
    header = table.header
    checks = _encoding_outcome(table.prepared.checks, table, thresholds.example_limit)
    if table.prepared.kind != "json":
        checks.append(header_check(header))
    checks += _reject_checks(table, thresholds.example_limit)
    total_rows = table.rows + table.rejects.total + table.non_record_count
    checks.append(row_count_check(total_rows, previous_row_count, thresholds))
    rules, column_set, date_rule = setup or _schema_rules(header, schema, date_column)
    newest = None
    measured: list[CheckOutcome] = []
    pending: list[tuple[CheckOutcome, list[tuple[int, str]]]] = []
    if table.rows:
        try:
            measured, newest, pending = _measure_all(table, rules, schema, thresholds, date_rule, now, plan)
        except duckdb.Error as exc:
            # A check that cannot run is an "error" (the run's result is "error"), never a crash.
            logger.exception("Quality checks could not run on %s", table.prepared.path)
            measured = [
                CheckOutcome(
                    "checks",
                    ERROR,
                    message=f"The column checks could not run ({str(exc).splitlines()[0][:300]}).",
                )
            ]
    checks.append(
        freshness_check(
            frequency=frequency,
            grace_days=thresholds.freshness_grace_days,
            now=now,
            newest_value=newest,
            date_column=date_column,
            date_column_found=date_rule is not None,
            source_modified=source_modified,
        )
    )
    checks += column_set + measured
    _attach_examples(table, [(o, rows) for o, rows in pending if rows], {r.sql: r.name for r in rules.values()})
    return EngineResult(
        checks=checks,
        score=score_for(checks),
        row_count=total_rows,
        column_count=len(header),
        newest_date=newest.isoformat() if newest is not None else None,
    )


def _measure_all(table, rules, schema, thresholds, date_rule, now, plan: Plan | None):
    """The checks that read the data: per column in one pass (over the flags the load computed, or computing them
    now), then unique values and duplicate rows."""
    if plan is not None and table.flagged:
        relation = "(SELECT rowid AS rid, * FROM t)"
    else:
        plan = plan_checks(table.con, rules, len(table.header), thresholds=thresholds, date_rule=date_rule, now=now)
        relation = f"({flagged(plan, 't', rowid=True)})"
    plan.rows = table.rows
    outcomes, newest, pending = collect(table.con, plan, relation, thresholds.example_limit)
    groups = [(r.name, [r]) for r in rules.values() if r.unique]
    primary_key = (schema or {}).get("primaryKey") or []
    if isinstance(primary_key, list) and len(primary_key) > 1:
        members = [r for r in rules.values() if r.name in primary_key]
        if len(members) == len(primary_key):
            groups.append((", ".join(primary_key), members))
    uniques = unique_checks(table, groups, thresholds)
    # A unique column's repeated values narrow the search for duplicate rows (identical rows repeat it too).
    key = next((members[0] for _, members in groups if len(members) == 1), None)
    duplicates, pairs = duplicate_rows(table, rules, thresholds, key=key)
    pending.append((duplicates, [(last, f"=row:{first}") for last, first in pairs]))
    measured = [outcomes[0], duplicates, *outcomes[1:]]
    for outcome, rows in uniques:
        pending.append((outcome, rows))
        measured.append(outcome)
    return measured, newest, pending


def _attach_examples(table, pending: list[tuple[CheckOutcome, list[tuple[int, str]]]], names: dict[str, str]) -> None:
    """Fetch the values of every example row in one query and write them, with their line numbers, onto the checks.

    ``pending`` pairs a check with its example rows as ``(rowid, column)``: the column's SQL name, "" for a
    table-wide check, or ``=row:<rowid>`` for a duplicate of an earlier row."""
    if not pending:
        return
    wanted = {rowid for _, rows in pending for rowid, _ in rows}
    wanted |= {int(c[5:]) for _, rows in pending for _, c in rows if c.startswith("=row:")}
    columns = sorted({c for _, rows in pending for _, c in rows if c and not c.startswith("=")})
    select = ", ".join(["rowid", *columns])
    ids = ", ".join(f"({rowid})" for rowid in sorted(wanted))
    # A semi-join with a small table of rowids: DuckDB skips to them, where a long IN list is tested on every row.
    table.con.execute(f"CREATE OR REPLACE TEMP TABLE wanted AS SELECT * FROM (VALUES {ids}) AS w(r)")  # noqa: S608
    fetched = {
        row[0]: dict(zip(columns, row[1:], strict=True))
        for row in table.con.execute(
            f"SELECT {select} FROM t WHERE rowid IN (SELECT r FROM wanted)"  # noqa: S608 - c<n> names, integers
        ).fetchall()
    }
    lines = table.line_numbers(wanted)
    for outcome, rows in pending:
        out = []
        for rowid, column in rows:
            line = lines.get(rowid, rowid + 2)
            if column.startswith("=row:"):
                first = int(column[5:])
                out.append({"row": line, "column": "", "value": f"same as row {lines.get(first, first + 2)}"})
            elif column:
                value = fetched.get(rowid, {}).get(column)
                out.append({"row": line, "column": names.get(column, column), "value": (value or "")[:VALUE_CHARS]})
            else:
                out.append({"row": line, "column": "", "value": ""})
        outcome.examples = out
