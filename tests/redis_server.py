"""A Redis of the test's own, to stop and start again (never the shared one), and the app pointed at it.

``own_redis`` starts ``redis-server`` on a free port (no persistence: a restart comes back empty, as a crashed
Redis without a disk would); ``own_redis.stop()`` kills it (SIGKILL, a crash) and ``own_redis.start()`` starts it
again on the same port. ``app_on_own_redis`` points the app's cache and Celery broker at it, as production's settings
do for a ``REDIS_URL`` (``settings.REDIS_CACHE``), and sends tasks through the broker instead of running them eagerly.
``broker_down`` sends tasks to a broker nobody answers for (no server needed). Import the fixtures where they are
used (``from tests.redis_server import app_on_own_redis, broker_down, own_redis``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import time

import kombu.pools
import pytest
import redis
from django.core.cache import caches

from statprogram.celery import app as celery_app

START_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server, on loopback
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not answer on port {self.port} within {START_SECONDS}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=5)

    def queued_tasks(self, queue: str = "celery") -> list[tuple[str, list]]:
        """The tasks waiting in a Celery queue on this Redis, oldest first: (task name, positional arguments)."""
        tasks = []
        for raw in reversed(self.client().lrange(queue, 0, -1)):  # kombu pushes on the left
            message = json.loads(raw)
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            tasks.append((message["headers"]["task"], args))
        return tasks


def _needs_redis_server() -> None:
    if shutil.which("redis-server") is None:
        # In CI the server is installed by construction, so a skip would hide a broken set-up.
        (pytest.fail if os.environ.get("CI") else pytest.skip)("needs redis-server")


@pytest.fixture
def own_redis():
    """A started :class:`RedisServer` of this test's own, killed afterwards."""
    _needs_redis_server()
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


def reset_broker_connections() -> None:
    """Close and forget every pooled broker connection (Celery's and kombu's registry of pools, keyed by broker URL),
    so the next task sent connects afresh to the broker the settings name now."""
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def app_on_own_redis(own_redis, settings):
    """The app's cache and Celery broker on ``own_redis`` (as production's settings make them), tasks sent through
    the broker. Yields the server."""
    settings.REDIS_URL = own_redis.url
    settings.CACHES = {"default": {**settings.REDIS_CACHE, "LOCATION": own_redis.url}}
    settings.CELERY_BROKER_URL = own_redis.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not celery_app.conf.task_always_eager, "Celery's configuration must read the settings"
    reset_broker_connections()
    yield own_redis
    caches["default"].close()
    reset_broker_connections()


@pytest.fixture
def broker_down(settings):
    """Tasks go through a broker that refuses every connection (nothing listens on its port): Redis is down."""
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert not celery_app.conf.task_always_eager, "Celery's configuration must read the settings"
    reset_broker_connections()
    yield
    reset_broker_connections()
