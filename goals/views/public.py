"""The public dashboard, open to everyone without a login: /public/ (public goals and measures by priority, each
with its chart), /public/measures/<slug>/ (one measure, its method, data and embed code), the page made for an
iframe at /public/measures/<slug>/embed/ and the data as CSV at /public/measures/<slug>.csv.

A measure is public when it and its goal are both public (:data:`team.access.MEASURES`' public part). Any other
measure answers 404 here, to everyone, signed in or not: these URLs are the public's.
"""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from inventory.services.tabular import FORMULA_STARTS

from ..selectors_dashboard import (
    CHART_MONTHS,
    PUBLIC_MEASURE_Q,
    MeasureRow,
    by_priority,
    dashboard_cached,
    data_fingerprint,
    measure_rows,
    measures_queryset,
    months_back,
    series_for,
    status_counts,
)
from .dashboard import cached_content, measure_chart

#: Who may frame the embeddable page: anyone (it shows public data only and has no forms or session actions).
EMBED_FRAME_ANCESTORS = "frame-ancestors *"


def public_home_context(today) -> dict:
    rows = measure_rows(measures_queryset().filter(PUBLIC_MEASURE_Q))
    series = series_for(rows, since=months_back(today, CHART_MONTHS))
    priorities = [
        {
            "name": priority.name,
            "slug": priority.slug,
            "goals": [
                {
                    "id": goal.id,
                    "statement": goal.statement,
                    "bold": goal.bold,
                    "measures": [
                        {"row": row, "chart": measure_chart(row, series.get(row.id, []), prefix="public")}
                        for row in goal.measures
                    ],
                }
                for goal in priority.goals
            ],
        }
        for priority in by_priority(rows)
    ]
    return {
        "priorities": priorities,
        "overall": status_counts(rows),
        "chart_months": CHART_MONTHS,
    }


@require_safe
def public_home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    content = cached_content(f"public:{today}", "goals/public/home_content.html", lambda: public_home_context(today))
    return render(request, "goals/public/home.html", content)


def public_measure(slug: str) -> MeasureRow:
    """The public measure ``slug`` (one query), or 404."""
    rows = measure_rows(measures_queryset().filter(PUBLIC_MEASURE_Q, slug=slug))
    if not rows:
        raise Http404("No public measure matches the given query.")
    return rows[0]


def _measure_page_data(slug: str, fingerprint: str) -> dict:
    """The public measure's row, points and chart, cached; 404 (and nothing cached: anyone may ask for any slug)
    when there is no such public measure."""

    def build() -> dict | None:
        try:
            row = public_measure(slug)
        except Http404:
            return None
        points = series_for([row]).get(row.id, [])
        return {"row": row, "points": points, "chart": measure_chart(row, points, prefix="public")}

    data = dashboard_cached(f"public-measure:{slug}", build, fingerprint=fingerprint)
    if data is None:
        raise Http404("No public measure matches the given query.")
    return data


@require_safe
def measure_detail(request: HttpRequest, slug: str) -> HttpResponse:
    data = _measure_page_data(slug, data_fingerprint())
    embed_url = request.build_absolute_uri(reverse("goals:public_measure_embed", kwargs={"slug": slug}))
    return render(request, "goals/public/measure.html", {**data, "embed_url": embed_url})


@xframe_options_exempt
@require_safe
def measure_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The chart, its summary and its table alone, made to sit in another site's iframe."""
    data = _measure_page_data(slug, data_fingerprint())
    response = render(request, "goals/embed_measure.html", data)
    response["Content-Security-Policy"] = EMBED_FRAME_ANCESTORS
    return response


def _safe(text: str) -> str:
    """A text cell a spreadsheet will show, never run: formula-looking text gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def measure_csv_text(row: MeasureRow, points) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["measure", "period", "value", "unit", "target", "status"])
    for point in points:
        writer.writerow(
            [
                _safe(row.name),
                point.period.isoformat(),
                f"{point.value.normalize():f}",
                _safe(row.unit),
                "" if point.target is None else f"{point.target.normalize():f}",
                point.status.label,
            ]
        )
    return out.getvalue()


@require_safe
def measure_csv(request: HttpRequest, slug: str) -> HttpResponse:
    data = _measure_page_data(slug, data_fingerprint())
    response = HttpResponse(measure_csv_text(data["row"], data["points"]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}.csv"'
    return response
