"""The after-the-meeting pages per role and method: attendance and "mark as held", the follow-up memo and its PDF,
and the Stat lead's "Follow-up memos late" panel."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from sessions.models import Attendee, FollowUpMemo, Session, SessionState
from sessions.services.after import follow_up_draft, follow_up_send, session_hold

from .after_helpers import item, just_held

READERS = ["police_lead", "police_contact", "budget_analyst"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def session(police_series):
    return just_held(police_series)


@pytest.fixture
def held(session, users, city):
    session_hold(session, attended=[users["police_lead"].person.pk], by=users["stat_lead"])
    item(session, 1, "Overtime", "Explain the overtime rise", department=city["police"])
    mail.outbox.clear()
    return session


def held_url(session):
    return reverse("stat_sessions:session_held", kwargs={"pk": session.pk})


def follow_up_url(session, name="follow_up"):
    return reverse(f"stat_sessions:{name}", kwargs={"pk": session.pk})


# --- mark as held ---------------------------------------------------------------------------------------------------


def test_the_stat_team_marks_a_session_held(session, users, as_persona, django_capture_on_commit_callbacks):
    client = as_persona("stat_analyst")
    page = client.get(held_url(session))
    assert page.status_code == 200 and b"Pat Chief" in page.content and b"Mark as held" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(held_url(session), {"attended": [users["police_lead"].person.pk]})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.HELD
    assert Attendee.objects.get(session=session, person=users["police_lead"].person).attended is True
    assert [m.to for m in mail.outbox] == [["chief@example.gov"]]
    corrected = client.post(held_url(session), {"attended": []})
    assert corrected.status_code == 302
    assert not Attendee.objects.filter(session=session, attended=True).exists()


def test_a_session_not_started_says_so(police_series, as_persona):
    upcoming = police_series.sessions.order_by("starts_at").last()
    page = as_persona("stat_lead").get(held_url(upcoming))
    assert page.status_code == 200 and b"has not started yet" in page.content
    as_persona("stat_lead").post(held_url(upcoming), {"attended": []})
    upcoming.refresh_from_db()
    assert upcoming.state == SessionState.PLANNED


@pytest.mark.parametrize("persona", READERS)
def test_readers_get_403_and_change_nothing(session, users, as_persona, persona):
    client = as_persona(persona)
    assert client.get(held_url(session)).status_code == 403
    assert client.post(held_url(session), {"attended": [users["police_lead"].person.pk]}).status_code == 403
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED
    assert not Attendee.objects.filter(attended__isnull=False).exists()


def test_an_outsider_gets_404_and_an_anonymous_visitor_the_login(session, users, as_persona):
    assert as_persona("parks_contact").post(held_url(session), {"attended": []}).status_code == 404
    assert as_persona("data_expert").get(held_url(session)).status_code == 404
    assert as_persona("anonymous").post(held_url(session), {"attended": []}).status_code == 302
    session.refresh_from_db()
    assert session.state == SessionState.PLANNED


def test_held_page_wrong_method(session, as_persona):
    assert as_persona("stat_lead").put(held_url(session)).status_code == 405
    assert as_persona("stat_lead").delete(held_url(session)).status_code == 405


# --- the follow-up memo ---------------------------------------------------------------------------------------------


def test_the_stat_team_drafts_edits_and_sends(held, as_persona, django_capture_on_commit_callbacks):
    client = as_persona("stat_lead")
    start = client.get(follow_up_url(held))
    assert start.status_code == 200 and b"Draft the follow-up memo" in start.content
    assert not FollowUpMemo.objects.exists()  # a GET writes nothing
    assert client.post(follow_up_url(held)).status_code == 302
    page = client.get(follow_up_url(held))
    assert page.status_code == 200 and b"Explain the overtime rise" in page.content and b"Send the" in page.content
    memo = FollowUpMemo.objects.get()
    form = {
        "to_line": "Pat Chief, Police",
        "from_line": "Stella Lead",
        "memo_date": "2026-12-05",
        "subject": "PoliceStat follow-up",
        "introduction": "Thanks.",
        "reply_to": "replies@example.gov",
    }
    assert client.post(follow_up_url(held), form).status_code == 302
    memo.refresh_from_db()
    assert memo.subject == "PoliceStat follow-up" and memo.reply_to == "replies@example.gov"
    # Sending asks for the confirmation first.
    client.post(follow_up_url(held, "follow_up_send"))
    memo.refresh_from_db()
    assert not memo.is_sent and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(follow_up_url(held, "follow_up_send"), {"confirm": "yes"}).status_code == 302
    memo.refresh_from_db()
    assert memo.is_sent and len(mail.outbox) == 1
    sent = client.get(follow_up_url(held))
    assert b"Sent on" in sent.content and b"Stella Lead" in sent.content and b"Save the draft" not in sent.content


def test_a_bad_reply_address_is_shown_on_the_form(held, users, as_persona):
    follow_up_draft(held, by=users["stat_lead"])
    response = as_persona("stat_analyst").post(
        follow_up_url(held),
        {"to_line": "x", "from_line": "y", "memo_date": "2026-12-05", "subject": "z", "reply_to": "nope"},
    )
    assert response.status_code == 200 and b"usa-error-message" in response.content
    assert FollowUpMemo.objects.get().subject != "z"


def test_sent_memo_page_and_pdf_stay_as_sent(held, users, as_persona):
    memo = follow_up_draft(held, by=users["stat_lead"])
    follow_up_send(memo, by=users["stat_lead"])
    client = as_persona("police_lead")
    page = client.get(follow_up_url(held))
    pdf = client.get(follow_up_url(held, "follow_up_pdf"))
    archived = b"".join(pdf.streaming_content)
    assert archived.startswith(b"%PDF")
    held.action_items.update(title="Rewritten afterwards")
    assert memo_of(client.get(follow_up_url(held))) == memo_of(page)
    assert b"".join(client.get(follow_up_url(held, "follow_up_pdf")).streaming_content) == archived
    assert b"Rewritten afterwards" not in page.content and b"Explain the overtime rise" in memo_of(page)


def memo_of(response) -> bytes:
    """The memo's text on its page (the rest holds a fresh CSRF token each time)."""
    content = response.content
    return content[content.index(b"<article") : content.index(b"</article>")]


