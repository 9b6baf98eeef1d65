"""Counting requests in a time window, in the cache: what rate limits (password reset by email) are made of.

Counts live in Django's cache (Redis in production, shared by every worker; local memory in development), so a limit
needs no table and forgets itself when its window ends. A key holds no personal data in clear: callers hash it.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def hashed(value: str) -> str:
    """``value`` as a short digest, for a cache key that must not hold an address in clear."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one more request under ``key`` and say whether it stays within ``limit`` in the window (of
    ``window_seconds`` from the key's first request). Atomic where the cache is (Redis's INCR): two workers never
    both take the last place."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window ended between add and incr: this request opens a new one
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
