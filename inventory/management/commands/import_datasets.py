"""``manage.py import_datasets FILE --user USERNAME [--commit]``: the web import, from the command line.

Without ``--commit`` it only prints what importing would do (the dry run); with it, it writes the valid rows in one
transaction and lists the skipped ones. The rows are checked with the rights of ``--user``, as on the web.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from inventory.services import tabular


class Command(BaseCommand):
    help = "Import datasets from a CSV or XLSX file (a dry run unless --commit is given)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV or XLSX file.")
        parser.add_argument("--user", required=True, help="The username whose rights the import uses.")
        parser.add_argument("--commit", action="store_true", help="Write the valid rows (default: dry run).")

    def handle(self, *args, path, user, commit, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(f"No active user is called {user}.")
        try:
            with open(path, "rb") as upload:
                columns, rows = tabular.read_table(upload, path)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except tabular.TableError as exc:
            raise CommandError(str(exc)) from exc
        if not commit:
            plan = tabular.import_plan(columns=columns, rows=rows, by=account)
            for row in plan.rows:
                detail = "; ".join(row.errors) or ", ".join(row.changes)
                self.stdout.write(f"line {row.line}: {row.action} {row.title}{f' ({detail})' if detail else ''}")
            counts = ", ".join(f"{n} {action}" for action, n in plan.counts.items())
            self.stdout.write(f"Dry run: {counts}. Nothing was written; add --commit to import.")
            return
        try:
            result = tabular.datasets_import(columns=columns, rows=rows, by=account)
        except PermissionDenied as exc:
            raise CommandError(f"{user} may not import datasets: {exc}") from exc
        for row in result.skipped:
            self.stderr.write(f"line {row.line}: skipped {row.title}: {'; '.join(row.errors)}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {len(result.created)} added, {len(result.updated)} updated, "
                f"{result.unchanged} unchanged, {len(result.skipped)} skipped."
            )
        )
