"""What a briefing memo shows, as one plain dict: the header, the sections and their topics, each KPI's figures as of
the session's reporting period, its chart, its data source and that source's latest quality run, and the open action
items carried into the Follow-up section.

The dict is JSON-safe and is exactly what sending stores in ``Memo.snapshot``: a draft renders from
:func:`memo_live_data` (today's data), a sent memo from its snapshot (:func:`memo_data`), through the same templates,
so a later change to observations, narratives or quality results never alters a sent memo.

Cost: a fixed number of queries however many KPIs the memo reviews (topics; observations; narratives; failing
checks; open action items; what :mod:`sessions.extensions`' providers read), never one per topic.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import dateformat, timezone

from goals.charts import format_value
from goals.models import MeasureFrequency, Narrative
from goals.periods import period_label
from goals.selectors import Point, observations_for
from goals.selectors_dashboard import STATUS_BADGES, months_back
from goals.status import Status
from quality.models import CheckResult, Outcome

from .extensions import kpi_contexts
from .models import (
    OPEN_STATES,
    ActionItem,
    ItemState,
    ItemStatus,
    Memo,
    MemoSection,
    MemoTopic,
    Session,
    TopicKind,
)
from .svg import line_chart

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from inventory.models import Dataset

#: How many periods a KPI's chart shows, up to the reporting period.
CHART_PERIODS = 24
#: Months of history :data:`CHART_PERIODS` periods span, per frequency (what the observations query reads).
_SPAN_MONTHS: dict[str, int] = {
    MeasureFrequency.WEEKLY: 6,
    MeasureFrequency.MONTHLY: CHART_PERIODS,
    MeasureFrequency.QUARTERLY: 3 * CHART_PERIODS,
    MeasureFrequency.ANNUAL: 12 * CHART_PERIODS,
}
SECTION_ORDER = [MemoSection.FOLLOW_UP, MemoSection.STANDING, MemoSection.NEW]
SUSPECT_OUTCOMES = (Outcome.FAIL, Outcome.ERROR)


# --- words -----------------------------------------------------------------------------------------------------------


def period_words(start: datetime.date | None, end: datetime.date | None) -> str:
    """A reporting period as people say it: "November 2026", "October – December 2026", "2 – 8 November 2026"."""
    if start is None or end is None:
        return ""
    whole_months = start.day == 1 and (end + datetime.timedelta(days=1)).day == 1
    if whole_months:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start:%B %Y}"
        if start.year == end.year:
            return f"{start:%B} – {end:%B %Y}"
        return f"{start:%B %Y} – {end:%B %Y}"
    if start == end:
        return f"{start.day} {start:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def session_period(session: Session) -> tuple[datetime.date, datetime.date]:
    """The reporting period ``session`` reviews: its own, else the calendar month before the meeting's."""
    if session.period_start and session.period_end:
        return session.period_start, session.period_end
    first_of_month = timezone.localtime(session.starts_at).date().replace(day=1)
    end = first_of_month - datetime.timedelta(days=1)
    return end.replace(day=1), end


def memo_subject(session: Session) -> str:
    """ "Department of Police briefing memorandum for reporting period November 2026" (a cross-department series:
    its own name instead of the department's)."""
    department = session.series.department
    who = f"Department of {department.name}" if department is not None else session.series.name
    return f"{who} briefing memorandum for reporting period {period_words(*session_period(session))}"


def user_name(user: User | None) -> str:
    """How a user is named on a memo: their person's full name, else their name or login."""
    if user is None:
        return ""
    person = getattr(user, "person", None)
    if person is not None:
        return person.full_name
    return user.get_full_name() or user.get_username()


def moment_words(moment: datetime.datetime | None) -> str:
    """An aware time as the city reads it: "3 December 2026, 14:05"."""
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i") if moment else ""


def meeting_words(session: Session) -> str:
    """When ``session`` meets, in its series' time zone: "4 January 2027, 10:00"."""
    return dateformat.format(timezone.localtime(session.starts_at, ZoneInfo(session.series.time_zone)), "j F Y, H:i")


