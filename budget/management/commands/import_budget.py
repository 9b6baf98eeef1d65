"""``manage.py import_budget FILE --source NAME [--commit]``: a finance export imported from the shell, with the
source's saved column mapping (saved on the import page; a column named like ours maps itself). Prints what the import
would do (new, changed, unchanged, invalid rows, and each invalid row's reasons); writes only with ``--commit``, as
the system (every department) or as ``--user``."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from budget.importing import TableError, guess_mapping, import_plan, mapped_rows, read_table
from budget.models import ImportSource
from budget.services.imports import budget_import


class Command(BaseCommand):
    help = "Import a finance system's budget export (CSV or XLSX) with a source's saved column mapping."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="The import source (its saved column mapping).")
        parser.add_argument("--commit", action="store_true", help="Write the import (else: a dry run).")
        parser.add_argument(
            "--user", help="The username whose rights the import uses (a budget analyst: their portfolio only)."
        )

    def handle(self, *args, file: Path, source: str, commit: bool, user: str | None = None, **options) -> None:
        account = None
        if user:
            account = User.objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"No active user {user!r}.")
        found = ImportSource.objects.filter(name=source).first()
        if found is None:
            names = ", ".join(ImportSource.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No import source {source!r} (sources: {names}). Map its columns on /budget/import/.")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc}") from exc
        try:
            with file.open("rb") as fh:
                table = read_table(fh, file.name)
            rows = mapped_rows(table, guess_mapping(table.header, found.mapping))
        except TableError as exc:
            raise CommandError(str(exc)) from exc
        if commit:
            try:
                done = budget_import(
                    source=found, file_name=file.name, sha256=hashlib.sha256(data).hexdigest(), rows=rows, by=account
                )
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
            plan = done.plan
        else:
            plan = import_plan(rows=rows, by=account)
        counts = plan.counts
        self.stdout.write(
            f"{counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged, "
            f"{counts['invalid']} invalid"
        )
        for row in plan.invalid_rows():
            self.stdout.write(f"  line {row.line}: {'; '.join(row.errors)}")
        self.stdout.write("Committed." if commit else "Dry run: nothing written (add --commit to import).")
