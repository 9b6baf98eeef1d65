"""Queries for the sessions pages and feeds."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import dateformat, timezone

from team.access import Actor
from team.models import Person, Role, RoleAssignment

from .access import series_readable_by, sessions_readable_by
from .models import (
    HELD_STATES,
    Attendee,
    CalendarToken,
    ChecklistItem,
    FollowUpMemo,
    MemoState,
    MemoTopic,
    Seat,
    SeatRole,
    Series,
    Session,
    SessionState,
    SurveyInvitation,
)
from .states import AHEAD_STATES


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


# --- pages ---------------------------------------------------------------------------------------------------------


def upcoming_sessions(actor: Actor, *, now: datetime.datetime | None = None, limit: int = 50) -> list[Session]:
    """The next sessions ``actor`` may read (cancelled ones too, shown as such), soonest first. One query."""
    now = now or timezone.now()
    queryset = sessions_readable_by(actor).filter(starts_at__gte=now)
    return list(queryset.select_related("series__department").order_by("starts_at", "pk")[:limit])


def series_list(actor: Actor) -> list[Series]:
    """The series ``actor`` may read, by name, each with its department and its next session's start
    (``next_starts_at``). One query."""
    ahead = Session.objects.filter(
        series=OuterRef("pk"), starts_at__gte=timezone.now(), state__in=AHEAD_STATES
    ).order_by("starts_at")
    return list(
        series_readable_by(actor)
        .select_related("department")
        .annotate(next_starts_at=Subquery(ahead.values("starts_at")[:1]))
        .order_by("name")
    )


def session_attendees(session: Session) -> list[Attendee]:
    """``session``'s attendees with their people, by role and name. One query."""
    return list(session.attendees.select_related("person").order_by("role", "person__full_name", "pk"))


def session_checklist(session: Session, *, now: datetime.datetime | None = None) -> list[ChecklistItem]:
    """``session``'s preparation steps by due date, each with ``overdue`` set (open, past due, and the session not
    cancelled). One query."""
    now = now or timezone.now()
    items = list(session.checklist.select_related("assignee", "done_by").order_by("due_at", "pk"))
    counts = session.state in AHEAD_STATES
    for item in items:
        item.overdue = counts and item.done_at is None and item.due_at < now  # type: ignore[attr-defined]
    return items


def overdue_checklist_items(*, now: datetime.datetime | None = None, limit: int = 50) -> list[ChecklistItem]:
    """Open preparation steps past due of the sessions still ahead (not cancelled, not held), oldest first, for the
    Stat team's dashboard. One query."""
    now = now or timezone.now()
    return list(
        ChecklistItem.objects.filter(done_at__isnull=True, due_at__lt=now, session__state__in=AHEAD_STATES)
        .select_related("session__series__department", "assignee")
        .order_by("due_at", "pk")[:limit]
    )


# --- the seating chart ---------------------------------------------------------------------------------------------

#: Where each role sits unless the attendee's own seat says otherwise (a department's lead: the hot seat).
ROLE_SEATS = {
    SeatRole.PRINCIPAL: Seat.HEAD,
    SeatRole.STAT_TEAM: Seat.ANALYSTS,
    SeatRole.DEPARTMENT: Seat.SUPPORT,
    SeatRole.BUDGET: Seat.TABLE,
    SeatRole.GUEST: Seat.SPECTATORS,
}
#: The seats in the order the list alternative shows them (the room from the head of the table down).
SEAT_ORDER = (Seat.HEAD, Seat.TABLE, Seat.HOT_SEAT, Seat.SUPPORT, Seat.ANALYSTS, Seat.SPECTATORS)

