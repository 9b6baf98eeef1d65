"""The budget's data: fiscal years (open → adopted → closed; marked public), funds, programs within departments and
divisions, budget lines, monthly actuals, and the links from programs to the measures they pay for.

Every writer takes keyword-only ``by`` (``None``: the system, e.g. a management command or the demo) and enforces
``budget.access``: fiscal years and funds are the city's (the Stat lead and the budget analysts); programs, lines,
actuals and links belong to a department, written by its portfolio's budget analysts or the Stat lead. Amounts are
``Decimal`` quantized to cents (half up), never floats.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from goals.models import Measure
from team.access import enforce
from team.models import Department

from ..access import CITY_REFUSED, EDIT_REFUSED, can_manage_city_budget, writes_department_budget
from ..models import (
    BudgetLine,
    Category,
    FiscalYear,
    FiscalYearStatus,
    Fund,
    ImportSource,
    MonthlyActual,
    Program,
    ProgramMeasure,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CENT = Decimal("0.01")
#: The largest amount a line holds (the model's 16 digits, 2 of them cents).
MAX_AMOUNT = Decimal("99999999999999.99")

#: The moves a fiscal year may make.
NEXT_STATUS = {
    FiscalYearStatus.OPEN: {FiscalYearStatus.ADOPTED},
    FiscalYearStatus.ADOPTED: {FiscalYearStatus.CLOSED, FiscalYearStatus.OPEN},
    FiscalYearStatus.CLOSED: {FiscalYearStatus.ADOPTED},
}


def money(value: Decimal | int | str) -> Decimal:
    """``value`` as an amount of the city's currency: a Decimal to the cent, rounded half up. Raises
    ``ValidationError`` for what is not a number or is too large."""
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{value!r} is not an amount.") from exc
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise ValidationError(f"{value} is too large an amount.")
    return amount


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of fiscal year ``year`` (named by the calendar year it ends in), from
    ``settings.FISCAL_YEAR_START_MONTH``: FY2027 runs 2026-07-01 to 2027-06-30 when the year starts in July."""
    start_month = settings.FISCAL_YEAR_START_MONTH
    starts_on = datetime.date(year if start_month == 1 else year - 1, start_month, 1)
    ends_on = datetime.date(starts_on.year + 1, start_month, 1) - datetime.timedelta(days=1)
    return starts_on, ends_on


def _city(by: User | None) -> None:
    enforce(by, can_manage_city_budget, CITY_REFUSED)


def _department(by: User | None, department: Department) -> None:
    enforce(
        by,
        lambda actor: writes_department_budget(actor, department.pk, department.portfolio_id),
        EDIT_REFUSED,
    )


# --- fiscal years ----------------------------------------------------------------------------------------------------


@transaction.atomic
def fiscal_year_create(*, year: int, by: User | None) -> FiscalYear:
    """Add fiscal year ``year`` (open, not public), its dates from the city's start month."""
    _city(by)
    if not 1900 <= year <= 2999:
        raise ValidationError({"year": "Name a fiscal year by the calendar year it ends in, such as 2027."})
    if FiscalYear.objects.filter(year=year).exists():
        raise ValidationError({"year": f"FY{year} exists already."})
    starts_on, ends_on = fiscal_year_bounds(year)
    return FiscalYear.objects.create(year=year, starts_on=starts_on, ends_on=ends_on)


@transaction.atomic
def fiscal_year_set_status(
    *, fiscal_year: FiscalYear, status: str, adopted_on: datetime.date | None = None, by: User | None
) -> FiscalYear:
    """Move a fiscal year: open → adopted (the day noted: ``adopted_on``, today when not given, unless noted before)
    → closed; a year may be reopened one step back."""
    _city(by)
    fiscal_year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if status == fiscal_year.status:
        return fiscal_year
    if status not in NEXT_STATUS.get(FiscalYearStatus(fiscal_year.status), set()):
        raise ValidationError(
            {"status": f"{fiscal_year.name} is {fiscal_year.get_status_display().lower()}: it cannot become {status}."}
        )
    fiscal_year.status = status
    if status == FiscalYearStatus.ADOPTED and fiscal_year.adopted_on is None:
        fiscal_year.adopted_on = adopted_on or timezone.localdate()
    fiscal_year.save(update_fields=["status", "adopted_on", "updated_at"])
    return fiscal_year


@transaction.atomic
def fiscal_year_set_public(*, fiscal_year: FiscalYear, public: bool, by: User | None) -> FiscalYear:
    """Publish (or withdraw) a fiscal year's adopted budget on the public pages; only an adopted or closed year's
    lines show there (``budget.access.public_lines``)."""
    _city(by)
    fiscal_year = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    fiscal_year.public = public
    fiscal_year.save(update_fields=["public", "updated_at"])
    return fiscal_year


# --- funds -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def fund_save(*, code: str, name: str = "", description: str | None = None, by: User | None) -> Fund:
    """The fund ``code``, created (named ``name``, or its code) or renamed when ``name`` differs."""
    _city(by)
    code = code.strip()
    if not code:
        raise ValidationError({"code": "A fund needs a code."})
    if len(code) > 20 or len(name) > 200:
        raise ValidationError({"code": "A fund's code has at most 20 characters, its name 200."})
    fund, created = Fund.objects.get_or_create(code=code, defaults={"name": name.strip() or code})
    changed = []
    if not created and name.strip() and fund.name != name.strip():
        fund.name = name.strip()
        changed.append("name")
    if description is not None and fund.description != description:
        fund.description = description
        changed.append("description")
    if changed:
        fund.save(update_fields=changed)
    return fund


