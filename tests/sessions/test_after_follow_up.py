"""The follow-up memo: what it says (numbered requests by topic, replies, the next session and its materials
deadline), sending it (a real PDF by email, archived) and its being frozen once sent."""

import datetime
import logging

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from sessions.models import ActionItem, FollowUpMemo, Session, SessionState
from sessions.pdf import render_pdf
from sessions.selectors import follow_up_contents, follow_up_shown, late_follow_ups
from sessions.services import session_cancel
from sessions.services.after import (
    FOLLOW_UP_PDF_TEMPLATE,
    follow_up_draft,
    follow_up_send,
    follow_up_update,
    session_hold,
)
from team.models import RoleAssignment

from .after_helpers import item, just_held


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def held(police_series, users, city):
    session = just_held(police_series)
    session_hold(session, attended=[users["police_lead"].person.pk], by=users["stat_lead"])
    police = city["police"]
    item(session, 1, "Response times", "Report response times by district", department=police)
    item(session, 2, "Overtime", "Explain the overtime rise", department=police, owner=users["police_lead"].person)
    item(session, 3, "Response times", "Plan for the night shift", department=police)
    item(session, 4, "", "Send the staffing roster", department=police)
    mail.outbox.clear()
    return session


def test_the_draft_gets_its_defaults(held, users, settings):
    memo = follow_up_draft(held, by=users["stat_analyst"])
    assert memo.to_line == "Pat Chief, Police"
    assert memo.from_line == "Stella Lead, Stat lead"
    assert memo.reply_to == ""  # neither the series nor the program has an address
    assert follow_up_draft(held, by=users["stat_analyst"]).pk == memo.pk  # drafted once


def test_replies_go_to_the_series_else_the_program(police_series, users, settings):
    settings.PROGRAM_CONTACT_EMAIL = "stat@example.gov"
    session = just_held(police_series)
    session_hold(session, attended=[], by=users["stat_lead"])
    assert follow_up_draft(session, by=users["stat_lead"]).reply_to == "stat@example.gov"
    FollowUpMemo.objects.all().delete()
    police_series.reply_to = "policestat@example.gov"
    police_series.save()
    session.refresh_from_db()
    assert follow_up_draft(session, by=users["stat_lead"]).reply_to == "policestat@example.gov"


def test_no_draft_before_the_session_is_held(police_series, users):
    with pytest.raises(ValidationError, match="held"):
        follow_up_draft(just_held(police_series), by=users["stat_lead"])


def test_contents_number_the_items_by_topic_and_name_the_next_session(held, users, police_series):
    memo = follow_up_draft(held, by=users["stat_lead"])
    follow_up_update(memo, reply_to="replies@example.gov", by=users["stat_lead"])
    memo.refresh_from_db()
    contents = follow_up_contents(memo)
    assert [(t["title"], [i["number"] for i in t["items"]]) for t in contents["topics"]] == [
        ("Response times", [1, 3]),
        ("Overtime", [2]),
        ("Other requests", [4]),
    ]
    assert contents["topics"][1]["items"][0]["owner"] == "Pat Chief"
    assert contents["reply_to"] == "replies@example.gov"
    assert contents["present"] == ["Pat Chief"]
    # The next session: February 4, 2027 at 10:00 in City Hall; materials due 7 days before (data_due_days).
    following = contents["next_session"]
    assert following["date_text"] == "Thursday, February 4, 2027"
    assert following["time_text"] == "10 a.m."
    assert following["place"] == "City Hall, room 215"
    assert following["materials_due_text"] == "Thursday, January 28, 2027, 10 a.m."


def test_the_next_session_skips_a_cancelled_one(held, users, police_series):
    february = police_series.sessions.order_by("starts_at")[1]
    session_cancel(february, by=users["stat_lead"])
    police_series.data_due_days = 10
    police_series.save()
    memo = follow_up_draft(held, by=users["stat_lead"])
    memo.session.refresh_from_db()
    following = follow_up_contents(FollowUpMemo.objects.select_related("session__series").get(pk=memo.pk))
    assert following["next_session"]["date_text"] == "Thursday, March 4, 2027"
    assert following["next_session"]["materials_due_text"] == "Monday, February 22, 2027, 10 a.m."


def test_update_refuses_a_bad_reply_address(held, users):
    memo = follow_up_draft(held, by=users["stat_lead"])
    with pytest.raises(ValidationError) as refused:
        follow_up_update(memo, reply_to="not an address", by=users["stat_lead"])
    assert "reply_to" in refused.value.message_dict


