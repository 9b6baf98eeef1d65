"""Fixtures of the action-item tests: PoliceStat's first session (4 January 2027, 10:00 New York) and a way to record
items at it; ``at_city_time`` pins "now" (the services and selectors read the city's date from it)."""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from sessions.models import ActionItem, Memo, MemoTopic
from sessions.services import action_item_create

CITY = ZoneInfo("America/New_York")
SESSION_DAY = datetime.date(2027, 1, 4)


@contextmanager
def at_city_time(year, month, day, hour=12, minute=0):
    """Run with ``timezone.now()`` at that wall-clock time in the city."""
    moment = datetime.datetime(year, month, day, hour, minute, tzinfo=CITY)
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(datetime.UTC)):
        yield moment


@pytest.fixture
def police_session(police_series):
    return police_series.sessions.order_by("starts_at").first()


@pytest.fixture
def record(police_session, users, city):
    """``record(title, **fields)``: an item recorded at the first PoliceStat session by the Stat analyst (Police, due
    two weeks after the session, unless told)."""

    def make(title: str = "Report on overtime", **fields) -> ActionItem:
        fields.setdefault("department", city["police"])
        fields.setdefault("due_date", SESSION_DAY + datetime.timedelta(days=14))
        session = fields.pop("session", police_session)
        by = fields.pop("by", users["stat_analyst"])
        with at_city_time(2027, 1, 4, 11):
            return action_item_create(session, title=title, by=by, **fields)

    return make


@pytest.fixture
def memo_topics(police_session, users):
    memo = Memo.objects.create(
        session=police_session,
        to_line="Mara Mayor",
        from_line="Ana Lyst",
        memo_date=datetime.date(2027, 1, 1),
        subject="Police briefing memorandum",
    )
    return [
        MemoTopic.objects.create(memo=memo, section="new", position=1, title="Overtime", suggested_minutes=15),
        MemoTopic.objects.create(
            memo=memo, section="standing", position=1, title="Response times", suggested_minutes=20
        ),
        MemoTopic.objects.create(memo=memo, section="follow_up", position=1, title="Open items", suggested_minutes=10),
    ]


@contextmanager
def on_city_date(year, month, day):
    """Run with the city's date set to that day for the action items alone (a test client's session keeps the real
    clock, so its login does not expire)."""
    today = datetime.date(year, month, day)
    with (
        mock.patch("sessions.selectors_actions.city_today", return_value=today),
        mock.patch("sessions.services.actions.city_today", return_value=today),
    ):
        yield today
