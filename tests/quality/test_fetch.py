"""The safe fetch the quality checks use (core.fetch.fetch_to_file), against a local server on 127.0.0.1."""

from __future__ import annotations

import datetime
import gzip
import socket

import pytest

from core.fetch import FetchError, TransientFetchError, fetch_to_file

CSV = b"id,name\n1,Ann\n2,Bo\n"


def fetch(url, tmp_path, **kwargs):
    kwargs.setdefault("max_bytes", 10_000)
    return fetch_to_file(url, tmp_path / "source.csv", **kwargs)


def failure(url, tmp_path, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as error:
        fetch(url, tmp_path, **kwargs)
    assert not (tmp_path / "source.csv").exists(), "a failed fetch leaves no partial file"
    return error.value


def test_a_file_is_streamed_to_disk_with_its_type_and_last_modified_date(local_server, tmp_path):
    url = local_server.add(
        "/data.csv",
        CSV,
        headers={"Content-Type": "text/csv; charset=utf-8", "Last-Modified": "Tue, 03 Nov 2026 14:05:00 GMT"},
    )
    fetched = fetch(url, tmp_path)
    assert (tmp_path / "source.csv").read_bytes() == CSV
    assert fetched.size == len(CSV)
    assert fetched.content_type == "text/csv"
    assert fetched.last_modified == datetime.datetime(2026, 11, 3, 14, 5, tzinfo=datetime.UTC)


def test_redirects_are_followed_and_an_unreadable_last_modified_is_ignored(local_server, tmp_path):
    local_server.add("/data.csv", CSV, headers={"Last-Modified": "last Tuesday"})
    url = local_server.redirect("/old.csv", "/data.csv", status=301)
    fetched = fetch(url, tmp_path)
    assert fetched.url.endswith("/data.csv")
    assert fetched.last_modified is None


def test_404_is_a_clear_permanent_error(local_server, tmp_path):
    error = failure(local_server.add("/gone.csv", b"Not here", status=404), tmp_path)
    assert "answered 404 Not Found: there is no file at this address" in error.messages[0]
    assert not isinstance(error, TransientFetchError)


def test_a_server_error_is_transient(local_server, tmp_path):
    error = failure(local_server.add("/busy.csv", b"", status=503), tmp_path)
    assert isinstance(error, TransientFetchError)
    assert "answered 503" in error.messages[0]


def test_a_server_that_does_not_answer_in_time_is_a_transient_error(local_server, tmp_path, settings):
    settings.FETCH_READ_TIMEOUT = 0.3
    error = failure(local_server.add("/slow.csv", CSV, delay=1.5), tmp_path)
    assert isinstance(error, TransientFetchError)
    assert "did not answer in time" in error.messages[0]


def test_a_download_that_trickles_past_the_deadline_is_stopped(local_server, tmp_path):
    url = local_server.add("/trickle.csv", CSV * 50, chunk_size=20, chunk_delay=0.05)
    error = failure(url, tmp_path, seconds=0.3)
    assert "took too long" in error.messages[0]


def test_a_closed_port_is_a_transient_refusal(local_server, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = failure(f"http://127.0.0.1:{port}/data.csv", tmp_path)
    assert isinstance(error, TransientFetchError)
    assert "refused the connection" in error.messages[0]


def test_the_byte_cap_is_counted_while_streaming(local_server, tmp_path):
    url = local_server.add("/big.csv", CSV * 1000, content_length=False)  # no Content-Length to trust
    error = failure(url, tmp_path, max_bytes=5_000)
    assert "too large" in error.messages[0] and "5,000 bytes" in error.messages[0]
    assert not isinstance(error, TransientFetchError)


def test_a_declared_length_over_the_cap_is_refused_before_reading(local_server, tmp_path):
    url = local_server.add("/big.csv", CSV * 1000)
    assert "too large" in failure(url, tmp_path, max_bytes=5_000).messages[0]


def test_a_gzip_bomb_sent_as_content_encoding_stops_at_the_cap(local_server, tmp_path):
    """20 MB of zeros compress to about 20 KB; the cap counts the decoded bytes."""
    bomb = gzip.compress(b"0" * 20_000_000)
    assert len(bomb) < 100_000
    url = local_server.add("/bomb.csv", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/csv"})
    assert "too large" in failure(url, tmp_path, max_bytes=1_000_000).messages[0]


def test_loopback_is_refused_unless_allowed(local_server, tmp_path, settings):
    url = local_server.add("/data.csv", CSV)
    settings.FETCH_ALLOW_LOOPBACK = False
    message = failure(url, tmp_path).messages[0]
    assert "private, local or reserved network (127.0.0.1)" in message
    assert local_server.hits["/data.csv"] == 0, "nothing was sent to the refused address"


def test_a_name_for_127_0_0_1_and_a_redirect_to_it_are_refused(local_server, tmp_path, settings):
    """With loopback refused (as in production) neither ``localhost`` nor a hop to 127.0.0.1 reaches the server.

    Every hop goes through the same address check (shown hop by hop with 169.254.169.254 below, where the first
    hop may be loopback for the test); here the refusal happens at the first hop already."""
    settings.FETCH_ALLOW_LOOPBACK = False
    local_server.add("/data.csv", CSV)
    local_server.redirect("/hop", f"http://127.0.0.1:{local_server.port}/data.csv")
    assert "(127.0.0.1)" in failure(f"http://localhost:{local_server.port}/data.csv", tmp_path).messages[0]
    assert "(127.0.0.1)" in failure(local_server.url("/hop"), tmp_path).messages[0]
    assert local_server.hits["/data.csv"] == local_server.hits["/hop"] == 0


def test_a_redirect_to_the_cloud_metadata_address_is_refused(local_server, tmp_path):
    """Loopback is allowed for the first hop (the local server); the redirect to 169.254.169.254 is not."""
    url = local_server.redirect("/hop", "http://169.254.169.254/latest/meta-data/iam/")
    message = failure(url, tmp_path).messages[0]
    assert "169.254.169.254" in message and "private, local or reserved network" in message
    assert local_server.hits["/hop"] == 1


def test_a_direct_url_to_the_metadata_address_is_refused_without_connecting(tmp_path, settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    message = failure("http://169.254.169.254/latest/meta-data/", tmp_path).messages[0]
    assert "169.254.169.254" in message


def test_https_to_a_plain_http_server_is_a_tls_error(local_server, tmp_path):
    local_server.add("/data.csv", CSV)
    error = failure(f"https://127.0.0.1:{local_server.port}/data.csv", tmp_path)
    assert "secure (TLS) connection to 127.0.0.1 could not be made" in error.messages[0]
    assert not isinstance(error, TransientFetchError)


def test_only_http_and_https(tmp_path):
    assert "http:// or https://" in failure("file:///etc/passwd", tmp_path).messages[0]


def test_dns_rebinding_cannot_turn_the_checked_address_into_loopback(local_server, tmp_path, settings, monkeypatch):
    """A rebinding name server answers a public address for the check and 127.0.0.1 a moment later. The connection
    goes to the address that was checked (it fails: there is no internet here), never to the local server."""
    settings.FETCH_ALLOW_LOOPBACK = False
    settings.FETCH_CONNECT_TIMEOUT = 0.5
    local_server.add("/data.csv", CSV)
    real_getaddrinfo = socket.getaddrinfo
    answers = iter(["93.184.216.34"])
    asked = []

    def rebinding(host, port, *args, **kwargs):
        if host != "portal.example.gov":
            return real_getaddrinfo(host, port, *args, **kwargs)
        asked.append(host)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    error = failure(f"http://portal.example.gov:{local_server.port}/data.csv", tmp_path)
    assert isinstance(error, TransientFetchError)
    assert asked == ["portal.example.gov"], "the name is resolved once, and that address is the one connected to"
    assert local_server.hits["/data.csv"] == 0


def test_a_redirect_to_an_address_with_credentials_is_refused(local_server, tmp_path):
    """The "no user name or password in the address" rule holds at every hop, not just the first: a source that
    redirects to http://user:pass@host/ must not have those credentials sent on (as an Authorization header)."""
    local_server.add("/data.csv", CSV)
    url = local_server.redirect("/hop", f"http://user:secret@127.0.0.1:{local_server.port}/data.csv")
    error = failure(url, tmp_path)
    assert "redirected to an address with a user name or password in it" in error.messages[0]
    assert not isinstance(error, TransientFetchError)
    assert local_server.hits["/hop"] == 1
    assert local_server.hits["/data.csv"] == 0, "nothing was sent to the address with credentials"
