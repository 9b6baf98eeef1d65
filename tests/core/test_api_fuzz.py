"""The API against its own OpenAPI schema: schemathesis generates requests for every operation from /api/schema/
and sends each one to the Django WSGI app twice, anonymously and signed in as a Stat analyst (with the CSRF token,
so writes reach the services). It fails on any 5xx and on any answer the schema does not describe (a status code it
does not declare, a body that does not match it, another content type).

Bounded and deterministic: a few examples per operation (``MAX_EXAMPLES``), Hypothesis derandomized (the same
cases every run), the examples and fuzzing phases only (no shrinking: a failure is reported as found). The whole run
takes well under a minute.
"""

from __future__ import annotations

import datetime

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, override_settings
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from goals.models import Observation
from sessions.services import action_item_create, series_create
from tests.goals.factories import GoalFactory, MeasureFactory
from tests.inventory.factories import DatasetFactory

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: Any 32 letters: Django accepts a CSRF secret given as the cookie and repeated in the header.
CSRF_TOKEN = "hardening" + "x" * 23


#: The app and its schema, loaded once as the module is collected (the schema view needs no database). The host
#: name is schemathesis' WSGI client's; the ``allowed_host`` fixture admits it for the requests themselves.
APP = WSGIHandler()
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP)


@pytest.fixture(autouse=True)
def app_on_the_test_database(settings, users, city):
    """Requests on the test's database transaction, with something to read in every app."""
    settings.ALLOWED_HOSTS = ["localhost"]
    DatasetFactory(identifier="pd-crashes", department=city["police"], title="Crashes")
    goal = GoalFactory(statement="Cut crashes", departments=[city["police"]], public=True)
    measure = MeasureFactory(goal=goal, department=city["police"], slug="crashes", public=True, is_kpi=True)
    Observation.objects.create(measure=measure, period="2026-01-01", value=90, note="estimated")
    series = series_create(
        name="PoliceStat",
        department=city["police"],
        cadence="monthly",
        start_date=datetime.date(2026, 1, 5),
        start_time=datetime.time(10, 0),
        duration_minutes=60,
        by=None,
    )
    action_item_create(
        series.sessions.first(),
        title="Overtime report",
        department=city["police"],
        due_date=datetime.date(2026, 2, 1),
        by=None,
    )
    # Django's test client keeps the test's transaction open across requests this way; a WSGI call would
    # otherwise close the connection (and with it the transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def analyst_headers(users):
    client = Client()
    client.force_login(users["stat_analyst"])
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF_TOKEN}", "X-CSRFToken": CSRF_TOKEN}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_answers_as_its_schema_says(case, analyst_headers):
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(headers=analyst_headers, checks=CHECKS)
