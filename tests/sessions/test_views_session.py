"""A session's page and the Stat team's actions on it (move, cancel, attendees, seats, checklist), per role."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from sessions.models import Attendee, ChecklistItem, Seat, SeatRole, SessionState
from sessions.selectors import seating_chart

READERS = ["principal", "stat_lead", "stat_analyst", "police_lead", "police_contact", "budget_analyst"]
MANAGERS = ["principal", "stat_lead", "stat_analyst"]
READ_ONLY = ["police_lead", "police_contact", "budget_analyst"]
NY = ZoneInfo("America/New_York")


@pytest.fixture
def session(police_series):
    return police_series.sessions.first()


def url(name, session, *args):
    return reverse(f"stat_sessions:{name}", args=[session.pk, *args])


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_the_session_its_attendees_seating_and_checklist(session, as_persona, persona):
    response = as_persona(persona).get(url("session", session))
    assert response.status_code == 200
    body = response.content.decode()
    assert "City Hall, room 215" in body and "Reporting period" in body
    assert 'role="img"' in body and "Seating, as a list" in body
    assert "Data request sent to the department contact" in body
    assert "Pat Chief" in body and "Bud Get" in body
    assert ("Move the session" in body) == (persona in MANAGERS)
    assert ("Mark done" in body) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", ["parks_contact", "data_expert"])
def test_outsiders_get_404(session, as_persona, persona):
    assert as_persona(persona).get(url("session", session)).status_code == 404


def test_session_page_rejects_post(session, as_persona):
    assert as_persona("stat_lead").post(url("session", session)).status_code == 405


def test_stat_team_moves_a_session_and_its_checklist_follows(session, as_persona):
    response = as_persona("stat_analyst").post(
        url("session_move", session), {"date": "2027-01-06", "time": "14:00", "place": "Room 9"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at == datetime.datetime(2027, 1, 6, 14, 0, tzinfo=NY)
    assert session.place == "Room 9" and session.sequence == 1
    memo_sent = session.checklist.get(kind="memo_sent")
    assert memo_sent.due_at == session.starts_at - datetime.timedelta(hours=48)


def test_move_with_a_bad_date_shows_the_page_again_with_the_error(session, as_persona):
    response = as_persona("stat_lead").post(url("session_move", session), {"date": "", "time": "14:00"})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [(p, 403) for p in READ_ONLY] + [("parks_contact", 404)])
def test_others_may_not_move_or_cancel_and_nothing_changes(session, as_persona, persona, status):
    client = as_persona(persona)
    before = session.starts_at
    assert client.post(url("session_move", session), {"date": "2027-01-06", "time": "14:00"}).status_code == status
    assert client.post(url("session_cancel", session), {"confirm": "on"}).status_code == status
    session.refresh_from_db()
    assert session.starts_at == before and session.state == SessionState.PLANNED


def test_cancel_needs_the_confirmation(session, as_persona):
    client = as_persona("stat_lead")
    assert client.post(url("session_cancel", session), {}).status_code == 400
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED
    assert client.post(url("session_cancel", session), {"confirm": "on"}).status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.CANCELLED and session.cancelled_at is not None
    body = client.get(url("session", session)).content.decode()
    assert "This session is cancelled" in body and "Move the session" not in body


def test_actions_reject_get(session, as_persona):
    client = as_persona("stat_lead")
    for name in ("session_move", "session_cancel", "attendee_add", "checklist_add"):
        assert client.get(url(name, session)).status_code == 405


def test_stat_team_adds_seats_and_removes_an_attendee(session, users, as_persona):
    client = as_persona("stat_lead")
    guest = users["data_expert"].person
    response = client.post(url("attendee_add", session), {"person": guest.pk, "role": "guest", "seat": ""})
    assert response.status_code == 302
    attendee = Attendee.objects.get(session=session, person=guest)
    assert client.post(url("attendee_add", session), {"person": guest.pk, "role": "guest"}).status_code == 400
    assert client.post(url("attendee_seat", session, attendee.pk), {"seat": "table"}).status_code == 302
    attendee.refresh_from_db()
    assert attendee.seat == Seat.TABLE
    assert client.post(url("attendee_remove", session, attendee.pk)).status_code == 302
    assert not Attendee.objects.filter(pk=attendee.pk).exists()


@pytest.mark.parametrize(("persona", "status"), [("police_lead", 403), ("budget_analyst", 403), ("parks_contact", 404)])
def test_others_may_not_change_attendees_and_nothing_changes(session, users, as_persona, persona, status):
    client = as_persona(persona)
    lead = Attendee.objects.get(session=session, person=users["police_lead"].person)
    count = session.attendees.count()
    guest = users["data_expert"].person
    assert client.post(url("attendee_add", session), {"person": guest.pk, "role": "guest"}).status_code == status
    assert client.post(url("attendee_seat", session, lead.pk), {"seat": "spectators"}).status_code == status
    assert client.post(url("attendee_remove", session, lead.pk)).status_code == status
    assert session.attendees.count() == count
    lead.refresh_from_db()
    assert lead.seat == ""


def test_attendee_of_another_session_is_404(police_series, as_persona):
    first, second = list(police_series.sessions.all()[:2])
    other = second.attendees.first()
    assert as_persona("stat_lead").post(url("attendee_remove", first, other.pk)).status_code == 404
    assert Attendee.objects.filter(pk=other.pk).exists()


def test_stat_team_marks_a_step_done_and_undone(session, users, as_persona):
    client = as_persona("stat_analyst")
    item = session.checklist.get(kind="data_request")
    assert client.post(url("checklist_mark", session, item.pk), {"done": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == users["stat_analyst"]
    assert client.post(url("checklist_mark", session, item.pk), {"done": "0"}).status_code == 302
    item.refresh_from_db()
    assert item.done_at is None


@pytest.mark.parametrize("persona", READ_ONLY)
def test_readers_may_not_mark_steps(session, as_persona, persona):
    item = session.checklist.get(kind="data_request")
    assert as_persona(persona).post(url("checklist_mark", session, item.pk), {"done": "1"}).status_code == 403
    item.refresh_from_db()
    assert item.done_at is None


def test_stat_team_adds_an_other_step(session, users, as_persona):
    client = as_persona("stat_lead")
    data = {"title": "Book the screen", "due_date": "2027-01-03", "due_time": "12:00", "assignee": ""}
    assert client.post(url("checklist_add", session), data).status_code == 302
    item = ChecklistItem.objects.get(session=session, kind="other")
    assert item.title == "Book the screen" and item.due_at == datetime.datetime(2027, 1, 3, 12, tzinfo=NY)
    assert client.post(url("checklist_add", session), {**data, "title": ""}).status_code == 400
    assert as_persona("police_lead").post(url("checklist_add", session), data).status_code == 403
    assert ChecklistItem.objects.filter(session=session, kind="other").count() == 1


def test_seating_chart_puts_each_role_in_its_seat(session, users):
    groups = {group.seat: [p.name for p in group.people] for group in seating_chart(session)}
    assert groups[Seat.HEAD] == ["Mara Mayor"]
    assert groups[Seat.HOT_SEAT] == ["Pat Chief"]  # the department's lead
    assert groups[Seat.SUPPORT] == ["Dana Data"]  # its contact
    assert groups[Seat.TABLE] == ["Bud Get"]  # the budget analyst
    assert "Stella Lead" in groups[Seat.ANALYSTS]
    lead = Attendee.objects.get(session=session, person=users["police_lead"].person)
    lead.seat = Seat.TABLE
    lead.save()
    groups = {group.seat: [p.name for p in group.people] for group in seating_chart(session)}
    assert groups[Seat.HOT_SEAT] == [] and "Pat Chief" in groups[Seat.TABLE]


def test_guests_sit_with_the_spectators(session, users):
    Attendee.objects.create(session=session, person=users["data_expert"].person, role=SeatRole.GUEST)
    groups = {group.seat: [p.name for p in group.people] for group in seating_chart(session)}
    assert groups[Seat.SPECTATORS] == ["Gia Mapper"]


def test_session_page_costs_a_fixed_number_of_queries(session, users, as_persona, django_assert_max_num_queries):
    client = as_persona("stat_lead")
    with django_assert_max_num_queries(20):
        client.get(url("session", session))
    for name in ("A", "B", "C", "D"):
        from tests.factories import PersonFactory

        Attendee.objects.create(session=session, person=PersonFactory(full_name=f"Guest {name}"))
    with django_assert_max_num_queries(20):
        assert client.get(url("session", session)).status_code == 200


@pytest.mark.parametrize(
    ("persona", "name"),
    [
        ("stat_lead", "index"),
        ("stat_lead", "series_create"),
        ("stat_lead", "series"),
        ("stat_lead", "series_edit"),
        ("stat_lead", "session"),
        ("police_lead", "session"),
        ("anonymous", "public_schedule"),
    ],
)
def test_pages_have_one_h1_headings_in_order_and_labelled_fields(police_series, session, as_persona, persona, name):
    import re

    from tests.pages import parse

    if name in ("series", "series_edit"):
        path = reverse(f"stat_sessions:{name}", args=[police_series.pk])
    elif name == "session":
        path = url("session", session)
    else:
        path = reverse(f"stat_sessions:{name}")
    page = parse(as_persona(persona).get(path))
    levels = [int(node.tag[1]) for node in page.iter() if re.fullmatch(r"h[1-6]", node.tag)]
    assert levels.count(1) == 1 and levels[0] == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading jumps from h{before} to h{after} on {path}: {levels}"
    labels = {label.attrs.get("for") for label in page.find_all("label")}
    for field in page.find_all("input") + page.find_all("select") + page.find_all("textarea"):
        if field.attrs.get("type") not in ("hidden", "submit"):
            assert field.attrs.get("id") in labels, f"unlabelled field {field.attrs} on {path}"
