"""The demo city's budget: five fiscal years (the current one and four before it) of a dozen programs in eight
departments, for ``manage.py seed_demo``. It runs after the Stat sessions.

The story the figures tell:

- three funds: the General Fund, the Capital Projects Fund, and the Solid Waste Enterprise Fund (collection is paid
  for by its fees);
- the second year is the **hiring freeze**: personnel budgets cut about 3.5% across the General Fund (vacancies left
  open), operating 2%; the next years recover with the union contracts (+3% to +4% a year);
- a **capital project**: the central fleet garage, designed in the third year and built over the last two (Capital
  Projects Fund), and the resurfacing program's capital money from the fourth year;
- a few programs move on their own: 311's contact center cut when the online forms took calls off the phones, code
  inspections raised to work down the backlog, police dispatch raised for overtime;
- amended budgets in some years (police patrol's overtime, snow), actuals a little over or under in closed years, and
  **monthly actuals** for the current year up to the last full month;
- next year's requests on the current year's lines (dispatch asks for two more dispatchers);
- programs linked to the demo KPIs of their department (:class:`budget.models.ProgramMeasure`), so cost per outcome
  shows on the dashboards and in the Stat memos;
- two cost-benefit analyses: the budget request "Request funding for two more dispatchers" recorded at PoliceStat
  (when the sessions demo has run), and a hot-box pothole patcher for street maintenance.

Everything goes through the budget's services as the system (``by=None``), in one transaction: the fiscal years,
funds, programs, lines, actuals and measure links through :mod:`budget.services.data` (a new year is created open,
gets its lines and actuals, and only then is adopted, closed when past, and published, since a closed year's lines no
longer change), the analyses through :mod:`budget.services.analyses`. Idempotent: what exists (keyed on the fiscal
year, the fund's code, the program's department and code, the line's year, fund, program and category, the actual's
line and month, the analysis's title) is left as it is; a line missing from a year that is already closed is not
added (noted in the report).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from budget.models import (
    Analysis,
    BudgetLine,
    Category,
    FiscalYear,
    FiscalYearStatus,
    Fund,
    MonthlyActual,
    Program,
    ProgramMeasure,
)
from budget.services.analyses import analysis_create
from budget.services.data import (
    fiscal_year_create,
    fiscal_year_set_public,
    fiscal_year_set_status,
    fund_save,
    line_save,
    monthly_actual_save,
    program_link_measure,
    program_save,
)
from goals.models import Measure
from sessions.models import ActionItem, Deliverable
from team.models import Department

CENT = Decimal("0.01")
YEARS = 5

GENERAL, CAPITAL, SOLID_WASTE = "100", "300", "520"
FUNDS = (
    (GENERAL, "General Fund", "The city's main operating fund: taxes and general revenue."),
    (CAPITAL, "Capital Projects Fund", "Bond-financed construction and major equipment, by project."),
    (SOLID_WASTE, "Solid Waste Enterprise Fund", "Trash and recycling collection, paid for by its fees."),
)

PER, OPS, CAP = Category.PERSONNEL, Category.OPERATING, Category.CAPITAL


@dataclass(frozen=True)
class ProgramSpec:
    department: str  # slug
    code: str
    name: str
    description: str
    #: (fund, category, the first year's adopted amount)
    lines: tuple[tuple[str, str, int], ...]
    measures: tuple[str, ...] = ()
    #: Its own change on top of the city's, by year index (1 = the second year): a share, +0.05 is 5% more.
    changes: tuple[tuple[int, float], ...] = ()


PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec(
        "police",
        "PD-PATROL",
        "Patrol",
        "Uniformed patrol in the five districts, answering 911 calls for service.",
        ((GENERAL, PER, 41_800_000), (GENERAL, OPS, 4_950_000), (CAPITAL, CAP, 1_900_000)),
        ("police-priority-1-response-time",),
    ),
    ProgramSpec(
        "police",
        "PD-DISPATCH",
        "Emergency communications",
        "The 911 center: call-taking and dispatch for police, fire and EMS.",
        ((GENERAL, PER, 6_150_000), (GENERAL, OPS, 880_000)),
        ("police-priority-1-response-time",),
        ((4, 0.06),),
    ),
    ProgramSpec(
        "police",
        "PD-INV",
        "Investigations",
        "Detectives, the crime lab and victim services.",
        ((GENERAL, PER, 13_900_000), (GENERAL, OPS, 1_150_000)),
    ),
    ProgramSpec(
        "fire",
        "FD-SUPP",
        "Fire suppression",
        "Engine and ladder companies from eleven stations.",
        ((GENERAL, PER, 30_600_000), (GENERAL, OPS, 2_950_000), (CAPITAL, CAP, 2_400_000)),
        ("fire-response-within-standard",),
    ),
    ProgramSpec(
        "ems",
        "EMS-ALS",
        "Advanced life support",
        "Ambulances staffed with paramedics, and 911 medical triage.",
        ((GENERAL, PER, 11_200_000), (GENERAL, OPS, 1_650_000)),
        ("ems-calls-within-9-minutes",),
    ),
    ProgramSpec(
        "311-customer-service",
        "311-CC",
        "311 contact center",
        "Phone, web and app requests for city services, routed to the departments.",
        ((GENERAL, PER, 2_380_000), (GENERAL, OPS, 610_000)),
        ("311-days-to-close", "311-calls-answered-in-60-seconds"),
        ((3, -0.05),),
    ),
    ProgramSpec(
        "housing-code-enforcement",
        "HCE-INSP",
        "Code inspections",
        "Complaint-driven and proactive inspections of housing and vacant property.",
        ((GENERAL, PER, 3_050_000), (GENERAL, OPS, 420_000)),
        ("code-enforcement-backlog", "code-cases-opened"),
        ((3, 0.10),),
    ),
    ProgramSpec(
        "housing-code-enforcement",
        "HCE-PERMIT",
        "Permitting",
        "Building, electrical and plumbing permits and their plan review.",
        ((GENERAL, PER, 1_820_000), (GENERAL, OPS, 310_000)),
        ("permit-days-to-issue",),
    ),
    ProgramSpec(
        "street-maintenance",
        "SM-STREETS",
        "Potholes and resurfacing",
        "Pothole repair, crack sealing and the resurfacing program.",
        ((GENERAL, PER, 3_480_000), (GENERAL, OPS, 2_150_000), (CAPITAL, CAP, 0)),
        ("pothole-days-to-repair",),
    ),
    ProgramSpec(
        "solid-waste",
        "SW-COLL",
        "Collection",
        "Weekly trash and recycling collection, bulk pickup and illegal-dumping clean-up.",
        ((SOLID_WASTE, PER, 6_950_000), (SOLID_WASTE, OPS, 4_480_000), (SOLID_WASTE, CAP, 1_200_000)),
        ("missed-collections-per-10000", "recycling-diversion-rate"),
    ),
    ProgramSpec(
        "public-works",
        "PW-FAC",
        "City facilities",
        "Maintenance of city buildings, and the central fleet garage project.",
        ((GENERAL, PER, 1_150_000), (GENERAL, OPS, 2_050_000), (CAPITAL, CAP, 0)),
    ),
    ProgramSpec(
        "transportation",
        "DOT-SIG",
        "Signals and safety",
        "Traffic signals, signs and markings, and the targeted-intersection safety work.",
        ((GENERAL, PER, 2_250_000), (GENERAL, OPS, 1_380_000), (CAPITAL, CAP, 850_000)),
        ("crashes-at-targeted-intersections", "serious-injury-crashes"),
    ),
)

#: The city's change from the year before, by year index and category (index 1: the hiring freeze).
CITY_CHANGE = {
    1: {PER: -0.035, OPS: -0.02, CAP: -0.10},
    2: {PER: 0.03, OPS: 0.015, CAP: 0.0},
    3: {PER: 0.04, OPS: 0.025, CAP: 0.05},
    4: {PER: 0.03, OPS: 0.02, CAP: 0.03},
}
#: Capital projects by program code: the capital line's adopted amount per year index.
CAPITAL_PROJECTS = {
    "PW-FAC": {2: 2_500_000, 3: 14_200_000, 4: 9_100_000},  # the central fleet garage: design, then building
    "SM-STREETS": {3: 6_000_000, 4: 6_500_000},  # the resurfacing program, from the bond
}
#: Amended budgets: (program code, category, year index) → the share added.
AMENDMENTS = {("PD-PATROL", PER, 2): 0.031, ("SM-STREETS", OPS, 3): 0.12, ("PD-DISPATCH", PER, 3): 0.045}
#: Next year's requests on the current year's lines: the share asked above this year's budget.
REQUESTS = {"PD-DISPATCH": 0.12, "HCE-INSP": 0.06, "311-CC": 0.01}
DEFAULT_REQUEST = 0.03


def _count(report, what: str, number: int) -> None:
    """Count what was created (nothing counted when nothing was: an empty report means all was there already)."""
    if number:
        report.created[what] += number


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _round_thousands(value: float) -> Decimal:
    return Decimal(round(value / 1000) * 1000).quantize(CENT)


def fiscal_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    """FY``year`` (named by the calendar year it ends in) from the city's start month."""
    start_month = settings.FISCAL_YEAR_START_MONTH
    starts = datetime.date(year - 1 if start_month > 1 else year, start_month, 1)
    ends = datetime.date(starts.year + 1, starts.month, 1) - datetime.timedelta(days=1)
    return starts, ends


