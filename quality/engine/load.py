"""Load a prepared file into one DuckDB table of text columns, and map a table row back to its line in the file.

The table is ``t`` with columns ``c0``, ``c1``... (the file's own names may be blank or repeated, so they never become
SQL identifiers); every value is VARCHAR exactly as written, and an empty field (``,,`` or ``,"",`` in CSV, ``""`` or
``null`` or a missing key in JSON) is NULL. Nothing else is: ``n/a`` stays ``n/a``. DuckDB reads CSV strictly
(``strict_mode``) and sets aside, with their line numbers, rows that cannot be read: too many or too few fields,
an unterminated quote, bytes that are not UTF-8. Those rows are reported by their own checks and left out of the
others. Insertion order is kept, so ``rowid`` is the row's position among the rows read.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import os
import shutil
import tempfile
import threading
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .result import UnreadableSource
from .rules import lit, one_row
from .source import PreparedSource

#: DuckDB's memory ceiling; past it, it spills to a temporary directory instead of growing.
MEMORY_LIMIT = "400MB"
#: Every core: DuckDB reads the CSV in parallel and still keeps insertion order (``rowid`` = file order, which the
#: example rows' line numbers need).
THREADS = max(1, os.cpu_count() or 1)
#: A CSV line longer than this is set aside as unreadable.
MAX_LINE_BYTES = 8 * 1024 * 1024
#: DuckDB's CSV read buffer: larger than its default, measured to cut the load's CPU time by about a fifth.
CSV_BUFFER_BYTES = 32 * 1024 * 1024
#: A JSON record larger than this cannot be read.
MAX_JSON_OBJECT_BYTES = 64 * 1024 * 1024


@dataclass
class Rejects:
    """Rows DuckDB could not read, by kind: ``counts[kind]`` and the first ``lines[kind]``."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.lines)


@dataclass
class LoadedTable:
    con: duckdb.DuckDBPyConnection
    prepared: PreparedSource
    header: list[str]
    rows: int
    rejects: Rejects
    #: JSON records that are not objects (row numbers), counted with the unreadable rows.
    non_records: list[int] = field(default_factory=list)
    non_record_count: int = 0
    #: ``t`` holds the checks' flags beside the text columns (computed while loading).
    flagged: bool = False
    #: The file's newlines, counted while it loaded (None: counted when needed).
    newlines: NewlineCount | None = None
    _regular: bool | None = None

    @property
    def columns(self) -> list[str]:
        return [f"c{i}" for i in range(len(self.header))]

    def line_numbers(self, rowids: set[int]) -> dict[int, int]:
        """Each rowid's line number in the file (its record number for JSON)."""
        if not rowids:
            return {}
        if self.prepared.rows_are_records:
            return {r: r + 1 for r in rowids}
        start = self.prepared.header_lines + 1
        if self._is_regular():
            return {r: _shift_past(start + r, self.rejects.lines) for r in rowids}
        return _scan_lines(self.prepared, rowids, set(self.rejects.lines))

    def _is_regular(self) -> bool:
        """One record per line, no blank line: a rowid's line follows from the count of rows set aside before it."""
        if self._regular is None:
            if self.prepared.newlines is not None:
                newlines, last = self.prepared.newlines
            elif self.newlines is not None:
                newlines, last = self.newlines.result()
            else:
                newlines, last = count_newlines(self.prepared.path)
            lines = newlines + (0 if last == b"\n" else 1)
            self._regular = lines == self.prepared.header_lines + self.rows + self.rejects.total
        return self._regular


def count_newlines(path: Path) -> tuple[int, bytes]:
    """The file's newline count and its last byte."""
    newlines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(8 * 1024 * 1024):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    return newlines, last


