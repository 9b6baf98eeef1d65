import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sessions.models import Attendee, CalendarToken, SeatRole, Series, Session, SessionState
from sessions.services import (
    calendar_token_reset,
    series_create,
    session_cancel,
    session_move,
    session_sync_budget_analysts,
)
from team.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory

NY = ZoneInfo("America/New_York")
START = datetime.date(2027, 1, 4)  # a Monday


def make(users, city, **kwargs):
    fields = {
        "name": "Series",
        "department": city["police"],
        "cadence": "weekly",
        "start_date": START,
        "start_time": datetime.time(10, 0),
        "by": users["stat_analyst"],
    }
    fields.update(kwargs)
    return series_create(**fields)


@pytest.mark.parametrize(
    ("cadence", "extra", "count"),
    [
        ("weekly", {}, 53),
        ("biweekly", {}, 27),
        ("monthly", {}, 12),
        ("every_n_weeks", {"interval_weeks": 6}, 9),
        ("rrule", {"rrule": "FREQ=MONTHLY;BYDAY=2TH"}, 12),
        ("rrule", {"rrule": "RRULE:FREQ=WEEKLY;INTERVAL=3;BYDAY=TU"}, 18),
    ],
)
def test_a_year_of_sessions_is_generated_for_each_cadence(users, city, cadence, extra, count):
    series = make(users, city, cadence=cadence, **extra)
    sessions = list(series.sessions.all())
    assert len(sessions) == count
    assert all(s.starts_at.astimezone(NY).time() == datetime.time(10, 0) for s in sessions)  # across DST too
    assert sessions[0].starts_at >= datetime.datetime(2027, 1, 4, tzinfo=NY)
    assert sessions[-1].starts_at < datetime.datetime(2028, 1, 4, tzinfo=NY)
    assert {s.state for s in sessions} == {SessionState.PLANNED}


def test_a_custom_rule_lands_on_its_days(users, city):
    series = make(users, city, cadence="rrule", rrule="FREQ=MONTHLY;BYDAY=2TH")
    days = [s.starts_at.astimezone(NY).date() for s in series.sessions.all()]
    assert all(d.weekday() == 3 and 8 <= d.day <= 14 for d in days)


def test_monthly_on_the_31st_falls_on_the_last_day_of_short_months(users, city):
    series = make(users, city, cadence="monthly", start_date=datetime.date(2027, 1, 31))
    days = [s.starts_at.astimezone(NY).date() for s in series.sessions.all()]
    assert len(days) == 12 and datetime.date(2027, 2, 28) in days


def test_reporting_period_is_the_month_before(police_series):
    first = police_series.sessions.first()
    assert (first.period_start, first.period_end) == (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))


