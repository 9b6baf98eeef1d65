"""Fetch a document from a URL a user gave, without letting the server be used to reach the city's own network.

Only http and https; every address the host resolves to must be public (no loopback, private, link-local, reserved
or multicast address), the connection goes to the address that was checked (no DNS rebinding between check and
connect), each redirect is checked again (at most a few), with connect and read timeouts and a byte cap counted while
reading. Used to harvest a DCAT-US catalogue; the dataset quality checks will fetch through it too.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

# --- fetching -----------------------------------------------------------------------------

#: Refuse a catalogue bigger than this (checked while streaming, not trusted from Content-Length).
FETCH_MAX_BYTES = 50 * 1024 * 1024
FETCH_CONNECT_TIMEOUT = 5.0
FETCH_READ_TIMEOUT = 30.0
FETCH_TOTAL_SECONDS = 120.0
FETCH_MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(ValidationError):
    """A URL could not be fetched; the message says why, for the user."""


def _allowed_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if getattr(settings, "HARVEST_ALLOW_PRIVATE_ADDRESSES", False):
        return True
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_loopback)


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, each one checked: one private address refuses the whole host."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"The address {host} could not be found.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise FetchError(f"The address {host} could not be found.")
    for address in addresses:
        if not _allowed_address(address):
            raise FetchError(
                f"{host} points into a private, local or reserved network ({address}): catalogues are fetched "
                "only from the public internet."
            )
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address already checked, not to whatever the name resolves to a moment later."""

    def __init__(self, host: str, port: int, *, address: str):
        super().__init__(host, port, timeout=FETCH_CONNECT_TIMEOUT)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), FETCH_CONNECT_TIMEOUT)
        self.sock.settimeout(FETCH_READ_TIMEOUT)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def connect(self) -> None:
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def fetch_url(url: str, *, max_bytes: int = FETCH_MAX_BYTES) -> bytes:
    """GET ``url`` and return its body, refusing to be turned against the city's own network.

    Only http and https; the host's every address must be public (no loopback, private, link-local, reserved or
    multicast address; setting ``HARVEST_ALLOW_PRIVATE_ADDRESSES`` lifts this for tests), and the connection goes
    to the address that was checked. Redirects are followed by hand, at most 5, each hop checked again.
    Connect and read timeouts, an overall deadline, and a cap of ``max_bytes`` counted while reading.
    Raises :class:`FetchError` with a message for the user.
    """
    deadline = time.monotonic() + FETCH_TOTAL_SECONDS
    for _hop in range(FETCH_MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError("Give an http:// or https:// address.")
        if not parts.hostname:
            raise FetchError("This address has no host name.")
        if parts.username or parts.password:
            raise FetchError("Give an address without a user name or password in it.")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise FetchError("This address has an invalid port.") from exc
        address = _resolve(parts.hostname, port)[0]
        connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(parts.hostname, port, address=address)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET", path, headers={"Accept": "application/json", "User-Agent": "statprogram-harvester/1.0"}
            )
            response = connection.getresponse()
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{parts.hostname} answered with a redirect but no address to go to.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"{parts.hostname} answered {response.status} {response.reason}.")
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"The file is too large (over {max_bytes // (1024 * 1024)} MB).")
            chunks, size = [], 0
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"The file is too large (over {max_bytes // (1024 * 1024)} MB).")
                if time.monotonic() > deadline:
                    raise FetchError("The download took too long.")
                chunks.append(chunk)
            return b"".join(chunks)
        except FetchError:
            raise
        except TimeoutError as exc:
            raise FetchError(f"{parts.hostname} did not answer in time.") from exc
        except ssl.SSLError as exc:
            raise FetchError(f"A secure connection to {parts.hostname} could not be made ({exc.reason}).") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(f"{parts.hostname} could not be reached ({exc.__class__.__name__}).") from exc
        finally:
            connection.close()
    raise FetchError(f"Too many redirects (more than {FETCH_MAX_REDIRECTS}).")
