"""Measuring the measurers: how the Stat program itself is doing, for the principal and the Stat lead.

Per held session: the share of its department's KPIs on track as of the session's reporting period (each KPI's
latest value for a period starting on or before the reporting period's end and less than a year older than it,
against that period's target, judged by :func:`goals.status.measure_status`); whether its memo went out at least the
series' ``memo_send_hours`` before the start and its follow-up within ``follow_up_days`` after it; the anonymous
survey's answers. Per department and month: the action items due that month that were completed, and completed on
time. Everything comes from a fixed number of queries (:data:`QUERIES`) however many sessions there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from goals.models import Measure, MeasureTarget, Observation
from goals.status import Status, measure_status

from .models import HELD_STATES, ActionItem, ItemState, Session, SurveyResponse
from .selectors import follow_up_deadline
from .services.series import reporting_period

#: The queries :func:`program_measures` makes, whatever the number of sessions.
QUERIES = 8
#: A KPI's value older than this before the reporting period's end no longer speaks for it.
VALUE_MAX_AGE = datetime.timedelta(days=366)
#: Items that are no longer owed: they count neither as completed nor as missed.
NOT_OWED = (ItemState.MERGED, ItemState.OVERTAKEN)
COMPLETED = (ItemState.COMPLETED_ON_TIME, ItemState.COMPLETED_LATE)

ON_TIME, LATE, NOT_SENT, PENDING, NO_MEMO = "on_time", "late", "not_sent", "pending", "no_memo"
TIMELINESS_LABELS = {
    ON_TIME: "On time",
    LATE: "Late",
    NOT_SENT: "Not sent, overdue",
    PENDING: "Not due yet",
    NO_MEMO: "No memo",
}


@dataclass
class SessionFigures:
    session_id: int
    series: str
    department: str
    date: datetime.date
    kpis: dict[str, int] = field(default_factory=dict)
    memo: str = NO_MEMO
    follow_up: str = PENDING
    responses: int = 0
    mean_score: float | None = None
    items_raised: int = 0

    @property
    def judged(self) -> int:
        return sum(count for status, count in self.kpis.items() if status != Status.NO_DATA)

    @property
    def on_track(self) -> int:
        return self.kpis.get(Status.ON_TRACK, 0)

    @property
    def kpi_total(self) -> int:
        return sum(self.kpis.values())

    @property
    def share_on_track(self) -> float | None:
        return None if not self.judged else round(100 * self.on_track / self.judged, 1)

    @property
    def memo_label(self) -> str:
        return TIMELINESS_LABELS[self.memo]

    @property
    def follow_up_label(self) -> str:
        return TIMELINESS_LABELS[self.follow_up]


@dataclass(frozen=True)
class ItemRates:
    department: str
    month: datetime.date
    due: int
    completed: int
    on_time: int

    @property
    def completion_rate(self) -> float | None:
        return None if not self.due else round(100 * self.completed / self.due, 1)

    @property
    def on_time_rate(self) -> float | None:
        return None if not self.due else round(100 * self.on_time / self.due, 1)


@dataclass(frozen=True)
class Timeliness:
    month: datetime.date
    memos: int
    memos_on_time: int
    follow_ups: int
    follow_ups_on_time: int

    @property
    def memo_share(self) -> float | None:
        return None if not self.memos else round(100 * self.memos_on_time / self.memos, 1)

    @property
    def follow_up_share(self) -> float | None:
        return None if not self.follow_ups else round(100 * self.follow_ups_on_time / self.follow_ups, 1)


@dataclass(frozen=True)
class Comment:
    series: str
    date: datetime.date
    score: int
    text: str


@dataclass
class ProgramMeasures:
    sessions: list[SessionFigures]
    items: list[ItemRates]
    timeliness: list[Timeliness]
    comments: list[Comment]


def _memo_timeliness(session: Session) -> str:
    memo = getattr(session, "memo", None)
    if memo is None:
        return NO_MEMO
    deadline = session.starts_at - datetime.timedelta(hours=session.series.memo_send_hours)
    if memo.sent_at is None:
        return NOT_SENT
    return ON_TIME if memo.sent_at <= deadline else LATE


def _follow_up_timeliness(session: Session, now: datetime.datetime) -> str:
    deadline = follow_up_deadline(session)
    follow_up = getattr(session, "follow_up", None)
    sent_at = follow_up.sent_at if follow_up is not None else None
    if sent_at is None:
        return PENDING if now <= deadline else NOT_SENT
    return ON_TIME if sent_at <= deadline else LATE


def _kpi_statuses(sessions: list[Session]) -> dict[int, dict[str, int]]:
    """Session id → how many of its department's KPIs stood at each status as of its reporting period. Three
    queries: the KPIs, their values up to the last period, their per-period targets."""
    departments = {session.series.department_id for session in sessions if session.series.department_id}
    periods = {session.pk: _period(session) for session in sessions}
    if not departments:
        return {}
    kpis: list[dict] = [
        dict(row)
        for row in Measure.objects.filter(is_kpi=True, department_id__in=sorted(departments)).values(
            "pk", "department_id", "direction", "tolerance_percent", "target_value"
        )
    ]
    last_end = max(end for _, end in periods.values())
    values: dict[int, list[tuple[datetime.date, Decimal]]] = defaultdict(list)
    for measure_id, period, value in (
        Observation.objects.filter(measure_id__in=[kpi["pk"] for kpi in kpis], period__lte=last_end)
        .order_by("measure_id", "period")
        .values_list("measure_id", "period", "value")
    ):
        values[measure_id].append((period, value))
    targets = {
        (measure_id, period): value
        for measure_id, period, value in MeasureTarget.objects.filter(
            measure_id__in=[kpi["pk"] for kpi in kpis]
        ).values_list("measure_id", "period", "value")
    }
    by_department: dict[int, list[dict]] = defaultdict(list)
    for kpi in kpis:
        by_department[kpi["department_id"]].append(kpi)
    result: dict[int, dict[str, int]] = {}
    for session in sessions:
        counts: dict[str, int] = defaultdict(int)
        _, end = periods[session.pk]
        for kpi in by_department.get(session.series.department_id or 0, []):
            latest = None
            for period, value in values.get(kpi["pk"], []):
                if period > end:
                    break
                latest = (period, value)
            if latest is None or end - latest[0] > VALUE_MAX_AGE:
                counts[Status.NO_DATA] += 1
                continue
            target = targets.get((kpi["pk"], latest[0]), kpi["target_value"])
            status = measure_status(
                latest[1], target, direction=kpi["direction"], tolerance_percent=kpi["tolerance_percent"]
            )
            counts[status] += 1
        result[session.pk] = dict(counts)
    return result


def _period(session: Session) -> tuple[datetime.date, datetime.date]:
    if session.period_start and session.period_end:
        return session.period_start, session.period_end
    return reporting_period(session.starts_at.astimezone(ZoneInfo(session.series.time_zone)))


def program_measures(now: datetime.datetime | None = None) -> ProgramMeasures:
    """Every figure of the "How the program is doing" page, in :data:`QUERIES` queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sessions = list(
        Session.objects.filter(state__in=sorted(HELD_STATES), starts_at__lte=now)
        .select_related("series__department", "memo", "follow_up")
        .order_by("starts_at", "pk")
    )  # 1
    ids = [session.pk for session in sessions]
    surveys = {
        row["session_id"]: row
        for row in SurveyResponse.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(count=Count("pk"), mean=Avg("score"))
        .order_by()
    }  # 2
    raised = dict(
        ActionItem.objects.filter(session_id__in=ids)
        .values("session_id")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("session_id", "count")
    )  # 3
    statuses = _kpi_statuses(sessions)  # 4, 5, 6
    figures = []
    months: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for session in sessions:
        zone = ZoneInfo(session.series.time_zone)
        survey = surveys.get(session.pk)
        row = SessionFigures(
            session_id=session.pk,
            series=session.series.name,
            department=session.series.department.name if session.series.department else "",
            date=session.starts_at.astimezone(zone).date(),
            kpis=statuses.get(session.pk, {}),
            memo=_memo_timeliness(session),
            follow_up=_follow_up_timeliness(session, now),
            responses=survey["count"] if survey else 0,
            mean_score=round(float(survey["mean"]), 2) if survey else None,
            items_raised=raised.get(session.pk, 0),
        )
        figures.append(row)
        tally = months[row.date.replace(day=1)]
        if row.memo != NO_MEMO:
            tally[0] += 1
            tally[1] += row.memo == ON_TIME
        if row.follow_up != PENDING:
            tally[2] += 1
            tally[3] += row.follow_up == ON_TIME
    items = [
        ItemRates(
            department=row["department__name"],
            month=row["month"] if isinstance(row["month"], datetime.date) else row["month"].date(),
            due=row["due"],
            completed=row["completed"],
            on_time=row["on_time"],
        )
        for row in ActionItem.objects.filter(due_date__lt=today)
        .exclude(state__in=NOT_OWED)
        .annotate(month=TruncMonth("due_date"))
        .values("department__name", "month")
        .annotate(
            due=Count("pk"),
            completed=Count("pk", filter=Q(state__in=COMPLETED)),
            on_time=Count("pk", filter=Q(state=ItemState.COMPLETED_ON_TIME)),
        )
        .order_by("month", "department__name")
    ]  # 7
    comments = [
        Comment(
            series=response.session.series.name,
            date=timezone.localtime(response.session.starts_at).date(),
            score=response.score,
            text=response.comment,
        )
        for response in SurveyResponse.objects.exclude(comment="")
        .select_related("session__series")
        .order_by("-session__starts_at", "score", "comment")[:50]
    ]  # 8
    timeliness = [Timeliness(month, *tally) for month, tally in sorted(months.items())]
    return ProgramMeasures(sessions=figures, items=items, timeliness=timeliness, comments=comments)
