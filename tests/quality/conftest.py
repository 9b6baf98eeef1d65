"""A local HTTP server on 127.0.0.1 that stands in for the internet (there is none in the tests).

``local_server`` serves whatever a test sets up, and lets the safe fetch reach loopback for the test
(``settings.FETCH_ALLOW_LOOPBACK``; a test that shows loopback is refused turns it off again)::

    def test_x(local_server):
        url = local_server.add("/data.csv", b"a,b\\n1,2\\n", headers={"Content-Type": "text/csv"})
        local_server.redirect("/old.csv", "/data.csv")
        local_server.add("/slow.csv", b"a\\n", delay=2)              # waits 2 s before answering
        local_server.add("/trickle.csv", b"a\\n" * 100, chunk_delay=0.1, chunk_size=10)
        local_server.add("/gone", status=404)
        local_server.add("/flaky.csv", b"a\n1\n", fail_first=2)   # 503 twice, then the file
        local_server.hits["/data.csv"]                               # how many times it was asked for

Routes can also be set from another process (the Celery worker of the integration test only fetches; the test
process sets the routes up).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    chunk_delay: float = 0.0  # seconds between chunks of the body
    chunk_size: int = 64 * 1024
    content_length: bool = True  # send a Content-Length header (the real one)
    fail_first: int = 0  # answer the first N requests with fail_status (a server that recovers)
    fail_status: int = 503


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                path = self.path
                server.hits[path] += 1
                route = server.routes.get(path) or server.routes.get(path.split("?", 1)[0]) or Route(b"", 404)
                if route.delay:
                    time.sleep(route.delay)
                if server.hits[path] <= route.fail_first:
                    route = Route(b"Try again later", route.fail_status)
                try:
                    self.send_response(route.status)
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.content_length:
                        self.send_header("Content-Length", str(len(route.body)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    self.end_headers()
                    for start in range(0, len(route.body), route.chunk_size):
                        self.wfile.write(route.body[start : start + route.chunk_size])
                        self.wfile.flush()
                        if route.chunk_delay:
                            time.sleep(route.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out or a byte cap): that is what the test wanted

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def add(self, path: str, body: bytes | str = b"", *, status: int = 200, **options) -> str:
        """Serve ``body`` at ``path``; returns the full URL."""
        self.routes[path] = Route(body.encode() if isinstance(body, str) else body, status, **options)
        return self.url(path)

    def redirect(self, path: str, to: str, *, status: int = 302) -> str:
        """Redirect ``path`` to ``to`` (a path on this server or a full URL); returns the full URL of ``path``."""
        return self.add(path, status=status, headers={"Location": to})

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server(settings):
    """A started :class:`LocalServer`; the safe fetch may reach loopback during the test."""
    settings.FETCH_ALLOW_LOOPBACK = True
    server = LocalServer().start()
    yield server
    server.stop()
