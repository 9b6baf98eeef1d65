"""Memos as PDF: a template rendered to HTML, then to PDF by WeasyPrint.

WeasyPrint may fetch nothing from the network or the disk at large: its URL fetcher answers only for the project's
own static files (the print stylesheet, fonts, icons) and refuses every other address, so text a user typed can never
make the server fetch a URL. Charts are inline SVG in the HTML, drawn by the server, so they need no fetch at all.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string

#: The base URL relative addresses resolve against; only addresses under it are served (from the static files).
BASE_URL = "https://statprogram.invalid/"


def _static_file(url: str) -> bytes:
    parts = urlsplit(url)
    prefix = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/"))
    if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or not parts.path.startswith(prefix.path):
        raise ValueError(f"PDF rendering fetches only the site's static files, not {url[:100]!r}.")
    relative = unquote(parts.path[len(prefix.path) :])
    if ".." in relative.split("/"):
        raise ValueError(f"No static file {relative!r}.")
    try:
        # Collected files first: with DEBUG off the pages link the hashed names ("memo-print.c6ea5a15aeec.css")
        # that only STATIC_ROOT holds; the finders know the source names (DEBUG, tests).
        if staticfiles_storage.exists(relative):
            with staticfiles_storage.open(relative, "rb") as handle:
                return handle.read()
        found = finders.find(relative)
    except SuspiciousFileOperation as exc:
        raise ValueError(f"No static file {relative!r}.") from exc
    if not found:
        raise ValueError(f"No static file {relative!r}.")
    path = found if isinstance(found, str) else found[0]
    with open(path, "rb") as handle:
        return handle.read()


def _fetcher():
    """A WeasyPrint URL fetcher that serves :func:`_static_file` and nothing else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            # The type by the file's name: WeasyPrint ignores a stylesheet that does not say it is text/css.
            kind = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=_static_file(url), headers={"Content-Type": kind})

    return StaticOnly(allowed_protocols=("https",))


def render_pdf(template_name: str, context: dict) -> bytes:
    """``template_name`` rendered with ``context`` as a PDF document (bytes). Static files are linked as
    ``{% static %}`` would link them; nothing else is fetched."""
    from weasyprint import HTML  # imported here: it loads Pango and friends, which the web pages never need

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()
