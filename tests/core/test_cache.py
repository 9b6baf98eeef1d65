"""The cache fails open (core.cache.FailOpenRedisCache): while Redis does not answer, every call is a miss, not an
error, and Redis is not tried again for a few seconds; when it is back, the cache works again."""

from __future__ import annotations

import logging
import socket
import threading
import time
from unittest import mock

import pytest
import redis
from django.conf import settings
from django.core.cache.backends.redis import RedisCacheClient

from core.cache import FailOpenRedisCache
from tests.redis_server import free_port


def backend(url: str, *, retry_seconds: float = 5) -> FailOpenRedisCache:
    options = {**settings.REDIS_CACHE["OPTIONS"], "RETRY_SECONDS": retry_seconds}
    return FailOpenRedisCache(url, {"OPTIONS": options})


def test_the_production_settings_use_it_with_short_socket_timeouts():
    assert settings.REDIS_CACHE["BACKEND"] == "core.cache.FailOpenRedisCache"
    options = settings.REDIS_CACHE["OPTIONS"]
    assert options["socket_connect_timeout"] <= 0.5 and options["socket_timeout"] <= 2
    assert "cache" not in settings.SESSION_ENGINE, "signing in must not depend on Redis"


def test_with_redis_down_every_call_is_a_miss_and_it_works_again_when_redis_is_back(own_redis):
    cache = backend(own_redis.url, retry_seconds=0.2)
    cache.set("figures", {"datasets": 12})
    assert cache.get("figures") == {"datasets": 12}

    own_redis.stop()
    assert cache.get("figures") is None
    assert cache.get("figures", "default") == "default"
    assert cache.get_many(["figures", "other"]) == {}
    assert cache.has_key("figures") is False
    assert cache.add("new", 1) is False
    assert cache.set("new", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.touch("figures") is False
    assert cache.delete("figures") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.clear() is False
    assert cache.get_or_set("built", lambda: "built without the cache") == "built without the cache"
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")

    own_redis.start()  # empty: it had no disk
    time.sleep(0.25)
    cache.set("figures", {"datasets": 13})
    assert cache.get("figures") == {"datasets": 13}
    cache.close()


def test_after_a_failure_redis_is_left_alone_for_a_while_and_the_outage_logged_once(caplog):
    cache = backend(f"redis://127.0.0.1:{free_port()}/0", retry_seconds=0.2)
    refused = redis.exceptions.ConnectionError("Error 111 connecting. Connection refused.")
    with (
        caplog.at_level(logging.WARNING, logger="core.cache"),
        mock.patch.object(RedisCacheClient, "get", autospec=True, side_effect=refused) as get,
    ):
        assert [cache.get(key) for key in ("a", "b", "c")] == [None, None, None]
        assert get.call_count == 1, "one failed call, then misses without trying Redis"
        time.sleep(0.25)
        assert cache.get("d") is None
        assert get.call_count == 2
    assert [record.getMessage()[:38] for record in caplog.records] == ["The cache (Redis) did not answer (Conn"]


def test_a_redis_that_hangs_costs_a_page_one_socket_timeout_at_most():
    """A Redis that takes connections and never answers (hung, or a proxy in front of a dead one): the first call
    waits the socket time-out, the next ones nothing."""
    timeout = settings.REDIS_CACHE["OPTIONS"]["socket_timeout"]
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)  # the kernel completes the connections; nobody ever reads them
        cache = backend(f"redis://127.0.0.1:{hung.getsockname()[1]}/0")
        answers = []
        calls = threading.Thread(target=lambda: answers.extend(cache.get(key) for key in ("a", "b", "c")), daemon=True)
        started = time.monotonic()
        calls.start()
        calls.join(timeout=timeout + 2)
        elapsed = time.monotonic() - started
    assert not calls.is_alive(), "the cache waited on a Redis that never answers"
    assert answers == [None, None, None] and elapsed < timeout + 1