def session_words(session: Session) -> str:
    """A session as people name it, its day in its series' time zone: "PoliceStat, 10 Nov 2026"."""
    day = timezone.localtime(session.starts_at, ZoneInfo(session.series.time_zone))
    return f"{session.series.name}, {dateformat.format(day, 'j M Y')}"


def day_words(day: datetime.date | None) -> str:
    return dateformat.format(day, "j F Y") if day else ""


# --- the action items carried forward ------------------------------------------------------------------------------


def open_action_items(session: Session) -> QuerySet[ActionItem]:
    """The action items still open (:data:`OPEN_STATES`) that were raised at earlier sessions of ``session``'s series
    or, for a department's series, about its department: the Follow-up section. One query when evaluated."""
    scope = Q(session__series_id=session.series_id)
    if session.series.department_id is not None:
        scope |= Q(department_id=session.series.department_id)
    return (
        ActionItem.objects.filter(scope, state__in=sorted(OPEN_STATES), session__starts_at__lt=session.starts_at)
        .select_related("owner", "department", "session__series")
        .order_by("due_date", "session__starts_at", "number")
    )


def _item_status(item: ActionItem, today: datetime.date) -> str:
    if item.state == ItemState.INCOMPLETE:
        return str((ItemStatus.OVERDUE if item.due_date < today else ItemStatus.NOT_YET_DUE).label)
    return str(ItemState(item.state).label)


def _item_row(item: ActionItem, today: datetime.date) -> dict:
    return {
        "id": item.pk,
        "number": item.number,
        "title": item.title,
        "owner": item.owner.full_name if item.owner else "",
        "department": item.department.name,
        "due_date": item.due_date.isoformat(),
        "due_label": day_words(item.due_date),
        "status_label": _item_status(item, today),
        "raised_at": f"{item.session.series.name}, {meeting_words(item.session)}",
    }


# --- KPI figures -----------------------------------------------------------------------------------------------------


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _change_text(change: Decimal | None, unit: str) -> str:
    if change is None:
        return ""
    if change == 0:
        return "no change"
    sign = "+" if change > 0 else "−"
    return f"{sign}{format_value(abs(change), unit)}"


def _kpi_figures(topic: MemoTopic, points: list[Point], narrative: Narrative | None) -> dict:
    measure = topic.measure
    assert measure is not None
    frequency, unit = measure.frequency, measure.unit
    shown = points[-CHART_PERIODS:]
    latest = shown[-1] if shown else None
    previous = shown[-2] if len(shown) > 1 else None
    status = latest.status if latest else Status.NO_DATA
    change = latest.value - previous.value if latest and previous else None
    better = None
    if change:
        better = (change > 0) == (measure.direction == "up")
    rows = [
        {
            "period": point.period.isoformat(),
            "label": period_label(point.period, frequency),
            "value": _decimal_text(point.value),
            "target": _decimal_text(point.target),
            "value_text": format_value(point.value, unit),
            "target_text": format_value(point.target, unit) if point.target is not None else "no target",
            "status": str(point.status),
            "status_label": str(point.status.label),
        }
        for point in shown
    ]
    summary = (
        f"{period_label(latest.period, frequency)}: {format_value(latest.value, unit)}"
        + (f" against a target of {format_value(latest.target, unit)}" if latest.target is not None else "")
        + f", {status.label.lower()}."
        if latest
        else "No value up to the reporting period."
    )
    chart = None
    if rows:
        chart = line_chart(
            rows,
            title=f"{measure.name}: value and target, {rows[0]['label']} to {rows[-1]['label']}",
            desc=f"A line chart of {len(rows)} periods. {summary}",
        )
    return {
        "measure_id": measure.pk,
        "name": measure.name,
        "slug": measure.slug,
        "url": measure.get_absolute_url(),
        "unit": unit,
        "direction": measure.direction,
        "direction_label": str(measure.get_direction_display()),
        "period_label": period_label(latest.period, frequency) if latest else "",
        "value": _decimal_text(latest.value) if latest else None,
        "value_text": format_value(latest.value, unit) if latest else "no value",
        "target": _decimal_text(latest.target) if latest else None,
        "target_text": (format_value(latest.target, unit) if latest and latest.target is not None else "no target"),
        "previous_label": period_label(previous.period, frequency) if previous else "",
        "previous_text": format_value(previous.value, unit) if previous else "",
        "change_text": _change_text(change, unit),
        "change_is_better": better,
        "status": str(status),
        "status_label": str(STATUS_BADGES[status]["label"]),
        "summary": summary,
        "department_narrative": (
            {
                "period_label": period_label(narrative.period, frequency),
                "what_happened": narrative.what_happened,
                "next_steps": narrative.next_steps,
            }
            if narrative
            else None
        ),
        "points": rows,
        "chart": chart,
    }