@pytest.mark.parametrize(
    "rule", ["FREQ=FORTNIGHTLY", "BYDAY=MO", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX", "DTSTART:20270101\nFREQ=DAILY", ""]
)
def test_a_bad_rrule_is_refused_with_a_clear_message_and_nothing_written(users, city, rule):
    with pytest.raises(ValidationError) as caught:
        make(users, city, cadence="rrule", rrule=rule)
    assert "rrule" in caught.value.message_dict
    assert not Series.objects.exists() and not Session.objects.exists()


def test_every_n_weeks_needs_n(users, city):
    with pytest.raises(ValidationError) as caught:
        make(users, city, cadence="every_n_weeks")
    assert "interval_weeks" in caught.value.message_dict


@pytest.mark.parametrize("minutes", [0, 91, 120])
def test_a_duration_outside_1_to_90_minutes_is_refused(users, city, minutes):
    with pytest.raises(ValidationError) as caught:
        make(users, city, duration_minutes=minutes)
    assert "duration_minutes" in caught.value.message_dict
    assert not Series.objects.exists()


def test_ninety_minutes_is_allowed(users, city):
    assert make(users, city, duration_minutes=90).sessions.first().duration_minutes == 90


def test_move_raises_sequence_and_keeps_uid(police_series, users):
    session = police_series.sessions.first()
    uid = session.uid
    moved = session_move(
        session, starts_at=datetime.datetime(2027, 1, 5, 14, tzinfo=NY), place="Room 9", by=users["stat_analyst"]
    )
    assert (moved.sequence, moved.uid, moved.place) == (1, uid, "Room 9")
    moved = session_move(moved, starts_at=datetime.datetime(2027, 1, 6, 14, tzinfo=NY), by=users["stat_analyst"])
    assert moved.sequence == 2 and moved.place == "Room 9"


def test_move_refuses_a_naive_time(police_series, users):
    with pytest.raises(ValidationError):
        session_move(police_series.sessions.first(), starts_at=datetime.datetime(2027, 1, 5, 14), by=users["stat_lead"])


def test_cancel_keeps_the_session_and_raises_sequence(police_series, users):
    session = police_series.sessions.first()
    cancelled = session_cancel(session, by=users["principal"])
    assert cancelled.state == SessionState.CANCELLED and cancelled.cancelled_at is not None
    assert cancelled.sequence == 1
    assert Session.objects.filter(pk=session.pk).exists()
    with pytest.raises(ValidationError):
        session_cancel(cancelled, by=users["principal"])
    with pytest.raises(ValidationError):
        session_move(cancelled, starts_at=datetime.datetime(2027, 2, 1, 10, tzinfo=NY), by=users["principal"])


def test_attendees_are_added_from_roles_and_defaults(city, users):
    guest = PersonFactory(full_name="Invited Guest")
    series = make(users, city, cadence="monthly", default_attendees=[guest])
    session = series.sessions.first()
    seats = dict(session.attendees.values_list("person__user__username", "role"))
    assert seats == {
        None: SeatRole.GUEST,
        "mayor@example.gov": SeatRole.PRINCIPAL,
        "lead@example.gov": SeatRole.STAT_TEAM,
        "chief@example.gov": SeatRole.DEPARTMENT,
        "pdata@example.gov": SeatRole.DEPARTMENT,
        "budget@example.gov": SeatRole.BUDGET,  # Police is in the Public Safety portfolio
    }
    assert Attendee.objects.filter(person=guest).count() == series.sessions.count()


def test_budget_analyst_of_another_portfolio_is_not_added(city, users):
    series = make(users, city, department=city["parks"])
    usernames = set(series.sessions.first().attendees.values_list("person__user__username", flat=True))
    assert "budget@example.gov" not in usernames and "parks@example.gov" in usernames


def test_cross_department_series_has_no_department_seats(city, users):
    series = make(users, city, department=None, name="BlightStat")
    usernames = set(series.sessions.first().attendees.values_list("person__user__username", flat=True))
    assert usernames == {"mayor@example.gov", "lead@example.gov"}


def test_sync_budget_analysts_follows_portfolio_changes_before_the_meeting(police_series, city, users):
    first, second = list(police_series.sessions.all()[:2])
    first.state = SessionState.HELD
    first.save()
    newcomer = RoleAssignmentFactory(role=Role.BUDGET_ANALYST, portfolio=city["public_safety"]).person
    old = users["budget_analyst"].person.assignments.get()
    old.ends_on = timezone.localdate()
    old.save()
    for session in (first, second):
        session_sync_budget_analysts(session, by=users["stat_analyst"])
    budget_second = set(second.attendees.filter(role=SeatRole.BUDGET).values_list("person_id", flat=True))
    assert budget_second == {newcomer.pk}
    budget_first = set(first.attendees.filter(role=SeatRole.BUDGET).values_list("person_id", flat=True))
    assert budget_first == {users["budget_analyst"].person.pk}  # a held session's table is history


def test_calendar_token_reset_replaces_the_secret(users):
    person = users["police_lead"].person
    first = calendar_token_reset(person, by=users["police_lead"])
    second = calendar_token_reset(person, by=users["police_lead"])
    assert first.token != second.token and CalendarToken.objects.get().token == second.token


@pytest.mark.parametrize("who", ["police_lead", "budget_analyst", "data_expert", "parks_contact"])
def test_services_refuse_those_who_do_not_manage_sessions(police_series, users, city, who):
    session = police_series.sessions.first()
    by = users[who]
    with pytest.raises(PermissionDenied):
        make(users, city, name="Other", by=by)
    with pytest.raises(PermissionDenied):
        session_move(session, starts_at=datetime.datetime(2027, 1, 5, 14, tzinfo=NY), by=by)
    with pytest.raises(PermissionDenied):
        session_cancel(session, by=by)
    with pytest.raises(PermissionDenied):
        session_sync_budget_analysts(session, by=by)
    session.refresh_from_db()
    assert session.sequence == 0 and session.state == SessionState.PLANNED


def test_only_the_person_or_people_managers_reset_a_calendar_link(users):
    with pytest.raises(PermissionDenied):
        calendar_token_reset(users["police_lead"].person, by=users["police_contact"])
    assert calendar_token_reset(users["police_lead"].person, by=users["stat_analyst"]).token
