"""The action-item pages for the axe browser test (tests/browser/test_axe_sessions_actions.py): the data they show,
made on demand and committed so the live server sees it, and the steps that drive a page into a state."""

from __future__ import annotations

import datetime

from django.urls import reverse
from playwright.sync_api import expect

from .action_fixtures import on_city_date

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"


def actions_data(personas, city) -> dict:
    """PoliceStat with its first session, a memo of three topics and four items (one merged, one completed, one
    with an update); idempotent."""
    from sessions.models import ActionItem, Memo, MemoTopic, Series
    from sessions.services import (
        action_item_complete,
        action_item_create,
        action_item_merge,
        action_item_update,
        series_create,
    )

    series = Series.objects.filter(name="PoliceStat").first()
    if series is None:
        series = series_create(
            name="PoliceStat",
            department=city["police"],
            cadence="monthly",
            start_date=datetime.date(2027, 1, 4),
            start_time=datetime.time(10, 0),
            duration_minutes=90,
            place="City Hall, room 215",
            by=personas["stat_lead"],
        )
    session = series.sessions.order_by("starts_at").first()
    second = series.sessions.order_by("starts_at")[1]
    if not ActionItem.objects.filter(session=session).exists():
        memo = Memo.objects.create(
            session=session,
            to_line="Mara Mayor",
            from_line="Ana Lyst",
            memo_date=datetime.date(2027, 1, 1),
            subject="Department of Police briefing memorandum for December 2026",
        )
        topics = [
            MemoTopic.objects.create(
                memo=memo, section="follow_up", kind="follow_up", position=1, title="Open items", suggested_minutes=10
            ),
            MemoTopic.objects.create(
                memo=memo,
                section="standing",
                kind="kpi",
                position=1,
                title="Response times",
                suggested_minutes=20,
                questions="Why did response times rise in November?\nWhat would bring them down?",
            ),
            MemoTopic.objects.create(memo=memo, section="new", position=1, title="Overtime", suggested_minutes=15),
        ]
        owner = personas["police_lead"].person
        analyst = personas["stat_analyst"]
        common = {"department": city["police"], "by": analyst}
        report = action_item_create(
            session,
            title="Overtime by unit",
            due_date=datetime.date(2027, 1, 18),
            owner=owner,
            topic=topics[2],
            priority="high",
            deliverable="report",
            **common,
        )
        duplicate = action_item_create(session, title="Overtime figures", due_date=datetime.date(2027, 1, 18), **common)
        done = action_item_create(
            session,
            title="Response-time briefing",
            due_date=datetime.date(2027, 1, 11),
            topic=topics[1],
            deliverable="briefing",
            **common,
        )
        action_item_update(report, by=personas["police_lead"], state="under_review", comment="Draft with the unions.")
        action_item_merge(duplicate, into=report, by=analyst, comment="Same request.")
        with on_city_date(2027, 1, 12):
            action_item_complete(done, by=personas["police_lead"])
        action_item_create(
            second, title="Staffing plan", due_date=second.starts_at.date() + datetime.timedelta(days=14), **common
        )
    return {
        "session": session,
        "second": second,
        "report": ActionItem.objects.get(session=session, number=1),
        "merged": ActionItem.objects.get(session=session, number=2),
    }


def item_url(key: str):
    return lambda personas, city: reverse("stat_sessions:action_item", args=[actions_data(personas, city)[key].pk])


def agenda_url(key: str):
    return lambda personas, city: reverse("stat_sessions:agenda", args=[actions_data(personas, city)[key].pk])


def tracker_url(query: str = ""):
    def url(personas, city) -> str:
        actions_data(personas, city)
        return reverse("stat_sessions:action_items") + query

    return url


def update_without_anything(page, personas) -> int:
    """The update form sent empty: the item page again, with its error."""
    form = page.locator("form[action$='/update/']")
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').click()
    expect(page.locator(ERRORS).first).to_be_visible()
    return navigation.value.status


def timer_started(page, personas) -> int:
    """The agenda with its timers drawn and the first one running."""
    button = page.locator("[data-agenda-timer-cell] button").first
    expect(button).to_be_visible()
    button.click()
    expect(button).to_contain_text("Pause")
    return 200


def recorded_with_errors(page, personas) -> int:
    """The live recording form sent without a title (htmx swaps the form with its errors in place)."""
    page.locator("#record-form button[type='submit']").click()
    expect(page.locator("#record-form " + ERRORS).first).to_be_visible()
    expect(page.locator("#record-form [data-error-summary]")).to_be_focused()
    return 200


def recorded(page, personas) -> int:
    """An item recorded live: appended to the list without a reload."""
    page.locator("#id_item-title").fill("Bring the overtime policy")
    page.locator("#id_item-due_date").fill("2027-02-20")
    page.locator("#record-form button[type='submit']").click()
    expect(page.locator("#recorded-items")).to_contain_text("Bring the overtime policy")
    expect(page.locator("#record-status")).to_contain_text("recorded: Bring the overtime policy")
    expect(page.locator("#id_item-title")).to_be_focused()
    expect(page.locator("#id_item-title")).to_have_value("")
    return 200


#: (name, persona, url, then) of each case.
CASES = [
    ("tracker", "stat_lead", tracker_url(), None),
    ("tracker-filtered", "police_lead", tracker_url("?status=under_review&department=police"), None),
    ("tracker-empty", "data_expert", tracker_url(), None),
    ("item", "police_lead", item_url("report"), None),
    ("item-stat-team", "stat_analyst", item_url("report"), None),
    ("item-merged", "police_contact", item_url("merged"), None),
    ("item-update-errors", "police_lead", item_url("report"), update_without_anything),
    ("agenda", "stat_analyst", agenda_url("session"), None),
    ("agenda-timer", "stat_analyst", agenda_url("session"), timer_started),
    ("agenda-read-only", "police_contact", agenda_url("session"), None),
    ("agenda-no-memo", "stat_lead", agenda_url("second"), None),
    ("agenda-record-errors", "stat_analyst", agenda_url("second"), recorded_with_errors),
    ("agenda-recorded", "stat_analyst", agenda_url("second"), recorded),
]
