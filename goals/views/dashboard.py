"""The goals dashboards for city staff: the city-wide one (principal, Stat team, seats at the table, data experts)
at /goals/dashboard/ and one per department at /goals/departments/<slug>/.

Each page's content is built from a few aggregate queries and cached whole under the data's fingerprint
(:func:`goals.selectors_dashboard.dashboard_cached`), so a request costs the same handful of queries however many
measures and observations there are, and a write shows on the next request.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from html import escape

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from inventory.models import Dataset
from quality.access import QUALITY_RESULTS
from quality.models import Outcome
from team.access import actor_for, require
from team.models import Department

from .. import charts
from ..access import MEASURE_COMMENTARY, MEASURES
from ..selectors_dashboard import (
    CHART_MONTHS,
    STATUS_BADGES,
    TREND_MONTHS,
    MeasureRow,
    Point,
    by_priority,
    counts_by_department,
    dashboard_cached,
    department_scope,
    kpi_trend,
    latest_narratives,
    measure_rows,
    measures_queryset,
    months_back,
    reads_every_measure,
    series_for,
    status_counts,
)
from ..status import Status

#: What the chart partial writes for each drawn chart: a page loads plotly.js only when its content holds one.
CHART_MARK = "data-goals-chart="
CITY_DENIED = (
    "The city-wide goals dashboard is for the principal, the Stat team, the seats at the table and data experts. "
    "Your department's dashboard is linked from your dashboard."
)


# --- chart contexts (plain data, cached with the page) -------------------------------------------------------------


def chart_context(*, id: str, caption: str, summary: str, figure, table: dict, keyboard: bool = False) -> dict:
    """What the chart partial (templates/goals/dashboard_chart.html) draws: the figure (a plotly figure, or its
    JSON data already) as JSON data, the caption, a text summary and the same numbers as a table (``caption``,
    ``headers``, ``rows``; each row's first cell heads it)."""
    data = figure if figure is None or isinstance(figure, dict) else charts.figure_data(figure)
    return {
        "id": id,
        "figure_id": f"{id}-figure",
        "caption": caption,
        "summary": summary,
        "figure": data,
        "figure_json": figure_json(data) if data is not None else "",
        "height": (data["layout"].get("height") or 300) if data is not None else 0,
        "keyboard": keyboard,
        "table": {**table, "body": table_body(table["rows"])},
    }


#: What Django's json_script escapes, so the JSON cannot close its <script> element or start an entity.
_JSON_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


def figure_json(data: dict) -> str:
    """The figure as compact JSON, escaped as ``json_script`` escapes it (three ``str.replace`` calls: the filter's
    ``str.translate`` over a public page's 1.5 MB of figures took a fifth of its build)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
    for character, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    # Safe: JSON with every character that could end the <script> element or start markup escaped above.
    return mark_safe(text)  # noqa: S308


def table_body(rows: list[list]) -> str:
    """The table's rows as HTML (each row's first cell heads it; every cell escaped), written here rather than by
    template loops or ``format_html`` per cell: a public page holds a few thousand cells, and those spent most of
    the page's build on them."""
    lines = []
    for head, *cells in rows:
        tds = "".join(f'<td class="text-right">{escape(str(cell))}</td>' for cell in cells)
        lines.append(f'<tr><th scope="row">{escape(str(head))}</th>{tds}</tr>')
    # Safe: every cell was escaped above.
    return mark_safe("\n".join(lines))  # noqa: S308


def measure_chart(row: MeasureRow, points: list[Point], *, prefix: str = "measure") -> dict:
    """Everything one measure's chart needs: the figure, a summary and the same numbers as a table. Pages draw many,
    so the figure is written as data directly (``test_charts`` pins that it is :func:`charts.measure_figure`'s)."""
    return chart_context(
        id=f"{prefix}-{row.slug}",
        caption=f"{row.name} ({row.unit}), actual against target",
        summary=charts.measure_summary(row, points),
        figure=charts.measure_figure_data(row, points) if points else None,
        keyboard=True,
        table={
            "caption": f"{row.name}: each period’s value, target and status",
            "headers": ["Period", f"Value ({row.unit})", f"Target ({row.unit})", "Status"],
            "rows": [
                [
                    charts.period_name(point.period, row.frequency),
                    charts.format_value(point.value),
                    charts.format_value(point.target) if point.target is not None else "No target",
                    point.status.label,
                ]
                for point in reversed(points)
            ],
        },
    )


def cached_content(name: str, template: str, build_context: Callable[[], dict]) -> dict:
    """The page's main content rendered from ``template`` (cached under ``name`` and the data's fingerprint), and
    whether it holds a chart (the page loads plotly.js only then)."""
    content = dashboard_cached(name, lambda: render_to_string(template, build_context()))
    # Safe: our own template's output, escaped when it was rendered; the cache holds nothing else.
    return {"content": mark_safe(content), "has_charts": CHART_MARK in content}  # noqa: S308


def _quality_url(slug: str) -> str:
    try:
        return reverse("quality:department", kwargs={"slug": slug})
    except NoReverseMatch:
        return ""


# --- the city-wide dashboard ---------------------------------------------------------------------------------------


