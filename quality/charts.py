"""The quality pages' charts, built as Plotly figures in Python and drawn in the browser by our own copy of
plotly.js (``static/js/quality-charts.js``). Every chart has a data table beside it.

Colours are the Okabe–Ito palette, which people with the common colour-vision deficiencies tell apart, and no
status is told by colour alone: each outcome also has its own marker symbol or bar pattern and its name in the
legend and the hover text.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence

import plotly.graph_objects as go
from django.conf import settings
from django.utils import timezone

from .models import Outcome
from .selectors import TrendPoint, Week

#: Okabe–Ito colours, one per outcome, and what else tells the outcome apart.
OUTCOME_STYLE = {
    Outcome.PASS: {"color": "#009E73", "symbol": "circle", "pattern": ""},
    Outcome.WARN: {"color": "#E69F00", "symbol": "diamond", "pattern": "/"},
    Outcome.FAIL: {"color": "#D55E00", "symbol": "x", "pattern": "x"},
    Outcome.ERROR: {"color": "#000000", "symbol": "square", "pattern": "."},
}
SCORE_COLOR = "#0072B2"
ROWS_COLOR = "#CC79A7"
FONT = {"family": "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif", "size": 14}


def _layout(**extra) -> dict:
    return {
        "template": "none",
        "font": FONT,
        # The legend above the plot, so the time axis below has room for its dates and its title (naming the zone).
        "margin": {"l": 60, "r": 60, "t": 40, "b": 70},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
        "hovermode": "closest",
        **extra,
    }


def city_zone() -> str:
    """The city's time zone by name (``America/New_York``): every time on the quality pages, their charts and their
    CSV is the city's, and says so."""
    return settings.TIME_ZONE


def city_time(moment: datetime.datetime) -> str:
    """``moment`` as the city's wall-clock time, ``2026-03-02 01:00:00``: plotly.js draws a date string as it reads
    and ignores any UTC offset, so a time must reach it already in the city's zone."""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")


def trend_figure(points: Sequence[TrendPoint]) -> go.Figure:
    """Score (left axis, 0–100) and row count (right axis) of each finished run, oldest first, at the city's time
    (the axis names the zone; the hover text adds EST or EDT). Each run's marker has its outcome's symbol, and the
    hover text names the outcome."""
    zone = timezone.get_default_timezone()
    times = [city_time(point.finished_at) for point in points]
    zones = [timezone.localtime(point.finished_at, zone).tzname() or "" for point in points]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            name="Score",
            x=times,
            y=[point.score for point in points],
            mode="lines+markers",
            line={"color": SCORE_COLOR, "width": 2},
            marker={
                "size": 10,
                "symbol": [
                    OUTCOME_STYLE.get(point.outcome, OUTCOME_STYLE[Outcome.ERROR])["symbol"] for point in points
                ],
                "color": [OUTCOME_STYLE.get(point.outcome, OUTCOME_STYLE[Outcome.ERROR])["color"] for point in points],
                "line": {"color": SCORE_COLOR, "width": 1},
            },
            text=[point.outcome_label for point in points],
            customdata=zones,
            hovertemplate="%{x|%b %d, %Y %H:%M} %{customdata}<br>Score %{y}<br>%{text}<extra></extra>",
            connectgaps=False,
        )
    )
    figure.add_trace(
        go.Scatter(
            name="Rows",
            x=times,
            y=[point.row_count for point in points],
            yaxis="y2",
            mode="lines",
            line={"color": ROWS_COLOR, "width": 2, "dash": "dot"},
            customdata=zones,
            hovertemplate="%{x|%b %d, %Y %H:%M} %{customdata}<br>%{y:,} rows<extra></extra>",
        )
    )
    figure.update_layout(
        **_layout(
            yaxis={"title": {"text": "Score"}, "range": [0, 105], "fixedrange": True},
            yaxis2={
                "title": {"text": "Rows"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
                "fixedrange": True,
                "showgrid": False,
            },
            xaxis={"type": "date", "title": {"text": f"Finished (time in {city_zone()})"}},
        )
    )
    return figure


def runs_per_week_figure(weeks: Sequence[Week]) -> go.Figure:
    """Finished runs per week, stacked by outcome, each outcome with its colour, pattern and legend entry."""
    starts = [week.start.isoformat() for week in weeks]
    figure = go.Figure()
    for outcome in (Outcome.PASS, Outcome.WARN, Outcome.FAIL, Outcome.ERROR):
        style = OUTCOME_STYLE[outcome]
        figure.add_trace(
            go.Bar(
                name=outcome.label,
                x=starts,
                y=[week.count(outcome) for week in weeks],
                marker={
                    "color": style["color"],
                    "pattern": {
                        "shape": style["pattern"],
                        "fillmode": "overlay",
                        "fgcolor": "#ffffff",
                        "solidity": 0.4,
                    },
                    "line": {"color": "#1b1b1b", "width": 0.5},
                },
                hovertemplate=f"Week of %{{x|%b %d, %Y}}<br>{outcome.label}: %{{y}}<extra></extra>",
            )
        )
    figure.update_layout(
        **_layout(
            barmode="stack",
            yaxis={"title": {"text": "Runs"}, "rangemode": "tozero", "fixedrange": True},
            xaxis={"type": "date", "title": {"text": f"Week starting (Mondays, in {city_zone()})"}},
        )
    )
    return figure


def figure_data(figure: go.Figure) -> dict:
    """The figure as plain JSON data (dates as ISO strings) for ``json_script``."""
    return json.loads(figure.to_json())