def fiscal_year_of(day: datetime.date) -> int:
    start_month = settings.FISCAL_YEAR_START_MONTH
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def budget_demo_seed(*, report, today: datetime.date | None = None, force: bool = False) -> None:
    """Seed what is missing of the demo budget (see the module's docstring). Under the test suite it does nothing
    unless ``settings.BUDGET_DEMO`` is true or ``force`` is given."""
    if not (force or getattr(settings, "BUDGET_DEMO", not settings.TESTING)):
        return
    today = today or timezone.localdate()
    slugs = {spec.department for spec in PROGRAMS}
    departments = {d.slug: d for d in Department.objects.filter(slug__in=slugs)}
    missing = slugs - departments.keys()
    if missing:
        report.notes.append(f"Budget demo skipped: departments missing ({', '.join(sorted(missing))}).")
        return
    with transaction.atomic():
        years, new_years = _fiscal_years(today, report)
        funds = _funds(report)
        programs = _programs(departments, report)
        lines = _lines(years, funds, programs, report)
        _monthly_actuals(years[-1], lines, today, report)
        _adopt(years, new_years)
        _measure_links(programs, report)
    _analyses(programs, report)


def _fiscal_years(today: datetime.date, report) -> tuple[list[FiscalYear], set[int]]:
    """The five years, and the pks of those created now (open until :func:`_adopt`, once they have their lines)."""
    current = fiscal_year_of(today)
    existing = {fy.year: fy for fy in FiscalYear.objects.filter(year__range=(current - YEARS + 1, current))}
    years, new = [], set()
    for year in range(current - YEARS + 1, current + 1):
        fiscal_year = existing.get(year)
        if fiscal_year is None:
            fiscal_year = fiscal_year_create(year=year, by=None)
            new.add(fiscal_year.pk)
            report.created["fiscal years"] += 1
        years.append(fiscal_year)
    return years, new


