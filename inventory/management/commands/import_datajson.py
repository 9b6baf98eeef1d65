"""``manage.py import_datajson PATH_OR_URL``: harvest a DCAT-US v1.1 catalogue into the inventory.

Examples::

    manage.py import_datajson https://data.example.gov/data.json --create-departments
    manage.py import_datajson var/data.json --map "Riverton Police Department=police" --dry-run

Publishers are matched to departments by name; ``--map`` names the department (by slug) for a publisher whose name
differs, ``--create-departments`` creates a department for every publisher still unmatched. Exits with status 1
when the catalogue is refused, 0 otherwise (invalid records are reported, the valid ones imported).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from team.models import Department

from ...services.datajson import FetchError, ImportReport, NotACatalogue, datajson_import, fetch_url


class Command(BaseCommand):
    help = "Harvest a DCAT-US v1.1 data.json (a file or an http(s) URL) into the data inventory."

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="PATH_OR_URL", help="A data.json file, or its http(s) address.")
        parser.add_argument(
            "--create-departments",
            action="store_true",
            help="Create a department for each publisher that matches none.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="PUBLISHER=SLUG",
            help='Send a publisher\'s datasets to a department, e.g. --map "Riverton PD=police". Repeatable.',
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; write nothing.")

    def handle(self, *args, source: str, create_departments: bool, map: list[str], dry_run: bool, **options):
        department_map = self._department_map(map)
        try:
            raw = self._read(source)
            report = datajson_import(
                by=None,
                catalog=raw,
                department_map=department_map,
                create_departments=create_departments,
                dry_run=dry_run,
                fetch=fetch_url if source.startswith(("http://", "https://")) else None,
            )
        except (NotACatalogue, FetchError) as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self._print(report, source)

    def _department_map(self, pairs: list[str]) -> dict[str, Department]:
        mapping = {}
        for pair in pairs:
            publisher, sep, slug = pair.rpartition("=")
            if not sep or not publisher.strip() or not slug.strip():
                raise CommandError(f'--map {pair!r}: write it as "Publisher name=department-slug".')
            department = Department.objects.filter(slug=slug.strip()).first()
            if department is None:
                raise CommandError(f"--map {pair!r}: no department has the slug {slug.strip()!r}.")
            mapping[" ".join(publisher.split())] = department
        return mapping

    def _read(self, source: str) -> bytes:
        if source.startswith(("http://", "https://")):
            return fetch_url(source)
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"{source}: no such file. Give a data.json file or an http(s) address.")
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{source} could not be read: {exc.strerror}.") from exc

    def _print(self, report: ImportReport, source: str) -> None:
        heading = "Dry run (nothing written)" if report.dry_run else "Harvested"
        self.stdout.write(
            self.style.SUCCESS(
                f"{heading} {source}: {report.total} records; {len(report.created)} created, "
                f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, {len(report.invalid)} invalid, "
                f"{len(report.skipped)} skipped."
            )
        )
        for name in report.created_departments:
            self.stdout.write(f"New department: {name}")
        for name in report.unmapped_publishers:
            self.stderr.write(
                self.style.WARNING(f'Unmapped publisher: {name} (use --map "{name}=slug" or --create-departments)')
            )
        for label, errors in report.invalid:
            self.stderr.write(self.style.ERROR(f"Invalid {label}: {' '.join(errors)}"))
        for label, warning in report.warnings:
            self.stderr.write(f"Note on {label}: {warning}")
