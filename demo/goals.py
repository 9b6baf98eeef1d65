"""The demo city's goals and measures: a dozen goals under the six priorities, each with its KPI (and a few
supporting measures), three years of monthly history, targets, and narratives from the department leads, for
``manage.py seed_demo``.

It runs after the team and the inventory (it needs the departments, the leads and the datasets). The headline goal
follows Las Vegas's: cut crashes at the 50 targeted intersections by 20%, with a monthly target stepping down from
the baseline (the first year's average) to four fifths of it. Some KPIs are on track, some approaching, some off
track, and one is **data suspect**: police response time reads the CAD incidents dataset, whose latest quality check
fails in the quality demo (:data:`demo.quality.SHOWCASE`); every other measure's dataset passes its checks.

**Computed measures.** Where a demo dataset holds what a measure counts, the measure is defined over it (an
aggregation of a column, filters, a condition, a date column; see :class:`Computation`) and computed by
:func:`goals.services.measures_compute` with pandas from the data file the quality demo uploads to that dataset: the
same file its quality runs check. Those datasets hold three years of rows shaped to tell each measure's story
(:mod:`demo.quality.stories`), so every computed measure has :data:`HISTORY_MONTHS` monthly values. This module
first seeds those datasets' files through :func:`demo.quality.seed.quality_demo_seed` (which under the test suite
does nothing unless ``settings.QUALITY_DEMO_DATA`` is on): with no data file, a computed measure is defined but has
no values yet, and the first passing quality run of its dataset computes it, as in production. Its baseline is
then the average of its first twelve computed months.

**Manual measures.** The few that no demo dataset can compute (overtime against budget, calls answered within a
minute, inspections done on time, recycling's share of tonnage, missed pickups per 10,000)
get invented history recorded as an upload of monthly values through
:func:`goals.services.observations.observations_import` (the same path as a department's CSV upload); their method
says so.

Idempotent like the rest of the demo: goals are keyed on (priority, statement), measures on their slug; a measure
that exists is left exactly as it is, with its observations, so an edit made in the app survives a re-seed.
"""

from __future__ import annotations

import datetime
import importlib
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from goals.models import Aggregation, Goal, Measure, Priority
from goals.services.compute import measures_compute
from goals.services.definitions import goal_create, measure_create, measure_target_set, measure_update
from goals.services.observations import narrative_save, observations_import
from inventory.models import Dataset
from quality.models import SourceUpload
from team.models import Department, Role, RoleAssignment

from .quality.seed import quality_demo_seed
from .quality.stories import FULL_MONTHS

#: Months of history each demo measure gets, ending with the last full month.
HISTORY_MONTHS = FULL_MONTHS
#: Months whose average is a computed measure's baseline.
BASELINE_MONTHS = 12
MANUAL_METHOD = (
    " The demo city's three years of monthly values were entered from the department's monthly reports to the Stat "
    "team; they are not computed from a dataset."
)


@dataclass(frozen=True)
class Computation:
    """How a measure is computed from its source dataset's rows (the fields of the same names on Measure)."""

    aggregation: str
    date_column: str
    value_column: str = ""
    filters: tuple[dict, ...] = ()
    condition: dict = field(default_factory=dict)
    #: The method in plain words, after "Computed each month from <the dataset>'s latest data file: ".
    method: str = ""


@dataclass(frozen=True)
class MeasureSpec:
    slug: str
    department: str
    name: str
    description: str
    unit: str
    direction: str
    target: float
    start: float
    end: float
    method: str
    is_kpi: bool = True
    public: bool = True
    source: str = ""  # dataset identifier
    seasonal: float = 0.0  # amplitude, in the measure's unit
    noise: float = 0.02  # share of the value
    decimals: int = 1
    glide_from: float | None = None  # monthly targets stepping from this (or the baseline) to ``target``
    type: str = "outcome"
    #: Computed from ``source`` (then ``start`` is only the baseline while nothing is computed yet).
    computation: Computation | None = None
    #: The last target as a share of the computed baseline (the crash goal's "cut by a fifth": 0.8).
    target_share: float | None = None


@dataclass(frozen=True)
class GoalSpec:
    priority: str
    statement: str
    departments: tuple[str, ...]
    measures: tuple[MeasureSpec, ...]
    description: str = ""
    bold: bool = False
    public: bool = True
    horizon: str = "short"
    target_value: float | None = None
    target_date: datetime.date | None = None


