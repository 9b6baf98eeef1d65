"""Every change to Stat series and sessions. Each function takes the acting user (``by``; ``None`` is the system)
and enforces :mod:`sessions.access` itself."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as rr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from team.access import enforce
from team.models import PORTFOLIO_ROLES, Department, Person, Role, RoleAssignment

from ..access import MANAGE_ONLY, TOKEN_REFUSED, can_manage_sessions, can_reset_calendar_token
from ..models import (
    HELD_STATES,
    Attendee,
    Cadence,
    CalendarToken,
    SeatRole,
    Series,
    Session,
    SessionState,
    new_calendar_secret,
)
from ..states import AHEAD_STATES
from .checklist import checklist_create_standard, checklist_reschedule, checklist_reschedule_series

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: How far ahead a new series books its sessions (the guide: calendar holds a year ahead).
HORIZON_DAYS = 365
#: The years a session may be held in (a date far outside them is a typing mistake, and would overflow).
FIRST_YEAR, LAST_YEAR = 2000, 2100
#: An RRULE may repeat at most daily: a meeting series cannot be hourly.
RRULE_FREQUENCY = re.compile(r"(?:^|;)FREQ=(YEARLY|MONTHLY|WEEKLY|DAILY)(?:;|$)")
RRULE_FORBIDDEN = ("DTSTART", "\n", "\r", "RDATE", "EXDATE")


def _validate_rrule(text: str) -> str:
    rule = text.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    rule = rule.upper()
    if not rule:
        raise ValidationError({"rrule": "A custom cadence needs an RRULE, for example FREQ=MONTHLY;BYDAY=2TH."})
    if any(part in rule for part in RRULE_FORBIDDEN):
        raise ValidationError(
            {"rrule": "Give one RRULE line only (no DTSTART, RDATE or EXDATE): the series sets them."}
        )
    if not RRULE_FREQUENCY.search(rule):
        raise ValidationError({"rrule": "The RRULE needs FREQ=YEARLY, MONTHLY, WEEKLY or DAILY."})
    try:
        rr.rrulestr(rule, dtstart=datetime.datetime(2000, 1, 1))  # noqa: DTZ001 -- expanded in local wall time
    except (ValueError, TypeError) as exc:
        raise ValidationError({"rrule": f"This is not a valid RFC 5545 RRULE: {exc}."}) from exc
    return rule


def _rule(series: Series, dtstart: datetime.datetime) -> rr.rrule:
    if series.cadence == Cadence.WEEKLY:
        return rr.rrule(rr.WEEKLY, dtstart=dtstart)
    if series.cadence == Cadence.BIWEEKLY:
        return rr.rrule(rr.WEEKLY, interval=2, dtstart=dtstart)
    if series.cadence == Cadence.MONTHLY:
        # The same day of the month; on the 29th-31st, the last day of shorter months rather than skipping them.
        day = dtstart.day
        return rr.rrule(rr.MONTHLY, bymonthday=(day,) if day <= 28 else (-1,), dtstart=dtstart)
    if series.cadence == Cadence.EVERY_N_WEEKS:
        return rr.rrule(rr.WEEKLY, interval=series.interval_weeks or 1, dtstart=dtstart)
    rule = rr.rrulestr(series.rrule, dtstart=dtstart)
    assert isinstance(rule, rr.rrule)  # one RRULE line, never a set (checked by _validate_rrule)
    return rule


def occurrences(series: Series, start_date: datetime.date) -> list[datetime.datetime]:
    """The aware start times of ``series``'s sessions from ``start_date`` for :data:`HORIZON_DAYS` days, in the
    series' time zone (a meeting at 10:00 stays at 10:00 across daylight saving)."""
    zone = ZoneInfo(series.time_zone)
    dtstart = datetime.datetime.combine(start_date, series.start_time)
    until = dtstart + datetime.timedelta(days=HORIZON_DAYS)
    naive = _rule(series, dtstart).between(dtstart, until, inc=True)
    return [moment.replace(tzinfo=zone) for moment in naive if moment < until]


