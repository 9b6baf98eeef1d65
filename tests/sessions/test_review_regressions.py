"""Defects found walking the whole session lifecycle in a browser and the seeded demo as every persona (issue 12
review), each pinned where it was fixed."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Memo, MemoState, MemoTopic, Seat, SeatRole
from sessions.selectors import seating_chart
from sessions.services import action_item_create, action_item_merge, series_create, series_update
from sessions.services.after import follow_up_draft, follow_up_send, session_hold
from tests.factories import PersonFactory

from .action_fixtures import at_city_time, on_city_date
from .after_helpers import item, just_held
from .pdf_text import pdf_text

pytestmark = pytest.mark.django_db

IDS = re.compile(r'\sid="([^"]+)"')


def duplicate_ids(html: str) -> list[str]:
    return [name for name, count in Counter(IDS.findall(html)).items() if count > 1]


@pytest.fixture
def evening_series(city, users):
    """PoliceStat at 21:30 New York time: in UTC its sessions fall on the next day."""
    return series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(21, 30),
        duration_minutes=60,
        by=users["stat_lead"],
    )


def record(session, title, city, users):
    with at_city_time(2027, 1, 4, 22):
        return action_item_create(
            session,
            title=title,
            department=city["police"],
            due_date=datetime.date(2027, 3, 1),
            by=users["stat_analyst"],
        )


@pytest.mark.parametrize("persona", ["police_lead", "stat_lead"])
def test_an_items_page_gives_each_form_its_own_ids(as_persona, evening_series, city, users, persona):
    """The update, complete and merge forms each have a comment: "What was delivered" must name the complete form's
    box, not the update form's (they shared ``id_comment``)."""
    session = evening_series.sessions.order_by("starts_at").first()
    item = record(session, "Overtime report", city, users)
    record(session, "Overtime by unit", city, users)
    html = as_persona(persona).get(reverse("stat_sessions:action_item", args=[item.pk])).content.decode()
    assert duplicate_ids(html) == []
    assert re.search(r'<label[^>]*for="id_complete_comment"[^>]*>\s*What was delivered', html)
    assert 'id="id_complete_comment"' in html and 'id="id_comment"' in html


def test_the_complete_form_still_posts_its_fields(as_persona, evening_series, city, users):
    item = record(evening_series.sessions.order_by("starts_at").first(), "Overtime report", city, users)
    with on_city_date(2027, 1, 20):
        response = as_persona("police_lead").post(
            reverse("stat_sessions:action_item_complete", args=[item.pk]), {"comment": "Delivered to the panel."}
        )
    assert response.status_code == 302, re.findall(r"usa-error-message[^>]*>([^<]+)", response.content.decode())
    item.refresh_from_db()
    assert item.completed_on is not None
    assert item.updates.filter(comment__contains="Delivered to the panel.").exists()


def test_merged_items_name_their_session_by_its_day_in_the_city(as_persona, evening_series, city, users):
    """An item merged into another named its session "PoliceStat 2027-01-05": an ISO date, and the UTC one (the
    meeting is on the evening of 4 January in New York)."""
    first, second = evening_series.sessions.order_by("starts_at")[:2]
    into = record(first, "Overtime report", city, users)
    duplicate = record(second, "Overtime report again", city, users)
    stat_lead = as_persona("stat_lead")

    form = stat_lead.get(reverse("stat_sessions:action_item", args=[duplicate.pk])).content.decode()
    assert "PoliceStat, 4 Jan 2027, item 1: Overtime report" in form

    action_item_merge(duplicate, into=into, by=users["stat_analyst"], comment="The same work.")
    for page in (
        stat_lead.get(reverse("stat_sessions:action_item", args=[duplicate.pk])).content.decode(),
        stat_lead.get(reverse("stat_sessions:action_item", args=[into.pk])).content.decode(),
    ):
        assert not re.search(r"\d{4}-\d{2}-\d{2}(?!\")", re.sub(r'datetime="[^"]*"', "", page)), page
    merged = stat_lead.get(reverse("stat_sessions:action_item", args=[duplicate.pk])).content.decode()
    assert "Merged into PoliceStat, 4 Jan 2027, item 1." in merged
    assert "item 1 of PoliceStat, 4 Jan 2027</a>" in merged
    carried = stat_lead.get(reverse("stat_sessions:action_item", args=[into.pk])).content.decode()
    assert "Item 1 of PoliceStat, 4 Feb 2027 merged into this one." in carried
    assert "(on merged item 1 of PoliceStat, 4 Feb 2027)" in carried