def test_send_emails_the_pdf_and_archives_it(held, users, django_capture_on_commit_callbacks):
    memo = follow_up_draft(held, by=users["stat_lead"])
    follow_up_update(memo, reply_to="replies@example.gov", by=users["stat_lead"])
    with django_capture_on_commit_callbacks(execute=True):
        sent = follow_up_send(memo, by=users["stat_analyst"])
    assert sent.is_sent and sent.sent_by == users["stat_analyst"]
    held.refresh_from_db()
    assert held.state == SessionState.FOLLOW_UP_SENT and held.follow_up_sent_at == sent.sent_at
    [message] = mail.outbox
    assert message.to == ["chief@example.gov"]
    assert {"pdata@example.gov", "lead@example.gov", "analyst@example.gov"} <= set(message.cc)
    assert message.reply_to == ["replies@example.gov"]
    [(filename, content, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and filename.endswith(".pdf") and content.startswith(b"%PDF")
    with sent.pdf.open("rb") as archived:
        assert archived.read() == content
    assert sent.snapshot["topics"][0]["items"][0]["title"] == "Report response times by district"
    assert sent.snapshot["sent_by"] == "Ana Lyst"


def test_nothing_is_emailed_when_the_send_rolls_back(held, users, django_capture_on_commit_callbacks):
    memo = follow_up_draft(held, by=users["stat_lead"])
    RoleAssignment.objects.filter(role="department_lead").delete()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError, match="no lead"):
        follow_up_send(memo, by=users["stat_lead"])
    memo.refresh_from_db()
    assert not memo.is_sent and not memo.pdf and mail.outbox == []


def test_a_sent_memo_is_frozen(held, users, django_capture_on_commit_callbacks):
    memo = follow_up_draft(held, by=users["stat_lead"])
    with django_capture_on_commit_callbacks(execute=True):
        follow_up_send(memo, by=users["stat_lead"])
    memo.refresh_from_db()
    before = follow_up_shown(memo)
    ActionItem.objects.filter(number=1).update(title="Changed afterwards", topic_title="Elsewhere")
    item(held, 5, "New", "Added afterwards", department=held.series.department)
    memo.refresh_from_db()
    assert follow_up_shown(memo) == before
    with pytest.raises(ValidationError, match="has been sent"):
        follow_up_update(memo, subject="New subject", by=users["stat_lead"])
    with pytest.raises(ValidationError, match="has been sent"):
        follow_up_send(memo, by=users["stat_lead"])
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("persona", ["police_lead", "budget_analyst", "parks_contact"])
def test_only_the_stat_team_writes_and_sends(held, users, persona):
    memo = follow_up_draft(held, by=users["stat_lead"])
    for call in (
        lambda: follow_up_draft(held, by=users[persona]),
        lambda: follow_up_update(memo, subject="x", by=users[persona]),
        lambda: follow_up_send(memo, by=users[persona]),
    ):
        with pytest.raises(PermissionDenied):
            call()
    memo.refresh_from_db()
    assert not memo.is_sent and memo.subject != "x"


def test_late_follow_ups_after_the_series_days_and_not_before(police_series, users, settings):
    session = just_held(police_series, hours_ago=1)
    session_hold(session, attended=[], by=users["stat_lead"])
    start = session.starts_at
    assert late_follow_ups(now=start + datetime.timedelta(days=2) - datetime.timedelta(minutes=1)) == []
    [late] = late_follow_ups(now=start + datetime.timedelta(days=2, hours=1))
    assert late.session_id == session.pk and late.marked_held and not late.drafted
    police_series.follow_up_days = 5
    police_series.save()
    assert late_follow_ups(now=start + datetime.timedelta(days=4)) == []
    assert len(late_follow_ups(now=start + datetime.timedelta(days=5, minutes=1))) == 1


def test_a_sent_follow_up_is_not_late(held, users, django_capture_on_commit_callbacks):
    memo = follow_up_draft(held, by=users["stat_lead"])
    assert len(late_follow_ups(now=timezone.now() + datetime.timedelta(days=3))) == 1
    follow_up_send(memo, by=users["stat_lead"])
    assert late_follow_ups(now=timezone.now() + datetime.timedelta(days=3)) == []


def test_late_follow_ups_cost_one_query(police_series, users, django_assert_num_queries):
    now = timezone.now()
    for days, session in enumerate(police_series.sessions.order_by("starts_at")[:3], start=3):
        Session.objects.filter(pk=session.pk).update(starts_at=now - datetime.timedelta(days=days))
    with django_assert_num_queries(1):
        assert len(late_follow_ups(now=now)) == 3


def test_the_pdf_renders_with_its_stylesheet(held, users, caplog):
    memo = follow_up_draft(held, by=users["stat_lead"])
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = render_pdf(FOLLOW_UP_PDF_TEMPLATE, {"memo": follow_up_contents(memo)})
    assert pdf.startswith(b"%PDF")
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING] == []