def _quality_of(dataset: Dataset | None) -> Any:
    if dataset is None:
        return None
    try:
        return dataset.quality
    except Exception:  # noqa: BLE001 -- the reverse one-to-one is missing: never checked
        return None


def _source(dataset: Dataset | None, failing: dict[int, list[str]]) -> dict | None:
    if dataset is None:
        return None
    quality = _quality_of(dataset)
    run = quality.latest_run if quality is not None else None
    outcome = quality.outcome if quality is not None else ""
    suspect = bool(quality is not None and (quality.outcome in SUSPECT_OUTCOMES or quality.stale))
    return {
        "dataset_id": dataset.pk,
        "title": dataset.title,
        "url": dataset.get_absolute_url(),
        "data_suspect": suspect,
        "stale": bool(quality is not None and quality.stale),
        "failing_checks": failing.get(run.pk, []) if run is not None else [],
        "run": (
            {
                "id": run.pk,
                "url": run.get_absolute_url(),
                "outcome": run.outcome,
                "outcome_label": str(Outcome(run.outcome).label) if run.outcome else "Not finished",
                "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                "finished_label": moment_words(run.finished_at),
            }
            if run is not None
            else None
        ),
        "outcome": outcome,
        "outcome_label": str(Outcome(outcome).label) if outcome else "Not checked yet",
    }


def _failing_checks(run_ids: Iterable[int]) -> dict[int, list[str]]:
    """The failing (fail or error) checks of each run, named as the quality pages name them: one query."""
    named: dict[int, list[str]] = defaultdict(list)
    ids = sorted(set(run_ids))
    if not ids:
        return {}
    for run_id, name, column in (
        CheckResult.objects.filter(run_id__in=ids, status__in=SUSPECT_OUTCOMES)
        .order_by("run_id", "position", "pk")
        .values_list("run_id", "name", "column")
    ):
        named[run_id].append(f"{name} ({column})" if column else name)
    return dict(named)


def _newest_narratives(measure_ids: list[int], *, until: datetime.date, since: datetime.date) -> dict[int, Narrative]:
    """Each measure's newest narrative of a period up to ``until``: one query."""
    newest: dict[int, Narrative] = {}
    rows = Narrative.objects.filter(measure_id__in=measure_ids, period__lte=until, period__gte=since).order_by(
        "measure_id", "-period"
    )
    for narrative in rows:
        newest.setdefault(narrative.measure_id, narrative)
    return newest


# --- the memo ------------------------------------------------------------------------------------------------------


def memo_topics(memo: Memo) -> list[MemoTopic]:
    """``memo``'s topics in reading order (section, then position), with measure and data source joined: one
    query."""
    topics = list(memo.topics.select_related("measure", "dataset__quality__latest_run"))
    order: dict[str, int] = {str(section): index for index, section in enumerate(SECTION_ORDER)}
    return sorted(topics, key=lambda topic: (order.get(topic.section, 99), topic.position, topic.pk))


