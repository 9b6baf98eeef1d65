"""What the goals dashboards show, built from :mod:`goals.selectors_dashboard`'s reads as plain values for their
templates, and cached whole: the city-wide dashboard, a department's, the public dashboard and a public measure's
page (with its embed and CSV).

Each page's content is built from a few aggregate queries, rendered from its template once and cached under the
data's fingerprint (:func:`goals.selectors_dashboard.dashboard_cached`), so a request costs the same handful of
queries however many measures and observations there are, and a write shows on the next request. Views only say
who may see which page (:mod:`goals.access`) and render what these return.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from inventory.services.tabular import FORMULA_STARTS
from team.models import Department

from . import charts, line_chart, sparklines
from .extensions import MeasureContext, measure_contexts_for
from .models import public_measure_q
from .selectors_dashboard import (
    CHART_MONTHS,
    STATUS_BADGES,
    TREND_MONTHS,
    MeasureRow,
    Point,
    by_priority,
    counts_by_department,
    dashboard_cached,
    datasets_quality,
    kpi_trend,
    latest_narratives,
    measure_rows,
    measures_queryset,
    months_back,
    series_for,
    status_counts,
)
from .status import Status

if TYPE_CHECKING:
    from team.access import Actor

#: What the chart partial writes for each drawn chart: a page loads plotly.js only when its content holds one.
CHART_MARK = "data-goals-chart="


# --- charts (plain data, cached with the page) ---------------------------------------------------------------------


def chart_context(
    *,
    id: str,
    caption: str,
    summary: str,
    figure,
    headers: Sequence[str],
    rows: list[tuple[str, Sequence[object]]],
    table_caption: str,
    keyboard: bool = False,
    note: str = "",
) -> dict:
    """What the chart partial (templates/goals/dashboard_chart.html) draws: the figure (a plotly figure, or its
    JSON data already) as JSON data, the caption, a text summary, a ``note`` shown beside the chart (what a reader
    of the picture must know: its value axis does not start at zero) and the same numbers as a table (``headers``,
    and ``rows`` of a heading cell and the row's other cells, which the Jinja2 partial
    ``goals/_chart_table_rows.jinja`` writes: a page may hold a few thousand of these cells, too many for a Django
    template loop)."""
    data = figure if figure is None or isinstance(figure, dict) else charts.figure_data(figure)
    return {
        "id": id,
        "figure_id": f"{id}-figure",
        "caption": caption,
        "summary": summary,
        "note": note if data is not None else "",
        "figure": data,
        "figure_json": figure_json(data) if data is not None else "",
        "height": (data["layout"].get("height") or 300) if data is not None else 0,
        "keyboard": keyboard,
        "table": {"caption": table_caption, "headers": list(headers), "rows": rows},
    }


#: What Django's json_script escapes, so the JSON cannot close its <script> element or start an entity.
_JSON_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


def figure_json(data: dict) -> SafeString:
    """The figure as compact JSON for a ``<script type="application/json">`` element, escaped as ``json_script``
    escapes it (three ``str.replace`` calls: the filter's ``str.translate`` over a public page's 1.5 MB of figures
    took a fifth of its build)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
    for character, escaped in _JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    # Safe: JSON with every character that could end the <script> element or start markup escaped above.
    return mark_safe(text)  # noqa: S308


