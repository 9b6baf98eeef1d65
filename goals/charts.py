"""The goals dashboards' charts: Plotly figures built here in Python and drawn in the browser by our own copy of
plotly.js (``static/js/goals-charts.js``), each with a text summary and a data table beside it.

Colours are the Okabe–Ito palette, which people with the common colour-vision deficiencies tell apart, and status
is never told by colour alone: each status also has its own marker symbol and bar pattern, and its name is in the
legend, the hover text, the summary and the table.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal

import plotly.graph_objects as go
import plotly.io as pio

from .models import Direction
from .selectors_dashboard import MeasureRow, Point, StatusCounts, TrendPoint
from .status import Status

#: Okabe–Ito colours, one per status, and the symbol, bar pattern and text icon that also tell it apart.
STATUS_STYLE = {
    Status.ON_TRACK: {"color": "#009E73", "symbol": "circle", "pattern": "", "icon": "✓"},
    Status.APPROACHING: {"color": "#E69F00", "symbol": "diamond", "pattern": "/", "icon": "◆"},
    Status.OFF_TRACK: {"color": "#D55E00", "symbol": "x", "pattern": "x", "icon": "✕"},
    Status.NO_DATA: {"color": "#56606B", "symbol": "square-open", "pattern": ".", "icon": "–"},
}
ACTUAL_COLOR = "#0072B2"
TARGET_COLOR = "#000000"
#: Plotly's "none" template (no theme) as data, for figures built without validation (which would not resolve the
#: name, and a template given as data is merged with plotly's default theme when it is validated).
NONE_TEMPLATE = pio.templates["none"].to_plotly_json()
FONT = {"family": "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif", "size": 14}
#: plotly.js options for every chart: no mode bar (its buttons are not keyboard-reachable), no zoom by scroll.
CONFIG = {"displayModeBar": False, "scrollZoom": False, "responsive": True}


def _layout(**extra) -> dict:
    return {
        "template": "none",
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
        "legend": {"orientation": "h", "y": -0.25},
        "hovermode": "closest",
        **extra,
    }


def _number(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def format_value(value: Decimal | float | None, unit: str = "") -> str:
    """A value as people read it: ``1,234``, ``12.5``, ``87.3%``; "no value" when there is none."""
    if value is None:
        return "no value"
    number = Decimal(str(value)).quantize(Decimal("0.1"))
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def period_name(period, frequency: str = "monthly") -> str:
    from .periods import period_label

    return period_label(period, frequency)


#: What a line chart whose value axis does not start at zero says beside it (:func:`value_axis_range`).
AXIS_NOTE = "Axis does not start at zero"


def value_axis_range(points: Sequence[Point]) -> list[float] | None:
    """The value axis of a measure's line chart, ``[low, high]``, when it should start near the data rather than at
    zero; ``None`` to keep zero in view. Zero is left out when the values and targets all sit on one side of it and
    it would take more of the axis than they do (their span is smaller than their distance from zero): drawn from
    zero, a change from 98 to 120 would be a ripple along the top. The range reaches a tenth of the span past the
    data on each side (5% of the value when every number is the same), never across zero. Bars keep zero."""
    numbers = [float(point.value) for point in points]
    numbers += [float(point.target) for point in points if point.target is not None]
    if not numbers:
        return None
    low, high = min(numbers), max(numbers)
    span = high - low
    far_above, far_below = low > 0 and low > span, high < 0 and -high > span
    if not (far_above or far_below):
        return None
    pad = span / 10 if span else abs(low) / 20
    return [round(low - pad, 4), round(high + pad, 4)]


def _value_axis(row: MeasureRow, points: Sequence[Point]) -> dict:
    axis: dict = {"fixedrange": True, "title": {"text": row.unit}}
    near_data = value_axis_range(points)
    if near_data is None:
        axis["rangemode"] = "tozero"
    else:
        axis["range"] = near_data
    return axis


def _hover_period(row: MeasureRow, points: Sequence[Point]) -> tuple[str, list[str] | None]:
    """How a point's period reads on hover: "Mar 2026" from the date for a monthly measure; for the others their
    own names ("Week of 2 March 2026", "2026 Q1", "2026") carried as ``customdata``, since a week, quarter or year
    named by its first month would read as that month."""
    if row.frequency == "monthly":
        return "%{x|%b %Y}", None
    return "%{customdata}", [period_name(point.period, row.frequency) for point in points]


def measure_figure(row: MeasureRow, points: Sequence[Point], *, validate: bool = True) -> go.Figure:
    """A measure's actual values (line, each point marked with its status's symbol and colour) against its target
    line (dashed, stepping where the target changes), on a value axis from zero unless the values sit far from it
    (:func:`value_axis_range`).

    ``validate=False`` skips plotly's per-property validation (most of the cost of a figure) for pages that draw
    dozens of them; the figure is the same (a test compares the two)."""
    periods = [point.period.isoformat() for point in points]
    styles = [STATUS_STYLE[point.status] for point in points]
    when, labels = _hover_period(row, points)
    target = go.Scatter(
        _validate=validate,
        name="Target",
        x=periods,
        y=[_number(point.target) for point in points],
        customdata=labels,
        mode="lines",
        line={"color": TARGET_COLOR, "width": 2, "dash": "dash", "shape": "hv"},
        hovertemplate=f"{when}<br>Target %{{y:,.1f}} {row.unit}<extra></extra>",
    )
    actual = go.Scatter(
        _validate=validate,
        name="Actual",
        x=periods,
        y=[_number(point.value) for point in points],
        mode="lines+markers",
        line={"color": ACTUAL_COLOR, "width": 2},
        marker={
            "size": 9,
            "symbol": [style["symbol"] for style in styles],
            "color": [style["color"] for style in styles],
            "line": {"color": "#1b1b1b", "width": 1},
        },
        text=[point.status.label for point in points],
        customdata=labels,
        hovertemplate=f"{when}<br>%{{y:,.1f}} {row.unit}<br>%{{text}}<extra></extra>",
    )
    layout = _layout(
        height=300,
        xaxis={"type": "date", "fixedrange": True},
        yaxis=_value_axis(row, points),
    )
    if not validate:
        layout["template"] = NONE_TEMPLATE
    # Built in one go (no add_trace/update_layout): plotly's update machinery is most of a figure's cost.
    return go.Figure(data=[target, actual], layout=layout, _validate=validate)


def measure_figure_data(row: MeasureRow, points: Sequence[Point]) -> dict:
    """What :func:`figure_data` makes of :func:`measure_figure`, written out as plain data without building the
    figure: pages draw dozens of these after each write, and plotly's objects (built, then turned back into JSON)
    were most of that cost. ``test_charts`` pins that the two are the same, so :func:`measure_figure` stays the
    definition of the chart."""
    periods = [point.period.isoformat() for point in points]
    styles = [STATUS_STYLE[point.status] for point in points]
    when, labels = _hover_period(row, points)
    target = {
        "hovertemplate": f"{when}<br>Target %{{y:,.1f}} {row.unit}<extra></extra>",
        "line": {"color": TARGET_COLOR, "dash": "dash", "shape": "hv", "width": 2},
        "mode": "lines",
        "name": "Target",
        "x": periods,
        "y": [_number(point.target) for point in points],
        "type": "scatter",
    }
    actual = {
        "hovertemplate": f"{when}<br>%{{y:,.1f}} {row.unit}<br>%{{text}}<extra></extra>",
        "line": {"color": ACTUAL_COLOR, "width": 2},
        "marker": {
            "color": [style["color"] for style in styles],
            "line": {"color": "#1b1b1b", "width": 1},
            "size": 9,
            "symbol": [style["symbol"] for style in styles],
        },
        "mode": "lines+markers",
        "name": "Actual",
        "text": [point.status.label for point in points],
        "x": periods,
        "y": [_number(point.value) for point in points],
        "type": "scatter",
    }
    if labels is not None:
        target["customdata"] = actual["customdata"] = labels
    layout = _layout(
        height=300,
        xaxis={"fixedrange": True, "type": "date"},
        yaxis=_value_axis(row, points),
    )
    layout["template"] = NONE_TEMPLATE
    return {"data": [target, actual], "layout": layout, "config": CONFIG}


def stacked_bar(*, name: str, labels: Sequence[str], values: Sequence[int], style: dict) -> go.Bar:
    """One status's horizontal bar of a chart stacked by status: its colour and its pattern (``style``), so no status
    is told by colour alone, and a hover naming the row, the status and the count."""
    return go.Bar(
        name=name,
        y=list(labels),
        x=list(values),
        orientation="h",
        marker={
            "color": style["color"],
            "pattern": {"shape": style["pattern"], "fillmode": "overlay", "fgcolor": "#ffffff", "solidity": 0.3},
            "line": {"color": "#1b1b1b", "width": 0.5},
        },
        hovertemplate=f"%{{y}}<br>{name}: %{{x}}<extra></extra>",
    )


def department_share_figure(counts: Sequence[StatusCounts]) -> go.Figure:
    """KPIs per department, stacked by status, each status with its colour, pattern and legend entry."""
    names = [count.label for count in counts]
    figure = go.Figure()
    for status in (Status.ON_TRACK, Status.APPROACHING, Status.OFF_TRACK, Status.NO_DATA):
        style = STATUS_STYLE[status]
        figure.add_trace(
            stacked_bar(
                name=str(status.label), labels=names, values=[count.count(status) for count in counts], style=style
            )
        )
    figure.update_layout(
        **_layout(
            barmode="stack",
            legend={"orientation": "h", "y": -0.25, "traceorder": "normal"},
            height=max(220, 28 * len(names) + 100),
            margin={"l": 200, "r": 20, "t": 20, "b": 50},
            xaxis={"title": {"text": "KPIs"}, "rangemode": "tozero", "fixedrange": True, "dtick": 1},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
        )
    )
    return figure


def city_trend_figure(trend: Sequence[TrendPoint]) -> go.Figure:
    """The share of the city's KPIs on track, month by month."""
    figure = go.Figure(
        go.Scatter(
            name="KPIs on track",
            x=[point.month.isoformat() for point in trend],
            y=[point.share_on_track for point in trend],
            mode="lines+markers",
            line={"color": ACTUAL_COLOR, "width": 2},
            marker={"size": 7, "symbol": "circle", "color": ACTUAL_COLOR},
            customdata=[[point.on_track, point.judged] for point in trend],
            hovertemplate="%{x|%b %Y}<br>%{y:.0f}% on track (%{customdata[0]} of %{customdata[1]})<extra></extra>",
        )
    )
    figure.update_layout(
        **_layout(
            height=300,
            showlegend=False,
            xaxis={"type": "date", "fixedrange": True},
            yaxis={"title": {"text": "% of KPIs on track"}, "range": [0, 100], "fixedrange": True},
        )
    )
    return figure


