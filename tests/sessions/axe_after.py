"""The after-the-meeting pages for the axe browser test (tests/browser/test_axe_sessions_after.py): the data they
show, made on demand and committed so the live server sees it, their URLs, and the steps that drive a form into its
error state."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

ERRORS = ".usa-error-message, .usa-alert--error, [aria-invalid='true']"
SURVEY_TOKEN = "axe-survey-token-0123456789"
USED_TOKEN = "axe-survey-token-used-0123456789"


def after_data(personas, city) -> dict:
    """PoliceStat with three sessions in the past: one held whose follow-up went out (with action items, a memo
    sent on time and survey answers), one held with a draft follow-up, one just started and not yet marked held;
    a KPI with values; two survey links (one used). Idempotent."""
    from goals.models import Goal, Measure, Observation, Priority
    from sessions.models import ActionItem, Series, Session, SurveyInvitation, SurveyResponse
    from sessions.selectors import survey_token_hash
    from sessions.services import series_create
    from sessions.services.after import follow_up_draft, follow_up_send, session_hold

    series = Series.objects.filter(name="PoliceStat").first()
    if series is not None:
        sessions = list(series.sessions.order_by("starts_at")[:3])
        return {"series": series, "sent": sessions[0], "draft": sessions[1], "ahead": sessions[2]}
    series = series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=timezone.localdate() + datetime.timedelta(days=30),
        start_time=datetime.time(10, 0),
        duration_minutes=90,
        place="City Hall, room 215",
        by=personas["stat_lead"],
    )
    now = timezone.now()
    first, second, third = series.sessions.order_by("starts_at")[:3]
    for session, ago in ((first, 40), (second, 10), (third, 0.1)):
        start = now - datetime.timedelta(days=ago)
        Session.objects.filter(pk=session.pk).update(
            starts_at=start, period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 10, 31)
        )
        session.refresh_from_db()
    lead = personas["police_lead"].person
    for session in (first, second):
        session_hold(session, attended=[lead.pk, personas["stat_lead"].person.pk], by=personas["stat_lead"])
        for number, (topic, title) in enumerate(
            [("Response times", "Report response times by district"), ("Overtime", "Explain the overtime rise")], 1
        ):
            ActionItem.objects.create(
                session=session,
                number=number,
                topic_title=topic,
                title=title,
                department=city["police"],
                owner=lead,
                due_date=timezone.localdate() - datetime.timedelta(days=number),
                state="completed_on_time" if number == 1 else "incomplete",
            )
    follow_up_send(follow_up_draft(first, by=personas["stat_lead"]), by=personas["stat_lead"])
    follow_up_draft(second, by=personas["stat_lead"])
    SurveyResponse.objects.create(session=first, score=4, comment="Useful, if long.")
    SurveyResponse.objects.create(session=second, score=3, comment="")
    invitation = SurveyInvitation.objects.filter(session=second).first()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(token_hash=survey_token_hash(SURVEY_TOKEN))
    used = SurveyInvitation.objects.filter(session=first).first()
    SurveyInvitation.objects.filter(pk=used.pk).update(token_hash=survey_token_hash(USED_TOKEN), used=True)
    goal = Goal.objects.create(
        priority=Priority.objects.get_or_create(slug="public-safety", defaults={"name": "Public safety"})[0],
        statement="Answer calls faster",
    )
    goal.departments.set([city["police"]])
    kpi = Measure.objects.create(
        goal=goal,
        department=city["police"],
        name="Response time",
        slug="axe-after-response",
        description="Minutes.",
        is_kpi=True,
        unit="minutes",
        direction="down",
        target_value=8,
    )
    Observation.objects.create(measure=kpi, period=datetime.date(2026, 10, 1), value=7)
    return {"series": series, "sent": first, "draft": second, "ahead": third}


def session_url(name: str, which: str) -> Callable:
    def url(personas, city) -> str:
        return reverse(f"stat_sessions:{name}", kwargs={"pk": after_data(personas, city)[which].pk})

    return url


def plain_url(path: str) -> Callable:
    def url(personas, city) -> str:
        after_data(personas, city)
        return path

    return url


def _submit(page, form_selector: str = "main form.usa-form") -> int:
    form = page.locator(form_selector).first
    with page.expect_navigation() as navigation:
        form.locator('button[type="submit"]').first.click()
    return navigation.value.status


def survey_without_score(page, personas) -> int:
    """The survey sent without a score: re-shown with its error."""
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


def follow_up_bad_reply(page, personas) -> int:
    """The follow-up draft's header with a reply address that is not one."""
    page.locator('input[name="reply_to"]').fill("not an address")
    status = _submit(page)
    expect(page.locator(ERRORS).first).to_be_visible()
    return status


#: (name, persona, url, status, then) of each case.
CASES = [
    ("session-mark-held", "stat_lead", session_url("session_held", "ahead"), 200, None),
    ("session-attendance", "stat_analyst", session_url("session_held", "sent"), 200, None),
    ("follow-up-start", "stat_lead", session_url("follow_up", "ahead"), 200, None),
    ("follow-up-draft", "stat_lead", session_url("follow_up", "draft"), 200, None),
    ("follow-up-draft-errors", "stat_analyst", session_url("follow_up", "draft"), 200, follow_up_bad_reply),
    ("follow-up-sent", "police_lead", session_url("follow_up", "sent"), 200, None),
    ("survey", "anonymous", plain_url(f"/sessions/survey/{SURVEY_TOKEN}/"), 200, None),
    ("survey-errors", "anonymous", plain_url(f"/sessions/survey/{SURVEY_TOKEN}/"), 200, survey_without_score),
    ("survey-used", "anonymous", plain_url(f"/sessions/survey/{USED_TOKEN}/"), 200, None),
    ("program-measures", "principal", plain_url("/sessions/measures/"), 200, None),
    ("dashboard-late-follow-ups", "stat_lead", plain_url("/dashboard/"), 200, None),
]
