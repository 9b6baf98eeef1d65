"""A small city with real data in every app, built through the factories and services: what the home pages and the
crawler read. Dates are counted from today, so "the last period" is last month whenever the tests run.

Police and Fire (Public Safety), Parks (Community Services):

* datasets: Police's public crash data (passing), its incident reports (not public, failing, with an example row
  of a sensitive column) and overtime hours (not public, stale); Parks' public pool visits (failing) and its
  staffing (not public, passing); Fire's run log (never checked);
* goals and measures, with monthly values for the last six months: Police's public Response time (a KPI fed by the
  failing incident reports, off track, its last period's narrative written), Overtime hours per officer (a KPI with
  no value for the last period) and Cases cleared (not a KPI); Parks' public Pool visits (a KPI that went from on
  track to approaching) and public Parks with staff (a KPI fed by a dataset that is not public: another
  department's readers see the measure, not its source);
* sessions: PoliceStat every four weeks from twenty days ago (held, with its follow-up sent; eight days ahead, its
  memo shared under "no surprises"; five weeks ahead), with action items for Police (overdue, not yet due, done,
  one owned by Parks' contact) and one for Parks about a Police measure; CitiStat (no department) in twelve days,
  with the budget analyst invited;
* budget: five fiscal years of Police, Fire and Parks programs (``tests/budget/pages_data.py``), a program linked
  to a measure, and an analysis.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from budget.models import ProgramMeasure
from budget.services.analyses import analysis_create
from goals.models import MeasureTarget, Observation
from goals.periods import period_start
from quality.models import Outcome
from sessions.models import ItemState, SeatRole, Session
from sessions.services import (
    action_item_create,
    attendee_add,
    follow_up_draft,
    follow_up_send,
    memo_draft,
    memo_share,
    series_create,
    session_hold,
)
from tests.budget.pages_data import make_budget
from tests.goals.factories import GoalFactory, MeasureFactory, NarrativeFactory, priority
from tests.inventory.factories import DataFieldFactory, DatasetFactory, PublicDatasetFactory
from tests.quality.factories import CheckResultFactory, DatasetQualityFactory, QualityRunFactory, judged


@dataclass
class City:
    """What :func:`build_city` made, by name."""

    today: datetime.date
    last_period: datetime.date
    datasets: dict = field(default_factory=dict)
    measures: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    budget: dict = field(default_factory=dict)


def months_before(day: datetime.date, count: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def _values(measure, periods, values) -> None:
    Observation.objects.bulk_create(
        Observation(measure=measure, period=period, value=Decimal(value), recorded_at=timezone.now())
        for period, value in zip(periods, values, strict=True)
    )


def build_city(city, users) -> City:
    today = timezone.localdate()
    this_month = period_start(today, "monthly")
    last_period = months_before(this_month, 1)
    built = City(today=today, last_period=last_period)
    police, parks, fire = city["police"], city["parks"], city["fire"]
    police_contact = users["police_contact"].person
    parks_contact = users["parks_contact"].person

    # --- the inventory and its quality -----------------------------------------------------------------------
    crashes = PublicDatasetFactory(department=police, title="Traffic crashes", identifier="pd-crashes")
    judged(crashes, outcome=Outcome.PASS, score=98)
    incidents = DatasetFactory(
        department=police, title="Incident reports", identifier="pd-incidents", contact=police_contact
    )
    DataFieldFactory(dataset=incidents, name="victim_name", sensitive=True)
    failing_run = QualityRunFactory(dataset=incidents, outcome=Outcome.FAIL, score=35)
    CheckResultFactory(
        run=failing_run,
        name="completeness",
        column="victim_name",
        status=Outcome.FAIL,
        message="12% of rows are blank.",
        examples=[{"row": 4, "column": "victim_name", "value": "Jane Roe"}],
    )
    CheckResultFactory(run=failing_run, name="row_count", status=Outcome.PASS)
    DatasetQualityFactory(run=failing_run)
    overtime = DatasetFactory(department=police, title="Overtime hours", identifier="pd-overtime")
    judged(overtime, outcome=Outcome.PASS, score=90, stale=True)
    pools = PublicDatasetFactory(department=parks, title="Pool visits", identifier="prd-pools", contact=parks_contact)
    judged(pools, outcome=Outcome.FAIL, score=50)
    staffing = DatasetFactory(department=parks, title="Park staffing", identifier="prd-staffing")
    judged(staffing, outcome=Outcome.PASS, score=100)
    runs = DatasetFactory(department=fire, title="Fire run log", identifier="fd-runs")
    built.datasets = {
        "crashes": crashes,
        "incidents": incidents,
        "overtime": overtime,
        "pools": pools,
        "staffing": staffing,
        "runs": runs,
    }

    # --- goals, measures, values ------------------------------------------------------------------------------
    periods = [months_before(this_month, back) for back in range(6, 0, -1)]  # the last six months, oldest first
    safety = priority("public-safety")
    response_goal = GoalFactory(
        priority=safety, statement="Answer emergencies faster", public=True, departments=[police]
    )
    response = MeasureFactory(
        goal=response_goal,
        department=police,
        name="Response time",
        slug="pd-response-time",
        unit="minutes",
        direction="down",
        target_value=8,
        is_kpi=True,
        public=True,
        source_dataset=incidents,
    )
    _values(response, periods, ["7.5", "7.8", "8.1", "8.3", "9.5", "10.5"])  # on track, then off track
    MeasureTarget.objects.create(measure=response, period=last_period, value=Decimal("8"))
    NarrativeFactory(measure=response, period=last_period, author=users["police_lead"])
    Observation.objects.filter(measure=response, period=periods[0]).update(note="CAD outage, estimated")
    overtime_goal = GoalFactory(priority=safety, statement="Keep overtime in check", departments=[police])
    overtime_kpi = MeasureFactory(
        goal=overtime_goal,
        department=police,
        name="Overtime hours per officer",
        slug="pd-overtime-hours",
        unit="hours",
        direction="down",
        target_value=20,
        is_kpi=True,
        source_dataset=overtime,
    )
    _values(overtime_kpi, periods[:-1], ["18", "19", "21", "19", "18"])  # nothing for the last period
    clearance = MeasureFactory(
        goal=response_goal,
        department=police,
        name="Cases cleared",
        slug="pd-cases-cleared",
        unit="%",
        direction="up",
        target_value=50,
        is_kpi=False,
        source_dataset=crashes,
    )
    _values(clearance, periods, ["45", "47", "49", "51", "52", "53"])
    parks_goal = GoalFactory(
        priority=priority("public-health"),
        statement="More residents swim",
        public=True,
        departments=[parks],
    )
    swims = MeasureFactory(
        goal=parks_goal,
        department=parks,
        name="Pool visits",
        slug="prd-pool-visits",
        unit="visits",
        direction="up",
        target_value=1000,
        is_kpi=True,
        public=True,
        source_dataset=pools,
    )
    _values(swims, periods, ["900", "950", "1010", "1020", "1100", "960"])  # on track, then approaching
    staff_goal = GoalFactory(priority=safety, statement="Staff every park", public=True, departments=[parks])
    staff = MeasureFactory(
        goal=staff_goal,
        department=parks,
        name="Parks with staff",
        slug="prd-staffed",
        unit="%",
        direction="up",
        target_value=90,
        is_kpi=True,
        public=True,
        source_dataset=staffing,
    )
    _values(staff, periods, ["92", "93", "94", "95", "95", "96"])
    built.measures = {
        "response": response,
        "overtime": overtime_kpi,
        "clearance": clearance,
        "swims": swims,
        "staff": staff,
    }

    # --- Stat sessions ------------------------------------------------------------------------------------------
    lead = users["stat_lead"]
    first = today - datetime.timedelta(days=20)
    police_series = series_create(
        name="PoliceStat",
        department=police,
        cadence="rrule",
        rrule="FREQ=WEEKLY;INTERVAL=4;COUNT=3",
        start_date=first,
        start_time=datetime.time(10, 0),
        place="City Hall, room 215",
        no_surprises=True,
        public=True,
        by=lead,
    )
    held, current, ahead = police_series.sessions.order_by("starts_at")
    topic_memo = memo_draft(held, by=lead)
    items = {
        "overdue": action_item_create(
            held,
            title="Explain the rise in response time",
            department=police,
            due_date=timezone.localdate(held.starts_at) + datetime.timedelta(days=7),
            owner=users["police_lead"].person,
            measure=response,
            by=lead,
        ),
        "due": action_item_create(
            held,
            title="Fix the incident data's blank names",
            department=police,
            due_date=today + datetime.timedelta(days=10),
            owner=police_contact,
            dataset=incidents,
            by=lead,
        ),
        "done": action_item_create(
            held,
            title="Send the overtime policy",
            department=police,
            due_date=today + datetime.timedelta(days=3),
            by=lead,
        ),
        "parks": action_item_create(
            held,
            title="Share the pool schedule",
            department=parks,
            due_date=today + datetime.timedelta(days=5),
            owner=parks_contact,
            measure=overtime_kpi,
            dataset=overtime,
            by=lead,
        ),
        # Police's item owned by a Parks contact: they read and update it as its owner, not PoliceStat itself.
        "lent": action_item_create(
            held,
            title="Lend two lifeguards to the harbour patrol",
            department=police,
            due_date=today + datetime.timedelta(days=20),
            owner=parks_contact,
            by=lead,
        ),
    }
    type(items["done"]).objects.filter(pk=items["done"].pk).update(state=ItemState.COMPLETED_ON_TIME)
    session_hold(held, attended=[users["police_lead"].person.pk], by=lead)
    follow_up_send(follow_up_draft(held, by=lead), by=lead)
    memo_share(memo_draft(current, by=lead), by=lead)
    citistat = series_create(
        name="CitiStat",
        department=None,
        cadence="rrule",
        rrule="FREQ=MONTHLY;COUNT=1",
        start_date=today + datetime.timedelta(days=12),
        start_time=datetime.time(14, 0),
        place="City Hall, room 100",
        by=lead,
    )
    # The budget analyst is invited to CitiStat, a cross-department series only the Stat team and the seats read.
    attendee_add(citistat.sessions.get(), person=users["budget_analyst"].person, role=SeatRole.BUDGET, by=lead)
    built.sessions = {
        "held": Session.objects.get(pk=held.pk),
        "current": Session.objects.get(pk=current.pk),
        "ahead": ahead,
        "citistat": citistat.sessions.get(),
        "memo": topic_memo,
    }
    built.items = items

    # --- the budget ---------------------------------------------------------------------------------------------
    budget = make_budget(city, today)
    ProgramMeasure.objects.create(program=budget["patrol"], measure=response)
    budget["analysis"] = analysis_create(
        by=None,
        title="Two more patrol cars",
        program=budget["patrol"],
        discount_rate=Decimal("0.10"),
        years=[(Decimal("1000.00"), Decimal("0.00")), (Decimal("0.00"), Decimal("600.00"))],
    )
    built.budget = budget
    return built
