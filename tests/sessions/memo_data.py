"""Data for the briefing memo's tests: Police KPIs with two years of monthly values up to the first PoliceStat
session's reporting period (December 2026), a value after it, targets, narratives, and source datasets whose latest
quality run failed two named checks; and action items raised at an earlier session."""

from __future__ import annotations

import datetime

from goals.models import Measure, MeasureTarget, Narrative, Observation
from quality.models import Outcome
from sessions.models import ActionItem, ItemState, Session
from tests.goals.factories import GoalFactory, MeasureFactory
from tests.inventory.factories import DatasetFactory
from tests.quality.factories import CheckResultFactory, DatasetQualityFactory, QualityRunFactory

PERIOD_END = datetime.date(2026, 12, 31)


def months(first: datetime.date, count: int) -> list[datetime.date]:
    index = first.year * 12 + first.month - 1
    return [datetime.date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(count)]


def make_kpis(city, users, count: int = 3, *, history: int = 24) -> list[Measure]:
    """``count`` Police KPIs (each its own source dataset; the first's latest quality run failed "freshness" and
    "completeness (minutes)"), each with ``history`` monthly values ending December 2026 and one in January 2027
    (after the reporting period), a target for December 2026, and narratives for November 2026 and January 2027."""
    goals = [GoalFactory(departments=[city["police"]], statement=f"Goal {i}: cut crashes by 20%") for i in range(count)]
    start_index = 2026 * 12 + 11 - (history - 1)
    periods = months(datetime.date(start_index // 12, start_index % 12 + 1, 1), history)
    measures, observations, narratives = [], [], []
    for i in range(count):
        dataset = DatasetFactory(department=city["police"], title=f"Source {i}", identifier=f"memo-source-{i}")
        if i == 0:
            run = QualityRunFactory(dataset=dataset, outcome=Outcome.FAIL, score=40)
            CheckResultFactory(run=run, name="freshness", status=Outcome.FAIL)
            CheckResultFactory(run=run, name="completeness", column="minutes", status=Outcome.ERROR)
            CheckResultFactory(run=run, name="row_count", status=Outcome.PASS)
        else:
            run = QualityRunFactory(dataset=dataset, outcome=Outcome.PASS)
        DatasetQualityFactory(run=run)
        measure = MeasureFactory(
            goal=goals[i],
            department=city["police"],
            name=f"KPI {i}: crashes",
            slug=f"memo-kpi-{i}",
            is_kpi=True,
            direction="down",
            target_value=100,
            source_dataset=dataset,
        )
        measures.append(measure)
        observations += [
            Observation(measure=measure, period=period, value=80 + index + i) for index, period in enumerate(periods)
        ]
        observations.append(Observation(measure=measure, period=datetime.date(2027, 1, 1), value=999))
        narratives += [
            Narrative(
                measure=measure,
                period=datetime.date(2026, 11, 1),
                what_happened=f"November story of KPI {i}.",
                next_steps="Retime signals.",
                author=users["police_lead"],
            ),
            Narrative(
                measure=measure,
                period=datetime.date(2027, 1, 1),
                what_happened=f"January story of KPI {i}.",
                author=users["police_lead"],
            ),
        ]
        MeasureTarget.objects.create(measure=measure, period=datetime.date(2026, 12, 1), value=95)
    Observation.objects.bulk_create(observations)
    Narrative.objects.bulk_create(narratives)
    # A measure that is not a KPI, and a KPI of another department: neither belongs in the memo.
    other = GoalFactory(departments=[city["parks"]], statement="Parks goal")
    MeasureFactory(goal=goals[0], department=city["police"], name="Not a KPI", slug="memo-not-kpi", is_kpi=False)
    MeasureFactory(goal=other, department=city["parks"], name="Parks KPI", slug="memo-parks-kpi", is_kpi=True)
    return measures


def first_session(series) -> Session:
    """The first session of ``series`` (PoliceStat: 4 January 2027, reviewing December 2026)."""
    return series.sessions.order_by("starts_at").first()


def earlier_session(series) -> Session:
    """A session of ``series`` held before its first one (made by hand: the series starts in 2027)."""
    return Session.objects.create(
        series=series,
        starts_at=datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC),
        duration_minutes=60,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
        state="held",
    )


def action_items(session: Session, city) -> dict[str, ActionItem]:
    """Items raised at ``session``: two open (incomplete, on hold), two closed."""
    rows = {}
    for number, (name, state) in enumerate(
        [
            ("open", ItemState.INCOMPLETE),
            ("on_hold", ItemState.ON_HOLD),
            ("done", ItemState.COMPLETED_ON_TIME),
            ("overtaken", ItemState.OVERTAKEN),
        ],
        start=1,
    ):
        rows[name] = ActionItem.objects.create(
            session=session,
            number=number,
            title=f"Item {name}",
            department=city["police"],
            due_date=datetime.date(2026, 1, 20) if name == "open" else datetime.date(2099, 12, 20),
            state=state,
        )
    return rows
