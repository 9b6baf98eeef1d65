"""The preparation checklist: the standard steps, their due dates, marking, the overdue panel and reminders."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.schedule import PERIODIC_TASKS
from sessions.models import ChecklistItem, ChecklistKind
from sessions.selectors import overdue_checklist_items
from sessions.services import (
    checklist_item_add,
    checklist_mark,
    checklist_send_reminders,
    series_create,
    series_update,
    session_cancel,
    session_move,
)
from sessions.tasks import checklist_reminders_task

NY = ZoneInfo("America/New_York")


@pytest.fixture
def session(police_series):
    return police_series.sessions.first()  # 4 January 2027, 10:00 New York


def test_each_session_gets_the_four_standard_steps_counted_back(police_series, session, users):
    assert ChecklistItem.objects.filter(session__series=police_series).count() == 4 * police_series.sessions.count()
    steps = {item.kind: item for item in session.checklist.all()}
    assert steps["data_request"].due_at == datetime.datetime(2026, 12, 21, 10, tzinfo=NY)
    assert steps["data_due"].due_at == datetime.datetime(2026, 12, 28, 10, tzinfo=NY)
    assert steps["memo_draft"].due_at == datetime.datetime(2026, 12, 31, 10, tzinfo=NY)
    assert steps["memo_sent"].due_at == datetime.datetime(2027, 1, 2, 10, tzinfo=NY)
    # The department's contact answers for the data, the Stat lead who made the series for the memo.
    assert steps["data_request"].assignee == users["police_contact"].person
    assert steps["memo_draft"].assignee == users["stat_lead"].person


def test_series_create_makes_the_checklists_in_a_fixed_number_of_queries(city, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):  # 53 sessions, 212 steps: the same as for one
        series_create(
            name="WeeklyStat",
            department=city["police"],
            cadence="weekly",
            start_date=datetime.date(2027, 1, 4),
            start_time=datetime.time(9, 0),
            by=users["stat_lead"],
        )
    assert ChecklistItem.objects.count() == 4 * 53


def test_days_are_counted_in_wall_time_across_daylight_saving(police_series):
    march = police_series.sessions.get(starts_at__month=3)  # 4 March 2027; DST starts 14 March
    april = police_series.sessions.get(starts_at__month=4)
    request = april.checklist.get(kind="data_request")  # 14 days before 4 April: 21 March, after the change
    assert request.due_at.astimezone(NY).hour == 10
    assert march.checklist.get(kind="data_request").due_at.astimezone(NY).hour == 10


def test_moving_a_session_moves_its_open_steps_not_the_done_ones(session):
    checklist_mark(session, ChecklistKind.DATA_REQUEST, done=True, by=None)
    before = session.checklist.get(kind="data_request").due_at
    session_move(session, starts_at=datetime.datetime(2027, 1, 11, 10, tzinfo=NY), by=None)
    assert session.checklist.get(kind="data_request").due_at == before
    assert session.checklist.get(kind="data_due").due_at == datetime.datetime(2027, 1, 4, 10, tzinfo=NY)


def test_changing_the_offsets_moves_the_open_steps_of_sessions_ahead(police_series, session, users):
    series_update(police_series, data_due_days=10, memo_send_hours=72, by=users["stat_lead"])
    assert session.checklist.get(kind="data_due").due_at == datetime.datetime(2026, 12, 25, 10, tzinfo=NY)
    assert session.checklist.get(kind="memo_sent").due_at == datetime.datetime(2027, 1, 1, 10, tzinfo=NY)


def test_checklist_mark_is_for_the_stat_team_and_keeps_the_first_time(session, users):
    item = checklist_mark(session, "memo_draft", done=True, by=users["stat_analyst"])
    first = item.done_at
    assert checklist_mark(session, "memo_draft", done=True, by=None).done_at == first
    with pytest.raises(PermissionDenied):
        checklist_mark(session, "memo_draft", done=False, by=users["police_lead"])
    with pytest.raises(ValidationError):
        checklist_mark(session, "other", done=True, by=None)
    assert checklist_mark(session, "memo_draft", done=False, by=None).done_at is None


def test_other_steps_only_for_sessions_ahead(session, users):
    due = datetime.datetime(2027, 1, 3, 12, tzinfo=NY)
    item = checklist_item_add(session, title="Book the screen", due_at=due, by=users["stat_lead"])
    assert item.kind == "other"
    with pytest.raises(ValidationError):
        checklist_item_add(session, title="Naive", due_at=datetime.datetime(2027, 1, 3, 12), by=None)  # noqa: DTZ001
    session_cancel(session, by=None)
    session.refresh_from_db()
    with pytest.raises(ValidationError):
        checklist_item_add(session, title="Too late", due_at=due, by=None)


def test_overdue_steps_exclude_done_ones_and_cancelled_sessions(police_series, session):
    now = datetime.datetime(2026, 12, 29, 12, tzinfo=NY)  # data request and data due are past
    overdue = overdue_checklist_items(now=now)
    assert {item.kind for item in overdue} == {"data_request", "data_due"}
    checklist_mark(session, "data_request", done=True, by=None)
    assert [item.kind for item in overdue_checklist_items(now=now)] == ["data_due"]
    session_cancel(session, by=None)
    assert overdue_checklist_items(now=now) == []


def test_dashboard_shows_the_stat_team_the_overdue_steps(police_series, session, as_persona):
    ChecklistItem.objects.filter(session=session, kind="data_due").update(
        due_at=datetime.datetime(2020, 1, 1, tzinfo=NY)
    )
    body = as_persona("stat_analyst").get(reverse("site:dashboard")).content.decode()
    assert "Stat sessions: overdue" in body and "received" in body
    assert "Stat sessions: overdue" not in as_persona("police_lead").get(reverse("site:dashboard")).content.decode()


def test_reminders_go_to_the_assignee_once_a_day(session, users, settings):
    settings.TIME_ZONE = "America/New_York"
    now = datetime.datetime(2026, 12, 20, 11, tzinfo=NY)  # data request due tomorrow 10:00
    assert checklist_send_reminders(by=None, now=now) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [users["police_contact"].person.email]
    assert "Due soon" in message.subject and "PoliceStat" in message.subject
    assert reverse("stat_sessions:session", args=[session.pk]) in message.body
    assert checklist_send_reminders(by=None, now=now + datetime.timedelta(hours=3)) == 0  # same day
    later = datetime.datetime(2026, 12, 22, 9, tzinfo=NY)  # next day: overdue
    assert checklist_send_reminders(by=None, now=later) == 1
    assert "Overdue" in mail.outbox[1].subject


def test_a_reminders_link_is_on_site_url(session, settings):
    """The development server on another port (``make run PORT=8123``): the reminder links there."""
    settings.SITE_URL = "http://127.0.0.1:8123/"
    assert checklist_send_reminders(by=None, now=datetime.datetime(2026, 12, 20, 11, tzinfo=NY)) == 1
    [message] = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert links == ["http://127.0.0.1:8123" + reverse("stat_sessions:session", args=[session.pk])]


def test_no_reminder_for_done_steps_or_cancelled_sessions(session, settings):
    now = datetime.datetime(2026, 12, 29, 11, tzinfo=NY)
    checklist_mark(session, "data_request", done=True, by=None)
    session_cancel(session, by=None)
    assert checklist_send_reminders(by=None, now=now) == 0
    assert mail.outbox == []


def test_no_reminder_once_the_meeting_has_begun(session):
    after = datetime.datetime(2027, 1, 4, 11, tzinfo=NY)  # the meeting was at 10:00; nobody marked it held
    assert checklist_send_reminders(by=None, now=after) == 0


def test_reminders_are_the_systems_only(session, users):
    with pytest.raises(PermissionDenied):
        checklist_send_reminders(by=users["stat_lead"])


def test_the_beat_task_is_scheduled_and_sends(session):
    assert ("stat_sessions.checklist_reminders", 3600) in PERIODIC_TASKS.values()
    ChecklistItem.objects.filter(session=session).update(due_at=datetime.datetime(2020, 1, 1, tzinfo=NY))
    assert checklist_reminders_task.delay().get() == 4
    assert checklist_reminders_task.delay().get() == 0
