"""The memo page stays fast for a big department: 40 KPIs with five years of monthly values, in a fixed number of
queries (the same as for 3 KPIs) and well under a second of server time on the test database."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.services import memo_draft, memo_send
from sessions.views import memo as views_memo

from .memo_data import first_session, make_kpis

pytestmark = pytest.mark.django_db


def page_cost(client, session, *, warm: bool = True) -> tuple[int, bytes]:
    """The queries of the memo page's request (after one that warms the template cache, unless ``warm`` is false)
    and its content. Its speed is measured by benchmarks/stat_sessions.py, not here."""
    url = reverse("stat_sessions:memo", kwargs={"pk": session.pk})
    if warm:
        client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content


@pytest.mark.parametrize("count", [3, 40])
def test_the_memo_page_costs_the_same_queries_for_3_and_40_kpis(city, users, police_series, as_persona, count):
    make_kpis(city, users, count=count, history=60)
    session = first_session(police_series)
    memo_draft(session, by=users["stat_analyst"])
    client = as_persona("stat_analyst")
    cache.clear()
    cold, content = page_cost(client, session, warm=False)
    assert content.count(b"<svg") == count
    # Session, actor, memo, the two fingerprints (goals data, action items), topics, observations, narratives,
    # failing checks, open action items, the budget's KPI context provider (sessions.extensions: which programs pay
    # for the KPIs), and the page shell's own (session, messages, menu).
    assert cold == 14, cold
    warm, content = page_cost(client, session, warm=False)
    assert content.count(b"<svg") == count
    assert warm == 8, warm  # drawn once: the fingerprints say nothing changed


def test_a_draft_is_drawn_again_when_its_data_or_its_topics_change(city, users, police_series, as_persona, monkeypatch):
    from goals.models import Observation
    from sessions.services import topic_add

    make_kpis(city, users, count=3, history=12)
    session = first_session(police_series)
    memo = memo_draft(session, by=users["stat_analyst"])
    drawn = []
    real = views_memo.render_to_string
    monkeypatch.setattr(views_memo, "render_to_string", lambda *a, **k: drawn.append(a[0]) or real(*a, **k))
    client = as_persona("stat_analyst")
    page_cost(client, session)
    assert len(drawn) == 1
    newest = Observation.objects.order_by("-period").first()
    newest.value += 1
    newest.save()  # as the goals services write it: its recorded_at moves
    page_cost(client, session, warm=False)
    topic_add(memo, title="Overtime in the Eastern District", by=users["stat_analyst"])
    _, content = page_cost(client, session, warm=False)
    assert len(drawn) == 3
    assert b"Overtime in the Eastern District" in content


def test_a_cached_draft_carries_each_readers_own_csrf_token(city, users, police_series, as_persona):
    from django.test import Client

    session = first_session(police_series)
    memo_draft(session, by=users["stat_analyst"])
    url = reverse("stat_sessions:memo", kwargs={"pk": session.pk})
    as_persona("stat_lead").get(url)  # drawn for the Stat lead, then cached
    analyst = Client(enforce_csrf_checks=True)
    analyst.force_login(users["stat_analyst"])
    page = analyst.get(url).content.decode()
    assert views_memo.CSRF_SENTINEL not in page
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    topic = session.memo.topics.order_by("position").last()
    moved = analyst.post(
        reverse("stat_sessions:memo_topic_move", kwargs={"pk": session.pk, "topic_pk": topic.pk}),
        {"direction": "up", "csrfmiddlewaretoken": token},
    )
    assert moved.status_code == 302  # the form works with the token the cached page carried


def test_a_sent_memo_of_40_kpis_reads_its_snapshot_alone(city, users, police_series, as_persona):
    make_kpis(city, users, count=40, history=60)
    session = first_session(police_series)
    memo_send(memo_draft(session, by=users["stat_analyst"]), by=users["stat_lead"])
    queries, content = page_cost(as_persona("police_lead"), session)
    assert content.count(b"<svg") == 40
    assert queries < 11, queries  # no topic, observation or quality query: the snapshot holds it all


def test_a_sent_memo_is_drawn_once_and_served_to_every_reader_from_the_cache(
    city, users, police_series, as_persona, monkeypatch
):
    make_kpis(city, users, count=3, history=12)
    session = first_session(police_series)
    memo_send(memo_draft(session, by=users["stat_analyst"]), by=users["stat_lead"])
    drawn = []
    real = views_memo.render_to_string
    monkeypatch.setattr(views_memo, "render_to_string", lambda *a, **k: drawn.append(a[0]) or real(*a, **k))
    _, for_the_lead = page_cost(as_persona("police_lead"), session)
    _, for_the_analyst = page_cost(as_persona("budget_analyst"), session)
    assert drawn == ["stat_sessions/_memo_body.html"]  # four requests, one drawing of the frozen sections
    assert for_the_lead.count(b"<svg") == for_the_analyst.count(b"<svg") == 3
