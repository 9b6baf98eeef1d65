"""Fetch a document from a URL a user gave, without letting the server be used to reach the city's own network.

One safe fetch for harvesting a DCAT-US catalogue (:func:`fetch_url`, the body as bytes) and for the data-quality
checks (:func:`fetch_to_file`, streamed to a file), built on requests-hardened:

* http and https only, no user name or password in the address, at every redirect too (requests would send a
  redirect's ``user:pass@`` on as an Authorization header);
* the host's address must be public: loopback, private, link-local (169.254.169.254, the cloud metadata service),
  CG-NAT, reserved and multicast addresses are refused, at every redirect too (at most 5), and the connection goes
  to the very address that was checked (requests-hardened pins it), so DNS rebinding between check and connect
  cannot slip through;
* connect and read timeouts, and an overall deadline for the whole download;
* a byte cap counted while streaming (a lying or missing Content-Length does not matter), on the decoded body, so a
  ``Content-Encoding: gzip`` bomb stops at the cap too.

Every failure is a :class:`FetchError` whose message is for the user; :class:`TransientFetchError` marks the ones
worth retrying later (time-outs, refused or reset connections, 5xx and 429 answers, a name server that did not
answer). Setting ``FETCH_ALLOW_LOOPBACK`` (tests only: the local HTTP server stands in for the internet) lets
127.0.0.1 and ::1 through; every other non-public address stays refused.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress
from urllib3.exceptions import ReadTimeoutError

#: Refuse a catalogue bigger than this (checked while streaming, not trusted from Content-Length).
FETCH_MAX_BYTES = 50 * 1024 * 1024
FETCH_MAX_REDIRECTS = 5
#: A whole catalogue download must finish within this many seconds.
FETCH_TOTAL_SECONDS = 120.0
CHUNK_BYTES = 64 * 1024
USER_AGENT = "statprogram/1.0 (+data inventory and quality checks)"


class FetchError(ValidationError):
    """A URL could not be fetched; the message says why, for the user. Trying again will not help."""


class TransientFetchError(FetchError):
    """A URL could not be fetched for a reason that may pass (time-out, refused connection, 5xx): worth a retry."""


@dataclass(frozen=True)
class Fetched:
    """What :func:`fetch_to_file` brought back: the final address (after redirects), the bytes written, the
    declared media type and the source's Last-Modified date (None when absent or unreadable)."""

    url: str
    size: int
    content_type: str
    last_modified: datetime.datetime | None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def too_large_message(max_bytes: int) -> str:
    return f"The file is too large: it is over the limit of {_megabytes(max_bytes)}."


def _session() -> HTTPSession:
    config = Config(
        ip_filter_enable=True,
        ip_filter_allow_loopback_ips=bool(
            getattr(settings, "FETCH_ALLOW_LOOPBACK", False)
            # The name the harvest tests used before quality shared this fetch; it means the same.
            or getattr(settings, "HARVEST_ALLOW_PRIVATE_ADDRESSES", False)
        ),
        never_redirect=False,
        default_timeout=(
            float(getattr(settings, "FETCH_CONNECT_TIMEOUT", 5.0)),
            float(getattr(settings, "FETCH_READ_TIMEOUT", 30.0)),
        ),
        user_agent_override=USER_AGENT,
    )
    session = HTTPSession(config)
    session.max_redirects = FETCH_MAX_REDIRECTS
    session.trust_env = False  # no proxy from the environment: the address checked is the address reached
    return session