# --- programs --------------------------------------------------------------------------------------------------------


@transaction.atomic
def program_save(
    *, department: Department, code: str, name: str = "", description: str | None = None, by: User | None
) -> Program:
    """The program ``code`` of ``department`` (a department or a division), created or renamed."""
    _department(by, department)
    code = code.strip()
    if not code or len(code) > 30 or len(name) > 200:
        raise ValidationError({"code": "A program needs a code of at most 30 characters (and a name of at most 200)."})
    program, created = Program.objects.get_or_create(
        department=department, code=code, defaults={"name": name.strip() or code, "description": description or ""}
    )
    changed = []
    if not created and name.strip() and program.name != name.strip():
        program.name = name.strip()
        changed.append("name")
    if not created and description is not None and program.description != description:
        program.description = description
        changed.append("description")
    if changed:
        program.save(update_fields=[*changed, "updated_at"])
    return program


def _measure_departments(program: Program) -> set[int]:
    department = program.department
    return {department.pk} | ({department.parent_id} if department.parent_id else set())


@transaction.atomic
def program_link_measure(*, program: Program, measure: Measure, by: User | None) -> ProgramMeasure:
    """Link ``program`` to a measure it pays for: one of its own department's, or of the department its division
    belongs to. Linking twice keeps the first link."""
    program = Program.objects.select_related("department").get(pk=program.pk)
    _department(by, program.department)
    if measure.department_id not in _measure_departments(program):
        raise ValidationError(
            {"measure": f"{measure.name} is not a measure of {program.department.name} (or its parent department)."}
        )
    link, _ = ProgramMeasure.objects.get_or_create(program=program, measure=measure, defaults={"created_by": by})
    return link


@transaction.atomic
def program_unlink_measure(*, program: Program, measure: Measure, by: User | None) -> bool:
    """Remove the link from ``program`` to ``measure``; whether there was one."""
    program = Program.objects.select_related("department").get(pk=program.pk)
    _department(by, program.department)
    deleted, _ = ProgramMeasure.objects.filter(program=program, measure=measure).delete()
    return bool(deleted)


# --- budget lines and monthly actuals --------------------------------------------------------------------------------

UNSET = object()


def _writable_year(fiscal_year: FiscalYear) -> None:
    if fiscal_year.status == FiscalYearStatus.CLOSED:
        raise ValidationError({"fiscal_year": f"{fiscal_year.name} is closed: its budget no longer changes."})


@transaction.atomic
def line_save(
    *,
    fiscal_year: FiscalYear,
    fund: Fund,
    program: Program,
    category: str,
    adopted: Decimal | object = UNSET,
    amended: Decimal | None | object = UNSET,
    actual: Decimal | None | object = UNSET,
    requested: Decimal | None | object = UNSET,
    by: User | None,
) -> BudgetLine:
    """The line of ``program`` from ``fund`` for ``category`` in ``fiscal_year``, created or changed: only the
    amounts given change (``None`` clears an optional one). A closed year's lines do not change."""
    program = Program.objects.select_related("department").get(pk=program.pk)
    _department(by, program.department)
    _writable_year(fiscal_year)
    if category not in Category.values:
        raise ValidationError({"category": f"The category is one of {', '.join(Category.values)}."})
    amounts = {}
    for name, value in (("adopted", adopted), ("amended", amended), ("actual", actual), ("requested", requested)):
        if value is UNSET:
            continue
        if value is None and name == "adopted":
            raise ValidationError({"adopted": "A line has an adopted amount (0 if none)."})
        amounts[name] = None if value is None else money(value)  # type: ignore[arg-type]
    line, created = BudgetLine.objects.select_for_update().get_or_create(
        fiscal_year=fiscal_year, fund=fund, program=program, category=category, defaults=amounts
    )
    if not created:
        changed = [name for name, value in amounts.items() if getattr(line, name) != value]
        for name in changed:
            setattr(line, name, amounts[name])
        if changed:
            line.save(update_fields=[*changed, "updated_at"])
    return line


@transaction.atomic
def monthly_actual_save(*, line: BudgetLine, month: datetime.date, amount: Decimal, by: User | None) -> MonthlyActual:
    """What ``line`` spent in ``month`` (any day of it; kept as its first day), within the line's fiscal year."""
    line = BudgetLine.objects.select_related("program__department", "fiscal_year").get(pk=line.pk)
    _department(by, line.program.department)
    _writable_year(line.fiscal_year)
    month = month.replace(day=1)
    if not line.fiscal_year.starts_on <= month <= line.fiscal_year.ends_on:
        raise ValidationError({"month": f"{month:%B %Y} is not in {line.fiscal_year.name}."})
    actual, created = MonthlyActual.objects.get_or_create(line=line, month=month, defaults={"amount": money(amount)})
    if not created and actual.amount != money(amount):
        actual.amount = money(amount)
        actual.save(update_fields=["amount"])
    return actual


# --- import sources --------------------------------------------------------------------------------------------------


@transaction.atomic
def import_source_save(*, name: str, mapping: dict[str, str], by: User | None) -> ImportSource:
    """The import source ``name`` (created if new) with its column mapping (our field → the export's column)."""
    from ..importing import FIELDS

    _city(by)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Name the source (the finance system) in at most 100 characters."})
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ValidationError({"mapping": f"Unknown fields: {', '.join(sorted(unknown))}."})
    clean = {field: column for field, column in mapping.items() if column}
    source, created = ImportSource.objects.get_or_create(name=name, defaults={"mapping": clean, "created_by": by})
    if not created and source.mapping != clean:
        source.mapping = clean
        source.save(update_fields=["mapping", "updated_at"])
    return source