M = MeasureSpec
GOALS: tuple[GoalSpec, ...] = (
    GoalSpec(
        "public-safety",
        "Cut crashes at the 50 targeted intersections by 20% by the end of 2026",
        ("transportation", "police"),
        (
            M(
                "crashes-at-targeted-intersections",
                "transportation",
                "Crashes at the 50 targeted intersections",
                "Reported traffic crashes each month at the 50 intersections with the most crashes in 2023, where "
                "signals, crossings and enforcement are being changed.",
                "crashes",
                "down",
                49.6,
                64,
                52,
                "The number of crashes in the state crash records whose nearest intersection is one of the 50.",
                decimals=0,
                glide_from=62,
                source="dot-crashes-by-intersection",
                computation=Computation(
                    Aggregation.COUNT,
                    "crashed_at",
                    filters=({"column": "targeted_intersection", "op": "=", "value": "Yes"},),
                    method="the number of crashes (rows) whose nearest intersection is one of the 50 targeted "
                    "(targeted_intersection = Yes), by the month of crashed_at.",
                ),
                target_share=0.8,
            ),
            M(
                "serious-injury-crashes",
                "transportation",
                "Crashes with a serious or fatal injury, citywide",
                "Crashes in which someone was killed or seriously hurt, anywhere in the city.",
                "crashes",
                "down",
                8,
                12,
                9,
                "Crashes recorded with severity 'Fatal' or 'Serious injury' in the state crash records.",
                is_kpi=False,
                decimals=0,
                source="dot-crashes-by-intersection",
                computation=Computation(
                    Aggregation.COUNT,
                    "crashed_at",
                    filters=({"column": "severity", "op": "in", "value": "Fatal, Serious injury"},),
                    method="the number of crashes with severity Fatal or Serious injury, anywhere in the city, by "
                    "the month of crashed_at.",
                ),
            ),
        ),
        description="After Las Vegas's Vision Zero corridors: engineering, education and enforcement where crashes "
        "cluster.",
        bold=True,
        horizon="intermediate",
        target_value=20,
        target_date=datetime.date(2026, 12, 31),
    ),
    GoalSpec(
        "public-safety",
        "Reach priority 1 police calls within 8 minutes",
        ("police",),
        (
            M(
                "police-priority-1-response-time",
                "police",
                "Police response time to priority 1 calls",
                "The median time from a priority 1 (emergency) call to the first officer arriving.",
                "minutes",
                "down",
                8,
                8.6,
                8.9,
                "The median of arrived_at minus received_at for priority 1 calls in the CAD incidents.",
                source="rpd-cad-incidents",
                computation=Computation(
                    Aggregation.MEDIAN,
                    "received_at",
                    value_column="response_minutes",
                    filters=({"column": "priority", "op": "=", "value": "1"},),
                    method="the median of response_minutes (arrived_at minus received_at) over priority 1 calls, "
                    "by the month the call was received; calls no unit reached have no response time and are "
                    "left out.",
                ),
            ),
        ),
    ),
    GoalSpec(
        "public-safety",
        "Get an ambulance to 90% of life-threatening calls within 9 minutes",
        ("ems",),
        (
            M(
                "ems-calls-within-9-minutes",
                "ems",
                "Life-threatening EMS calls reached within 9 minutes",
                "The share of Echo and Delta (life-threatening) calls where an ambulance reached the patient within "
                "9 minutes of the call.",
                "%",
                "up",
                90,
                85.5,
                91.4,
                "The share of Echo and Delta calls with response_seconds of 540 or less.",
                source="ems-response-times",
                computation=Computation(
                    Aggregation.SHARE,
                    "call_at",
                    filters=({"column": "priority", "op": "in", "value": "Echo, Delta"},),
                    condition={"column": "response_seconds", "op": "<=", "value": "540"},
                    method="the share of Echo and Delta calls with response_seconds of 540 or less, by the month "
                    "of call_at.",
                ),
            ),
        ),
    ),
    GoalSpec(
        "public-safety",
        "Meet the national standard for fire response on 90% of calls",
        ("fire",),
        (
            M(
                "fire-response-within-standard",
                "fire",
                "Fire calls meeting the NFPA 1710 response standard",
                "The share of fire calls where the first engine arrived within 5 minutes 20 seconds of the alarm "
                "(NFPA 1710: 80 seconds to leave the station, 4 minutes to drive).",
                "%",
                "up",
                90,
                83,
                86.5,
                "The share of incidents whose turnout plus travel time is 320 seconds or less.",
                source="rfd-response-times",
                computation=Computation(
                    Aggregation.SHARE,
                    "alarm_at",
                    condition={"column": "response_seconds", "op": "<=", "value": "320"},
                    method="the share of incidents whose response_seconds (turnout_seconds plus travel_seconds) is "
                    "320 or less, by the month of alarm_at.",
                ),
            ),
        ),
    ),
    GoalSpec(
        "government-operations",
        "Close 311 service requests within 5 days on average",
        ("311-customer-service",),
        (
            M(
                "311-days-to-close",
                "311-customer-service",
                "Average days to close a 311 service request",
                "How long residents wait, on average, from reporting a problem to 311 to the city closing the request.",
                "days",
                "down",
                5,
                6.4,
                7.1,
                "The mean of closed_at minus opened_at, in days, for requests closed in the month.",
                source="311-service-requests",
                computation=Computation(
                    Aggregation.MEAN,
                    "closed_at",
                    value_column="days_to_close",
                    method="the mean of days_to_close (closed_at minus opened_at, in days) over the requests "
                    "closed in the month; open requests have no closing date and are left out.",
                ),
            ),
            M(
                "311-calls-answered-in-60-seconds",
                "311-customer-service",
                "311 calls answered within 60 seconds",
                "The share of calls to 311 that a call-taker answered within a minute.",
                "%",
                "up",
                80,
                71,
                77.5,
                "Calls answered within 60 seconds divided by calls answered, from the call-centre system.",
                is_kpi=False,
                noise=0.02,
                type="output",
            ),
        ),
    ),
    GoalSpec(
        "government-operations",
        "Fill reported potholes within 3 days",
        ("street-maintenance",),
        (
            M(
                "pothole-days-to-repair",
                "street-maintenance",
                "Average days to repair a pothole",
                "How long, on average, a reported pothole waits before a crew fills it.",
                "days",
                "down",
                3,
                4.9,
                2.6,
                "The mean of days_to_repair for potholes repaired in the month.",
                source="dpw-sm-potholes",
                computation=Computation(
                    Aggregation.MEAN,
                    "repaired",
                    value_column="days_to_repair",
                    method="the mean of days_to_repair (repaired minus reported, in days) over the potholes "
                    "repaired in the month.",
                ),
            ),
        ),
    ),
    GoalSpec(
        "public-health",
        "Bring the code-enforcement backlog under 500 cases",
        ("housing-code-enforcement",),
        (
            M(
                "code-enforcement-backlog",
                "housing-code-enforcement",
                "Code-enforcement cases open more than 30 days",
                "Housing and property-maintenance cases still open a month after they were opened: the backlog "
                "of homes and lots waiting for the city to act.",
                "cases",
                "down",
                500,
                830,
                690,
                "Cases open more than 30 days at the month's end, summed over the council districts.",
                decimals=0,
                source="hce-open-cases",
                computation=Computation(
                    Aggregation.SUM,
                    "month_start",
                    value_column="open_over_30_days",
                    method="the sum over the council districts of open_over_30_days, the cases open more than 30 "
                    "days at the end of the month (month_start).",
                ),
            ),
            M(
                "code-cases-opened",
                "housing-code-enforcement",
                "New code-enforcement cases",
                "Violations cited by inspectors each month: the work flowing into the backlog.",
                "cases",
                "down",
                125,
                140,
                128,
                "The number of cases opened in the month.",
                is_kpi=False,
                decimals=0,
                type="output",
                source="hce-code-violations",
                computation=Computation(
                    Aggregation.COUNT,
                    "opened",
                    method="the number of cases (rows) by the month of opened.",
                ),
            ),
        ),
    ),
    GoalSpec(
        "public-health",
        "Inspect every restaurant on schedule",
        ("health",),
        (
            M(
                "restaurant-inspections-on-time",
                "health",
                "Restaurant inspections done on time",
                "The share of restaurants and food stores inspected by their due date.",
                "%",
                "up",
                95,
                92,
                96.4,
                "Inspections done by their due date divided by inspections due in the month.",
                noise=0.01,
                type="output",
            ),
        ),
    ),
    GoalSpec(
        "education",
        "Welcome a million visits a year to our libraries",
        ("library",),
        (
            M(
                "library-visits",
                "library",
                "Library visits",
                "People coming through the doors of the city's branch libraries each month.",
                "visits",
                "up",
                85000,
                69000,
                80500,
                "The sum of the door counts of every branch over the month.",
                source="rpl-visits-wifi",
                decimals=0,
                type="output",
                computation=Computation(
                    Aggregation.SUM,
                    "date",
                    value_column="visitors",
                    method="the sum of visitors (the door counts) over every branch and day of the month.",
                ),
            ),
            M(
                "library-checkouts",
                "library",
                "Items checked out",
                "Books, e-books, audiobooks and films borrowed from the city's libraries each month.",
                "items",
                "up",
                45000,
                41000,
                46500,
                "The sum of checkouts over every branch and format.",
                is_kpi=False,
                source="rpl-circulation",
                decimals=0,
                type="output",
                computation=Computation(
                    Aggregation.SUM,
                    "month_start",
                    value_column="checkouts",
                    method="the sum of checkouts over every branch and format of the month (month_start).",
                ),
            ),
        ),
        target_value=1_000_000,
    ),
    GoalSpec(
        "environment",
        "Recycle a quarter of household waste",
        ("solid-waste",),
        (
            M(
                "recycling-diversion-rate",
                "solid-waste",
                "Household waste recycled",
                "The share of household waste collected by the city that went to recycling rather than landfill.",
                "%",
                "up",
                25,
                17,
                19.6,
                "Recycling tons divided by trash, recycling and yard-waste tons collected, from Solid Waste's monthly "
                "report: a ratio of two sums, which the measure computation (one aggregation of one column) does "
                "not express.",
                source="dpw-sw-collection",
                noise=0.03,
                seasonal=1,
            ),
            M(
                "missed-collections-per-10000",
                "solid-waste",
                "Missed collections per 10,000 pickups",
                "How often a crew misses a home's trash or recycling, per 10,000 scheduled pickups.",
                "per 10,000",
                "down",
                5,
                7.2,
                4.6,
                "Missed collections reported through 311, per 10,000 scheduled pickups; the scheduled pickups are "
                "not in the dataset, so Solid Waste reports the rate each month.",
                is_kpi=False,
                source="dpw-sw-missed-pickups",
                noise=0.06,
            ),
        ),
    ),
    GoalSpec(
        "jobs-and-economy",
        "Issue residential building permits within 30 days",
        ("housing-code-enforcement",),
        (
            M(
                "permit-days-to-issue",
                "housing-code-enforcement",
                "Median days to issue a residential building permit",
                "How long a homeowner or builder waits, at the median, between applying for a permit and getting it.",
                "days",
                "down",
                30,
                42,
                27,
                "The median of issued minus applied for building permits issued in the month.",
                source="hce-building-permits",
                decimals=0,
                computation=Computation(
                    Aggregation.MEDIAN,
                    "issued",
                    value_column="days_to_issue",
                    method="the median of days_to_issue (issued minus applied, in days) over the permits issued in "
                    "the month.",
                ),
            ),
        ),
    ),
    GoalSpec(
        "government-operations",
        "Keep overtime spending within its budget",
        ("finance-budget",),
        (
            M(
                "overtime-spending-vs-budget",
                "finance-budget",
                "Overtime spending against budget",
                "Overtime spent so far this fiscal year as a share of the overtime budgeted for the same months.",
                "%",
                "down",
                100,
                113,
                104.5,
                "Year-to-date overtime cost from payroll divided by the year-to-date overtime budget.",
                public=False,
                noise=0.015,
                type="efficiency",
            ),
        ),
        public=False,
    ),
)

