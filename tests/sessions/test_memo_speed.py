"""The memo page stays fast for a big department: 40 KPIs with five years of monthly values, in a fixed number of
queries (the same as for 3 KPIs) and well under a second of server time on the test database."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessions.services import memo_draft, memo_send

from .memo_data import first_session, make_kpis

pytestmark = pytest.mark.django_db


def page_cost(client, session) -> tuple[int, float, bytes]:
    url = reverse("stat_sessions:memo", kwargs={"pk": session.pk})
    client.get(url)  # warm the template cache
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), time.perf_counter() - started, response.content


@pytest.mark.parametrize("count", [3, 40])
def test_the_memo_page_costs_the_same_queries_for_3_and_40_kpis(city, users, police_series, as_persona, count):
    make_kpis(city, users, count=count, history=60)
    session = first_session(police_series)
    memo_draft(session, by=users["stat_analyst"])
    queries, seconds, content = page_cost(as_persona("stat_analyst"), session)
    assert content.count(b"<svg") == count
    # Session, actor, memo, topics, observations, narratives, failing checks, open action items, and the page
    # shell's own (session, messages, menu); +1: the budget's KPI context provider (sessions.extensions) looks up
    # which programs pay for the KPIs (none here).
    assert queries == 12, queries
    assert seconds < 2.0, f"{count} KPIs took {seconds:.2f}s"


def test_a_sent_memo_of_40_kpis_reads_its_snapshot_alone(city, users, police_series, as_persona):
    make_kpis(city, users, count=40, history=60)
    session = first_session(police_series)
    memo_send(memo_draft(session, by=users["stat_analyst"]), by=users["stat_lead"])
    queries, seconds, content = page_cost(as_persona("police_lead"), session)
    assert content.count(b"<svg") == 40
    assert queries < 11, queries  # no topic, observation or quality query: the snapshot holds it all
    assert seconds < 2.0, f"took {seconds:.2f}s"