def test_a_sent_follow_up_whose_archived_pdf_is_gone_is_drawn_again_from_its_snapshot(
    police_series, users, city, as_persona, settings, tmp_path
):
    """The demo's follow-up PDFs answered 500 where the media folder did not come with the database."""
    settings.MEDIA_ROOT = tmp_path
    session = just_held(police_series)
    session_hold(session, attended=[users["police_lead"].person.pk], by=users["stat_lead"])
    item(session, 1, "Overtime", "Explain the overtime rise", department=city["police"])
    follow_up = follow_up_send(follow_up_draft(session, by=users["stat_lead"]), by=users["stat_lead"])
    follow_up.pdf.storage.delete(follow_up.pdf.name)
    session.action_items.update(title="Rewritten afterwards")

    response = as_persona("police_lead").get(reverse("stat_sessions:follow_up_pdf", args=[session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    assert "Explain the overtime rise" in text and "Rewritten afterwards" not in text


def agenda(client, session) -> str:
    response = client.get(reverse("stat_sessions:agenda", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", ["police_lead", "police_contact", "budget_analyst"])
def test_the_agenda_keeps_a_draft_memos_topics_from_the_department(as_persona, police_session, memo_topics, persona):
    """The agenda listed the topics (and the panel's leading questions) of a memo still in draft, which the
    department may not read (its memo page is a 404 to them, and the public schedule waits for the memo too)."""
    MemoTopic.objects.filter(pk=memo_topics[0].pk).update(questions="Why did overtime double?")
    page = agenda(as_persona(persona), police_session)
    assert "Overtime" not in page and "Why did overtime double?" not in page
    assert "The topics appear once the session’s briefing memo has gone out." in page


def test_the_agenda_shows_the_topics_to_the_stat_team_and_to_the_department_once_sent(
    as_persona, police_session, memo_topics, users
):
    assert "Overtime" in agenda(as_persona("stat_analyst"), police_session)
    Memo.objects.filter(session=police_session).update(state=MemoState.SENT, sent_at=timezone.now())
    for persona in ("police_lead", "budget_analyst"):
        page = agenda(as_persona(persona), police_session)
        assert "Open items" in page and "Response times" in page and "Overtime" in page


def test_the_agenda_tells_the_time_in_its_series_time_zone(as_persona, city, users):
    """The agenda read its times in the server's zone; the session page reads them in the series' (its topics'
    start times too)."""
    series = series_create(
        name="ParksStat",
        department=city["parks"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(10, 0),
        time_zone="America/Chicago",
        by=users["stat_lead"],
    )
    session = series.sessions.order_by("starts_at").first()
    memo = Memo.objects.create(
        session=session, to_line="x", from_line="y", memo_date=datetime.date(2027, 1, 1), subject="Parks"
    )
    MemoTopic.objects.create(memo=memo, section="new", position=1, title="Mowing", suggested_minutes=15)
    page = agenda(as_persona("stat_lead"), session)
    assert "Monday 4 January 2027, 10:00 to 11:00" in page
    assert ">10:00</time>" in page


def test_the_seating_chart_counts_one_person_at_the_table(as_persona, police_session):
    """It read "around the table 1 people"."""
    page = as_persona("police_lead").get(reverse("stat_sessions:session", args=[police_session.pk])).content.decode()
    assert "around the table 1 person;" in page
    assert "1 people" not in page


def test_an_analyst_invited_to_a_series_sits_with_the_stat_team(city, users):
    """An analyst invited through the series' default attendees sat with the spectators (as a guest) at every
    session; a guest still does."""
    guest = PersonFactory(full_name="Gus Guest")
    analyst = users["stat_analyst"].person
    series = series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 4),
        start_time=datetime.time(10, 0),
        default_attendees=[analyst, guest],
        by=users["stat_lead"],
    )
    session = series.sessions.order_by("starts_at").first()
    roles = dict(session.attendees.values_list("person_id", "role"))
    assert roles[analyst.pk] == SeatRole.STAT_TEAM and roles[guest.pk] == SeatRole.GUEST
    seats = {group.seat: [p.attendee.person_id for p in group.people] for group in seating_chart(session)}
    assert analyst.pk in seats[Seat.ANALYSTS] and guest.pk in seats[Seat.SPECTATORS]

    # Invited later, and uninvited: the same seat, and gone from the sessions ahead.
    other = users["principal"].person
    series_update(series, default_attendees=[guest], by=users["stat_lead"])
    assert not session.attendees.filter(person=analyst).exists()
    series_update(series, default_attendees=[guest, analyst], by=users["stat_lead"])
    assert session.attendees.get(person=analyst).role == SeatRole.STAT_TEAM
    assert session.attendees.get(person=other).automatic