#: What the department leads wrote about last month (KPI slug -> what happened, what comes next).
NARRATIVES = {
    "crashes-at-targeted-intersections": (
        "Crashes at the targeted intersections are down about a fifth on the first year: the leading pedestrian "
        "intervals at the ten busiest crossings are in, and the speed cameras on Riverside Drive went live.",
        "Retime the signals at the next ten intersections and repaint their crosswalks before winter.",
    ),
    "police-priority-1-response-time": (
        "Response times rose with two patrol vacancies in the Eastern district. Note: the CAD upgrade broke the "
        "latest export, so last month's figure is being checked.",
        "Fill the vacancies from the spring academy class and re-run the month once the CAD export is fixed.",
    ),
    "311-days-to-close": (
        "The backlog of streetlight requests grew while the contractor changed over.",
        "Street Maintenance will clear the streetlight queue with an overtime crew in the first two weeks.",
    ),
    "code-enforcement-backlog": (
        "Two inspectors joined and the backlog keeps shrinking, but at this pace it stays well above 500.",
        "Triage the oldest 100 cases and refer the repeat offenders to housing court.",
    ),
}


def _months(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the ``count`` full months before ``today``'s, oldest first."""
    index = today.year * 12 + today.month - 1
    return [datetime.date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count, 0, -1)]


