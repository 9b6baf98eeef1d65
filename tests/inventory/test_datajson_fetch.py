"""Fetching a catalogue from a URL: public addresses only (checked again at every redirect), http(s) only, a size cap
and clear messages. A local HTTP server stands in for a city's portal; being on 127.0.0.1 it must be refused unless
the one test that fetches successfully allows private addresses."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import fetch as fetch_module
from core.fetch import FetchError, fetch_url

CATALOG = {"conformsTo": "https://project-open-data.cio.gov/v1.1/schema", "dataset": []}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        routes = {
            "/data.json": (200, {"Content-Type": "application/json"}, json.dumps(CATALOG).encode()),
            "/moved": (302, {"Location": "/data.json"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/big": (200, {}, b"x" * 2048),
            "/missing": (404, {}, b"no"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)) if self.path != "/big" else "")
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def refused(url: str) -> str:
    with pytest.raises(FetchError) as error:
        fetch_url(url)
    return error.value.messages[0]


def test_the_local_server_is_refused_by_default(server):
    assert "private, local or reserved network (127.0.0.1)" in refused(f"{server}/data.json")


def test_a_local_server_is_fetched_when_private_addresses_are_allowed(server, settings):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    assert json.loads(fetch_url(f"{server}/data.json")) == CATALOG
    assert json.loads(fetch_url(f"{server}/moved")) == CATALOG


def test_redirects_are_checked_and_limited(server, settings):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    assert "Too many redirects" in refused(f"{server}/loop")
    assert "answered 404" in refused(f"{server}/missing")


def test_a_redirect_to_a_private_address_is_refused(server, settings, monkeypatch):
    """The first hop is allowed (a stand-in for a public host); the redirect to the metadata service is not."""
    real = fetch_module._allowed_address
    monkeypatch.setattr(fetch_module, "_allowed_address", lambda address: address == "127.0.0.1" or real(address))
    assert "169.254.169.254" in refused(f"{server}/to-metadata")


def test_the_size_cap_is_counted_while_reading(server, settings):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    with pytest.raises(FetchError, match="too large"):
        fetch_url(f"{server}/big", max_bytes=1024)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "100.64.0.1",
        "224.0.0.1",
        "240.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address):
    assert not fetch_module._allowed_address(address)


def test_public_addresses_are_allowed():
    assert fetch_module._allowed_address("93.184.216.34")
    assert fetch_module._allowed_address("2606:2800:220:1:248:1893:25c8:1946")


def test_a_host_with_any_private_address_is_refused(monkeypatch):
    def fake_getaddrinfo(host, port, type=0):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", fake_getaddrinfo)
    assert "10.0.0.5" in refused("https://data.example.gov/data.json")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "http:// or https://"),
        ("ftp://example.gov/data.json", "http:// or https://"),
        ("http:///data.json", "no host name"),
        ("http://user:secret@example.gov/data.json", "without a user name"),
        ("http://no-such-host.invalid/data.json", "could not be found"),
    ],
)
def test_bad_addresses_get_clear_messages(url, message):
    assert message in refused(url)
