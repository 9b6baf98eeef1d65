"""The budget's reads for its pages: a scope's (the city, a portfolio, a department) five fiscal years, each
department's or program's year-over-year change, this year's actual against budget with its two projections and the
requests pending, and each measure's cost per unit. Totals are summed in SQL (one query per kind of figure, however
many lines): a fixed number of queries for any number of departments, programs and lines.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from goals.charts import format_value
from goals.models import Measure, MeasureFrequency, Observation
from team.models import Department

from . import costs
from .access import public_fiscal_years_q
from .models import BudgetLine, FiscalYear, MonthlyActual, ProgramMeasure

T = TypeVar("T")

#: How long a page's figures are kept in the cache under one :func:`budget_version`.
CACHE_SECONDS = 300
#: How many fiscal years the pages show, up to the current one.
YEARS_SHOWN = 5
#: How many months (monthly measures) or fiscal years (the others) a cost per unit's trend shows.
MONTHS_OF_COSTS = 12
YEARS_OF_COSTS = 5


def start_month() -> int:
    return settings.FISCAL_YEAR_START_MONTH


@dataclass
class YearFigures:
    year: int
    adopted: Decimal = costs.ZERO
    budget: Decimal = costs.ZERO
    actual: Decimal | None = None
    requested: Decimal | None = None

    def add(self, other: YearFigures) -> None:
        self.adopted += other.adopted
        self.budget += other.budget
        self.actual = _add(self.actual, other.actual)
        self.requested = _add(self.requested, other.requested)


def _add(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    if a is None:
        return b
    return a if b is None else a + b


@dataclass
class Row:
    """A department's (or a program's, or the scope's total) figures over the years shown."""

    key: int | str
    name: str
    slug: str = ""
    code: str = ""
    years: dict[int, YearFigures] = field(default_factory=dict)
    # Monthly actuals of the current and the last fiscal year: {year: {month index 0..11: amount}}.
    months: dict[int, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    # The actual of the lines without monthly actuals, per year.
    unmonthly: dict[int, Decimal | None] = field(default_factory=dict)
    changes: list[costs.Change] = field(default_factory=list)
    current: YearFigures | None = None
    spent_to_date: Decimal | None = None
    spent_share: Decimal | None = None
    projection: costs.Projection | None = None
    request_change: Decimal | None = None
    request_percent: Decimal | None = None

    @property
    def cells(self) -> list[costs.Change]:
        return self.changes


@dataclass
class Overview:
    years: list[int]
    current_year: int | None
    current: FiscalYear | None
    months: int
    rows: list[Row]
    total: Row

    @property
    def latest_changes(self) -> list[costs.Change]:
        return self.total.changes


def fiscal_years() -> list[FiscalYear]:
    """Every fiscal year, oldest first: one query."""
    return list(FiscalYear.objects.order_by("year"))


def current_fiscal_year(years: Sequence[FiscalYear], today: datetime.date) -> FiscalYear | None:
    """The fiscal year ``today`` falls in, else the latest that has begun, else the first."""
    for year in years:
        if year.starts_on <= today <= year.ends_on:
            return year
    begun = [year for year in years if year.starts_on <= today]
    return begun[-1] if begun else (years[0] if years else None)


def _line_sums(lines: QuerySet[BudgetLine], group: Sequence[str]) -> Iterable[dict]:
    """Per group and fiscal year: adopted, budget in force, actual, requested, and the actual of the lines that
    have no monthly actuals (to add to the others' months for the spending to date)."""
    has_months = Exists(MonthlyActual.objects.filter(line_id=OuterRef("pk")))
    return lines.values(*group, "fiscal_year__year").annotate(
        adopted_sum=Sum("adopted"),
        budget_sum=Sum(Coalesce("amended", "adopted")),
        actual_sum=Sum("actual"),
        requested_sum=Sum("requested"),
        unmonthly_sum=Sum("actual", filter=~Q(has_months)),
    )


def overview(
    *,
    today: datetime.date,
    departments: Sequence[Department] | None = None,
    department: Department | None = None,
) -> Overview:
    """The figures of ``departments`` (one row each; ``None``: every department), or of ``department``'s programs
    (one row per program): three queries (fiscal years, line totals, monthly totals), plus one for the departments
    when none are given."""
    every_year = fiscal_years()
    current = current_fiscal_year(every_year, today)
    current_year = current.year if current else None
    years = [fy.year for fy in every_year if current_year is None or fy.year <= current_year][-YEARS_SHOWN:]
    months = costs.months_elapsed(current.starts_on, today) if current else 0

    lines = BudgetLine.objects.filter(fiscal_year__year__in=years)
    actuals = MonthlyActual.objects.filter(
        line__fiscal_year__year__in=[year for year in years if current_year and year >= current_year - 1]
    )
    rows: dict[int, Row] = {}
    if department is not None:
        group: tuple[str, ...] = ("program_id", "program__code", "program__name")
        lines = lines.filter(program__department=department)
        actuals = actuals.filter(line__program__department=department)
        month_group = "line__program_id"
    else:
        if departments is None:
            departments = list(Department.objects.order_by("name").only("pk", "name", "slug"))
        ids = [dep.pk for dep in departments]
        rows = {dep.pk: Row(dep.pk, dep.name, dep.slug) for dep in departments}
        group = ("program__department_id",)
        lines = lines.filter(program__department_id__in=ids)
        actuals = actuals.filter(line__program__department_id__in=ids)
        month_group = "line__program__department_id"

    for sums in _line_sums(lines, group):
        key = sums[group[0]]
        row = rows.get(key)
        if row is None:
            if department is None:
                continue
            row = rows[key] = Row(key, sums["program__name"], code=sums["program__code"])
        year = sums["fiscal_year__year"]
        row.years[year] = YearFigures(
            year, sums["adopted_sum"], sums["budget_sum"], sums["actual_sum"], sums["requested_sum"]
        )
        row.unmonthly[year] = sums["unmonthly_sum"]
    for key, year, month, amount in (
        actuals.values_list(month_group, "line__fiscal_year__year", "month")
        .annotate(amount_sum=Sum("amount"))
        .values_list(month_group, "line__fiscal_year__year", "month", "amount_sum")
    ):
        if key in rows:
            start = costs.fiscal_year_start(year, start_month())
            index = (month.year - start.year) * 12 + month.month - start.month
            rows[key].months[year][index] = amount

    ordered = sorted(rows.values(), key=lambda row: (row.code, row.name) if department else row.name)
    total = Row("total", department.name if department else "Total")
    for row in ordered:
        for year, figures in row.years.items():
            total.years.setdefault(year, YearFigures(year)).add(figures)
            total.unmonthly[year] = _add(total.unmonthly.get(year), row.unmonthly.get(year))
        for year, by_month in row.months.items():
            for index, amount in by_month.items():
                total.months[year][index] = total.months[year].get(index, costs.ZERO) + amount
    for row in [*ordered, total]:
        _finish(row, years, current_year, months)
    return Overview(years, current_year, current, months, ordered, total)


def portfolio_overview(portfolio_ids: Iterable[int], today: datetime.date) -> Overview:
    """:func:`overview` of the departments of ``portfolio_ids`` (a budget analyst's), cached under the budget's
    version: one query when cached (:func:`budget_version`), five when not."""
    ids = sorted(set(portfolio_ids))

    def build() -> Overview:
        departments = list(Department.objects.filter(portfolio_id__in=ids).order_by("name").only("pk", "name", "slug"))
        return overview(today=today, departments=departments)

    return budget_cached(f"portfolio-overview:{'-'.join(map(str, ids))}:{today}", build)


def _finish(row: Row, years: Sequence[int], current_year: int | None, months: int) -> None:
    row.changes = costs.year_over_year([(year, row.years[year].budget) for year in years if year in row.years])
    if current_year is None:
        return
    row.current = row.years.get(current_year)
    this_year = row.months.get(current_year, {})
    last_year = row.months.get(current_year - 1, {})
    # Spent to date: the months that are over of the lines with monthly actuals, plus the other lines' actuals.
    spent = _add(
        sum((amount for index, amount in this_year.items() if index < months), costs.ZERO) if this_year else None,
        row.unmonthly.get(current_year),
    )
    row.spent_to_date = spent
    if row.current and spent is not None and row.current.budget:
        row.spent_share = (spent * 100 / row.current.budget).quantize(costs.TENTH)
    last_total = sum(last_year.values(), costs.ZERO) if last_year else None
    last_to_date = sum((a for i, a in last_year.items() if i < months), costs.ZERO) if last_year else None
    if spent is not None:
        row.projection = costs.project(
            spent=spent, months=months, last_year_to_date=last_to_date, last_year_total=last_total
        )
    if row.current and row.current.requested is not None:
        row.request_change = costs.cents(row.current.requested - row.current.budget)
        row.request_percent = costs.percent_change(row.current.budget, row.current.requested)


# --- the public budget ---------------------------------------------------------------------------------------------


@dataclass
class PublicYear:
    year: FiscalYear
    total: Decimal
    previous_total: Decimal | None
    change: costs.Change
    departments: list[dict]


def public_budget() -> list[PublicYear]:
    """The adopted budget of every fiscal year the city marks public, newest first: its total and each
    department's and program's adopted amounts, with the change from the year before when that year is public
    too. Two queries."""
    public_years = list(FiscalYear.objects.filter(public_fiscal_years_q()).order_by("year"))
    numbers = [fy.year for fy in public_years]
    sums = (
        BudgetLine.objects.filter(fiscal_year__year__in=numbers)
        .values(
            "fiscal_year__year",
            "program__department_id",
            "program__department__name",
            "program_id",
            "program__code",
            "program__name",
        )
        .annotate(adopted_sum=Sum("adopted"))
        .order_by("program__department__name", "program__code")
    )
    by_year: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    department_totals: dict[tuple[int, int], Decimal] = defaultdict(lambda: costs.ZERO)
    for row in sums:
        year, dep = row["fiscal_year__year"], row["program__department_id"]
        department = by_year[year].setdefault(
            dep, {"id": dep, "name": row["program__department__name"], "total": costs.ZERO, "programs": []}
        )
        department["total"] += row["adopted_sum"]
        department_totals[(year, dep)] += row["adopted_sum"]
        department["programs"].append(
            {"code": row["program__code"], "name": row["program__name"], "adopted": row["adopted_sum"]}
        )
    result = []
    for fy in public_years:
        departments = list(by_year.get(fy.year, {}).values())
        total = sum((dep["total"] for dep in departments), costs.ZERO)
        previous = (
            sum((dep["total"] for dep in by_year[fy.year - 1].values()), costs.ZERO) if fy.year - 1 in by_year else None
        )
        for entry in departments:
            before = department_totals.get((fy.year - 1, entry["id"])) if fy.year - 1 in by_year else None
            entry["change"] = costs.year_over_year(
                ([(fy.year - 1, before)] if before is not None else []) + [(fy.year, entry["total"])]
            )[-1]
        change = costs.year_over_year(([(fy.year - 1, previous)] if previous is not None else []) + [(fy.year, total)])
        result.append(PublicYear(fy, total, previous, change[-1], departments))
    return list(reversed(result))


# --- cost per unit -------------------------------------------------------------------------------------------------


def measure_unit_costs(measure_ids: Iterable[int], *, until: datetime.date) -> dict[int, dict]:
    """Each linked measure's cost per unit up to the period containing ``until``, as JSON-safe display values:
    the programs it is linked to (their spending summed), how periods are aligned (:mod:`budget.costs`), the latest
    cost per unit and the trend (the last 12 months for a monthly measure, the last 5 fiscal years otherwise).

    Measures no program is linked to are left out. One query when none is; otherwise the links, the observations,
    the monthly actuals if a monthly measure is linked, the fiscal years and their actuals if another is: three to
    five, whatever the number of measures."""
    ids = sorted(set(measure_ids))
    if not ids:
        return {}
    links = list(
        ProgramMeasure.objects.filter(measure_id__in=ids)
        .order_by("measure_id", "program__code")
        .values_list("measure_id", "program_id", "program__name", "measure__frequency", "measure__unit")
    )
    if not links:
        return {}
    programs_of: dict[int, list[int]] = defaultdict(list)
    names_of: dict[int, list[str]] = defaultdict(list)
    frequency_of: dict[int, str] = {}
    unit_of: dict[int, str] = {}
    for measure_id, program_id, name, frequency, unit in links:
        programs_of[measure_id].append(program_id)
        names_of[measure_id].append(name)
        frequency_of[measure_id], unit_of[measure_id] = frequency, unit
    program_ids = sorted({program for programs in programs_of.values() for program in programs})
    monthly = {m for m, frequency in frequency_of.items() if frequency == MeasureFrequency.MONTHLY}
    annual = set(frequency_of) - monthly

    last_month = until.replace(day=1)
    first_month = costs.add_months(last_month, -(MONTHS_OF_COSTS - 1))
    year_rows = (
        list(FiscalYear.objects.filter(starts_on__lte=until).order_by("-year")[:YEARS_OF_COSTS]) if annual else []
    )
    year_rows.reverse()
    since = min([first_month] + [fy.starts_on for fy in year_rows]) if year_rows else first_month

    yearly: dict[tuple[int, int], Decimal | None] = {}
    if annual and year_rows:
        for program_id, year, amount in (
            BudgetLine.objects.filter(program_id__in=program_ids, fiscal_year__in=year_rows)
            .values("program_id", "fiscal_year__year")
            .annotate(actual_sum=Sum("actual"))
            .values_list("program_id", "fiscal_year__year", "actual_sum")
        ):
            yearly[(program_id, year)] = amount
    by_month: dict[tuple[int, datetime.date], Decimal] = {}
    if monthly:
        for program_id, month, amount in (
            MonthlyActual.objects.filter(
                line__program_id__in=program_ids, month__gte=first_month, month__lte=last_month
            )
            .values("line__program_id", "month")
            .annotate(amount_sum=Sum("amount"))
            .values_list("line__program_id", "month", "amount_sum")
        ):
            by_month[(program_id, month)] = amount
    values: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    for measure_id, period, value in Observation.objects.filter(
        measure_id__in=sorted(frequency_of), period__gte=since, period__lte=until
    ).values_list("measure_id", "period", "value"):
        values[measure_id][period] = value

    result: dict[int, dict] = {}
    for measure_id, programs in programs_of.items():
        unit = unit_of[measure_id]
        trend: list[costs.UnitCost] = []
        if measure_id in monthly:
            month = first_month
            while month <= last_month:
                spending = _sum_known(by_month.get((program, month)) for program in programs)
                trend.append(
                    costs.unit_cost(
                        period=f"{month:%Y-%m}",
                        label=f"{month:%B %Y}",
                        spending=spending,
                        units=values[measure_id].get(month),
                    )
                )
                month = costs.add_months(month, 1)
            alignment = costs.MONTHLY_ALIGNMENT
        else:
            for fy in year_rows:
                spending = _sum_known(yearly.get((program, fy.year)) for program in programs)
                units = costs.sum_units(
                    value for period, value in values[measure_id].items() if fy.starts_on <= period <= fy.ends_on
                )
                trend.append(costs.unit_cost(period=fy.name, label=fy.name, spending=spending, units=units))
            alignment = costs.ANNUAL_ALIGNMENT
        latest = trend[-1] if trend else None
        result[measure_id] = {
            "programs": names_of[measure_id],
            "unit": unit,
            "alignment": alignment,
            "latest_label": latest.label if latest else "",
            "latest_text": latest.text if latest else costs.NO_VALUE,
            "latest_cost": str(latest.cost) if latest and latest.cost is not None else None,
            "summary": costs.trend_words(trend),
            "trend": [
                {
                    "period": cost.period,
                    "label": cost.label,
                    "spending_text": costs.money_text(cost.spending),
                    "units_text": format_value(cost.units, unit) if cost.units is not None else costs.NO_VALUE,
                    "cost": str(cost.cost) if cost.cost is not None else None,
                    "cost_text": cost.text,
                }
                for cost in trend
            ],
        }
    return result


def _sum_known(amounts: Iterable[Decimal | None]) -> Decimal | None:
    known = [amount for amount in amounts if amount is not None]
    return sum(known, costs.ZERO) if known else None


_VERSION_SQL = """
SELECT
  (SELECT MAX(id) FROM budget_budgetline),
  (SELECT MAX(id) FROM budget_monthlyactual),
  (SELECT MAX(id) FROM budget_programmeasure),
  (SELECT MAX(id) FROM budget_program),
  (SELECT MAX(id) FROM budget_fiscalyear)
"""
GENERATION_KEY = "budget:generation"


def budget_changed() -> None:
    """Tell the pages' caches the budget changed (the receivers of :mod:`budget.apps` call it on every save and
    delete of a budget model; a bulk write, which sends no signal, should call it too)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not in the cache yet (or evicted): any new value differs from the cached pages' keys
        cache.set(GENERATION_KEY, time.time_ns(), None)


def budget_version() -> str:
    """What the pages' and the goals dashboard's cache keys hold so that a budget write shows on the next request:
    the generation :func:`budget_changed` bumps, and the newest row of each budget table (one query of index
    look-ups, no scan: rows added in bulk show too). A change no signal reported shows when the cache's
    :data:`CACHE_SECONDS` run out."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = time.time_ns()
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        row = cursor.fetchone()
    return f"{generation}-" + "-".join(str(part) for part in row)


def budget_cached(name: str, build: Callable[[], T]) -> T:
    """``build()``'s result cached under ``name`` and the budget's current version (one query)."""
    key = f"budget:{name}:{budget_version()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, CACHE_SECONDS)
    return value


def department_measure_costs(
    department: Department | None, today: datetime.date, *, department_ids: Sequence[int] | None = None
) -> list[dict]:
    """The measures ``department``'s programs (or those of ``department_ids``) pay for: name, page, department and
    their cost per unit up to the last month that is over. One query, plus :func:`measure_unit_costs`'."""
    scope = (
        Q(program_links__program__department=department)
        if department is not None
        else Q(program_links__program__department_id__in=list(department_ids or []))
    )
    measures = list(
        Measure.objects.filter(scope)
        .distinct()
        .select_related("department")
        .order_by("department__name", "name")
        .only("pk", "name", "slug", "department__name")
    )
    contexts = measure_unit_costs(
        [measure.pk for measure in measures], until=today.replace(day=1) - datetime.timedelta(days=1)
    )
    return [
        {
            "id": measure.pk,
            "name": measure.name,
            "url": measure.get_absolute_url(),
            "department": measure.department.name if measure.department else "",
            "context": contexts[measure.pk],
        }
        for measure in measures
        if measure.pk in contexts
    ]
