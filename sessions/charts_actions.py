"""The action-item tracker's chart: items per department, stacked by status, drawn by the goals dashboards' copy of
plotly.js (``static/js/goals-charts.js``) with a text summary and the same numbers as a table beside it.

Colours are Okabe–Ito's, and no status is told by colour alone: each has its bar pattern too, and its name is in the
legend, the hover text and the table."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from goals.charts import FONT, stacked_bar
from goals.dashboards import chart_context

from .models import ItemStatus
from .selectors_actions import DepartmentStatusCounts

STATUS_STYLE = {
    ItemStatus.NOT_YET_DUE: {"color": "#0072B2", "pattern": ""},
    ItemStatus.OVERDUE: {"color": "#D55E00", "pattern": "x"},
    ItemStatus.COMPLETED_ON_TIME: {"color": "#009E73", "pattern": ""},
    ItemStatus.COMPLETED_LATE: {"color": "#E69F00", "pattern": "/"},
    ItemStatus.UNDER_REVIEW: {"color": "#56B4E9", "pattern": "."},
    ItemStatus.OVERTAKEN: {"color": "#CC79A7", "pattern": "-"},
    ItemStatus.MERGED: {"color": "#56606B", "pattern": "+"},
    ItemStatus.ON_HOLD: {"color": "#F0E442", "pattern": "|"},
}


def _layout(**extra) -> dict:
    return {"template": "none", "font": FONT, "hovermode": "closest", **extra}


def status_by_department_figure(counts: Sequence[DepartmentStatusCounts]) -> go.Figure:
    """Action items per department, stacked by status (every status in the legend, in the guide's order)."""
    names = [row.department for row in counts]
    figure = go.Figure()
    for status in ItemStatus:
        style = STATUS_STYLE[status]
        figure.add_trace(
            stacked_bar(
                name=str(status.label), labels=names, values=[row.count(status.value) for row in counts], style=style
            )
        )
    figure.update_layout(
        **_layout(
            barmode="stack",
            legend={"orientation": "h", "y": -0.3, "traceorder": "normal"},
            height=max(240, 32 * len(names) + 140),
            margin={"l": 200, "r": 20, "t": 20, "b": 60},
            xaxis={"title": {"text": "Action items"}, "rangemode": "tozero", "fixedrange": True},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        )
    )
    return figure


def status_summary(counts: Sequence[DepartmentStatusCounts]) -> str:
    """The chart in one sentence or two."""
    if not counts:
        return "No action items match."
    total = sum(row.total for row in counts)
    overdue = sum(row.count(ItemStatus.OVERDUE.value) for row in counts)
    worst = max(counts, key=lambda row: (row.count(ItemStatus.OVERDUE.value), row.department))
    text = (
        f"{total:,} action item{'s' if total != 1 else ''} in {len(counts)} department{'s' if len(counts) != 1 else ''}"
    )
    text += f"; {overdue:,} overdue."
    if overdue:
        text += f" The most overdue: {worst.department} ({worst.count(ItemStatus.OVERDUE.value):,})."
    return text


def tracker_chart(counts: Sequence[DepartmentStatusCounts]) -> dict:
    """What the chart partial (templates/goals/dashboard_chart.html) draws for the tracker: the figure, a summary
    and the same numbers as a table."""
    return chart_context(
        id="action-items-status",
        caption="Action items by department and status",
        summary=status_summary(counts),
        figure=status_by_department_figure(counts) if counts else None,
        headers=["Department", *(status.label for status in STATUS_STYLE), "Total"],
        rows=[(row.department, [*(row.count(status.value) for status in STATUS_STYLE), row.total]) for row in counts],
        table_caption="Action items by department and status",
    )
