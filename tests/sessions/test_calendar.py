import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from sessions.services import calendar_token_of, calendar_token_reset, series_create, session_cancel, session_move

NY = ZoneInfo("America/New_York")


def feed_url(series):
    return reverse("stat_sessions:series_calendar", args=[series.pk])


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return calendar, list(calendar.walk("VEVENT"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("principal", 200),
        ("stat_lead", 200),
        ("stat_analyst", 200),
        ("police_lead", 200),
        ("police_contact", 200),
        ("budget_analyst", 200),  # Police is in their portfolio
        ("parks_contact", 404),
        ("data_expert", 404),
        ("anonymous", 404),
    ],
)
def test_series_feed_is_read_by_those_who_read_the_series(police_series, as_persona, persona, status):
    assert as_persona(persona).get(feed_url(police_series)).status_code == status


def test_budget_analyst_of_another_portfolio_gets_404(city, users, as_persona):
    parks = series_create(
        name="ParksStat",
        department=city["parks"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(9, 0),
        by=users["stat_lead"],
    )
    assert as_persona("budget_analyst").get(feed_url(parks)).status_code == 404
    assert as_persona("parks_contact").get(feed_url(parks)).status_code == 200


def test_cross_department_series_is_the_stat_teams(users, as_persona):
    blight = series_create(
        name="BlightStat",
        department=None,
        cadence="biweekly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(9, 0),
        by=users["stat_lead"],
    )
    assert as_persona("stat_analyst").get(feed_url(blight)).status_code == 200
    for persona in ("police_lead", "budget_analyst", "parks_contact"):
        assert as_persona(persona).get(feed_url(blight)).status_code == 404


def test_unknown_series_404(police_series, as_persona):
    assert as_persona("stat_lead").get(reverse("stat_sessions:series_calendar", args=[999999])).status_code == 404


def test_series_feed_is_valid_and_tracks_changes(police_series, users, as_persona):
    client = as_persona("stat_analyst")
    calendar, before = events(client.get(feed_url(police_series)))
    assert len(before) == 12
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    first = before[0]
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY"):
        assert prop in first
    assert first["DTSTART"].params["TZID"] == "America/New_York"
    assert first.decoded("DTSTART") == datetime.datetime(2027, 1, 4, 10, tzinfo=NY)
    assert first.decoded("DTEND") - first.decoded("DTSTART") == datetime.timedelta(minutes=90)
    assert first["SEQUENCE"] == 0 and first["STATUS"] == "CONFIRMED"
    assert b"TZID=America/New_York:20270104T100000" in client.get(feed_url(police_series)).content

    sessions = list(police_series.sessions.all())
    session_move(sessions[0], starts_at=datetime.datetime(2027, 1, 6, 15, tzinfo=NY), by=users["stat_analyst"])
    session_cancel(sessions[1], by=users["stat_analyst"])
    _, after = events(client.get(feed_url(police_series)))
    assert [str(e["UID"]) for e in after] == [str(e["UID"]) for e in before]  # stable, cancelled one kept
    moved, cancelled = after[0], after[1]
    assert moved["SEQUENCE"] == 1 and moved.decoded("DTSTART") == datetime.datetime(2027, 1, 6, 15, tzinfo=NY)
    assert cancelled["SEQUENCE"] == 1 and cancelled["STATUS"] == "CANCELLED"
    assert all(e["SEQUENCE"] == 0 for e in after[2:])


def test_personal_feed_lists_only_that_persons_sessions_and_needs_no_login(city, police_series, users, client):
    parks = series_create(
        name="ParksStat",
        department=city["parks"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(9, 0),
        by=users["stat_lead"],
    )
    person = users["police_lead"].person
    token = calendar_token_of(person, by=users["police_lead"]).token
    _, mine = events(client.get(reverse("stat_sessions:personal_calendar", args=[token])))
    police_uids = {f"{s.uid}@statprogram" for s in police_series.sessions.all()}
    assert {str(e["UID"]) for e in mine} == police_uids
    assert not police_uids & {f"{s.uid}@statprogram" for s in parks.sessions.all()}

    lead = users["stat_lead"].person  # at both tables
    lead_token = calendar_token_of(lead, by=users["stat_lead"]).token
    _, theirs = events(client.get(reverse("stat_sessions:personal_calendar", args=[lead_token])))
    assert len(theirs) == 24


def test_reset_token_kills_the_old_url(police_series, users, client):
    person = users["police_lead"].person
    old = calendar_token_of(person, by=users["police_lead"]).token
    assert client.get(reverse("stat_sessions:personal_calendar", args=[old])).status_code == 200
    new = calendar_token_reset(person, by=users["police_lead"]).token
    assert client.get(reverse("stat_sessions:personal_calendar", args=[old])).status_code == 404
    assert client.get(reverse("stat_sessions:personal_calendar", args=[new])).status_code == 200


def test_unknown_or_inactive_token_404(police_series, users, client):
    assert client.get(reverse("stat_sessions:personal_calendar", args=["nope"])).status_code == 404
    person = users["police_lead"].person
    token = calendar_token_of(person, by=None).token
    person.active = False
    person.save()
    assert client.get(reverse("stat_sessions:personal_calendar", args=[token])).status_code == 404
