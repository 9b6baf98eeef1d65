"""Calendar feeds (RFC 5545) built with ``icalendar``: one per series, one per person. Each session is one VEVENT
whose UID never changes, whose SEQUENCE rises with every move or cancellation, with its times in the series' zone
(TZID, and a VTIMEZONE for every zone used); a cancelled session stays in the feed as STATUS:CANCELLED."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from .models import Session, SessionState

PRODID = "-//statprogram//Stat sessions//EN"
UID_DOMAIN = "statprogram"


def session_uid(session: Session) -> str:
    return f"{session.uid}@{UID_DOMAIN}"


def session_event(session: Session) -> Event:
    zone = ZoneInfo(session.series.time_zone)
    starts = session.starts_at.astimezone(zone)
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", starts)
    event.add("dtend", starts + datetime.timedelta(minutes=session.duration_minutes))
    event.add("sequence", session.sequence)
    event.add("summary", session.series.name)
    if session.place:
        event.add("location", session.place)
    if session.period_start and session.period_end:
        event.add("description", f"Reporting period {session.period_start:%Y-%m-%d} to {session.period_end:%Y-%m-%d}")
    event.add("status", "CANCELLED" if session.state == SessionState.CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def calendar_of(sessions: Iterable[Session], *, name: str) -> bytes:
    """The feed of ``sessions`` (their series loaded), named ``name`` in the calendar app."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    earliest = None
    for session in sessions:
        calendar.add_component(session_event(session))
        earliest = session.starts_at if earliest is None else min(earliest, session.starts_at)
    if earliest is not None:
        # A VTIMEZONE per TZID used, its rules from a little before the first session on.
        calendar.add_missing_timezones(first_date=(earliest - datetime.timedelta(days=366)).date())
    return calendar.to_ical()
