"""Fetching a catalogue from a URL: public addresses only (checked again at every redirect), http(s) only, a size cap
and clear messages. A local HTTP server stands in for a city's portal; being on 127.0.0.1 it must be refused unless
the test lets the fetch reach loopback (``FETCH_ALLOW_LOOPBACK``, or the older ``HARVEST_ALLOW_PRIVATE_ADDRESSES``)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from requests_hardened.ip_filter import InvalidIPAddress, get_ip_address

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
            "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
            "/big": (200, {}, b"x" * 2048),
            "/missing": (404, {}, b"no"),
        }
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if self.path != "/big":  # /big does not say how big it is: the cap is counted while reading
            self.send_header("Content-Length", str(len(body)))
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


def refused(url: str, **kwargs) -> str:
    with pytest.raises(FetchError) as error:
        fetch_url(url, **kwargs)
    return error.value.messages[0]


def test_the_local_server_is_refused_by_default(server):
    assert "private, local or reserved network (127.0.0.1)" in refused(f"{server}/data.json")


def test_a_local_server_is_fetched_when_loopback_is_allowed(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    assert json.loads(fetch_url(f"{server}/data.json")) == CATALOG
    assert json.loads(fetch_url(f"{server}/moved")) == CATALOG


def test_the_older_harvest_setting_still_allows_the_local_server(server, settings):
    settings.HARVEST_ALLOW_PRIVATE_ADDRESSES = True
    assert json.loads(fetch_url(f"{server}/data.json")) == CATALOG


def test_redirects_are_checked_and_limited(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    assert "Too many redirects" in refused(f"{server}/loop")
    assert "answered 404" in refused(f"{server}/missing")
    assert "not http:// or https://" in refused(f"{server}/to-file")


def test_a_redirect_to_the_metadata_service_is_refused_even_with_loopback_allowed(server, settings):
    """The first hop (loopback, allowed for the test) answers with a redirect; the link-local hop is refused."""
    settings.FETCH_ALLOW_LOOPBACK = True
    message = refused(f"{server}/to-metadata")
    assert "169.254.169.254" in message
    assert "private, local or reserved network" in message


def test_the_size_cap_is_counted_while_reading(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    assert "too large" in refused(f"{server}/big", max_bytes=1024)
    assert len(fetch_url(f"{server}/big", max_bytes=4096)) == 2048


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
    """The filter the fetch uses (requests-hardened), on each kind of address (literal IPs: no DNS needed)."""
    with pytest.raises(InvalidIPAddress):
        get_ip_address(address, 80, allow_loopback=False)


def test_allowing_loopback_lets_only_loopback_through():
    assert str(get_ip_address("127.0.0.1", 80, allow_loopback=True)[0]) == "127.0.0.1"
    with pytest.raises(InvalidIPAddress):
        get_ip_address("169.254.169.254", 80, allow_loopback=True)
    with pytest.raises(InvalidIPAddress):
        get_ip_address("10.0.0.5", 80, allow_loopback=True)


def test_public_addresses_are_allowed():
    assert str(get_ip_address("93.184.216.34", 80, allow_loopback=False)[0]) == "93.184.216.34"
    assert get_ip_address("2606:2800:220:1:248:1893:25c8:1946", 80, allow_loopback=False)


def test_a_name_that_resolves_to_a_private_address_is_refused_by_its_address(monkeypatch):
    """No DNS in the tests: the resolver answers as a rebinding attacker's name server would."""

    def resolver(host, port, family=0, type=0, proto=0, flags=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    message = refused("https://data.example.gov/data.json")
    assert "data.example.gov" in message and "10.0.0.5" in message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "http:// or https://"),
        ("ftp://example.gov/data.json", "http:// or https://"),
        ("http:///data.json", "no host name"),
        ("http://user:secret@example.gov/data.json", "without a user name"),
        ("http://example.gov:99999/data.json", "invalid port"),
        ("http://no-such-host.invalid/data.json", "could not be found"),
    ],
)
def test_bad_addresses_get_clear_messages(url, message):
    assert message in refused(url)