def _adopt(years: list[FiscalYear], new: set[int]) -> None:
    """Adopt the years created now (the council adopts each in mid-June), close the past ones, publish them all."""
    for index, fiscal_year in enumerate(years):
        if fiscal_year.pk not in new:
            continue
        adopted_on = fiscal_year.starts_on - datetime.timedelta(days=16)
        fiscal_year_set_status(fiscal_year=fiscal_year, status=FiscalYearStatus.ADOPTED, adopted_on=adopted_on, by=None)
        if index < YEARS - 1:
            fiscal_year_set_status(fiscal_year=fiscal_year, status=FiscalYearStatus.CLOSED, by=None)
        fiscal_year_set_public(fiscal_year=fiscal_year, public=True, by=None)


def _funds(report) -> dict[str, Fund]:
    funds = {fund.code: fund for fund in Fund.objects.filter(code__in=[code for code, _, _ in FUNDS])}
    for code, name, description in FUNDS:
        if code not in funds:  # an existing fund keeps its name and description, edited or not
            funds[code] = fund_save(code=code, name=name, description=description, by=None)
            report.created["funds"] += 1
    return funds


def _programs(departments: dict[str, Department], report) -> dict[str, Program]:
    existing = {
        (program.department_id, program.code): program
        for program in Program.objects.filter(department__in=departments.values())
    }
    programs = {}
    for spec in PROGRAMS:
        department = departments[spec.department]
        program = existing.get((department.pk, spec.code))
        if program is None:  # an existing program keeps its name and description
            program = program_save(
                department=department, code=spec.code, name=spec.name, description=spec.description, by=None
            )
            report.created["budget programs"] += 1
        programs[spec.code] = program
    return programs