def _check_address(url: str) -> str:
    """The URL's host name, once the URL is known to be one we may try (http(s), a host, no credentials)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError("Give an http:// or https:// address.")
    if not parts.hostname:
        raise FetchError("This address has no host name.")
    if parts.username or parts.password:
        raise FetchError("Give an address without a user name or password in it.")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise FetchError("This address has an invalid port.") from exc
    return parts.hostname


_E = TypeVar("_E", bound=BaseException)


def _in_chain(exc: BaseException, kind: type[_E]) -> _E | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException) and isinstance(arg, kind):
                return arg
            reason = getattr(arg, "reason", None)
            if isinstance(reason, kind):
                return reason
        current = current.__cause__ or current.__context__
    return None


def _translate(exc: requests.RequestException, host: str) -> FetchError:
    """A requests exception as a message for the user, transient or not."""
    if isinstance(exc, InvalidIPAddress):
        return FetchError(
            f"{host} points into a private, local or reserved network ({exc.args[0] if exc.args else host}): data "
            "is fetched only from the public internet."
        )
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return FetchError(f"Too many redirects (more than {FETCH_MAX_REDIRECTS}).")
    if isinstance(exc, requests.exceptions.InvalidSchema | requests.exceptions.MissingSchema):
        return FetchError(f"{host} redirected to an address that is not http:// or https://.")
    if isinstance(exc, requests.exceptions.InvalidURL):
        return FetchError(f"The address could not be understood ({host}).")
    if isinstance(exc, requests.exceptions.SSLError):
        reason = _in_chain(exc, ssl.SSLError)
        detail = getattr(reason, "reason", None) or getattr(reason, "verify_message", None) or "TLS error"
        return FetchError(f"A secure (TLS) connection to {host} could not be made ({detail}).")
    if isinstance(exc, requests.exceptions.Timeout) or _in_chain(exc, ReadTimeoutError):
        return TransientFetchError(f"{host} did not answer in time.")
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return FetchError(f"{host} sent a compressed answer that could not be decoded.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        name_error = _in_chain(exc, socket.gaierror)
        if name_error is not None:
            message = f"The address {host} could not be found."
            return TransientFetchError(message) if name_error.errno == socket.EAI_AGAIN else FetchError(message)
        if _in_chain(exc, ConnectionRefusedError):
            return TransientFetchError(f"{host} refused the connection.")
        return TransientFetchError(f"{host} could not be reached (the connection failed).")
    return TransientFetchError(f"{host} could not be fetched ({exc.__class__.__name__}).")


def _status_error(response: requests.Response, host: str) -> FetchError:
    reason = f" {response.reason}" if response.reason else ""
    message = f"{host} answered {response.status_code}{reason}."
    if response.status_code == 404:
        message = f"{host} answered 404 Not Found: there is no file at this address."
    transient = response.status_code >= 500 or response.status_code in (408, 425, 429)
    return (TransientFetchError if transient else FetchError)(message)


def _last_modified(response: requests.Response) -> datetime.datetime | None:
    value = response.headers.get("Last-Modified", "")
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


@contextlib.contextmanager
def _open(url: str, *, accept: str) -> Iterator[tuple[requests.Response, Callable[[], str]]]:
    """GET ``url`` streamed; yields the response (status 2xx) and a function naming the host being read."""
    host = _check_address(url)
    hops = [url]

    def follow(response: requests.Response, *args, **kwargs) -> None:
        # A response hook runs before requests follows the redirect, so a refused hop is never requested.
        if response.is_redirect and response.headers.get("Location"):
            target = urljoin(response.url, response.headers["Location"])
            parts = urlsplit(target)
            if parts.username or parts.password:
                raise FetchError(
                    f"{current_host()} redirected to an address with a user name or password in it: data is "
                    "fetched only from addresses without credentials."
                )
            hops.append(target)

    def current_host() -> str:
        return urlsplit(hops[-1]).hostname or host

    with _session() as session:
        session.hooks["response"].append(follow)
        try:
            response = session.get(url, stream=True, headers={"Accept": accept})
        except requests.RequestException as exc:
            raise _translate(exc, current_host()) from exc
        try:
            if not 200 <= response.status_code < 300:
                raise _status_error(response, current_host())
            yield response, current_host
        finally:
            response.close()


def _stream(
    response: requests.Response, sink: BinaryIO, *, max_bytes: int, seconds: float, host: Callable[[], str]
) -> int:
    """Copy the body into ``sink``; refuse past ``max_bytes`` (counted while reading) or ``seconds``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes and not response.headers.get("Content-Encoding"):
        raise FetchError(too_large_message(max_bytes))
    deadline = time.monotonic() + seconds
    size = 0
    try:
        for chunk in response.iter_content(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(too_large_message(max_bytes))
            if time.monotonic() > deadline:
                raise TransientFetchError(f"The download from {host()} took too long (over {seconds:.0f} seconds).")
            sink.write(chunk)
    except requests.RequestException as exc:
        raise _translate(exc, host()) from exc
    return size


def fetch_url(url: str, *, max_bytes: int = FETCH_MAX_BYTES, accept: str = "application/json") -> bytes:
    """GET ``url`` and return its body, refusing to be turned against the city's own network (see the module).

    At most ``max_bytes`` (counted while reading) within ``FETCH_TOTAL_SECONDS``. Raises :class:`FetchError`
    (or its :class:`TransientFetchError`) with a message for the user.
    """
    buffer = io.BytesIO()
    with _open(url, accept=accept) as (response, host):
        _stream(response, buffer, max_bytes=max_bytes, seconds=FETCH_TOTAL_SECONDS, host=host)
    return buffer.getvalue()


def fetch_to_file(
    url: str, path: Path, *, max_bytes: int, seconds: float | None = None, accept: str = "*/*"
) -> Fetched:
    """GET ``url`` into the file ``path`` (created or truncated), as :func:`fetch_url` does but without holding the
    body in memory; on any failure the partial file is removed. ``seconds`` (default setting
    ``QUALITY_FETCH_SECONDS``) bounds the whole download.
    """
    seconds = float(seconds if seconds is not None else getattr(settings, "QUALITY_FETCH_SECONDS", 600))
    try:
        with _open(url, accept=accept) as (response, host), path.open("wb") as sink:
            size = _stream(response, sink, max_bytes=max_bytes, seconds=seconds, host=host)
            return Fetched(
                url=response.url,
                size=size,
                content_type=response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower(),
                last_modified=_last_modified(response),
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
