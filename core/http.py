"""HTTP helpers every app's views share."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.views.decorators.http import require_http_methods

#: A page that shows a form (GET, HEAD) and takes it back (POST); any other method is 405.
require_get_or_post = require_http_methods(["GET", "HEAD", "POST"])


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for django-axes (``AXES_CLIENT_IP_CALLABLE``): ``REMOTE_ADDR``, or, behind
    ``AXES_PROXY_COUNT`` reverse proxies, the address the outermost of them saw, which it appended to
    ``X-Forwarded-For`` (the entry that many from the right: whatever the client wrote to its left is ignored).

    Without django-ipware, axes would read ``REMOTE_ADDR`` only: behind a proxy every client would share its address,
    and one guesser would lock an account out for everyone. An ``X-Forwarded-For`` too short or not an address falls
    back to ``REMOTE_ADDR``.
    """
    count = settings.AXES_IPWARE_PROXY_COUNT or 0
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")