#: The room, in the diagram's coordinates (a 640 × 470 view box): the table, the screen, and for each seat the line
#: its people are spread along (from x1,y1 to x2,y2) and where its label goes.
TABLE = {"x": 210, "y": 95, "width": 220, "height": 180}
SCREEN = {"x": 20, "y": 140, "width": 14, "height": 100}
ROOM = {"width": 640, "height": 470, "table": TABLE, "screen": SCREEN}
SEAT_LINES: dict[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]] = {
    # seat: ((x1, y1), (x2, y2), (label x, label y))
    Seat.HEAD: ((280, 68), (360, 68), (320, 30)),
    Seat.TABLE: ((185, 120), (185, 250), (150, 100)),  # both long sides: see _table_positions
    Seat.HOT_SEAT: ((320, 305), (320, 305), (380, 310)),
    Seat.SUPPORT: ((250, 355), (390, 355), (460, 360)),
    Seat.ANALYSTS: ((585, 110), (585, 280), (585, 80)),
    Seat.SPECTATORS: ((80, 430), (560, 430), (320, 400)),
}


@dataclass(frozen=True)
class SeatedPerson:
    attendee: Attendee
    name: str
    initials: str
    role_label: str
    x: float
    y: float


@dataclass
class SeatGroup:
    seat: str
    label: str
    label_x: float
    label_y: float
    people: list[SeatedPerson] = field(default_factory=list)


def _initials(name: str) -> str:
    parts = [part for part in name.replace("-", " ").split() if part[:1].isalpha()]
    return "".join(part[0].upper() for part in (parts[:1] + parts[-1:] if len(parts) > 1 else parts)) or "?"