def _adopted_amounts(spec: ProgramSpec, fund: str, category: str, base: int) -> list[float]:
    """The adopted amount of one line in each of the five years."""
    rng = random.Random(f"{spec.code}-{fund}-{category}")
    own = dict(spec.changes)
    amounts = [float(base)]
    for index in range(1, YEARS):
        change = CITY_CHANGE[index][category] + own.get(index, 0.0) + rng.uniform(-0.008, 0.008)
        amounts.append(amounts[-1] * (1 + change))
    projects = CAPITAL_PROJECTS.get(spec.code)
    if category == CAP and projects is not None:
        amounts = [float(projects.get(index, 0)) for index in range(YEARS)]
    return amounts


def _lines(years, funds, programs, report) -> list[BudgetLine]:
    existing = {
        (line.fiscal_year_id, line.fund_id, line.program_id, line.category): line
        for line in BudgetLine.objects.filter(fiscal_year__in=years, program__in=programs.values())
    }
    lines, created, skipped = [], 0, 0
    for spec in PROGRAMS:
        program = programs[spec.code]
        for fund_code, category, base in spec.lines:
            amounts = _adopted_amounts(spec, fund_code, category, base)
            rng = random.Random(f"actual-{spec.code}-{fund_code}-{category}")
            for index, fiscal_year in enumerate(years):
                key = (fiscal_year.pk, funds[fund_code].pk, program.pk, category)
                if key in existing:
                    lines.append(existing[key])
                    continue
                adopted = _round_thousands(amounts[index])
                if adopted == 0:
                    continue
                if fiscal_year.status == FiscalYearStatus.CLOSED:
                    skipped += 1  # a closed year's budget no longer changes
                    continue
                share = AMENDMENTS.get((spec.code, category, index))
                amended = _round_thousands(float(adopted) * (1 + share)) if share else None
                budget = amended if amended is not None else adopted
                current = index == YEARS - 1
                if current:
                    actual = None  # the monthly actuals sum to date
                elif category == CAP:
                    actual = _money(float(budget) * rng.uniform(0.78, 0.99))  # projects slip
                else:
                    actual = _money(float(budget) * rng.uniform(0.965, 1.035))
                requested = None
                if current:
                    requested = _round_thousands(float(budget) * (1 + REQUESTS.get(spec.code, DEFAULT_REQUEST)))
                line = line_save(
                    fiscal_year=fiscal_year,
                    fund=funds[fund_code],
                    program=program,
                    category=category,
                    adopted=adopted,
                    amended=amended,
                    actual=actual,
                    requested=requested,
                    by=None,
                )
                created += 1
                lines.append(line)
    _count(report, "budget lines", created)
    if skipped:
        report.notes.append(f"Budget demo: {skipped} lines not added to fiscal years already closed.")
    return lines


#: Personnel months with a third pay date (a biweekly payroll) run higher; operating spending peaks in winter.
PERSONNEL_SHAPE = [1.0, 1.0, 1.0, 1.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 1.0]
OPERATING_SHAPE = [0.85, 0.85, 0.9, 0.95, 1.05, 1.2, 1.25, 1.15, 1.0, 0.95, 0.9, 0.95]