def memo_live_data(memo: Memo) -> dict:
    """What ``memo`` shows today (see the module): a fixed number of queries for any number of topics."""
    session = memo.session
    start, end = session_period(session)
    topics = memo_topics(memo)
    measures = [topic.measure for topic in topics if topic.measure is not None]
    span = max((_SPAN_MONTHS.get(m.frequency, CHART_PERIODS) for m in measures), default=CHART_PERIODS)
    since = months_back(end, span)
    points: dict[int, list[Point]] = {}
    narratives: dict[int, Narrative] = {}
    if measures:
        ids = sorted({m.pk for m in measures})
        points = {
            pk: [p for p in series if p.period <= end] for pk, series in observations_for(ids, since=since).items()
        }
        narratives = _newest_narratives(ids, until=end, since=since)
    run_ids = [
        quality.latest_run_id
        for topic in topics
        if (quality := _quality_of(topic.dataset)) is not None and quality.latest_run_id
    ]
    failing = _failing_checks(run_ids)
    # What the apps above sessions add to each KPI (budget context): frozen with the figures when the memo is sent.
    extra = kpi_contexts(sorted({m.pk for m in measures}), start, end) if measures else {}
    items: list[dict] = []
    if any(topic.kind == TopicKind.FOLLOW_UP for topic in topics):
        # Statuses as of the memo's date when it is earlier (a memo speaks as of its date), else as of today.
        today = min(timezone.localdate(), memo.memo_date)
        items = [_item_row(item, today) for item in open_action_items(session)]

    by_section: dict[str, list[dict]] = defaultdict(list)
    for topic in topics:
        kpi = None
        if topic.measure is not None:
            kpi = _kpi_figures(topic, points.get(topic.measure.pk, []), narratives.get(topic.measure.pk))
            kpi["extensions"] = extra.get(topic.measure.pk, [])
        source = _source(topic.dataset, failing)
        by_section[topic.section].append(
            {
                "id": topic.pk,
                "section": topic.section,
                "kind": topic.kind,
                "kind_label": str(TopicKind(topic.kind).label),
                "position": topic.position,
                "title": topic.title,
                "narrative": topic.narrative,
                "suggested_minutes": topic.suggested_minutes,
                "questions": topic.question_list,
                "kpi": kpi,
                "data_suspect": bool(source and source["data_suspect"]),
                "source": source,
                "action_items": items if topic.kind == TopicKind.FOLLOW_UP else [],
            }
        )
    sections = []
    for section in SECTION_ORDER:
        rows = by_section.get(section, [])
        for index, row in enumerate(rows):
            row["is_first"], row["is_last"] = index == 0, index == len(rows) - 1
        sections.append(
            {
                "key": str(section),
                "label": str(section.label),
                "topics": rows,
                "minutes": sum(row["suggested_minutes"] for row in rows),
            }
        )
    return {
        "id": memo.pk,
        "session_id": session.pk,
        "series": session.series.name,
        "department": session.series.department.name if session.series.department else "",
        "meeting": meeting_words(session),
        "period_label": period_words(start, end),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "header": {
            "to": memo.to_line,
            "from": memo.from_line,
            "date": memo.memo_date.isoformat(),
            "date_label": day_words(memo.memo_date),
            "subject": memo.subject,
        },
        "state": memo.state,
        "drafted_at": memo.drafted_at.isoformat() if memo.drafted_at else None,
        "drafted_by": user_name(memo.drafted_by),
        "shared_at": memo.shared_at.isoformat() if memo.shared_at else None,
        "shared_label": moment_words(memo.shared_at),
        "shared_by": user_name(memo.shared_by),
        "sent_at": memo.sent_at.isoformat() if memo.sent_at else None,
        "sent_label": moment_words(memo.sent_at),
        "sent_by": user_name(memo.sent_by),
        "sections": sections,
        "total_minutes": sum(section["minutes"] for section in sections),
        "topic_count": len(topics),
    }


def memo_data(memo: Memo) -> dict:
    """What ``memo`` shows: its snapshot once sent (never today's data), else :func:`memo_live_data`."""
    if memo.is_sent and memo.snapshot:
        return memo.snapshot
    return memo_live_data(memo)


def memo_for_session(session: Session) -> Memo | None:
    """``session``'s memo with who drafted, shared and sent it joined (one query), or ``None``."""
    memo = (
        Memo.objects.select_related("drafted_by__person", "shared_by__person", "sent_by__person")
        .defer("snapshot")  # read when drawn: a sent memo's page is served from the cache without it
        .filter(session=session)
        .first()
    )
    if memo is not None:
        memo.session = session  # already loaded, with its series
    return memo
