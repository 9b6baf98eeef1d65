"""A Redis cache that fails open: when Redis does not answer, pages render uncached instead of answering 500.

:class:`FailOpenRedisCache` is Django's ``RedisCache`` (``CACHES`` in settings uses it whenever ``REDIS_URL`` is
set). A connection error or time-out in any cache call is logged (once per outage, not once per call) and answered
as a miss: ``get`` returns its default, ``get_many`` nothing, ``has_key`` and ``add`` False, ``set`` and ``delete``
do nothing, and ``incr`` raises ``ValueError`` as for a missing key. After a failure the backend does not try Redis
again for ``RETRY_SECONDS`` (an option in ``CACHES``; ``CACHE_RETRY_SECONDS`` in settings), so a dead Redis costs a
page one failed connection at most, and the socket time-outs of ``OPTIONS`` (``CACHE_CONNECT_TIMEOUT``,
``CACHE_SOCKET_TIMEOUT``) bound what that one costs.

Nothing the site needs to be correct lives only in the cache: sessions are in the database (``SESSION_ENGINE``),
and what is cached (the dashboards, the inventory's coverage figures) is keyed by the data it was built from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: What a cache call may raise when Redis is down, unreachable, too slow or refusing writes.
UNAVAILABLE = (RedisError, OSError)


class FailOpenRedisCache(RedisCache):
    """Django's ``RedisCache``, answering every call as a miss while Redis does not answer (see the module)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        options: dict[str, Any] = dict(params.get("OPTIONS", {}))
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        self._options = options  # the rest goes to redis-py's connection pool
        self._down_until = 0.0

    def _guarded(self, fallback: Callable[[], Any], method: Callable[..., Any], *args: Any) -> Any:
        """``method(self, *args)`` (one of ``RedisCache``'s), or ``fallback()`` while Redis does not answer."""
        if self._down_until > time.monotonic():
            return fallback()
        try:
            result = method(self, *args)
        except UNAVAILABLE as exc:
            if not self._down_until:
                logger.warning(
                    "The cache (Redis) did not answer (%s: %s); pages render uncached until it does, trying it again "
                    "every %s s.",
                    exc.__class__.__name__,
                    exc,
                    self.retry_seconds,
                )
            self._down_until = time.monotonic() + self.retry_seconds
            return fallback()
        if self._down_until:
            logger.warning("The cache (Redis) answers again.")
            self._down_until = 0.0
        return result

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: default, RedisCache.get, key, default, version)

    def get_many(self, keys, version=None):
        return self._guarded(dict, RedisCache.get_many, keys, version)

    def has_key(self, key, version=None):
        return self._guarded(lambda: False, RedisCache.has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: False, RedisCache.add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._guarded(lambda: None, RedisCache.set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that could not be set, as Django's backends report them.
        return self._guarded(lambda: list(data), RedisCache.set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: False, RedisCache.touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._guarded(lambda: False, RedisCache.delete, key, version)

    def delete_many(self, keys, version=None):
        self._guarded(lambda: None, RedisCache.delete_many, keys, version)

    def clear(self):
        return self._guarded(lambda: False, RedisCache.clear)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is not answering).")

        return self._guarded(missing, RedisCache.incr, key, delta, version)


def redis_answers(url: str, *, timeout: float) -> str:
    """``"ok"`` when the Redis at ``url`` answers a PING within ``timeout`` seconds, else ``"error: <what>"``. For
    ``/healthz``, which must see Redis as it is (the cache above hides its failures by design)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return "ok" if client.ping() else "error: no answer"
    except UNAVAILABLE as exc:
        return f"error: {exc.__class__.__name__}"
    finally:
        client.close()