def reporting_period(starts_at: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The period a session reviews by default: the calendar month before the one it is held in."""
    first_of_month = starts_at.date().replace(day=1)
    end = first_of_month - datetime.timedelta(days=1)
    return end.replace(day=1), end


def _validated_series(series: Series) -> None:
    errors: dict[str, list[str]] = {}
    try:
        ZoneInfo(series.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["time_zone"] = [f"Unknown time zone {series.time_zone!r}."]
    if series.cadence == Cadence.EVERY_N_WEEKS and not series.interval_weeks:
        errors["interval_weeks"] = ["Say every how many weeks the series meets."]
    if series.cadence == Cadence.RRULE:
        try:
            series.rrule = _validate_rrule(series.rrule)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        series.full_clean(exclude=["default_attendees"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def series_create(
    *,
    name: str,
    department: Department | None,
    cadence: str,
    start_date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int = 60,
    place: str = "",
    interval_weeks: int | None = None,
    rrule: str = "",
    time_zone: str | None = None,
    default_attendees: Iterable[Person] = (),
    by: User | None,
    **settings: object,
) -> Series:
    """A new series and its sessions for a year from ``start_date``, each with its attendees and its preparation
    checklist. ``settings`` are the series' other fields (:data:`SETTING_FIELDS`: public, no surprises, the
    checklist's offsets, the reply address). Bad input raises :class:`ValidationError` naming the field and nothing
    is written."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    unknown = set(settings) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"series_create() got unexpected fields: {', '.join(sorted(unknown))}")
    series = Series(
        name=name,
        department=department,
        cadence=cadence,
        interval_weeks=interval_weeks,
        rrule=rrule,
        place=place,
        start_time=start_time,
        duration_minutes=duration_minutes,
        created_by=by,
        **settings,
    )
    if time_zone:
        series.time_zone = time_zone
    _validated_series(series)
    if not FIRST_YEAR <= start_date.year <= LAST_YEAR:
        raise ValidationError({"start_date": f"Give a first meeting between {FIRST_YEAR} and {LAST_YEAR}."})
    moments = occurrences(series, start_date)
    if not moments:
        raise ValidationError({"rrule": "This cadence has no meeting in the year from the start date."})
    with transaction.atomic():
        series.save()
        attendees = list(default_attendees)
        series.default_attendees.set(attendees)
        sessions = []
        for moment in moments:
            period_start, period_end = reporting_period(moment)
            sessions.append(
                Session(
                    series=series,
                    starts_at=moment,
                    duration_minutes=series.duration_minutes,
                    place=series.place,
                    period_start=period_start,
                    period_end=period_end,
                )
            )
        Session.objects.bulk_create(sessions)
        seats = _seats_for(series, attendees)
        Attendee.objects.bulk_create(
            Attendee(session=session, person_id=person_id, role=role, automatic=automatic)
            for session in sessions
            for person_id, (role, automatic) in seats.items()
        )
        checklist_create_standard(series=series, sessions=sessions, by=by)
    return series


#: The fields of a series that change nothing about when its sessions are (:func:`series_update` changes them).
SETTING_FIELDS = (
    "public",
    "no_surprises",
    "data_request_days",
    "data_due_days",
    "memo_draft_days",
    "memo_send_hours",
    "follow_up_days",
    "reply_to",
)
#: What :func:`series_update` may change: the settings, and the defaults its future sessions take.
UPDATABLE_FIELDS = ("name", "place", "duration_minutes", *SETTING_FIELDS)


def series_update(
    series: Series,
    *,
    by: User | None,
    default_attendees: Iterable[Person] | None = None,
    **fields: object,
) -> Series:
    """Change ``series``'s name, default place and duration, and its settings (:data:`UPDATABLE_FIELDS`); its
    cadence stays (its sessions are booked: move or cancel them one by one).

    Guarantees: a new place or duration applies to the sessions still ahead (not held, not cancelled; their
    SEQUENCE rises); a new checklist offset moves their open items; new default attendees join them, and those taken
    off the defaults leave them when they sit there as invited guests (not those at the table for their role).
    Bad input raises :class:`ValidationError` and nothing is written."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"series_update() got unexpected fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        before = {name: getattr(locked, name) for name in UPDATABLE_FIELDS}
        for name, value in fields.items():
            setattr(locked, name, value)
        _validated_series(locked)
        changed = [name for name in UPDATABLE_FIELDS if getattr(locked, name) != before[name]]
        if changed:
            locked.save(update_fields=changed)
        ahead = Session.objects.filter(series=locked, starts_at__gt=timezone.now(), state__in=AHEAD_STATES)
        session_changes = {name: getattr(locked, name) for name in ("place", "duration_minutes") if name in changed}
        if session_changes:
            ahead.update(**session_changes, sequence=F("sequence") + 1, updated_at=timezone.now())
        if {"data_request_days", "data_due_days", "memo_draft_days", "memo_send_hours"} & set(changed):
            checklist_reschedule_series(series=locked, by=by)
        if default_attendees is not None:
            _set_default_attendees(locked, list(default_attendees), ahead)
    series.refresh_from_db()
    return series


def _invited_roles(person_ids: Iterable[int]) -> dict[int, str]:
    """The seat role of each person invited by hand to a series (its default attendees): the Stat team's seat for
    the program's analysts (the analysts' seats of the chart), a guest's for everyone else. One query."""
    person_ids = list(person_ids)
    analysts = set(
        RoleAssignment.objects.current()
        .filter(person_id__in=person_ids, role=Role.STAT_ANALYST)
        .values_list("person_id", flat=True)
    )
    return {pk: SeatRole.STAT_TEAM if pk in analysts else SeatRole.GUEST for pk in person_ids}


