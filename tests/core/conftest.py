"""Fixtures of the core tests: a Redis of the test's own to stop and start again, and the app pointed at it
(tests/redis_server.py), and the local HTTP server that stands in for the internet (tests/quality/conftest.py)."""

from tests.quality.conftest import local_server  # noqa: F401
from tests.redis_server import app_on_own_redis, broker_down, own_redis  # noqa: F401
