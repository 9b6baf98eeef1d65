"""Committing a finance export's import: the rows planned again against the budget as it is now (never a stale
preview), then every new or changed line and monthly actual written in ONE transaction (a write that fails leaves
nothing of the import), logged in :class:`~budget.models.BudgetImport`. Importing the same file again changes
nothing: its rows are all unchanged.

The writes go a column at a time, as the plan is kept: on PostgreSQL the rows are copied (``COPY``) into a temporary
table and inserted or updated from it in one statement each; elsewhere (SQLite, the embedded default) through the
ORM's bulk writes. Amounts travel as whole cents and become decimals in the database: never a float.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone

from core.import_plan import CHANGED, INVALID, NEW
from team.access import enforce

from ..access import IMPORT_REFUSED, can_import_budget
from ..importing import AMOUNTS, BudgetPlan, cents_to_money, import_plan
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


@dataclass
class _Parents:
    years: dict[int, int]
    funds: dict[str, int]
    programs: dict[tuple[int, str], int]


def _last_names(codes: list, names: np.ndarray | None) -> dict:
    """Each code's name as the file's last row naming it gives it (blank: none)."""
    if names is None:
        return dict.fromkeys(codes, "")
    return dict(zip(codes, names.tolist(), strict=True))


def _ensure_parents(plan: BudgetPlan) -> _Parents:
    """The fiscal years, funds and programs the valid rows name, those the budget lacks added (new years open)."""
    valid = plan.action != INVALID
    found, text = plan.arrays, plan.columns
    wanted_years = set(found["year"][valid].tolist())
    years = dict(FiscalYear.objects.filter(year__in=wanted_years).values_list("year", "pk"))
    for year in sorted(wanted_years - set(years)):
        starts_on, ends_on = fiscal_year_bounds(year)
        years[year] = FiscalYear.objects.create(year=year, starts_on=starts_on, ends_on=ends_on).pk
    fund_names = _last_names(
        text["fund_code"][valid].tolist(), text["fund_name"][valid] if "fund_name" in text else None
    )
    funds = dict(Fund.objects.filter(code__in=fund_names).values_list("code", "pk"))
    new_funds = [Fund(code=code, name=(name or code)[:200]) for code, name in fund_names.items() if code not in funds]
    Fund.objects.bulk_create(new_funds, batch_size=BATCH)
    funds = dict(Fund.objects.filter(code__in=fund_names).values_list("code", "pk"))
    pairs = list(zip(found["department_id"][valid].tolist(), text["program_code"][valid].tolist(), strict=True))
    program_names = _last_names(pairs, text["program_name"][valid] if "program_name" in text else None)
    department_ids = {department_id for department_id, _ in program_names}

    def programs_now() -> dict[tuple[int, str], int]:
        rows = Program.objects.filter(department_id__in=department_ids).values_list("pk", "department_id", "code")
        return {(department_id, code): pk for pk, department_id, code in rows}

    programs = programs_now()
    Program.objects.bulk_create(
        [
            Program(department_id=department_id, code=code, name=(name or code)[:200])
            for (department_id, code), name in program_names.items()
            if (department_id, code) not in programs
        ],
        batch_size=BATCH,
    )
    return _Parents(years=years, funds=funds, programs=programs_now())


def _line_columns(plan: BudgetPlan, positions: np.ndarray, parents: _Parents) -> pd.DataFrame:
    """The new lines at ``positions``: their parents' ids, category and each amount the file has (cents, or null)."""
    found, text = plan.arrays, plan.columns
    pairs = pd.Series(
        list(zip(found["department_id"][positions].tolist(), text["program_code"][positions].tolist(), strict=True)),
        dtype=object,
    )
    frame = pd.DataFrame(
        {
            "fiscal_year_id": pd.Series(found["year"][positions]).map(parents.years).to_numpy(dtype=np.int64),
            "fund_id": pd.Series(text["fund_code"][positions]).map(parents.funds).to_numpy(dtype=np.int64),
            "program_id": pairs.map(parents.programs).to_numpy(dtype=np.int64),
            "category": found["category"][positions],
        }
    )
    return frame.assign(**_amount_columns(plan, positions))


def _amount_columns(plan: BudgetPlan, positions: np.ndarray) -> dict[str, pd.arrays.IntegerArray]:
    found = plan.arrays
    return {
        name: pd.arrays.IntegerArray(found[name][positions].copy(), found[f"{name}_null"][positions].copy())
        for name in plan.amount_names
    }


def _to_money(values: pd.arrays.IntegerArray) -> list:
    return [None if value is pd.NA else cents_to_money(value) for value in values]


def _copy(cursor, table: str, frame: pd.DataFrame, types: dict[str, str]) -> None:
    """``frame`` into a new temporary table ``table`` (dropped with the transaction), through COPY."""
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} ({', '.join(f'{c} {types[c]}' for c in frame.columns)}) ON COMMIT DROP"
    )
    buffer = io.BytesIO()
    pa_csv.write_csv(
        pa.Table.from_pandas(frame, preserve_index=False), buffer, pa_csv.WriteOptions(include_header=False)
    )  # a missing amount is an empty cell: COPY's NULL
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


def _money_sql(name: str, source: str) -> str:
    return f"{source}.{name}::numeric / 100"


