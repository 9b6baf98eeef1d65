from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.urls import reverse

from core.models import OutboxMessage

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def url():
    return reverse("core:healthz")


def test_ok_when_the_database_and_redis_answer(client, url, settings):
    response = client.get(url)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    # Redis is checked only where it is configured (CI sets REDIS_URL; a bare clone does not).
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)
    assert "no-cache" in response["Cache-Control"]


def test_503_when_the_database_is_down(client, url):
    with mock.patch.object(CursorWrapper, "execute", side_effect=OperationalError("connection refused")):
        response = client.get(url)

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_503_when_the_database_answers_but_has_no_tables_yet(client, url):
    """A server started before its migrations ran cannot serve pages: 503, not a 500 from the outbox's count."""
    with mock.patch.object(OutboxMessage.objects, "count", side_effect=OperationalError("no such table")):
        response = client.get(url)

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


def test_200_degraded_when_redis_is_unreachable(client, url, settings):
    """The site serves pages without Redis (uncached, tasks waiting in the outbox), so a load balancer must keep it:
    200, with the Redis check's error for monitoring."""
    settings.REDIS_URL = UNREACHABLE_REDIS
    settings.CACHES = {"default": {**settings.REDIS_CACHE, "LOCATION": UNREACHABLE_REDIS}}
    try:
        response = client.get(url)
    finally:
        caches["default"].close()

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("error")
    assert body["waiting_tasks"] == 0


def test_post_is_not_allowed(client, url):
    response = client.post(url)

    assert response.status_code == 405