class NewlineCount:
    """:func:`count_newlines` in a thread of its own, started while DuckDB reads the file (DuckDB leaves Python's
    lock free), so the example rows' line numbers need not read the file again afterwards."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._found: tuple[int, bytes] | None = None
        self._thread = threading.Thread(target=self._count, daemon=True, name="quality-newlines")
        self._thread.start()

    def _count(self) -> None:
        with contextlib.suppress(OSError):
            self._found = count_newlines(self._path)

    def result(self) -> tuple[int, bytes]:
        self._thread.join()
        return self._found if self._found is not None else count_newlines(self._path)

    def wait(self) -> None:
        self._thread.join()


def _shift_past(line: int, rejected: list[int]) -> int:
    """``line`` is where the row would be without rejected lines; step past each rejected line at or before it."""
    skipped = 0
    while True:
        moved = bisect_right(rejected, line + skipped)
        if moved == skipped:
            return line + skipped
        skipped = moved


def _scan_lines(prepared: PreparedSource, rowids: set[int], rejected: set[int]) -> dict[int, int]:
    """Walk the file with Python's CSV reader up to the last rowid wanted, skipping blank lines and rejected rows as
    DuckDB does; only needed for files with blank lines or values spanning lines."""
    found: dict[int, int] = {}
    last = max(rowids)
    with open(prepared.path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=prepared.delimiter)
        line_end = 0
        rowid = -1
        try:
            for record in reader:
                start, line_end = line_end + 1, reader.line_num
                if line_end <= prepared.header_lines or not record or start in rejected:
                    continue
                rowid += 1
                if rowid in rowids:
                    found[rowid] = start
                if rowid >= last:
                    break
        except csv.Error:
            pass
    return found


_databases = threading.local()


def _database() -> duckdb.DuckDBPyConnection:
    """This thread's DuckDB database, opened at its first check and kept for the next: opening one costs 20 ms of
    CPU and, on a busy machine, 50-150 ms of waiting for its threads, once per check a worker ran; a cursor on it
    costs under a millisecond. A process forked from this one (a Celery pool process) opens its own. Its spill
    directory lives as long as the process."""
    database = getattr(_databases, "database", None)
    if database is None or _databases.pid != os.getpid():
        spill = tempfile.mkdtemp(prefix="quality-duckdb-")
        atexit.register(shutil.rmtree, spill, ignore_errors=True)
        database = duckdb.connect(
            ":memory:",
            config={
                "threads": THREADS,
                "memory_limit": MEMORY_LIMIT,
                "temp_directory": spill,
                "preserve_insertion_order": True,
                "autoinstall_known_extensions": False,
            },
        )
        _databases.database, _databases.pid = database, os.getpid()
    return database


def connect() -> duckdb.DuckDBPyConnection:
    """A connection of its own for one check (close it afterwards), on this thread's database: its tables are
    temporary (``t``, ``raw``, DuckDB's ``reject_errors``...), so they are the check's alone and go with the
    connection."""
    for attempt in (1, 2):
        try:
            con = _database().cursor()
            con.execute("SET enable_progress_bar = false")
            return con
        except duckdb.Error:
            # An earlier check left the database unusable (a fatal error invalidates it): open a new one.
            _databases.database = None
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _rejects(con: duckdb.DuckDBPyConnection) -> Rejects:
    rejects = Rejects()
    rows = con.execute(
        "SELECT error_type, count(DISTINCT line), min(line, 5), arg_min(csv_line, line, 5) "
        "FROM reject_errors GROUP BY error_type"
    ).fetchall()
    for kind, count, lines, texts in rows:
        rejects.counts[kind] = count
        rejects.examples[kind] = [(int(n), (t or "").strip("\r\n")[:200]) for n, t in zip(lines, texts, strict=False)]
    if rows:
        rejects.lines = [
            int(n) for (n,) in con.execute("SELECT DISTINCT line FROM reject_errors ORDER BY line").fetchall()
        ]
    return rejects


def load_csv(
    con: duckdb.DuckDBPyConnection, prepared: PreparedSource, shape: Callable[[str], str] | None = None
) -> LoadedTable:
    """Read the CSV into ``t``. With ``shape`` (SQL over the reader, see :func:`.measure.flagged`) the table also
    holds each check's flag, computed in the same parallel pass that reads the file; if that fails, the file is
    read again plainly (``flagged`` False) and the checks run on their own."""
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(prepared.header)))
    source = (
        f"read_csv({lit(prepared.path)}, header = true, delim = {lit(prepared.delimiter)}, "
        "quote = '\"', escape = '\"', auto_detect = false, strict_mode = true, ignore_errors = true, "
        f"store_rejects = true, max_line_size = {MAX_LINE_BYTES}, buffer_size = {CSV_BUFFER_BYTES}, "
        f"columns = {{{columns}}})"
    )
    flagged = False
    if shape is not None:
        try:
            con.execute(f"CREATE TEMP TABLE t AS {shape(source)}")
            flagged = True
        except duckdb.Error:
            for leftover in ("t", "reject_errors", "reject_scans"):
                con.execute(f"DROP TABLE IF EXISTS {leftover}")
    if not flagged:
        try:
            con.execute(f"CREATE TEMP TABLE t AS SELECT * FROM {source}")  # noqa: S608 - lit()
        except duckdb.Error as exc:
            raise UnreadableSource(f"The file could not be read as a table: {str(exc).splitlines()[0]}") from exc
    rows = one_row(con.execute("SELECT count(*) FROM t"))[0]
    table = LoadedTable(con, prepared, prepared.header, rows, _rejects(con))
    table.flagged = flagged
    return table


def _pointer(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


def load_json(con: duckdb.DuckDBPyConnection, prepared: PreparedSource) -> LoadedTable:
    try:
        con.execute(
            f"CREATE TEMP TABLE raw AS SELECT json FROM read_json_objects({lit(prepared.path)}, format = 'auto', "  # noqa: S608
            f"maximum_object_size = {MAX_JSON_OBJECT_BYTES})"
        )
    except duckdb.Error as exc:
        raise UnreadableSource(f"The file is not valid JSON: {str(exc).splitlines()[0]}") from exc
    total, objects, first_others = one_row(
        con.execute(
            "SELECT count(*), count(*) FILTER (json_type(json) = 'OBJECT'), "
            "min(rowid, 5) FILTER (json_type(json) <> 'OBJECT') FROM raw"
        )
    )
    if total == 0:
        raise UnreadableSource("The JSON holds no records: the list is empty.")
    if objects == 0:
        raise UnreadableSource('The JSON is not a list of records: expected objects such as {"column": value}.')
    keys = [
        k
        for (k,) in con.execute(
            "SELECT k FROM (SELECT rowid AS r, unnest(json_keys(json)) AS k, "
            "generate_subscripts(json_keys(json), 1) AS i FROM raw WHERE json_type(json) = 'OBJECT') "
            "GROUP BY k ORDER BY min(r * 1000000 + i)"
        ).fetchall()
    ]
    if not keys:
        raise UnreadableSource("The JSON records are all empty objects: there are no columns to check.")
    select = ", ".join(f"nullif(json_extract_string(json, {lit(_pointer(k))}), '') AS c{i}" for i, k in enumerate(keys))
    con.execute(f"CREATE TEMP TABLE t AS SELECT {select} FROM raw WHERE json_type(json) = 'OBJECT'")  # noqa: S608
    con.execute("DROP TABLE raw")
    rows = one_row(con.execute("SELECT count(*) FROM t"))[0]
    prepared.header = keys
    table = LoadedTable(con, prepared, keys, rows, Rejects())
    table.non_record_count = total - objects
    table.non_records = [int(r) + 1 for r in (first_others or [])]
    return table


def load(
    con: duckdb.DuckDBPyConnection, prepared: PreparedSource, shape: Callable[[str], str] | None = None
) -> LoadedTable:
    if prepared.kind == "json":
        return load_json(con, prepared)
    return load_csv(con, prepared, shape)
