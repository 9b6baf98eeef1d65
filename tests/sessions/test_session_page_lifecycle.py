"""The session page leads to each part of the lifecycle: the memo (drafts only for the Stat team), marking the
session held, and the follow-up memo (drafts only for the Stat team)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Session
from sessions.services import follow_up_draft, follow_up_send, memo_draft, memo_send, session_hold
from tests.pages import parse


@pytest.fixture
def session(police_series):
    return police_series.sessions.order_by("starts_at").first()


def links(client, session) -> dict[str, str]:
    page = parse(client.get(reverse("stat_sessions:session", args=[session.pk])))
    return {a.text: a.attrs["href"] for a in page.find_all("a", class_="usa-link")}


def test_the_stat_team_is_offered_a_draft_and_no_one_else_sees_one(session, as_persona, users):
    memo_url = reverse("stat_sessions:memo", args=[session.pk])
    assert links(as_persona("stat_analyst"), session)["Draft the memo from the data"] == memo_url
    memo = memo_draft(session, by=users["stat_analyst"])
    assert memo_url in links(as_persona("stat_analyst"), session).values()
    for persona in ("police_lead", "budget_analyst"):
        assert memo_url not in links(as_persona(persona), session).values(), persona
    memo_send(memo, by=users["stat_lead"])
    for persona in ("police_lead", "budget_analyst", "stat_analyst"):
        found = links(as_persona(persona), session)
        assert found[memo.subject] == memo_url, persona
        assert reverse("stat_sessions:memo_pdf", args=[session.pk]) in found.values()


def test_after_the_meeting_the_team_marks_it_held_then_writes_the_follow_up(session, as_persona, users):
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    session.refresh_from_db()
    held_url = reverse("stat_sessions:session_held", args=[session.pk])
    follow_up_url = reverse("stat_sessions:follow_up", args=[session.pk])
    assert links(as_persona("stat_lead"), session)["Record who attended and mark the session held"] == held_url
    assert held_url not in links(as_persona("police_lead"), session).values()

    session_hold(session, attended=[], by=users["stat_lead"])
    assert links(as_persona("stat_lead"), session)["Write the follow-up memo"] == follow_up_url
    assert follow_up_url not in links(as_persona("police_lead"), session).values()

    follow_up = follow_up_draft(session, by=users["stat_lead"])
    assert follow_up_url not in links(as_persona("police_lead"), session).values()  # a draft is the team's
    follow_up_send(follow_up, by=users["stat_lead"])
    assert links(as_persona("police_lead"), session)["Follow-up memo"] == follow_up_url


def test_the_page_lists_the_items_recorded_at_the_session_and_leads_to_the_agenda(session, as_persona, users, city):
    from sessions.services import action_item_create

    item = action_item_create(
        session,
        title="Report overtime by district",
        department=city["police"],
        due_date=timezone.localtime(session.starts_at).date() + datetime.timedelta(days=14),
        by=users["stat_analyst"],
    )
    for persona in ("stat_analyst", "police_lead", "budget_analyst"):
        found = links(as_persona(persona), session)
        assert found["Report overtime by district"] == reverse("stat_sessions:action_item", args=[item.pk]), persona
        assert found["Agenda for the screen"] == reverse("stat_sessions:agenda", args=[session.pk])
