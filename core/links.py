"""Absolute links to the site, for whatever leaves it (emails above all).

An email is read away from the request that may have caused it, and is often sent by a Celery worker with no request
at all, so its links are built on ``settings.SITE_URL`` (the address people reach the site at), never on the address
a request happened to come in on. ``make run`` points ``SITE_URL`` at the development server's own address.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from django.conf import settings


def site_url(path: str = "/") -> str:
    """``path`` (``/quality/runs/7/``, as ``reverse`` gives it) as an absolute address on ``SITE_URL``."""
    return urljoin(settings.SITE_URL, path)


def site_origin() -> tuple[str, str]:
    """``SITE_URL``'s scheme and host (with its port): what Django's password-reset email calls ``protocol`` and
    ``domain``."""
    parts = urlsplit(settings.SITE_URL)
    return parts.scheme, parts.netloc
