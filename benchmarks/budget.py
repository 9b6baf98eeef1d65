#!/usr/bin/env python3
"""The budget at scale: a city of 50 departments in five portfolios, 500 programs, 20,000 budget lines over five
fiscal years and twelve months of actuals for the current year's lines; the app served by gunicorn on 127.0.0.1; the
portfolio view (as the budget analyst of a portfolio of ten departments) and a department's budget page measured
against /healthz's throughput on the same server in the same run; then a 100,000-row finance export imported with
its dry run, timed against pandas reading the same file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_budget .venv/bin/python benchmarks/budget.py

Goals (issue 13): the portfolio view and the department budget page each at least 15% of /healthz's throughput; the
import's dry run plus its commit at most 5x the time ``pandas.read_csv`` takes to read the file. The database named
by DATABASE_URL is emptied and re-seeded unless --reuse is given; with no DATABASE_URL a SQLite file under var/ is
used. Requests go to 127.0.0.1 only, bounded in number.

The export's columns are named as :data:`EXPORT_COLUMNS` and mapped to ours through an import source
(:data:`MAPPING`: our field → the export's column, as ``budget.importing`` names our fields).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
import statistics
import sys
import tempfile
import time
import warnings
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402 - after the path is set
    PASSWORD,
    USERNAME,
    add_server_arguments,
    analyze,
    http_get,
    measure_pages,
    serve,
    setup_django,
    signed_in_cookie,
    stop,
)

DEPARTMENTS = 50
PORTFOLIOS = 5
PROGRAMS = 500
YEARS = 5
LINES = 20_000
#: The funds of the seeded city (code, name); the export uses more (see :func:`write_export`).
FUNDS = [("100", "General Fund"), ("300", "Capital Projects Fund"), ("520", "Solid Waste Enterprise Fund")]
CATEGORIES = ["personnel", "operating", "capital"]
IMPORT_SOURCE = "Benchmark finance system"
#: The finance export's columns, as a finance system names them.
EXPORT_COLUMNS = [
    "FY",
    "Fund",
    "Dept",
    "Program",
    "Program Name",
    "Expense Class",
    "Adopted Budget",
    "Amended Budget",
    "Actual",
    "Request",
]
#: Our fields → the export's columns (the import source's saved mapping).
MAPPING = {
    "fiscal_year": "FY",
    "fund_code": "Fund",
    "department": "Dept",
    "program_code": "Program",
    "program_name": "Program Name",
    "category": "Expense Class",
    "adopted": "Adopted Budget",
    "amended": "Amended Budget",
    "actual": "Actual",
    "requested": "Request",
}


def fiscal_year_bounds(year: int, start_month: int) -> tuple[datetime.date, datetime.date]:
    starts = datetime.date(year - 1 if start_month > 1 else year, start_month, 1)
    ends = datetime.date(starts.year + 1, starts.month, 1) - datetime.timedelta(days=1)
    return starts, ends


def current_fiscal_year(today: datetime.date, start_month: int) -> int:
    return today.year + 1 if start_month > 1 and today.month >= start_month else today.year


def seed() -> None:
    """The city: ``DEPARTMENTS`` departments in ``PORTFOLIOS`` portfolios, ``PROGRAMS`` programs, ``LINES`` lines
    over ``YEARS`` fiscal years (eight of the nine fund-and-category pairs per program and year), twelve monthly
    actuals for each of the current year's lines; ``bench-analyst`` the budget analyst of the first portfolio."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from budget.models import BudgetLine, FiscalYear, FiscalYearStatus, Fund, MonthlyActual, Program
    from team.models import Department, Person, Portfolio, Role, RoleAssignment

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    rng = random.Random(13)
    start_month = settings.FISCAL_YEAR_START_MONTH
    current = current_fiscal_year(timezone.localdate(), start_month)
    with transaction.atomic():
        portfolios = Portfolio.objects.bulk_create(
            Portfolio(name=f"Portfolio {i}", slug=f"portfolio-{i}") for i in range(PORTFOLIOS)
        )
        depts = Department.objects.bulk_create(
            Department(
                name=f"Department {i:02d}",
                slug=f"department-{i:02d}",
                code=f"D{i:02d}",
                portfolio=portfolios[i % PORTFOLIOS],
            )
            for i in range(DEPARTMENTS)
        )
        user = get_user_model().objects.create_user(USERNAME, "bench@example.gov", PASSWORD)
        analyst = Person.objects.create(full_name="Bench Analyst", email="bench@example.gov", user=user)
        RoleAssignment.objects.create(person=analyst, role=Role.BUDGET_ANALYST, portfolio=portfolios[0])
        years = []
        for year in range(current - YEARS + 1, current + 1):
            starts, ends = fiscal_year_bounds(year, start_month)
            years.append(
                FiscalYear.objects.create(
                    year=year,
                    starts_on=starts,
                    ends_on=ends,
                    status=FiscalYearStatus.ADOPTED if year == current else FiscalYearStatus.CLOSED,
                    public=True,
                )
            )
        funds = Fund.objects.bulk_create(Fund(code=code, name=name) for code, name in FUNDS)
        programs = Program.objects.bulk_create(
            Program(department=depts[p % DEPARTMENTS], code=f"P{p:04d}", name=f"Program {p:04d}")
            for p in range(PROGRAMS)
        )
        pairs = [(fund, category) for fund in funds for category in CATEGORIES]
        per_program_year = LINES // (PROGRAMS * YEARS)
        lines = []
        for program in programs:
            base = {pair: Decimal(rng.randint(50_000, 5_000_000)) for pair in pairs}
            for index, fiscal_year in enumerate(years):
                growth = Decimal(str(round(1 + rng.uniform(-0.06, 0.08), 4))) ** index
                for fund, category in rng.sample(pairs, per_program_year):
                    adopted = (base[(fund, category)] * growth).quantize(Decimal("0.01"))
                    last = fiscal_year.year == current
                    lines.append(
                        BudgetLine(
                            fiscal_year=fiscal_year,
                            fund=fund,
                            program=program,
                            category=category,
                            adopted=adopted,
                            amended=adopted * Decimal("1.02") if rng.random() < 0.1 else None,
                            actual=None if last else (adopted * Decimal("0.98")).quantize(Decimal("0.01")),
                            requested=(adopted * Decimal("1.03")).quantize(Decimal("0.01")) if last else None,
                        )
                    )
        BudgetLine.objects.bulk_create(lines, batch_size=5000)
        current_lines = BudgetLine.objects.filter(fiscal_year=years[-1]).only("pk", "adopted")
        months = [(years[-1].starts_on + datetime.timedelta(days=31 * m)).replace(day=1) for m in range(12)]
        MonthlyActual.objects.bulk_create(
            (
                MonthlyActual(
                    line_id=line.pk,
                    month=month,
                    amount=(line.adopted / 12 * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))).quantize(
                        Decimal("0.01")
                    ),
                )
                for line in current_lines
                for month in months
            ),
            batch_size=5000,
        )
    print(
        f"seeded {DEPARTMENTS} departments, {PROGRAMS} programs, {BudgetLine.objects.count():,} lines over "
        f"{YEARS} years, {MonthlyActual.objects.count():,} monthly actuals in {time.perf_counter() - started:.1f} s"
    )


