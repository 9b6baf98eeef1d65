"""Queries for the sessions pages and feeds."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import dateformat, timezone

from team.models import Person

from .models import (
    HELD_STATES,
    CalendarToken,
    FollowUpMemo,
    Series,
    Session,
    SessionState,
    SurveyInvitation,
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