@pytest.mark.parametrize("persona", READERS)
def test_readers_see_only_a_sent_memo_and_change_nothing(held, users, as_persona, persona):
    memo = follow_up_draft(held, by=users["stat_lead"])
    client = as_persona(persona)
    assert client.get(follow_up_url(held)).status_code == 404  # a draft is the Stat team's
    assert client.get(follow_up_url(held, "follow_up_pdf")).status_code == 404
    assert client.post(follow_up_url(held, "follow_up_send"), {"confirm": "yes"}).status_code == 403
    follow_up_send(memo, by=users["stat_lead"])
    mail.outbox.clear()
    assert client.get(follow_up_url(held)).status_code == 200
    assert client.post(follow_up_url(held), {"subject": "Mine"}).status_code == 403
    memo.refresh_from_db()
    assert memo.subject != "Mine" and mail.outbox == []


def test_follow_up_outsider_404(held, users, as_persona):
    memo = follow_up_draft(held, by=users["stat_lead"])
    client = as_persona("parks_contact")
    assert client.get(follow_up_url(held)).status_code == 404
    assert client.get(follow_up_url(held, "follow_up_pdf")).status_code == 404
    assert client.post(follow_up_url(held, "follow_up_send"), {"confirm": "yes"}).status_code == 404
    memo.refresh_from_db()
    assert not memo.is_sent


def test_follow_up_wrong_methods(held, users, as_persona):
    follow_up_draft(held, by=users["stat_lead"])
    client = as_persona("stat_lead")
    assert client.put(follow_up_url(held)).status_code == 405
    assert client.get(follow_up_url(held, "follow_up_send")).status_code == 405
    assert client.post(follow_up_url(held, "follow_up_pdf")).status_code == 405
    assert not FollowUpMemo.objects.get().is_sent


def test_a_sent_memo_refuses_a_second_send(held, users, as_persona):
    follow_up_send(follow_up_draft(held, by=users["stat_lead"]), by=users["stat_lead"])
    mail.outbox.clear()
    response = as_persona("stat_lead").post(follow_up_url(held, "follow_up_send"), {"confirm": "yes"}, follow=True)
    assert b"has been sent" in response.content and mail.outbox == []
    assert as_persona("stat_lead").post(follow_up_url(held), {"subject": "x"}).status_code == 403


def test_draft_pdf_preview_for_the_stat_team(held, users, as_persona):
    follow_up_draft(held, by=users["stat_lead"])
    response = as_persona("stat_analyst").get(follow_up_url(held, "follow_up_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- the late panel -------------------------------------------------------------------------------------------------


def test_the_stat_lead_sees_late_follow_ups(police_series, users, as_persona):
    session = just_held(police_series, hours_ago=49)
    page = as_persona("stat_lead").get(reverse("site:dashboard"))
    assert b"Follow-up memos late" in page.content and b"not yet marked as held" in page.content
    Session.objects.filter(pk=session.pk).update(starts_at=session.starts_at + datetime.timedelta(hours=2))
    page = as_persona("stat_lead").get(reverse("site:dashboard"))
    assert b"Every follow-up memo due has gone out" in page.content


@pytest.mark.parametrize("persona", ["stat_analyst", "police_lead", "principal"])
def test_others_do_not_see_the_late_panel(police_series, as_persona, persona):
    just_held(police_series, hours_ago=72)
    assert b"Follow-up memos late" not in as_persona(persona).get(reverse("site:dashboard")).content