def _insert_lines(frame: pd.DataFrame, now) -> None:
    if frame.empty:
        return
    names = [c for c in frame.columns if c in AMOUNTS]
    if connection.vendor == "postgresql":
        types = {"fiscal_year_id": "bigint", "fund_id": "bigint", "program_id": "bigint", "category": "text"}
        types |= dict.fromkeys(names, "bigint")
        with connection.cursor() as cursor:
            _copy(cursor, "budget_import_new_lines", frame, types)
            targets = "".join(f"{name}, " for name in names)
            values = "".join(f"{_money_sql(name, 't')}, " for name in names)
            cursor.execute(  # our own table and column names only: the values travel through COPY and %s
                f"INSERT INTO {BudgetLine._meta.db_table} (fiscal_year_id, fund_id, program_id, category, {targets}"  # noqa: S608
                f"updated_at) SELECT fiscal_year_id, fund_id, program_id, category, {values}%s "
                "FROM budget_import_new_lines t",
                [now],
            )
        return
    amounts = {name: _to_money(frame[name].array) for name in names}
    BudgetLine.objects.bulk_create(
        (
            BudgetLine(
                fiscal_year_id=fy,
                fund_id=fund,
                program_id=program,
                category=category,
                updated_at=now,
                **{name: amounts[name][i] for name in names},
            )
            for i, (fy, fund, program, category) in enumerate(
                zip(
                    frame["fiscal_year_id"].tolist(),
                    frame["fund_id"].tolist(),
                    frame["program_id"].tolist(),
                    frame["category"].tolist(),
                    strict=True,
                )
            )
        ),
        batch_size=BATCH,
    )


def _update_lines(plan: BudgetPlan, positions: np.ndarray, now) -> None:
    names = plan.amount_names
    if not len(positions) or not names:
        return
    frame = pd.DataFrame({"id": plan.arrays["line_id"][positions]}).assign(**_amount_columns(plan, positions))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _copy(cursor, "budget_import_changed_lines", frame, {"id": "bigint"} | dict.fromkeys(names, "bigint"))
            sets = ", ".join(f"{name} = {_money_sql(name, 't')}" for name in names)
            cursor.execute(  # our own table and column names only: the values travel through COPY and %s
                f"UPDATE {BudgetLine._meta.db_table} line SET {sets}, updated_at = %s "  # noqa: S608
                "FROM budget_import_changed_lines t WHERE line.id = t.id",
                [now],
            )
        return
    amounts = {name: _to_money(frame[name].array) for name in names}
    lines = [
        BudgetLine(pk=pk, updated_at=now, **{name: amounts[name][i] for name in names})
        for i, pk in enumerate(frame["id"].tolist())
    ]
    BudgetLine.objects.bulk_update(lines, [*names, "updated_at"], batch_size=BATCH)


def _write_months(plan: BudgetPlan, parents: _Parents) -> None:
    """The monthly actuals: new ones (of lines the budget had, or the file just added) and changed ones."""
    found, text = plan.arrays, plan.columns
    new = plan.positions(action=NEW, kind="month")
    changed = plan.positions(action=CHANGED, kind="month")
    if not len(new) and not len(changed):
        return
    line_ids = {
        (year, fund, department_id, code, category): pk
        for pk, year, fund, department_id, code, category in BudgetLine.objects.filter(
            fiscal_year__year__in=set(found["year"][new].tolist())
        ).values_list("pk", "fiscal_year__year", "fund__code", "program__department_id", "program__code", "category")
    }
    MonthlyActual.objects.bulk_create(
        [
            MonthlyActual(
                line_id=line_ids[
                    (
                        int(found["year"][i]),
                        text["fund_code"][i],
                        int(found["department_id"][i]),
                        text["program_code"][i],
                        found["category"][i],
                    )
                ],
                month=found["month"][i],
                amount=cents_to_money(found["amount"][i]),
            )
            for i in new
        ],
        batch_size=BATCH,
    )
    MonthlyActual.objects.bulk_update(
        [MonthlyActual(pk=int(found["actual_id"][i]), amount=cents_to_money(found["amount"][i])) for i in changed],
        ["amount"],
        batch_size=BATCH,
    )


@transaction.atomic
def budget_import(
    *,
    source: ImportSource,
    file_name: str,
    sha256: str,
    rows,
    by: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportDone:
    """Import ``rows`` (our fields, mapped with ``source``'s mapping) with ``by``'s rights, all or nothing.

    Only the Stat lead and the budget analysts import (``PermissionDenied`` otherwise); a budget analyst's rows of a
    department outside their portfolio are invalid and skipped, like every invalid row (returned in the plan with
    their reasons); fiscal years, funds and programs the rows name are added when new."""
    enforce(by, can_import_budget, IMPORT_REFUSED)
    plan = import_plan(rows=rows, by=by)
    total = plan.to_write
    if progress is not None:
        progress(0, total)
    parents = _ensure_parents(plan)
    now = timezone.now()
    _insert_lines(_line_columns(plan, plan.positions(action=NEW, kind="line"), parents), now)
    _update_lines(plan, plan.positions(action=CHANGED, kind="line"), now)
    _write_months(plan, parents)
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
