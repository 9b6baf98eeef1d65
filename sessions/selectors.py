"""Queries for the sessions pages and feeds."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from team.models import Person

from .models import (
    OPEN_STATES,
    ActionItem,
    ActionItemUpdate,
    CalendarToken,
    ItemState,
    ItemStatus,
    MemoSection,
    MemoTopic,
    Series,
    Session,
)


def series_sessions(series: Series) -> QuerySet[Session]:
    """Every session of ``series``, cancelled ones too, in order, with the series loaded."""
    return series.sessions.select_related("series").order_by("starts_at", "pk")


def person_for_calendar_token(token: str) -> Person | None:
    """The active person whose calendar URL carries ``token``, or ``None``."""
    found = CalendarToken.objects.select_related("person").filter(token=token, person__active=True).first()
    return found.person if found is not None else None


def person_sessions(person: Person) -> QuerySet[Session]:
    """Every session ``person`` is at the table of, cancelled ones too, in order."""
    return Session.objects.filter(attendees__person=person).select_related("series").order_by("starts_at", "pk")


# --- action items ----------------------------------------------------------------------------------------------------


def display_status(today: datetime.date) -> Case:
    """Each action item's status as the guide names it (:class:`ItemStatus`), in SQL: an incomplete item is overdue
    once its due date is before ``today`` (the city's date: an item due today is not overdue); every other state
    is shown as stored."""
    return Case(
        When(state=ItemState.INCOMPLETE, due_date__lt=today, then=Value(ItemStatus.OVERDUE.value)),
        When(state=ItemState.INCOMPLETE, then=Value(ItemStatus.NOT_YET_DUE.value)),
        default=F("state"),
        output_field=CharField(),
    )


def status_q(status: str, today: datetime.date | None = None) -> Q:
    """The items in ``status`` (one of :class:`ItemStatus`), as a condition on the stored columns: the same rule as
    :func:`display_status`, said so the state and due-date indexes serve it."""
    if status == ItemStatus.OVERDUE:
        return Q(state=ItemState.INCOMPLETE, due_date__lt=today or city_today())
    if status == ItemStatus.NOT_YET_DUE:
        return Q(state=ItemState.INCOMPLETE, due_date__gte=today or city_today())
    return Q(state=status)


def city_today() -> datetime.date:
    """Today in the city's time zone (``settings.TIME_ZONE``)."""
    return timezone.localdate(timezone.now(), ZoneInfo(settings.TIME_ZONE))


def status_of(item: ActionItem, today: datetime.date | None = None) -> ItemStatus:
    """:func:`display_status` for one item in memory (the same rule)."""
    if item.state == ItemState.INCOMPLETE:
        return ItemStatus.OVERDUE if item.due_date < (today or city_today()) else ItemStatus.NOT_YET_DUE
    return ItemStatus(item.state)


def action_items_with_status(queryset: QuerySet[ActionItem], today: datetime.date | None = None):
    """``queryset`` annotated with ``status`` (:func:`display_status`), which filters and groups like a column."""
    return queryset.annotate(status=display_status(today or city_today()))


def tracker_items(queryset: QuerySet[ActionItem], today: datetime.date | None = None) -> QuerySet[ActionItem]:
    """The tracker's rows: ``queryset`` with its status, department, owner and session (with its series) in the same
    query, newest sessions first."""
    return (
        action_items_with_status(queryset, today)
        .select_related("department", "owner", "session__series")
        .order_by("-session__starts_at", "session_id", "number")
    )


@dataclass(frozen=True)
class DepartmentStatusCounts:
    department: str
    counts: dict[str, int]

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def status_counts_by_department(
    queryset: QuerySet[ActionItem], today: datetime.date | None = None
) -> list[DepartmentStatusCounts]:
    """How many of ``queryset``'s items each department has in each status (one aggregate query), departments by
    name."""
    rows = (
        action_items_with_status(queryset.order_by(), today)
        .values("department__name", "status")
        .annotate(n=Count("pk"))
        .order_by("department__name", "status")
    )
    by_department: dict[str, dict[str, int]] = {}
    for row in rows:
        by_department.setdefault(row["department__name"], {})[row["status"]] = row["n"]
    return [DepartmentStatusCounts(department=name, counts=counts) for name, counts in by_department.items()]


def open_action_items_before(session: Session) -> QuerySet[ActionItem]:
    """The items still owed from the earlier sessions of ``session``'s series (incomplete, under review or on hold),
    for the next memo's Follow-up section: oldest session first, each with its status, department and owner."""
    return tracker_items(
        ActionItem.objects.filter(
            session__series_id=session.series_id,
            session__starts_at__lt=session.starts_at,
            state__in=sorted(OPEN_STATES),
        )
    ).order_by("session__starts_at", "session_id", "number")


def action_item_history(item: ActionItem) -> QuerySet[ActionItemUpdate]:
    """``item``'s updates and those of the items merged into it, oldest first (one query)."""
    return (
        ActionItemUpdate.objects.filter(Q(item=item) | Q(item__merged_into=item))
        .select_related("item__session__series")
        .order_by("at", "pk")
    )


def session_action_items(session: Session, queryset: QuerySet[ActionItem] | None = None) -> QuerySet[ActionItem]:
    """The items recorded at ``session`` (of ``queryset``: those a reader may read), in their numbered order, with
    their status."""
    items = ActionItem.objects.all() if queryset is None else queryset
    return tracker_items(items.filter(session=session)).order_by("number")


def agenda_topics(session: Session) -> list[MemoTopic]:
    """The topics of ``session``'s memo in the order they are taken (Follow-up, Standing items, New items; each by
    position), or none when it has no memo yet."""
    section_order = Case(
        *(When(section=section, then=Value(index)) for index, section in enumerate(MemoSection.values)),
        default=Value(len(MemoSection.values)),
        output_field=IntegerField(),
    )
    return list(
        MemoTopic.objects.filter(memo__session=session)
        .annotate(section_order=section_order)
        .order_by("section_order", "position", "pk")
    )


def tracker_owner_choices(queryset: QuerySet[ActionItem]) -> list[tuple[int, str]]:
    """The people who own any of ``queryset``'s items, by name, as (id, name) options (one query)."""
    rows = queryset.filter(owner__isnull=False).order_by().values_list("owner_id", "owner__full_name").distinct()
    return sorted(rows, key=lambda row: (row[1].casefold(), row[0]))


def tracker_session_choices(queryset: QuerySet[ActionItem]) -> list[tuple[int, str]]:
    """The sessions ``queryset``'s items were recorded at, newest first, as (id, "Series, date") options (one
    query)."""
    rows = queryset.order_by().values_list("session_id", "session__series__name", "session__starts_at").distinct()
    ordered = sorted(rows, key=lambda row: (row[2], row[0]), reverse=True)
    return [(pk, f"{name}, {timezone.localtime(starts_at):%-d %b %Y}") for pk, name, starts_at in ordered]