def _set_default_attendees(series: Series, people: list[Person], ahead) -> None:
    before = set(series.default_attendees.values_list("pk", flat=True))
    wanted = {person.pk for person in people}
    series.default_attendees.set(people)
    ahead_ids = list(ahead.values_list("pk", flat=True))
    present = set(Attendee.objects.filter(session_id__in=ahead_ids).values_list("session_id", "person_id"))
    roles = _invited_roles(wanted - before)
    Attendee.objects.bulk_create(
        Attendee(session_id=session_id, person_id=person_id, role=roles[person_id])
        for session_id in ahead_ids
        for person_id in sorted(wanted - before)
        if (session_id, person_id) not in present
    )
    leaving = before - wanted
    if leaving:
        Attendee.objects.filter(
            session_id__in=ahead_ids,
            person_id__in=leaving,
            role__in=[SeatRole.GUEST, SeatRole.STAT_TEAM],
            automatic=False,
        ).delete()


def _seats_for(series: Series, default_attendees: Iterable[Person]) -> dict[int, tuple[str, bool]]:
    """Who sits at every session of ``series``: person id → (seat role, added from their role?). The series'
    default attendees, the principal and Stat lead, the department's lead and contacts, and the budget analysts
    whose portfolio covers the department (an analyst invited sits with the Stat team). Three queries."""
    invited = [person.pk for person in default_attendees]
    roles = _invited_roles(invited)
    seats: dict[int, tuple[str, bool]] = {pk: (roles[pk], False) for pk in invited}
    current = RoleAssignment.objects.current().filter(person__active=True)
    for person_id, role in current.filter(role__in=[Role.PRINCIPAL, Role.STAT_LEAD]).values_list("person_id", "role"):
        seats.setdefault(person_id, (SeatRole.PRINCIPAL if role == Role.PRINCIPAL else SeatRole.STAT_TEAM, True))
    if series.department_id:
        department_people = current.filter(
            role__in=[Role.DEPARTMENT_LEAD, Role.DEPARTMENT_CONTACT], department_id=series.department_id
        ).values_list("person_id", flat=True)
        for person_id in department_people:
            seats.setdefault(person_id, (SeatRole.DEPARTMENT, True))
        for person_id in _budget_analyst_ids(series):
            seats.setdefault(person_id, (SeatRole.BUDGET, True))
    return seats


