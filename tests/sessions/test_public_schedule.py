"""The published schedule at /public/sessions/: public series only, topic titles only once the memo is sent."""

import datetime

import pytest
from django.urls import reverse

from sessions.models import Memo, MemoState, MemoTopic
from sessions.services import series_create, session_cancel

URL = "/public/sessions/"


@pytest.fixture
def public_series(city, users):
    return series_create(
        name="FireStat",
        department=city["fire"],
        cadence="monthly",
        start_date=datetime.date(2027, 1, 6),
        start_time=datetime.time(14, 0),
        public=True,
        by=users["stat_lead"],
    )


@pytest.fixture
def frozen_now(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC))


def memo(session, state, *titles):
    created = Memo.objects.create(
        session=session, to_line="Mayor", from_line="Stat", memo_date=datetime.date(2027, 1, 1), subject="Brief"
    )
    created.state = state
    created.save()
    for position, title in enumerate(titles):
        MemoTopic.objects.create(memo=created, title=title, position=position)


def test_url_is_the_public_schedule():
    assert reverse("stat_sessions:public_schedule") == URL


@pytest.mark.parametrize("persona", ["anonymous", "data_expert", "stat_lead"])
def test_everyone_sees_public_series_only(police_series, public_series, as_persona, frozen_now, persona):
    response = as_persona(persona).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "FireStat" in body and "Fire" in body
    assert "PoliceStat" not in body


def test_topics_appear_only_once_the_memo_is_sent(public_series, as_persona, frozen_now):
    first, second = list(public_series.sessions.all()[:2])
    memo(first, MemoState.SENT, "Response times", "Overtime")
    memo(second, MemoState.DRAFT, "Secret draft topic")
    body = as_persona("anonymous").get(URL).content.decode()
    assert "Response times" in body and "Overtime" in body
    assert "Secret draft topic" not in body
    assert "To be announced" in body


def test_cancelled_sessions_show_cancelled(public_series, as_persona, frozen_now):
    session_cancel(public_series.sessions.first(), by=None)
    assert "Cancelled" in as_persona("anonymous").get(URL).content.decode()


def test_page_is_cacheable_and_read_only(public_series, as_persona, frozen_now):
    response = as_persona("anonymous").get(URL)
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert as_persona("anonymous").post(URL).status_code == 405
    assert as_persona("anonymous").head(URL).status_code == 200


def test_public_navigation_links_to_the_schedule(as_persona):
    assert f'href="{URL}"'.encode() in as_persona("anonymous").get("/").content


def test_page_costs_a_fixed_number_of_queries(public_series, as_persona, frozen_now, django_assert_max_num_queries):
    for session in public_series.sessions.all()[:5]:
        memo(session, MemoState.SENT, "Topic")
    with django_assert_max_num_queries(4):
        as_persona("anonymous").get(URL)
