"""The sessions index, the series form (create and edit) and a series' page, per role."""

import pytest
from django.urls import reverse

from sessions.models import ChecklistItem, Series, Session

READERS = ["principal", "stat_lead", "stat_analyst", "police_lead", "police_contact", "budget_analyst"]
MANAGERS = ["principal", "stat_lead", "stat_analyst"]
READ_ONLY = ["police_lead", "police_contact", "budget_analyst"]
OUTSIDERS = ["parks_contact", "data_expert"]


def create_data(city, **extra):
    data = {
        "name": "FireStat",
        "department": city["fire"].pk,
        "cadence": "every_n_weeks",
        "interval_weeks": "6",
        "rrule": "",
        "start_date": "2027-02-01",
        "start_time": "09:30",
        "time_zone": "America/New_York",
        "duration_minutes": "75",
        "place": "Fire HQ",
        "public": "on",
        "data_request_days": "10",
        "data_due_days": "5",
        "memo_draft_days": "3",
        "memo_send_hours": "72",
        "follow_up_days": "2",
        "reply_to": "stat@example.gov",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("persona", READERS)
def test_index_lists_upcoming_sessions_and_series_for_readers(police_series, as_persona, persona):
    response = as_persona(persona).get(reverse("stat_sessions:index"))
    assert response.status_code == 200
    assert "PoliceStat" in response.content.decode()
    assert ("New series" in response.content.decode()) == (persona in MANAGERS)


def test_index_is_403_for_those_who_read_no_session(police_series, as_persona):
    assert as_persona("data_expert").get(reverse("stat_sessions:index")).status_code == 403


def test_index_shows_another_department_nothing_of_police(police_series, as_persona):
    response = as_persona("parks_contact").get(reverse("stat_sessions:index"))
    assert response.status_code == 200 and "PoliceStat" not in response.content.decode()


def test_index_sends_anonymous_visitors_to_sign_in(as_persona):
    response = as_persona("anonymous").get(reverse("stat_sessions:index"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_index_rejects_post(as_persona):
    assert as_persona("stat_lead").post(reverse("stat_sessions:index")).status_code == 405


def test_navigation_shows_stat_sessions_to_readers_only(police_series, as_persona):
    assert b'href="/sessions/"' in as_persona("police_contact").get("/dashboard/").content
    assert b'href="/sessions/"' not in as_persona("data_expert").get("/dashboard/").content
    public = as_persona("anonymous").get("/").content
    assert b'href="/public/sessions/"' in public


@pytest.mark.parametrize("persona", MANAGERS)
def test_stat_team_creates_a_series_with_its_year_of_sessions_and_checklists(city, users, as_persona, persona):
    client = as_persona(persona)
    assert client.get(reverse("stat_sessions:series_create")).status_code == 200
    response = client.post(reverse("stat_sessions:series_create"), create_data(city))
    series = Series.objects.get(name="FireStat")
    assert response.status_code == 302 and response["Location"] == reverse("stat_sessions:series", args=[series.pk])
    assert series.public and series.memo_send_hours == 72 and series.reply_to == "stat@example.gov"
    assert series.sessions.count() == 9  # every six weeks for a year
    assert ChecklistItem.objects.filter(session__series=series).count() == 4 * 9
    assert series.created_by == users[persona]


@pytest.mark.parametrize("persona", READ_ONLY + OUTSIDERS)
def test_others_may_not_create_a_series(city, as_persona, persona):
    client = as_persona(persona)
    assert client.get(reverse("stat_sessions:series_create")).status_code == 403
    assert client.post(reverse("stat_sessions:series_create"), create_data(city)).status_code == 403
    assert not Series.objects.exists()


def test_series_form_shows_service_errors_beside_the_field(city, as_persona):
    response = as_persona("stat_lead").post(
        reverse("stat_sessions:series_create"), create_data(city, cadence="rrule", rrule="FREQ=HOURLY")
    )
    assert response.status_code == 200
    assert "The RRULE needs FREQ" in response.content.decode()
    assert not Series.objects.exists()


def test_series_form_refuses_a_memo_sent_less_than_48_hours_before(city, as_persona):
    response = as_persona("stat_lead").post(
        reverse("stat_sessions:series_create"), create_data(city, memo_send_hours="24")
    )
    assert response.status_code == 200 and not Series.objects.exists()


def test_series_create_rejects_other_methods(as_persona):
    assert as_persona("stat_lead").put(reverse("stat_sessions:series_create")).status_code == 405


def edit_data(series, **extra):
    data = {
        "name": series.name,
        "duration_minutes": "60",
        "place": "City Hall, room 300",
        "no_surprises": "on",
        "data_request_days": "21",
        "data_due_days": "7",
        "memo_draft_days": "4",
        "memo_send_hours": "48",
        "follow_up_days": "3",
        "reply_to": "",
    }
    data.update(extra)
    return data


def test_stat_team_edits_a_series_and_the_sessions_ahead_follow(police_series, users, as_persona):
    url = reverse("stat_sessions:series_edit", args=[police_series.pk])
    client = as_persona("stat_analyst")
    assert client.get(url).status_code == 200
    guest = users["data_expert"].person
    response = client.post(url, edit_data(police_series, default_attendees=[guest.pk]))
    assert response.status_code == 302
    police_series.refresh_from_db()
    assert police_series.no_surprises and police_series.data_request_days == 21 and police_series.follow_up_days == 3
    session = police_series.sessions.first()
    assert session.place == "City Hall, room 300" and session.duration_minutes == 60
    assert session.attendees.filter(person=guest).exists()
    request = session.checklist.get(kind="data_request")
    assert (session.starts_at - request.due_at).days == 21


@pytest.mark.parametrize(("persona", "status"), [("police_lead", 403), ("budget_analyst", 403), ("parks_contact", 404)])
def test_others_may_not_edit_a_series_and_nothing_changes(police_series, as_persona, persona, status):
    url = reverse("stat_sessions:series_edit", args=[police_series.pk])
    assert as_persona(persona).get(url).status_code == status
    assert as_persona(persona).post(url, edit_data(police_series, name="Renamed")).status_code == status
    police_series.refresh_from_db()
    assert police_series.name == "PoliceStat" and not police_series.no_surprises


@pytest.mark.parametrize("persona", READERS)
def test_series_page_shows_sessions_feed_and_personal_calendar(police_series, as_persona, persona):
    first = police_series.sessions.first()
    from sessions.services import session_cancel

    session_cancel(first, by=None)
    response = as_persona(persona).get(reverse("stat_sessions:series", args=[police_series.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("stat_sessions:series_calendar", args=[police_series.pk]) in body
    assert "my personal calendar" in body and "Reset my calendar address" in body
    assert "Cancelled" in body
    assert ("Edit the series" in body) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", [*OUTSIDERS, "anonymous"])
def test_series_page_is_hidden_from_outsiders(police_series, as_persona, persona):
    response = as_persona(persona).get(reverse("stat_sessions:series", args=[police_series.pk]))
    assert response.status_code == (302 if persona == "anonymous" else 404)


def test_series_page_rejects_post(police_series, as_persona):
    url = reverse("stat_sessions:series", args=[police_series.pk])
    assert as_persona("stat_lead").post(url).status_code == 405


def test_personal_calendar_reset_gives_a_new_address(police_series, users, as_persona):
    from sessions.services import calendar_token_of

    person = users["police_contact"].person
    old = calendar_token_of(person, by=None).token
    client = as_persona("police_contact")
    assert client.get(reverse("stat_sessions:personal_calendar_reset")).status_code == 405
    response = client.post(reverse("stat_sessions:personal_calendar_reset"), {"next": "/sessions/"})
    assert response.status_code == 302 and response["Location"] == "/sessions/"
    person.calendar_token.refresh_from_db()
    assert person.calendar_token.token != old
    assert client.get(reverse("stat_sessions:personal_calendar", args=[old])).status_code == 404


def test_personal_calendar_reset_ignores_an_offsite_next(as_persona):
    response = as_persona("police_contact").post(
        reverse("stat_sessions:personal_calendar_reset"), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("stat_sessions:index")


def test_index_costs_a_fixed_number_of_queries(police_series, as_persona, django_assert_max_num_queries):
    client = as_persona("stat_lead")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("stat_sessions:index")).status_code == 200
    assert Session.objects.count() == 12