def _budget_analyst_ids(series: Series) -> set[int]:
    """The people holding a portfolio role today for the portfolio of ``series``'s department (one query)."""
    if series.department_id is None:
        return set()
    return set(
        RoleAssignment.objects.current()
        .filter(
            person__active=True,
            role__in=sorted(PORTFOLIO_ROLES),
            portfolio__isnull=False,
            portfolio__departments=series.department_id,
        )
        .values_list("person_id", flat=True)
    )


def _locked(session: Session) -> Session:
    return Session.objects.select_for_update().select_related("series").get(pk=session.pk)


def session_move(
    session: Session, *, starts_at: datetime.datetime, place: str | None = None, by: User | None
) -> Session:
    """Move ``session`` to ``starts_at`` (and ``place``, if given); its SEQUENCE rises so calendars update the
    event. A cancelled or held session is not moved."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "Give the new time with its time zone."})
    if not FIRST_YEAR <= starts_at.year <= LAST_YEAR:
        raise ValidationError({"starts_at": f"Give a time between {FIRST_YEAR} and {LAST_YEAR}."})
    with transaction.atomic():
        locked = _locked(session)
        if locked.state == SessionState.CANCELLED:
            raise ValidationError("A cancelled session cannot be moved.")
        if locked.state in HELD_STATES:
            raise ValidationError("A session that has been held cannot be moved.")
        locked.starts_at = starts_at
        if place is not None:
            locked.place = place
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["starts_at", "place", "sequence", "updated_at"])
        locked.refresh_from_db()
        checklist_reschedule(locked, by=by)
    return locked


def session_cancel(session: Session, *, by: User | None) -> Session:
    """Cancel ``session``: it stays (calendars show STATUS:CANCELLED), with the time it was cancelled, and its
    SEQUENCE rises. A held session is not cancelled; cancelling twice is refused."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked(session)
        if locked.state == SessionState.CANCELLED:
            raise ValidationError("This session is already cancelled.")
        if locked.state in HELD_STATES:
            raise ValidationError("A session that has been held cannot be cancelled.")
        locked.state = SessionState.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.sequence = F("sequence") + 1
        locked.save(update_fields=["state", "cancelled_at", "sequence", "updated_at"])
    locked.refresh_from_db()
    return locked


def session_sync_budget_analysts(session: Session, *, by: User | None) -> Session:
    """Bring the budget analysts at ``session``'s table in line with today's portfolio assignments: add those whose
    portfolio covers the department, drop those added automatically who no longer cover it. Only for a session
    still ahead (not held, not cancelled); someone invited by hand stays."""
    enforce(by, can_manage_sessions, MANAGE_ONLY)
    with transaction.atomic():
        locked = _locked(session)
        if locked.state in HELD_STATES or locked.state == SessionState.CANCELLED:
            return locked
        wanted = _budget_analyst_ids(locked.series)
        present = dict(locked.attendees.values_list("person_id", "automatic"))
        Attendee.objects.bulk_create(
            Attendee(session=locked, person_id=person_id, role=SeatRole.BUDGET, automatic=True)
            for person_id in sorted(wanted - present.keys())
        )
        locked.attendees.filter(role=SeatRole.BUDGET, automatic=True).exclude(person_id__in=wanted).delete()
    return locked


def calendar_token_of(person: Person, *, by: User | None) -> CalendarToken:
    """``person``'s calendar token, made on first use."""
    enforce(by, lambda actor: can_reset_calendar_token(actor, person), TOKEN_REFUSED)
    token, _ = CalendarToken.objects.get_or_create(person=person)
    return token


def calendar_token_reset(person: Person, *, by: User | None) -> CalendarToken:
    """A new secret for ``person``'s calendar URL: the old URL answers 404 from now on."""
    enforce(by, lambda actor: can_reset_calendar_token(actor, person), TOKEN_REFUSED)
    token, _ = CalendarToken.objects.update_or_create(person=person, defaults={"token": new_calendar_secret()})
    return token
