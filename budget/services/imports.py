"""Committing a finance export's import: the rows planned again against the budget as it is now (never a stale
preview), then every new or changed line and monthly actual written in ONE transaction (a write that fails leaves
nothing of the import), logged in :class:`~budget.models.BudgetImport`. Importing the same file again changes
nothing: its rows are all unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from team.access import enforce

from ..access import IMPORT_REFUSED, can_import_budget
from ..importing import BudgetPlan, BudgetRow, LineKey, import_plan
from ..models import BudgetImport, BudgetLine, FiscalYear, Fund, ImportSource, MonthlyActual, Program
from ..selectors import budget_changed
from .data import fiscal_year_bounds

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BATCH = 2000


@dataclass
class ImportDone:
    """What a commit did: its plan (each row's outcome) and the log entry."""

    plan: BudgetPlan
    record: BudgetImport


def _new_line(row: BudgetRow, ids: dict[str, dict], programs: dict[tuple[int, str], int]) -> BudgetLine:
    assert row.key is not None
    year, fund_code, department_id, program_code, category = row.key
    return BudgetLine(
        fiscal_year_id=ids["years"][year],
        fund_id=ids["funds"][fund_code],
        program_id=programs[(department_id, program_code)],
        category=category,
        **{name: value for name, value in row.amounts.items() if value is not None or name != "adopted"},
    )


def _ensure_parents(rows: list[BudgetRow]) -> tuple[dict[str, dict], dict[tuple[int, str], int]]:
    """The fiscal years, funds and programs the rows name, those the budget lacks added (new years open)."""
    wanted_years = {row.key[0] for row in rows if row.key}
    years = dict(FiscalYear.objects.filter(year__in=wanted_years).values_list("year", "pk"))
    for year in sorted(wanted_years - set(years)):
        starts_on, ends_on = fiscal_year_bounds(year)
        years[year] = FiscalYear.objects.create(year=year, starts_on=starts_on, ends_on=ends_on).pk
    fund_names = {row.key[1]: row.fund_name for row in rows if row.key}
    funds = dict(Fund.objects.filter(code__in=fund_names).values_list("code", "pk"))
    new_funds = [Fund(code=code, name=(name or code)[:200]) for code, name in fund_names.items() if code not in funds]
    Fund.objects.bulk_create(new_funds, batch_size=BATCH)
    funds = dict(Fund.objects.filter(code__in=fund_names).values_list("code", "pk"))
    program_names = {(row.key[2], row.key[3]): row.program_name for row in rows if row.key}
    department_ids = {department_id for department_id, _ in program_names}
    programs = {
        (department_id, code): pk
        for pk, department_id, code in Program.objects.filter(department_id__in=department_ids).values_list(
            "pk", "department_id", "code"
        )
    }
    Program.objects.bulk_create(
        [
            Program(department_id=department_id, code=code, name=(name or code)[:200])
            for (department_id, code), name in program_names.items()
            if (department_id, code) not in programs
        ],
        batch_size=BATCH,
    )
    programs = {
        (department_id, code): pk
        for pk, department_id, code in Program.objects.filter(department_id__in=department_ids).values_list(
            "pk", "department_id", "code"
        )
    }
    return {"years": years, "funds": funds}, programs


@transaction.atomic
def budget_import(
    *,
    source: ImportSource,
    file_name: str,
    sha256: str,
    rows: list[dict[str, str]],
    by: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportDone:
    """Import ``rows`` (our fields, mapped with ``source``'s mapping) with ``by``'s rights, all or nothing.

    Only the Stat lead and the budget analysts import (``PermissionDenied`` otherwise); a budget analyst's rows of a
    department outside their portfolio are invalid and skipped, like every invalid row (returned in the plan with
    their reasons); fiscal years, funds and programs the rows name are added when new."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    plan = import_plan(rows=rows, by=by)
    to_write = [row for row in plan.rows if row.action in ("new", "changed")]
    ids, programs = _ensure_parents([row for row in plan.rows if row.key is not None and row.is_valid])
    total = len(to_write)
    new_lines: list[BudgetLine] = []
    changed_rows: list[BudgetRow] = []
    for done, row in enumerate(row for row in to_write if row.kind == "line"):
        if row.action == "new":
            new_lines.append(_new_line(row, ids, programs))
        else:
            changed_rows.append(row)
        if progress is not None and done % BATCH == 0:
            progress(done, total)
    BudgetLine.objects.bulk_create(new_lines, batch_size=BATCH)
    if changed_rows:
        current = BudgetLine.objects.in_bulk([row.line_id for row in changed_rows])
        fields = {"updated_at"}
        now = timezone.now()
        for row in changed_rows:
            line = current[row.line_id]
            for name in row.changes:
                setattr(line, name, row.amounts[name])
            line.updated_at = now
            fields.update(row.changes)
        BudgetLine.objects.bulk_update(list(current.values()), sorted(fields), batch_size=BATCH)
    month_rows = [row for row in to_write if row.kind == "month"]
    if month_rows:
        line_ids: dict[LineKey, int] = {}
        years = {row.key[0] for row in month_rows if row.key}
        for pk, year, fund, department_id, program, category in BudgetLine.objects.filter(
            fiscal_year__year__in=years
        ).values_list("pk", "fiscal_year__year", "fund__code", "program__department_id", "program__code", "category"):
            line_ids[(year, fund, department_id, program, category)] = pk
        new_actuals, changed_actuals = [], []
        for row in month_rows:
            assert row.key is not None and row.month is not None and row.amount is not None
            if row.action == "new":
                new_actuals.append(MonthlyActual(line_id=line_ids[row.key], month=row.month, amount=row.amount))
            else:
                changed_actuals.append(MonthlyActual(pk=row.actual_id, amount=row.amount))
        MonthlyActual.objects.bulk_create(new_actuals, batch_size=BATCH)
        MonthlyActual.objects.bulk_update(changed_actuals, ["amount"], batch_size=BATCH)
    if progress is not None:
        progress(total, total)
    counts = plan.counts
    record = BudgetImport.objects.create(
        source=source,
        file_name=file_name[:255],
        sha256=sha256,
        created=counts["new"],
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        invalid=counts["invalid"],
        imported_by=by,
    )
    # Bulk writes send no save signal: tell the budget pages' caches once the import commits.
    transaction.on_commit(budget_changed)
    return ImportDone(plan=plan, record=record)