def _history(spec: MeasureSpec, months: list[datetime.date]) -> list[Decimal]:
    """A believable monthly series from ``spec.start`` to ``spec.end``: the trend, a yearly season, seeded noise,
    ending on exactly ``spec.end`` so the demo's status is the one this module promises."""
    rng = random.Random(spec.slug)
    last = len(months) - 1
    values = []
    for i, month in enumerate(months):
        trend = spec.start + (spec.end - spec.start) * i / last
        season = spec.seasonal * math.sin(2 * math.pi * (month.month - 3) / 12)
        value = trend + season + trend * spec.noise * rng.uniform(-1, 1)
        if i == last:
            value = spec.end
        values.append(Decimal(str(round(value, spec.decimals))))
    return values


def _glide(start: float, end: float, months: list[datetime.date]) -> list[tuple[datetime.date, Decimal]]:
    """Monthly targets stepping evenly from ``start`` (the baseline) to ``end`` over the history."""
    last = len(months) - 1
    return [(month, Decimal(str(round(start + (end - start) * i / last, 1)))) for i, month in enumerate(months)]


def _priority(slug: str) -> Priority:
    """One of the six default priorities, made again (as the data migration makes them) if it was removed."""
    defaults = importlib.import_module("goals.migrations.0002_default_priorities").DEFAULT_PRIORITIES
    position, name = next((n, name) for n, (key, name) in enumerate(defaults, start=1) if key == slug)
    return Priority.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})[0]