def figure_data(figure: go.Figure) -> dict:
    """The figure as plain JSON data (dates as ISO strings) for ``json_script``, with the config to draw it."""
    # validate=False: the figure validated itself as it was built (or was built unvalidated on purpose).
    data = json.loads(pio.to_json(figure.to_plotly_json(), validate=False, engine="json"))
    data["config"] = CONFIG
    return data


# --- words ---------------------------------------------------------------------------------------------------------


def measure_summary(row: MeasureRow, points: Sequence[Point]) -> str:
    """The chart in one or two sentences, for people who cannot see it."""
    if not points:
        return f"{row.name}: no values recorded yet."
    last = points[-1]
    good = "higher is better" if row.direction == Direction.UP else "lower is better"
    sentence = (
        f"{row.name}: {format_value(last.value, row.unit)} in {period_name(last.period, row.frequency)}, "
        f"{'against a target of ' + format_value(last.target, row.unit) if last.target is not None else 'no target'}"
        f" ({good}): {last.status.label.lower()}."
    )
    if len(points) > 1:
        first = points[0]
        sentence += (
            f" {format_value(first.value, row.unit)} in {period_name(first.period, row.frequency)}, "
            f"{len(points)} periods charted."
        )
    return sentence


def trend_summary(trend: Sequence[TrendPoint]) -> str:
    judged = [point for point in trend if point.judged]
    if not judged:
        return "No KPI has a value and a target yet."
    first, last = judged[0], judged[-1]
    return (
        f"{last.share_on_track:.0f}% of the KPIs with a value and a target were on track in "
        f"{last.month:%B %Y} ({last.on_track} of {last.judged}), against {first.share_on_track:.0f}% in "
        f"{first.month:%B %Y}."
    )


def department_summary(counts: Sequence[StatusCounts]) -> str:
    if not counts:
        return "No department has KPIs yet."
    ranked = sorted((count for count in counts if count.total), key=lambda c: -(c.share_on_track or 0))
    best, worst = ranked[0], ranked[-1]
    text = f"{len(counts)} departments. Most on track: {best.label} ({best.on_track} of {best.total} KPIs)."
    if worst is not best:
        text += f" Least on track: {worst.label} ({worst.on_track} of {worst.total})."
    return text
