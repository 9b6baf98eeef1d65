"""``manage.py quality_check --file PATH [--schema TABLE_SCHEMA.json] [--json]``: the quality checks on a local file.

For administrators and scripts. Prints a table of the checks (or, with ``--json``, one JSON object with ``score``
and ``checks``). Exit status: 0 when no check fails, 1 when at least one fails (status fail or error), 2 when the
file cannot be read at all (missing, empty, not a table, a bad schema), with the reason on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from inventory.services.dictionary import dictionary_from_table_schema
from quality.engine import UnreadableSource, check_file
from quality.engine.result import FAIL, PASS, WARN

#: How each status is written, so a terminal without colour still says it in words.
LABELS = {PASS: "PASS", WARN: "WARN", FAIL: "FAIL"}


class Command(BaseCommand):
    help = "Run the data-quality checks on a local CSV, TSV, JSON, XLSX or gzip file and print the results."

    def add_arguments(self, parser):
        parser.add_argument("--file", required=True, help="The data file to check.")
        parser.add_argument("--schema", help="A Frictionless Table Schema JSON file (the data dictionary).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object: score and checks.")
        parser.add_argument("--frequency", default="", help="Update frequency, ISO 8601 (R/P1D, R/P1M...).")
        parser.add_argument("--date-column", default="", help="A column whose newest date says how fresh data is.")
        parser.add_argument("--media-type", default="", help="The Content-Type the file was served with.")
        parser.add_argument("--previous-row-count", type=int, help="Row count of the last run, to judge the change.")

    def handle(self, *args, **options):
        schema = self._schema(options["schema"]) if options["schema"] else None
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=2)
        try:
            result = check_file(
                path,
                schema=schema,
                frequency=options["frequency"],
                date_column=options["date_column"],
                media_type=options["media_type"],
                previous_row_count=options["previous_row_count"],
            )
        except UnreadableSource as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            self._print_table(result)
        if result.failed:
            raise SystemExit(1)

    def _schema(self, name: str) -> dict:
        try:
            with open(name, "rb") as fh:
                data = json.loads(fh.read().decode("utf-8-sig"))
        except OSError as exc:
            raise CommandError(f"{name}: cannot read the schema ({exc.strerror}).", returncode=2) from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{name}: the schema is not valid JSON ({exc}).", returncode=2) from exc
        try:
            dictionary_from_table_schema(data)
        except ValidationError as exc:
            raise CommandError(f"{name}: {' '.join(exc.messages)}", returncode=2) from exc
        return data

    def _print_table(self, result) -> None:
        styles = {PASS: self.style.SUCCESS, WARN: self.style.WARNING, FAIL: self.style.ERROR}
        rows = [
            (
                LABELS.get(c.status, c.status.upper()),
                c.check,
                c.column,
                "" if c.value is None else f"{c.value:,}" if isinstance(c.value, int) else f"{c.value:g}",
                c.message,
            )
            for c in result.checks
        ]
        widths = [max(len(r[i]) for r in [("STATUS", "CHECK", "COLUMN", "VALUE", ""), *rows]) for i in range(4)]
        self.stdout.write(
            "  ".join(h.ljust(w) for h, w in zip(("STATUS", "CHECK", "COLUMN", "VALUE"), widths, strict=True))
            + "  MESSAGE"
        )
        for check, row in zip(result.checks, rows, strict=True):
            line = "  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
            self.stdout.write(styles.get(check.status, self.style.ERROR)(line))
            for example in check.examples:
                where = f"row {example['row']}" + (f", {example['column']}" if example.get("column") else "")
                self.stdout.write(f"      {where}: {example['value']!r}")
        score = f"{result.score}/100"
        size = f"{result.row_count:,} rows × {result.column_count:,} columns" if result.row_count is not None else ""
        self.stdout.write(f"\nScore: {score}. Outcome: {LABELS.get(result.outcome, result.outcome.upper())}. {size}")