def city_dashboard_context(today: datetime.date) -> dict:
    rows = measure_rows(measures_queryset())
    kpis = [row for row in rows if row.is_kpi]
    departments = counts_by_department(kpis)
    trend = kpi_trend(since=months_back(today, TREND_MONTHS), until=today)
    return {
        "badges": {status.value: STATUS_BADGES[status] for status in Status},
        "overall": status_counts(kpis, label="City"),
        "measure_count": len(rows),
        "priorities": by_priority(rows),
        "changed": [row for row in kpis if row.status_changed],
        "suspect": [row for row in rows if row.data_suspect],
        "departments": departments,
        "department_chart": chart_context(
            id="departments",
            caption="KPIs by status in each department",
            summary=charts.department_summary(departments),
            figure=charts.department_share_figure(departments) if departments else None,
            table={
                "caption": "KPIs by status in each department",
                "headers": ["Department", "On track", "Approaching", "Off track", "No data", "% on track"],
                "rows": [
                    [
                        count.label,
                        count.on_track,
                        count.approaching,
                        count.off_track,
                        count.no_data,
                        "—" if count.share_on_track is None else f"{count.share_on_track}%",
                    ]
                    for count in departments
                ],
            },
        ),
        "trend_chart": chart_context(
            id="trend",
            caption=f"Share of the city’s KPIs on track, last {TREND_MONTHS} months",
            summary=charts.trend_summary(trend),
            figure=charts.city_trend_figure(trend) if trend else None,
            table={
                "caption": "KPIs on track each month",
                "headers": ["Month", "On track", "Approaching", "Off track", "% on track"],
                "rows": [
                    [
                        f"{point.month:%B %Y}",
                        point.on_track,
                        point.approaching,
                        point.off_track,
                        "—" if point.share_on_track is None else f"{point.share_on_track:.0f}%",
                    ]
                    for point in reversed(trend)
                ],
            },
        ),
    }


@require_safe
@login_required
def city_dashboard(request: HttpRequest) -> HttpResponse:
    """Priorities, goals and KPIs with status; the share on track for the city and per department; the trend;
    what changed since last period; data-suspect measures."""
    require(reads_every_measure(actor_for(request.user)), CITY_DENIED)
    today = timezone.localdate()
    content = cached_content(
        f"city:{today}", "goals/dashboard_city_content.html", lambda: city_dashboard_context(today)
    )
    return render(request, "goals/dashboard_city.html", content)


# --- a department's dashboard --------------------------------------------------------------------------------------


def _may(actor, policy) -> ExpressionWrapper | Value:
    """Whether ``actor`` reads ``policy``'s objects of the department in the row, as a SQL boolean."""
    q = department_scope(policy).read_q(actor)
    return Value(True) if q is None else ExpressionWrapper(q, output_field=BooleanField())


def department_for_dashboard(user, slug: str) -> Department:
    """The department if ``user`` may read its measures, with whether they read its narratives and quality results:
    one query. 404 for a department that does not exist or whose measures they may not read."""
    actor = actor_for(user)
    scope = department_scope(MEASURES).read_q(actor)
    departments = Department.objects.filter(slug=slug).annotate(
        reads_commentary=_may(actor, MEASURE_COMMENTARY), reads_quality=_may(actor, QUALITY_RESULTS)
    )
    department = departments.filter(scope if scope is not None else Q()).first()
    if department is None:
        raise Http404("No department matches the given query.")
    return department


def department_dashboard_context(department: Department, today: datetime.date) -> dict:
    rows = measure_rows(
        measures_queryset().filter(department=department).order_by("-is_kpi", "goal__priority__position", "name")
    )
    series = series_for(rows, since=months_back(today, CHART_MONTHS))
    narratives = latest_narratives(row.id for row in rows if row.is_kpi) if department.reads_commentary else {}
    datasets = []
    if department.reads_quality:
        datasets = list(
            Dataset.objects.filter(department=department)
            .order_by("title")
            .values(
                "pk",
                "title",
                outcome=F("quality__outcome"),
                score=F("quality__score"),
                stale=F("quality__stale"),
                checked_at=F("quality__checked_at"),
            )
        )
    for dataset in datasets:
        dataset["outcome_label"] = Outcome(dataset["outcome"]).label if dataset["outcome"] else "Not checked yet"
    return {
        "department": department,
        "overall": status_counts([row for row in rows if row.is_kpi], label=department.name),
        "measures": [
            {
                "row": row,
                "chart": measure_chart(row, series.get(row.id, [])),
                "narrative": narratives.get(row.id),
            }
            for row in rows
        ],
        "reads_commentary": department.reads_commentary,
        "reads_quality": department.reads_quality,
        "datasets": datasets,
        "quality_url": _quality_url(department.slug),
        "chart_months": CHART_MONTHS,
    }


@require_safe
@login_required
def department_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A department's KPIs and measures against their targets with the lead's narrative, and its datasets'
    quality; its action items and budget come later."""
    department = department_for_dashboard(request.user, slug)
    today = timezone.localdate()
    key = f"department:{department.pk}:{int(department.reads_commentary)}{int(department.reads_quality)}:{today}"
    content = cached_content(
        key, "goals/dashboard_department_content.html", lambda: department_dashboard_context(department, today)
    )
    return render(request, "goals/dashboard_department.html", {"department": department, **content})