def _monthly_actuals(current: FiscalYear, lines: list[BudgetLine], today: datetime.date, report) -> None:
    """What the current year's lines spent in each full month so far, and their actual to date."""
    months = []
    month = current.starts_on
    while month <= today.replace(day=1) - datetime.timedelta(days=1):
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    lines = [line for line in lines if line.fiscal_year_id == current.pk]
    if current.status == FiscalYearStatus.CLOSED:
        return  # a closed year's actuals no longer change
    existing = set(MonthlyActual.objects.filter(line__in=lines).values_list("line_id", "month"))
    created = 0
    for line in lines:
        rng = random.Random(f"months-{line.program_id}-{line.fund_id}-{line.category}")
        shape = PERSONNEL_SHAPE if line.category == PER else OPERATING_SHAPE
        weight = sum(shape)
        for position, month in enumerate(months):
            if (line.pk, month) in existing:
                continue
            if line.category == CAP:
                # A project spends little at first, then in large draws as the work is billed.
                share = rng.choice([0.0, 0.02, 0.05, 0.09, 0.14])
            else:
                share = shape[position % 12] / weight * rng.uniform(0.96, 1.05)
            monthly_actual_save(line=line, month=month, amount=_money(float(line.budget) * share), by=None)
            created += 1
    _count(report, "monthly actuals", created)
    if created:
        totals: dict[int, Decimal] = {}
        for actual in MonthlyActual.objects.filter(line__in=lines):
            totals[actual.line_id] = totals.get(actual.line_id, Decimal(0)) + actual.amount
        for line in lines:
            line_save(
                fiscal_year=current,
                fund=line.fund,
                program=line.program,
                category=line.category,
                actual=totals.get(line.pk),
                by=None,
            )


def _measure_links(programs: dict[str, Program], report) -> None:
    wanted = {(programs[spec.code].pk, slug) for spec in PROGRAMS for slug in spec.measures}
    measures = {m.slug: m for m in Measure.objects.filter(slug__in={slug for _, slug in wanted})}
    existing = set(ProgramMeasure.objects.filter(program__in=programs.values()).values_list("program_id", "measure_id"))
    by_pk = {program.pk: program for program in programs.values()}
    created = 0
    for program_id, slug in sorted(wanted):
        if slug in measures and (program_id, measures[slug].pk) not in existing:
            program_link_measure(program=by_pk[program_id], measure=measures[slug], by=None)
            created += 1
    _count(report, "program-measure links", created)


DISPATCHERS_REQUEST = "Request funding for two more dispatchers"
DISPATCHERS_TITLE = "Two more dispatchers"
POTHOLE_TITLE = "A hot-box pothole patcher"


def _analyses(programs: dict[str, Program], report) -> None:
    D = Decimal
    if not Analysis.objects.filter(title=DISPATCHERS_TITLE).exists():
        item = (
            ActionItem.objects.filter(deliverable=Deliverable.BUDGET_REQUEST, title__startswith=DISPATCHERS_REQUEST)
            .order_by("session__starts_at")
            .first()
        )
        analysis_create(
            by=None,
            title=DISPATCHERS_TITLE,
            program=programs["PD-DISPATCH"],
            action_item=item,
            discount_rate=D("0.03"),
            assumptions=(
                "Two dispatchers at step 3 with benefits: $81,400 each a year, rising 3% a year; recruiting and the "
                "twelve-week training academy $24,000 in year 0.\n"
                "Overtime avoided: the 911 center spent $412,000 on overtime last year, about 5,100 hours; two more "
                "positions cover about 3,400 of them at time and a half ($183,000 a year).\n"
                "Fewer calls abandoned and faster dispatch are not counted in dollars (a conservative case)."
            ),
            years=[
                (D("24000.00"), D("0.00")),
                (D("162800.00"), D("183000.00")),
                (D("167684.00"), D("188490.00")),
                (D("172714.52"), D("194144.70")),
                (D("177895.96"), D("199969.04")),
                (D("183232.84"), D("205968.11")),
            ],
        )
        report.created["analyses"] += 1
    if not Analysis.objects.filter(title=POTHOLE_TITLE).exists():
        analysis_create(
            by=None,
            title=POTHOLE_TITLE,
            program=programs["SM-STREETS"],
            discount_rate=D("0.035"),
            assumptions=(
                "A truck-mounted hot-box patcher: $186,500 in year 0, then $11,200 a year to run and maintain.\n"
                "Hot patches last about three times as long as cold patch: 2,600 fewer repeat repairs a year at $21 "
                "each in crew time and material ($54,600), and vehicle-damage claims down by $9,000 a year.\n"
                "Seven years of service, no resale value."
            ),
            years=[(D("186500.00"), D("0.00"))] + [(D("11200.00"), D("63600.00"))] * 7,
        )
        report.created["analyses"] += 1