def export_years() -> list[int]:
    """The fiscal years a finance export covers: the current adopted year and the next."""
    from budget.models import FiscalYear, FiscalYearStatus

    current = FiscalYear.objects.exclude(status=FiscalYearStatus.CLOSED).order_by("-year").first()
    assert current is not None, "the seeded city has an adopted current year"
    return [current.year, current.year + 1]


def write_export(path: Path, rows: int) -> None:
    """A finance export of ``rows`` rows as a finance system sends it before the budget is adopted: one row per
    (year, fund, program, category) of the current fiscal year (adopted: its amended and actual amounts so far) and
    of the next one (new to the budget: the department's requests), every seeded program, the seeded funds and as
    many more as the rows need (new to the import). Closed years are not in it: a finance system's export for the
    budget office covers the years still changing."""
    from budget.models import Program

    rng = random.Random(100)
    years = export_years()
    programs = list(Program.objects.select_related("department").order_by("code"))
    per_fund = len(years) * len(programs) * len(CATEGORIES)
    extra_funds = max(0, -(-rows // per_fund) - len(FUNDS))
    funds = [code for code, _name in FUNDS] + [f"6{n:02d}" for n in range(extra_funds)]
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for year in years:
            for fund in funds:
                for program in programs:
                    for category in CATEGORIES:
                        if written == rows:
                            return
                        adopted = Decimal(rng.randint(5_000_00, 500_000_000)) / 100
                        this_year = year == years[0]
                        writer.writerow(
                            [
                                f"FY{year}",
                                fund,
                                program.department.code,
                                program.code,
                                program.name,
                                category.title(),
                                f"{adopted:,.2f}" if this_year else "",
                                f"{adopted * Decimal('1.02'):.2f}" if this_year and rng.random() < 0.1 else "",
                                f"{adopted * Decimal('0.41'):.2f}" if this_year else "",
                                f"{adopted * Decimal('1.03'):.2f}",
                            ]
                        )
                        written += 1


def insert_floor(years: list[int]) -> tuple[int, float] | None:
    """PostgreSQL's own time to write the lines of ``years`` (what the commit just wrote, and the lines it changed)
    into a table of the same columns with no index, key or constraint, copied inside the database (nothing crosses
    the connection), in a transaction rolled back: the floor under any commit of these rows."""
    from django.db import connection, transaction

    from budget.models import BudgetLine, FiscalYear

    if connection.vendor != "postgresql":
        return None
    lines, fiscal_years = BudgetLine._meta.db_table, FiscalYear._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE benchmark_floor_lines (LIKE {lines})")
        started = time.perf_counter()
        cursor.execute(
            f"INSERT INTO benchmark_floor_lines SELECT line.* FROM {lines} line "  # noqa: S608 (our own names)
            f"JOIN {fiscal_years} fy ON fy.id = line.fiscal_year_id WHERE fy.year = ANY(%s)",
            [years],
        )
        elapsed = time.perf_counter() - started
        written = cursor.rowcount
        transaction.set_rollback(True)
    return written, elapsed


def _spread(times: list[float]) -> str:
    return f"{min(times):.3f}–{max(times):.3f} s"


def time_import(rows: int, samples: int) -> None:
    """The import of a ``rows``-row export: its dry run, then its commit, each timed, against pandas.read_csv."""
    import pandas
    from django.core.management import call_command, get_commands

    from budget.models import ImportSource

    if "import_budget" not in get_commands():
        print("import: the import_budget command is not built in this tree yet; skipped")
        return
    ImportSource.objects.update_or_create(name=IMPORT_SOURCE, defaults={"mapping": MAPPING})
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "finance-export.csv"
        years = export_years()  # before the commit adds the next year
        write_export(path, rows)
        size = path.stat().st_size
        # pandas's read and the dry run alternate, ``samples`` of each, and the medians are compared: a busy moment of
        # this shared machine then slows one sample of either, not one side.
        pandas_times, dry_runs = [], []
        for _ in range(samples):
            started = time.perf_counter()
            with warnings.catch_warnings():  # its default read, mixed-type columns and all (the baseline)
                warnings.simplefilter("ignore", pandas.errors.DtypeWarning)
                frame = pandas.read_csv(path)
            pandas_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            call_command("import_budget", str(path), source=IMPORT_SOURCE, verbosity=0)
            dry_runs.append(time.perf_counter() - started)
        print(f"export: {len(frame):,} rows, {size / 1024 / 1024:.1f} MB")
        pandas_time = statistics.median(pandas_times)
        dry_run = statistics.median(dry_runs)
        started = time.perf_counter()
        call_command("import_budget", str(path), source=IMPORT_SOURCE, commit=True, verbosity=0)
        commit = time.perf_counter() - started
        floor = insert_floor(years)
        started = time.perf_counter()
        call_command("import_budget", str(path), source=IMPORT_SOURCE, verbosity=0)
        again = time.perf_counter() - started
    ratio = (dry_run + commit) / pandas_time
    print(f"pandas.read_csv:          {pandas_time:8.3f} s (median of {samples}; {_spread(pandas_times)})")
    print(f"dry run:                  {dry_run:8.3f} s (median of {samples}; {_spread(dry_runs)})")
    print(f"commit:                   {commit:8.2f} s")
    print(f"dry run again (unchanged): {again:7.2f} s")
    if floor is not None:
        written, floor_time = floor
        print(
            f"PostgreSQL floor:         {floor_time:8.2f} s ({written:,} lines into a bare table: no index, key or "
            f"constraint); the commit is {commit / floor_time:.1f}x it, "
            f"and the floor alone {floor_time / pandas_time:.0f}x pandas's read"
        )
    dry_ratio = dry_run / pandas_time
    print(f"dry run vs pandas:          {dry_ratio:.1f}x  goal <= 5x  {'ok' if dry_ratio <= 5 else 'ABOVE GOAL'}")
    print(f"dry run + commit vs pandas: {ratio:.1f}x  goal <= 5x  {'ok' if ratio <= 5 else 'ABOVE GOAL'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--pandas-samples", type=int, default=5, help="pandas reads and dry runs, alternating")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    add_server_arguments(parser, port=8769)
    args = parser.parse_args()

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not args.reuse:
        seed()
    analyze()
    from team.models import Department

    department = Department.objects.filter(portfolio__slug="portfolio-0").order_by("slug").first()
    base = f"http://127.0.0.1:{args.port}"
    server = None
    if not args.skip_pages:
        try:
            server = serve(args.port, args.workers)
            cookie = signed_in_cookie(base)
            pages = [
                ("/healthz (baseline)", "/healthz"),
                ("portfolio view (10 departments)", "/budget/portfolio/"),
                ("department budget page", f"/budget/departments/{department.slug}/"),
            ]
            measured = [pages[0]]
            for label, path in pages[1:]:
                status, body = http_get(base + path, cookie=cookie)
                if status == 404:
                    print(f"  {label:38} {path} is not built in this tree yet; skipped")
                    continue
                if status != 200:
                    raise SystemExit(f"{path} answered {status}")
                print(f"  {label:38} {len(body) / 1024:,.0f} KiB")
                measured.append((label, path))
            if len(measured) > 1:
                measure_pages(server, base, measured, cookie=cookie, args=args, goal=0.15)
        finally:
            stop(server)
    if not args.skip_import:
        time_import(args.import_rows, args.pandas_samples)


if __name__ == "__main__":
    main()
