"""The Stat sessions pages (series, sessions, the public schedule) for the axe browser test
(tests/browser/test_axe_sessions_pages.py): the data they show, made on demand and committed so the live server sees
it, their URLs, and the steps that drive a form into its error state."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def sessions_data(personas, city) -> dict:
    """PoliceStat (public) with a year of sessions, a guest in the spectators, an overdue step, a cancelled session
    and a sent memo with topics on the second; idempotent."""
    from sessions.models import Attendee, ChecklistItem, Memo, MemoState, MemoTopic, Series
    from sessions.services import series_create, session_cancel
    from tests.factories import PersonFactory

    series = Series.objects.filter(name="PoliceStat").first()
    if series is None:
        today = timezone.localdate()
        series = series_create(
            name="PoliceStat",
            department=city["police"],
            cadence="monthly",
            start_date=today + datetime.timedelta(days=3),
            start_time=datetime.time(10, 0),
            duration_minutes=90,
            place="City Hall, room 215",
            public=True,
            by=personas["stat_lead"],
        )
        first, second, third = list(series.sessions.all()[:3])
        Attendee.objects.create(session=first, person=PersonFactory(full_name="Reporter Rae"), role="guest")
        ChecklistItem.objects.filter(session=first, kind="data_request").update(
            due_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )
        session_cancel(third, by=None)
        memo = Memo.objects.create(
            session=second, to_line="Mayor", from_line="Stat", memo_date=today, subject="Police briefing"
        )
        memo.state = MemoState.SENT
        memo.save()
        MemoTopic.objects.create(memo=memo, title="Response times", position=0)
    return {"series": series, "session": series.sessions.first()}


def sessions_url(name: str) -> Callable:
    def url(personas, city) -> str:
        data = sessions_data(personas, city)
        if name in ("stat_sessions:series", "stat_sessions:series_edit"):
            return reverse(name, args=[data["series"].pk])
        if name == "stat_sessions:session":
            return reverse(name, args=[data["session"].pk])
        return reverse(name)

    return url


def _submit(page, form_selector: str) -> int:
    form = page.locator(form_selector).first
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').first.click()
    return navigation.value.status


def series_without_name(page, personas) -> int:
    """The new-series form submitted empty: re-shown with its errors."""
    page.locator('input[name="name"]').fill("")
    status = _submit(page, "main form.usa-form")
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def cancel_unconfirmed(page, personas) -> int:
    """The cancel form submitted without its confirmation: the page again, with the error by the form."""
    status = _submit(page, 'form[action$="/cancel/"]')
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


#: (name, persona, url, status, then) of each case.
CASES = [
    ("sessions", "stat_lead", sessions_url("stat_sessions:index"), 200, None),
    ("sessions", "police_contact", sessions_url("stat_sessions:index"), 200, None),
    ("series-add", "stat_analyst", sessions_url("stat_sessions:series_create"), 200, None),
    ("series-add-errors", "stat_lead", sessions_url("stat_sessions:series_create"), 200, series_without_name),
    ("series-edit", "stat_lead", sessions_url("stat_sessions:series_edit"), 200, None),
    ("series", "stat_lead", sessions_url("stat_sessions:series"), 200, None),
    ("series", "budget_analyst", sessions_url("stat_sessions:series"), 200, None),
    ("session", "stat_lead", sessions_url("stat_sessions:session"), 200, None),
    ("session", "police_lead", sessions_url("stat_sessions:session"), 200, None),
    ("session-cancel-errors", "stat_analyst", sessions_url("stat_sessions:session"), 400, cancel_unconfirmed),
    ("public-schedule", "anonymous", sessions_url("stat_sessions:public_schedule"), 200, None),
    ("dashboard-overdue", "stat_analyst", lambda p, c: sessions_data(p, c) and "/dashboard/", 200, None),
]