def _lead_user(department: Department):
    assignment = (
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_LEAD, department=department, person__user__isnull=False)
        .select_related("person__user")
        .first()
    )
    return assignment.person.user if assignment else None


@transaction.atomic
def _seed_goal(spec: GoalSpec, months: list[datetime.date], departments: dict[str, Department], report) -> list:
    """The goal and its missing measures; returns the computed measures created, with their specs."""
    priority = _priority(spec.priority)
    goal = Goal.objects.filter(priority=priority, statement=spec.statement).first()
    if goal is None:
        goal = goal_create(
            by=None,
            departments=[departments[slug] for slug in spec.departments],
            priority=priority,
            statement=spec.statement,
            description=spec.description,
            bold=spec.bold,
            public=spec.public,
            horizon=spec.horizon,
            target_value=spec.target_value,
            target_date=spec.target_date,
        )
        report.created["goals"] += 1
    computed = []
    for measure_spec in spec.measures:
        if Measure.objects.filter(slug=measure_spec.slug).exists():
            continue
        measure = _seed_measure(measure_spec, goal, months, departments[measure_spec.department], report)
        if measure.is_computed:
            computed.append((measure_spec, measure))
    return computed


def _computed_method(spec: MeasureSpec, source: Dataset) -> str:
    return f"Computed each month from the latest data file of “{source.title}”: {spec.computation.method}"


def _seed_measure(spec: MeasureSpec, goal: Goal, months, department: Department, report) -> Measure:
    source = Dataset.objects.filter(identifier=spec.source).first() if spec.source else None
    computation = spec.computation if source is not None else None
    baseline_months = months[:BASELINE_MONTHS]
    fields = {
        "goal": goal,
        "department": department,
        "slug": spec.slug,
        "name": spec.name,
        "description": spec.description,
        "is_kpi": spec.is_kpi,
        "type": spec.type,
        "unit": spec.unit,
        "direction": spec.direction,
        "frequency": "monthly",
        "baseline_period": f"{baseline_months[0]:%Y-%m} to {baseline_months[-1]:%Y-%m}",
        "target_value": Decimal(str(spec.target)),
        "public": spec.public,
        "source_dataset": source,
    }
    lead = _lead_user(department)
    if computation is not None:
        # Computed by goals_demo_seed once every measure of the data file exists (one read of the file).
        measure = measure_create(
            by=None,
            compute=False,
            baseline_value=Decimal(str(spec.glide_from if spec.glide_from is not None else spec.start)),
            method=_computed_method(spec, source),
            aggregation=computation.aggregation,
            value_column=computation.value_column,
            date_column=computation.date_column,
            filters=[dict(rule) for rule in computation.filters],
            condition=dict(computation.condition),
            **fields,
        )
        _set_targets(measure, spec, months)
    else:
        values = _history(spec, months)
        measure = measure_create(
            by=None,
            baseline_value=Decimal(str(spec.glide_from if spec.glide_from is not None else values[0])),
            method=spec.method + MANUAL_METHOD,
            **fields,
        )
        _set_targets(measure, spec, months)
        rows = [{"period": f"{month:%Y-%m}", "value": str(value)} for month, value in zip(months, values, strict=True)]
        result = observations_import(measure=measure, rows=rows, by=lead)
        report.created["observations"] += result.created
    report.created["measures"] += 1
    if spec.slug in NARRATIVES:
        what, next_steps = NARRATIVES[spec.slug]
        narrative_save(measure=measure, period=months[-1], what_happened=what, next_steps=next_steps, by=lead)
        report.created["narratives"] += 1
    return measure


