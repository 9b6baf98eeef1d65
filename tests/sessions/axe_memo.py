"""The briefing memo's pages for the axe browser test (tests/browser/test_axe_sessions_memo.py): the data they show,
made on demand and committed so the live server sees it, their URLs, and the step that drives a form into its error
state."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import expect

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def memo_sessions(personas, city) -> dict:
    """AxeStat (Police) with two KPIs: its first session has a draft memo, its second a sent one, its third none;
    an earlier session left an open action item. Idempotent."""
    from sessions.models import Series
    from sessions.services import memo_draft, memo_send, series_create, topic_add

    from .memo_data import action_items, earlier_session, make_kpis

    series = Series.objects.filter(name="AxeStat").first()
    in_2027 = {"starts_at__gte": datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)}
    if series is None:
        make_kpis(city, personas, count=2)
        series = series_create(
            name="AxeStat",
            department=city["police"],
            cadence="monthly",
            start_date=datetime.date(2027, 1, 4),
            start_time=datetime.time(10, 0),
            by=None,
        )
        first, second, _ = series.sessions.order_by("starts_at")[:3]
        action_items(earlier_session(series), city)
        draft = memo_draft(first, by=personas["stat_analyst"])
        topic_add(draft, title="Overtime", narrative="Up 12%.", questions="Who approves it?", by=None)
        memo_send(memo_draft(second, by=personas["stat_analyst"]), by=personas["stat_lead"])
    draft_session, sent_session, empty_session = series.sessions.filter(**in_2027).order_by("starts_at")[:3]
    return {"draft": draft_session, "sent": sent_session, "empty": empty_session}


def memo_url(which: str, name: str = "stat_sessions:memo") -> Callable:
    def url(personas, city) -> str:
        return reverse(name, kwargs={"pk": memo_sessions(personas, city)[which].pk})

    return url


def topic_edit_url(personas, city) -> str:
    from sessions.models import MemoTopic

    session = memo_sessions(personas, city)["draft"]
    topic = MemoTopic.objects.filter(memo__session=session, title="Overtime").first()
    return reverse("stat_sessions:memo_topic_edit", args=[session.pk, topic.pk])


def header_emptied(page, personas) -> int:
    """The memo header saved without a subject: the page again, with its errors."""
    form = page.locator("main form", has=page.locator('input[name="subject"]'))
    form.locator('input[name="subject"]').fill("")
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').click()
    expect(page.locator(ERRORS).first).to_be_visible()
    return navigation.value.status


#: (name, persona, url, status, then) of each case.
CASES = [
    ("memo-none", "stat_analyst", memo_url("empty"), 200, None),
    ("memo-draft", "stat_analyst", memo_url("draft"), 200, None),
    ("memo-draft-errors", "stat_lead", memo_url("draft"), 200, header_emptied),
    ("memo-topic-edit", "stat_analyst", topic_edit_url, 200, None),
    ("memo-sent", "stat_lead", memo_url("sent"), 200, None),
    ("memo-sent", "police_lead", memo_url("sent"), 200, None),
    ("memo-print-draft", "stat_analyst", memo_url("draft", "stat_sessions:memo_print"), 200, None),
    ("memo-print-sent", "budget_analyst", memo_url("sent", "stat_sessions:memo_print"), 200, None),
]
