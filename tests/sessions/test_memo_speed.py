"""The memo page stays fast for a big department: 40 KPIs with five years of monthly values, in a fixed number of
queries (the same as for 3 KPIs) and well under a second of server time on the test database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.services import memo_draft, memo_send
from sessions.views import memo as views_memo

from .memo_data import first_session, make_kpis

pytestmark = pytest.mark.django_db


def page_cost(client, session) -> tuple[int, bytes]:
    """The queries of the memo page's second request (the first warms the template cache) and its content. Its
    speed is measured by benchmarks/stat_sessions.py, not here."""
    url = reverse("stat_sessions:memo", kwargs={"pk": session.pk})
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
    queries, content = page_cost(as_persona("stat_analyst"), session)
    assert content.count(b"<svg") == count
    # Session, actor, memo, topics, observations, narratives, failing checks, open action items, and the page
    # shell's own (session, messages, menu); +1: the budget's KPI context provider (sessions.extensions) looks up
    # which programs pay for the KPIs (none here).
    assert queries == 12, queries


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