def _set_targets(measure: Measure, spec: MeasureSpec, months: list[datetime.date]) -> None:
    """The glide path: a target per month from the baseline down to the measure's target."""
    if spec.glide_from is None:
        return
    for month, target in _glide(float(measure.baseline_value), float(measure.target_value), months):
        measure_target_set(by=None, measure=measure, period=month, value=target)


@transaction.atomic
def _baseline_from_data(spec: MeasureSpec, measure: Measure, months: list[datetime.date]) -> None:
    """A computed measure's baseline is the average of its first computed year; where the target is a cut from the
    baseline (the crash goal), the target and its glide path follow."""
    first_year = list(measure.observations.filter(period__in=months[:BASELINE_MONTHS]).values_list("value", flat=True))
    if len(first_year) < BASELINE_MONTHS:
        return
    baseline = round(sum(first_year) / len(first_year), max(spec.decimals, 1))
    changes = {"baseline_value": baseline}
    if spec.target_share is not None:
        changes["target_value"] = round(baseline * Decimal(str(spec.target_share)), 1)
    measure = measure_update(by=None, measure=measure, **changes)
    _set_targets(measure, spec, months)


def _compute(created: list, months: list[datetime.date], today: datetime.date, report) -> None:
    """Compute the new computed measures from their datasets' data files (each file read once), where the quality
    demo uploaded one; then their baselines from the first computed year."""
    by_dataset: dict[int, list] = {}
    for spec, measure in created:
        by_dataset.setdefault(measure.source_dataset_id, []).append((spec, measure))
    with_data = set(
        SourceUpload.objects.filter(dataset_id__in=by_dataset).values_list("dataset_id", flat=True).distinct()
    )
    for dataset_id, measures in by_dataset.items():
        if dataset_id not in with_data:
            continue  # no data file (the quality demo is off): its first passing quality run computes them
        results = measures_compute(by=None, dataset=measures[0][1].source_dataset, today=today)
        report.created["observations"] += sum(result.created for result in results)
        for result in results:
            if result.error:
                report.notes.append(f"Goals demo: {result.summary()}")
        for spec, measure in measures:
            _baseline_from_data(spec, measure, months)


def goals_demo_seed(*, report, today: datetime.date | None = None) -> None:
    """Seed the demo goals, measures, history and narratives that are missing (see the module's docstring): first
    the data files the computed measures read (:func:`demo.quality.seed.quality_demo_seed` for their datasets),
    then the goals and measures, then the computation of the new computed measures."""
    # The data files are written as of the seeding day (a given day, at noon, for tests and reproductions).
    now = None if today is None else timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    today = today or timezone.localdate()
    months = _months(today, HISTORY_MONTHS)
    slugs = {slug for goal in GOALS for slug in goal.departments} | {
        measure.department for goal in GOALS for measure in goal.measures
    }
    departments = {department.slug: department for department in Department.objects.filter(slug__in=slugs)}
    missing = slugs - departments.keys()
    if missing:
        report.notes.append(f"Goals demo skipped: departments missing ({', '.join(sorted(missing))}).")
        return
    sources = sorted({m.source for goal in GOALS for m in goal.measures if m.computation is not None})
    quality_demo_seed(report=report, identifiers=sources, now=now)
    created = []
    for spec in GOALS:
        created += _seed_goal(spec, months, departments, report)
    _compute(created, months, today, report)