def measure_chart(row: MeasureRow, points: list[Point], *, prefix: str = "measure", svg: bool = False) -> dict:
    """Everything one measure's chart needs: the figure, a summary, the note that its axis does not start at zero
    when it does not (:func:`charts.value_axis_range`) and the same numbers as a table. Pages draw many, so the
    figure is written as data directly (``test_charts`` pins that it is :func:`charts.measure_figure`'s).

    ``svg``: the chart is also drawn by the server (:mod:`goals.line_chart`) and shown as that, plotly.js loaded
    only when the reader asks for the interactive chart (the public measure page and its embed: on a phone,
    plotly.js was most of their weight and all of their blocking time)."""
    chart = chart_context(
        id=f"{prefix}-{row.slug}",
        caption=f"{row.name} ({row.unit}), actual against target",
        summary=charts.measure_summary(row, points),
        note=f"{charts.AXIS_NOTE}: it starts near the lowest value, so the changes show."
        if charts.value_axis_range(points)
        else "",
        figure=charts.measure_figure_data(row, points) if points else None,
        keyboard=True,
        table_caption=f"{row.name}: each period’s value, target and status",
        headers=["Period", f"Value ({row.unit})", f"Target ({row.unit})", "Status"],
        rows=[
            (
                charts.period_name(point.period, row.frequency),
                (
                    charts.format_value(point.value),
                    charts.format_value(point.target) if point.target is not None else "No target",
                    point.status.label,
                ),
            )
            for point in reversed(points)
        ],
    )
    chart["svg"] = line_chart.line_chart(points, unit=row.unit, frequency=row.frequency) if svg else None
    return chart


def _cached_content(name: str, template: str, build_context: Callable[[], dict]) -> dict:
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
            table_caption="KPIs by status in each department",
            headers=["Department", "On track", "Approaching", "Off track", "No data", "% on track"],
            rows=[
                (
                    count.label,
                    (
                        count.on_track,
                        count.approaching,
                        count.off_track,
                        count.no_data,
                        "—" if count.share_on_track is None else f"{count.share_on_track}%",
                    ),
                )
                for count in departments
            ],
        ),
        "trend_chart": chart_context(
            id="trend",
            caption=f"Share of the city’s KPIs on track, last {TREND_MONTHS} months",
            summary=charts.trend_summary(trend),
            figure=charts.city_trend_figure(trend) if trend else None,
            table_caption="KPIs on track each month",
            headers=["Month", "On track", "Approaching", "Off track", "% on track"],
            rows=[
                (
                    f"{point.month:%B %Y}",
                    (
                        point.on_track,
                        point.approaching,
                        point.off_track,
                        "—" if point.share_on_track is None else f"{point.share_on_track:.0f}%",
                    ),
                )
                for point in reversed(trend)
            ],
        ),
    }


def city_dashboard(today: datetime.date) -> dict:
    """The city-wide dashboard's content (``content``, ``has_charts``), cached."""
    return _cached_content(f"city:{today}", "goals/dashboard_city_content.html", lambda: city_dashboard_context(today))


# --- a department's dashboard --------------------------------------------------------------------------------------


def department_dashboard_context(
    department: Department, today: datetime.date, extensions: Sequence[MeasureContext] = ()
) -> dict:
    """``department`` as :func:`goals.access.get_goals_department_for_user` returns it, with ``reads_commentary``
    and ``reads_quality`` saying what of it the reader sees; ``extensions`` the apps above goals' contexts the
    reader sees beside each measure (:mod:`goals.extensions`)."""
    rows = measure_rows(
        measures_queryset().filter(department=department).order_by("-is_kpi", "goal__priority__position", "name")
    )
    extra: dict[int, list[dict]] = defaultdict(list)
    for extension in extensions:
        for measure_id, context in extension.provide([row.id for row in rows], today).items():
            extra[measure_id].append({"template": extension.template, "context": context})
    series = series_for(rows, since=months_back(today, CHART_MONTHS))
    narratives = latest_narratives(row.id for row in rows if row.is_kpi) if department.reads_commentary else {}
    return {
        "department": department,
        "overall": status_counts([row for row in rows if row.is_kpi], label=department.name),
        "measures": [
            {
                "row": row,
                "chart": measure_chart(row, series.get(row.id, [])),
                "narrative": narratives.get(row.id),
                "extensions": extra.get(row.id, []),
            }
            for row in rows
        ],
        "reads_commentary": department.reads_commentary,
        "reads_quality": department.reads_quality,
        "datasets": datasets_quality(department) if department.reads_quality else [],
        "quality_url": _quality_url(department.slug),
        "chart_months": CHART_MONTHS,
    }


