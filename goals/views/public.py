"""The public dashboard, open to everyone without a login: /public/ (a tile per public KPI by priority, the other
public measures named beside them, and all of them in a table), /public/measures/<slug>/ (one measure, its chart,
method, data and embed code), the page made for an iframe at /public/measures/<slug>/embed/ and the data as CSV at
/public/measures/<slug>.csv.

A measure is public when it and its goal are both public (:func:`goals.models.public_measure_q`). Any other
measure answers 404 here, to everyone, signed in or not: these URLs are the public's. What the pages show is built
and cached by :mod:`goals.dashboards`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .. import dashboards
from ..selectors_dashboard import data_fingerprint

#: The embed code's iframe height, in CSS pixels: the embed page's title, source and data links, status, chart and
#: legend at an article column's width (a browser test holds it to that).
EMBED_HEIGHT = 640


@require_safe
def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "goals/public/home.html", dashboards.public_home(timezone.localdate()))


@require_safe
def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = dashboards.public_measure_page(slug, data_fingerprint())
    embed_url = request.build_absolute_uri(reverse("goals:public_measure_embed", kwargs={"slug": slug}))
    return render(request, "goals/public/measure.html", {**data, "embed_url": embed_url, "embed_height": EMBED_HEIGHT})


@xframe_options_exempt
@require_safe
def measure_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The chart, its summary and its table alone, made to sit in another site's iframe: the one page whose
    Content-Security-Policy lets other sites frame it (``settings.CSP_EMBED_FRAME_ANCESTORS``, any by default: it
    shows public data only and has no forms or session actions). The rest of the policy is every page's."""
    data = dashboards.public_measure_page(slug, data_fingerprint())
    response = render(request, "goals/embed_measure.html", data)
    # What django-csp's @csp_replace sets, read from the settings at each request rather than once at import.
    response._csp_replace = {"frame-ancestors": list(settings.CSP_EMBED_FRAME_ANCESTORS)}  # type: ignore[attr-defined]
    return response


@require_safe
def measure_csv(request: HttpRequest, slug: str) -> HttpResponse:
    data = dashboards.public_measure_page(slug, data_fingerprint())
    response = HttpResponse(dashboards.measure_csv(data["row"], data["points"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response