def _spread(count: int, start: tuple[float, float], end: tuple[float, float]) -> list[tuple[float, float]]:
    if count == 1:
        return [((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)]
    return [
        (start[0] + (end[0] - start[0]) * i / (count - 1), start[1] + (end[1] - start[1]) * i / (count - 1))
        for i in range(count)
    ]


def _table_positions(count: int) -> list[tuple[float, float]]:
    """Around the table's two long sides, alternating left and right."""
    left = (count + 1) // 2
    right = count - left
    table = TABLE
    x_left, x_right = table["x"] - 25, table["x"] + table["width"] + 25
    top, bottom = table["y"] + 25, table["y"] + table["height"] - 25
    spots = _spread(left, (x_left, top), (x_left, bottom)) if left else []
    spots_right = _spread(right, (x_right, top), (x_right, bottom)) if right else []
    ordered: list[tuple[float, float]] = []
    for i in range(max(left, right)):
        if i < len(spots):
            ordered.append(spots[i])
        if i < len(spots_right):
            ordered.append(spots_right[i])
    return ordered


def seating_chart(session: Session, attendees: list[Attendee] | None = None) -> list[SeatGroup]:
    """Every seat of the room in order, with who sits there and where the diagram draws them: an attendee's own
    seat, or the one that goes with their role (a department's lead in the hot seat, its contacts behind as support
    staff). One query for the leads (and one for the attendees unless given)."""
    attendees = session_attendees(session) if attendees is None else attendees
    lead_ids: set[int] = set()
    if session.series.department_id is not None:
        lead_ids = set(
            RoleAssignment.objects.current()
            .filter(
                role=Role.DEPARTMENT_LEAD,
                department_id=session.series.department_id,
                person_id__in=[a.person_id for a in attendees if a.role == SeatRole.DEPARTMENT and not a.seat],
            )
            .values_list("person_id", flat=True)
        )
    by_seat: dict[str, list[Attendee]] = {seat: [] for seat in SEAT_ORDER}
    for attendee in attendees:
        if attendee.seat:
            seat = attendee.seat
        elif attendee.role == SeatRole.DEPARTMENT and attendee.person_id in lead_ids:
            seat = Seat.HOT_SEAT
        else:
            seat = ROLE_SEATS[SeatRole(attendee.role)]
        by_seat[seat].append(attendee)
    groups = []
    for seat in SEAT_ORDER:
        start, end, (label_x, label_y) = SEAT_LINES[seat]
        people = by_seat[seat]
        spots = _table_positions(len(people)) if seat == Seat.TABLE else _spread(len(people), start, end)
        group = SeatGroup(seat=seat, label=Seat(seat).label, label_x=label_x, label_y=label_y)
        for attendee, (x, y) in zip(people, spots, strict=True):
            name = attendee.person.full_name
            group.people.append(
                SeatedPerson(attendee, name, _initials(name), SeatRole(attendee.role).label, round(x), round(y))
            )
        groups.append(group)
    return groups


# --- the public schedule -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicSession:
    starts_at: datetime.datetime
    series: str
    department: str
    cancelled: bool
    topics: list[str]


def public_schedule(*, now: datetime.datetime | None = None, days: int = 365) -> list[PublicSession]:
    """The published schedule: the sessions of public series from today (city time) for ``days``, with their date,
    series, department and, once the memo has been sent, its topics' titles (before that, none: no surprises for
    the department). Two queries."""
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    sessions = list(
        Session.objects.filter(
            series__public=True, starts_at__gte=start, starts_at__lt=start + datetime.timedelta(days=days)
        )
        .select_related("series__department")
        .order_by("starts_at", "pk")
    )
    topics: dict[int, list[str]] = {}
    for session_id, title in (
        MemoTopic.objects.filter(memo__session__in=[s.pk for s in sessions], memo__state=MemoState.SENT)
        .order_by("memo__session_id", "position", "pk")
        .values_list("memo__session_id", "title")
    ):
        topics.setdefault(session_id, []).append(title)
    return [
        PublicSession(
            starts_at=session.starts_at,
            series=session.series.name,
            department=session.series.department.name if session.series.department else "Several departments",
            cancelled=session.is_cancelled,
            topics=[] if session.is_cancelled else topics.get(session.pk, []),
        )
        for session in sessions
    ]


# --- after the meeting: the follow-up memo, late follow-ups, the survey -------------------------------------------


def survey_token_hash(token: str) -> str:
    """The SHA-256 of a survey token, as stored (the token itself never is). Pure."""
    return hashlib.sha256(token.encode()).hexdigest()


def survey_invitation(token: str) -> SurveyInvitation | None:
    """The invitation whose secret is ``token`` (with its session and series), or ``None``. One query."""
    return (
        SurveyInvitation.objects.select_related("session__series")
        .filter(token_hash=survey_token_hash(token or ""))
        .first()
    )


def default_reply_to(session: Session) -> str:
    """Where replies go: the series' address, else the program's contact address (empty if neither is set)."""
    return session.series.reply_to or getattr(settings, "PROGRAM_CONTACT_EMAIL", "") or ""


def date_text(moment: datetime.date) -> str:
    """ "Monday, January 4, 2027"."""
    return dateformat.format(moment, "l, F j, Y")


def time_text(moment: datetime.datetime) -> str:
    """ "10 a.m.", "2:30 p.m." (the moment already in the series' time zone)."""
    return dateformat.format(moment, "P")


def follow_up_deadline(session: Session) -> datetime.datetime:
    """When the follow-up memo is due: the series' ``follow_up_days`` after the meeting started."""
    return session.starts_at + datetime.timedelta(days=session.series.follow_up_days)


#: The heading of action items recorded under no topic.
NO_TOPIC = "Other requests"


def follow_up_contents(follow_up: FollowUpMemo) -> dict:
    """Everything the follow-up memo shows, as plain JSON data (what sending freezes into its snapshot): the header,
    the requests and commitments raised at the session grouped by topic (in the order the topics came up) and
    numbered as recorded, who was present, where replies go, the next session's date, time and place and when its
    materials are due. Three queries."""
    session = follow_up.session
    series = session.series
    zone = ZoneInfo(series.time_zone)
    held = session.starts_at.astimezone(zone)
    topics: dict[str, list[dict]] = {}
    for item in session.action_items.select_related("owner", "department").order_by("number"):
        topics.setdefault(item.topic_title.strip() or NO_TOPIC, []).append(
            {
                "number": item.number,
                "title": item.title,
                "description": item.description,
                "owner": item.owner.full_name if item.owner else "",
                "department": item.department.name,
                "due_date": item.due_date.isoformat(),
                "due_text": date_text(item.due_date),
                "priority": item.get_priority_display(),
                "deliverable": item.get_deliverable_display(),
            }
        )
    present = list(
        session.attendees.filter(attended=True)
        .order_by("person__full_name")
        .values_list("person__full_name", flat=True)
    )
    following = (
        series.sessions.filter(starts_at__gt=session.starts_at)
        .exclude(state=SessionState.CANCELLED)
        .order_by("starts_at", "pk")
        .first()
    )
    next_session = None
    if following is not None:
        starts = following.starts_at.astimezone(zone)
        due = starts - datetime.timedelta(days=series.data_due_days)
        next_session = {
            "starts_at": starts.isoformat(),
            "date_text": date_text(starts.date()),
            "time_text": time_text(starts),
            "place": following.place or series.place,
            "materials_due": due.isoformat(),
            "materials_due_text": f"{date_text(due.date())}, {time_text(due)}",
        }
    return {
        "version": 1,
        "series": series.name,
        "department": series.department.name if series.department else "",
        "session": {
            "starts_at": held.isoformat(),
            "date_text": date_text(held.date()),
            "time_text": time_text(held),
            "place": session.place or series.place,
        },
        "to": follow_up.to_line,
        "from": follow_up.from_line,
        "date": follow_up.memo_date.isoformat(),
        "date_text": date_text(follow_up.memo_date),
        "subject": follow_up.subject,
        "introduction": follow_up.introduction,
        "reply_to": follow_up.reply_to,
        "topics": [{"title": title, "items": items} for title, items in topics.items()],
        "item_count": sum(len(items) for items in topics.values()),
        "present": present,
        "next_session": next_session,
    }


def follow_up_shown(follow_up: FollowUpMemo) -> dict:
    """What the follow-up page and PDF show: the snapshot of a sent memo (never today's data), else the draft as it
    reads now."""
    if follow_up.is_sent and follow_up.snapshot:
        return follow_up.snapshot
    return follow_up_contents(follow_up)


@dataclass(frozen=True)
class LateFollowUp:
    session_id: int
    series: str
    department: str
    held_on: str
    due_text: str
    days_late: int
    drafted: bool
    marked_held: bool


#: How far back the late panel looks: older sessions are history, not a to-do.
LATE_LOOKBACK_DAYS = 365


def late_follow_ups(now: datetime.datetime | None = None) -> list[LateFollowUp]:
    """Sessions whose follow-up memo has not gone out within their series' ``follow_up_days`` after the meeting
    (not cancelled, started within the last year), oldest first. One query."""
    now = now or timezone.now()
    candidates = (
        Session.objects.filter(
            starts_at__lte=now - datetime.timedelta(days=1),
            starts_at__gte=now - datetime.timedelta(days=LATE_LOOKBACK_DAYS),
        )
        .exclude(state__in=[SessionState.FOLLOW_UP_SENT, SessionState.CANCELLED])
        .select_related("series__department", "follow_up")
        .order_by("starts_at", "pk")
    )
    late = []
    for session in candidates:
        deadline = follow_up_deadline(session)
        if deadline >= now:
            continue
        zone = ZoneInfo(session.series.time_zone)
        late.append(
            LateFollowUp(
                session_id=session.pk,
                series=session.series.name,
                department=session.series.department.name if session.series.department else "",
                held_on=date_text(session.starts_at.astimezone(zone).date()),
                due_text=date_text(deadline.astimezone(zone).date()),
                days_late=(now - deadline).days,
                drafted=hasattr(session, "follow_up"),
                marked_held=session.state in HELD_STATES,
            )
        )
    return late