def department_dashboard(department: Department, today: datetime.date, actor: Actor | None = None) -> dict:
    """A department's dashboard's content (``content``, ``has_charts``), cached per what the reader sees of it
    (the extensions they see, and each one's version, included)."""
    sees = f"{int(department.reads_commentary)}{int(department.reads_quality)}"
    extensions = measure_contexts_for(actor, department) if actor is not None else []
    for extension in extensions:
        sees += f":{extension.key}={extension.version()}"
    return _cached_content(
        f"department:{department.pk}:{sees}:{today}",
        "goals/dashboard_department_content.html",
        lambda: department_dashboard_context(department, today, extensions),
    )


# --- the public dashboard ------------------------------------------------------------------------------------------


def public_tile(row: MeasureRow, points: Sequence[Point], *, draw: bool = True) -> dict:
    """One public measure as the public dashboard's summary shows it: its latest value and target as people write
    them, the period they belong to, its small trend (``draw``: as an SVG sparkline, :mod:`goals.sparklines`) and
    the same trend in words."""
    return {
        "row": row,
        "value": charts.format_value(row.latest_value, row.unit) if row.latest_value is not None else "",
        "target": charts.format_value(row.latest_target, row.unit) if row.latest_target is not None else "",
        "period": charts.period_name(row.latest_period, row.frequency) if row.latest_period else "",
        "spark": sparklines.sparkline(points) if draw else None,
        "trend": sparklines.trend_words(points, unit=row.unit, frequency=row.frequency),
    }


def public_home_context(today: datetime.date) -> dict:
    """The public dashboard's summary: per priority, a tile for each public KPI and the other public measures
    named beside them, then every public measure again as a table. Full charts are on the measures' own pages, so
    this page draws nothing with plotly.js."""
    rows = measure_rows(measures_queryset().filter(public_measure_q()))
    series = series_for(rows, since=months_back(today, CHART_MONTHS))
    priorities = []
    for priority in by_priority(rows):
        items = [
            public_tile(row, series.get(row.id, []), draw=row.is_kpi)
            for goal in priority.goals
            for row in goal.measures
        ]
        priorities.append(
            {
                "name": priority.name,
                "slug": priority.slug,
                "tiles": [item for item in items if item["row"].is_kpi],
                "others": [item for item in items if not item["row"].is_kpi],
                "items": items,
            }
        )
    return {
        "priorities": priorities,
        "kpis": status_counts([row for row in rows if row.is_kpi]),
    }


def public_home(today: datetime.date) -> dict:
    """The public dashboard's content (``content``, ``has_charts``), cached."""
    return _cached_content(f"public:{today}", "goals/public/home_content.html", lambda: public_home_context(today))


def public_measure(slug: str) -> MeasureRow:
    """The public measure ``slug`` (one query), or 404."""
    rows = measure_rows(measures_queryset().filter(public_measure_q(), slug=slug))
    if not rows:
        raise Http404("No public measure matches the given query.")
    return rows[0]


def public_measure_page(slug: str, fingerprint: str) -> dict:
    """The public measure's ``row``, ``points`` and ``chart``, cached; 404 (and nothing cached: anyone may ask for
    any slug) when there is no such public measure."""

    def build() -> dict | None:
        try:
            row = public_measure(slug)
        except Http404:
            return None
        points = series_for([row]).get(row.id, [])
        return {"row": row, "points": points, "chart": measure_chart(row, points, prefix="public", svg=True)}

    data = dashboard_cached(f"public-measure:{slug}", build, fingerprint=fingerprint)
    if data is None:
        raise Http404("No public measure matches the given query.")
    return data


def _spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will show, never run: formula-looking text gets a leading apostrophe."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def measure_csv(row: MeasureRow, points: Sequence[Point]) -> str:
    """A public measure's values as CSV: measure, period, value, unit, target, status."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["measure", "period", "value", "unit", "target", "status"])
    for point in points:
        writer.writerow(
            [
                _spreadsheet_safe(row.name),
                point.period.isoformat(),
                f"{point.value.normalize():f}",
                _spreadsheet_safe(row.unit),
                "" if point.target is None else f"{point.target.normalize():f}",
                point.status.label,
            ]
        )
    return out.getvalue()
