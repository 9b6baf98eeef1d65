"""Queries for the action items: their status on the city's date, the tracker's rows, counts and cached
aggregates, and a session's own items and agenda."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import dateformat, timezone

from .models import (
    OPEN_STATES,
    ActionItem,
    ActionItemUpdate,
    ItemState,
    ItemStatus,
    MemoSection,
    MemoTopic,
    Session,
)

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


# --- the tracker's aggregates, cached -----------------------------------------------------------------------------

#: How long the tracker's aggregates (chart counts, filter choices) are kept; any write to an action item, a session
#: or a department changes the fingerprint first, and the statuses' day is part of it.
TRACKER_CACHE_SECONDS = 10 * 60


def tracker_fingerprint() -> str:
    """What the tracker's aggregates depend on, in one query: the action items' count and newest change, the
    sessions' and departments' newest change, and today's date in the city (an item falls overdue at midnight)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM stat_sessions_actionitem),"
            " (SELECT MAX(updated_at) FROM stat_sessions_actionitem),"
            " (SELECT MAX(updated_at) FROM stat_sessions_session),"
            " (SELECT MAX(updated_at) FROM team_department)"
        )
        row = cursor.fetchone()
    return "|".join(str(part) for part in (*row, city_today()))


def tracker_cached(name: str, queryset: QuerySet[ActionItem], build, *, fingerprint: str):
    """``build()``, cached under ``name``, the SQL of ``queryset`` (the reader's scope and filters) and the data's
    ``fingerprint`` (:func:`tracker_fingerprint`): the chart of 20,000 items is counted once per change, not per
    request."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:  # a filter that matches nothing by construction (an empty choice, .none())
        sql = "nothing"
    digest = hashlib.blake2b(f"{sql}|{fingerprint}".encode(), digest_size=16).hexdigest()
    key = f"stat-tracker:{name}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TRACKER_CACHE_SECONDS)
    return value


class TrackerRows:
    """The tracker's rows as a sequence a :class:`~django.core.paginator.Paginator` slices, without sorting every
    item for each page: the items are ordered by their session (newest first), then by number, so a page is found
    by walking the sessions' counts (one cached aggregate, :func:`tracker_per_session`) and reading only the items
    of the few sessions it spans, through the (session, number) index."""

    def __init__(self, items: QuerySet[ActionItem], per_session: list[tuple[int, int]]):
        self.items = items
        self.per_session = per_session  # (session id, count), in the tracker's order
        self.total = sum(count for _, count in per_session)

    def __len__(self) -> int:
        return self.total

    def count(self) -> int:
        return self.total

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("The tracker's rows are read a page (a slice) at a time.")
        start, stop, _ = index.indices(self.total)
        if start >= stop:
            return []
        wanted: list[int] = []
        skipped, seen = 0, 0
        for session_id, count in self.per_session:
            if seen + count <= start:
                seen += count
                continue
            if seen >= stop:
                break
            if not wanted:
                skipped = start - seen
            wanted.append(session_id)
            seen += count
        return list(self.items.filter(session_id__in=wanted)[skipped : skipped + (stop - start)])


def tracker_per_session(items: QuerySet[ActionItem]) -> list[tuple[int, int]]:
    """How many of ``items`` each session has, in the tracker's order (newest session first, then by id): one
    aggregate query over the items, the sessions joined for their start."""
    rows = (
        items.order_by()
        .values("session_id", "session__starts_at")
        .annotate(n=Count("pk"))
        .values_list("session_id", "session__starts_at", "n")
    )
    ordered = sorted(rows, key=lambda row: (-row[1].timestamp(), row[0]))
    return [(session_id, count) for session_id, _, count in ordered]


@dataclass(frozen=True)
class TrackerRow:
    """One tracker row, every value ready to print (the rows are drawn by a Jinja2 partial)."""

    url: str
    label: str
    session: str
    department: str
    owner: str
    due_iso: str
    due: str
    priority: str
    status: str
    status_label: str


def _day(moment: datetime.date) -> str:
    return dateformat.format(moment, "j M Y")


def tracker_rows(items) -> list[TrackerRow]:
    """The display values of a page of :func:`tracker_items` (no query: their relations are joined)."""
    labels = dict(ItemStatus.choices)
    return [
        TrackerRow(
            url=reverse("stat_sessions:action_item", args=[item.pk]),
            label=f"{item.number}. {item.title}",
            session=f"{item.session.series.name}, {_day(timezone.localtime(item.session.starts_at))}",
            department=item.department.name,
            owner=item.owner.full_name if item.owner_id else "",
            due_iso=item.due_date.isoformat(),
            due=_day(item.due_date),
            priority=item.get_priority_display(),
            status=item.status,
            status_label=labels.get(item.status, item.status),
        )
        for item in items
    ]
