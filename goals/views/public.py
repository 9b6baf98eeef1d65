"""The public dashboard, open to everyone without a login: /public/ (public goals and measures by priority, each
with its chart), /public/measures/<slug>/ (one measure, its method, data and embed code), the page made for an
iframe at /public/measures/<slug>/embed/ and the data as CSV at /public/measures/<slug>.csv.

A measure is public when it and its goal are both public (:func:`goals.models.public_measure_q`). Any other
measure answers 404 here, to everyone, signed in or not: these URLs are the public's. What the pages show is built
and cached by :mod:`goals.dashboards`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .. import dashboards
from ..selectors_dashboard import data_fingerprint

#: Who may frame the embeddable page: anyone (it shows public data only and has no forms or session actions).
EMBED_FRAME_ANCESTORS = "frame-ancestors *"


@require_safe
def public_home(request: HttpRequest) -> HttpResponse:
    return render(request, "goals/public/home.html", dashboards.public_home(timezone.localdate()))


@require_safe
def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = dashboards.public_measure_page(slug, data_fingerprint())
    embed_url = request.build_absolute_uri(reverse("goals:public_measure_embed", kwargs={"slug": slug}))
    return render(request, "goals/public/measure.html", {**data, "embed_url": embed_url})


@xframe_options_exempt
@require_safe
def measure_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The chart, its summary and its table alone, made to sit in another site's iframe."""
    data = dashboards.public_measure_page(slug, data_fingerprint())
    response = render(request, "goals/embed_measure.html", data)
    response["Content-Security-Policy"] = EMBED_FRAME_ANCESTORS
    return response


@require_safe
def measure_csv(request: HttpRequest, slug: str) -> HttpResponse:
    data = dashboards.public_measure_page(slug, data_fingerprint())
    response = HttpResponse(dashboards.measure_csv(data["row"], data["points"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response
