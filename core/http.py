"""HTTP helpers every app's views share."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.views.decorators.http import require_http_methods

#: A page that shows a form (GET, HEAD) and takes it back (POST); any other method is 405.
require_get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``: what lockouts (django-axes) and rate limits count by.

    With no proxy in front of the app (``PROXY_COUNT`` 0) it is the connection's own address. Behind
    ``PROXY_COUNT`` trusted proxies, each appending to X-Forwarded-For the address it was reached from, it is the
    entry that many places from the right: the one the outermost trusted proxy wrote. Entries further left are
    whatever the client sent, and are ignored. A request with fewer entries than that (it did not come through every
    proxy), or whose entry is not an IP address, gets the connection's address.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
