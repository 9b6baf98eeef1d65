"""The quality charts: Plotly figures built in Python, drawn by our own copy of plotly.js."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import plotly.offline
from django.conf import settings
from django.contrib.staticfiles import finders

from quality import charts
from quality.selectors import TrendPoint, Week

NOW = datetime.datetime(2026, 3, 2, 6, 0, tzinfo=datetime.UTC)


def test_the_served_plotly_js_is_the_version_the_python_package_builds_for():
    served = Path(finders.find("plotly/plotly-basic.min.js"))
    assert served == Path(settings.BASE_DIR) / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
    banner = served.read_text(encoding="utf-8")[:300]
    version = re.search(r"plotly\.js (?:\(basic - minified\) )?v(\d+\.\d+\.\d+)", banner).group(1)
    assert version == plotly.offline.get_plotlyjs_version()
    package = json.loads((served.parent / "package.json").read_text(encoding="utf-8"))
    assert package["version"] == version


def test_the_trend_plots_score_and_rows_with_a_symbol_per_outcome():
    points = [
        TrendPoint(1, NOW, "pass", 100, 10),
        TrendPoint(2, NOW + datetime.timedelta(days=1), "warn", 90, 12),
        TrendPoint(3, NOW + datetime.timedelta(days=2), "error", None, None),
    ]
    figure = charts.figure_data(charts.trend_figure(points))
    score, rows = figure["data"]
    assert score["y"] == [100, 90, None] and rows["y"] == [10, 12, None]
    assert score["x"][0] == "2026-03-02 01:00:00"  # 6:00 UTC is 1 a.m. in the city (America/New_York, EST)
    assert score["marker"]["symbol"] == ["circle", "diamond", "square"]
    assert score["text"] == ["Pass", "Warning", "Error"]
    assert rows["yaxis"] == "y2" and rows["line"]["dash"] == "dot"  # told apart by more than colour
    assert figure["layout"]["yaxis"]["range"] == [0, 105]


def test_runs_per_week_stack_each_outcome_with_its_own_pattern_and_colour_blind_safe_colour():
    weeks = [Week(datetime.date(2026, 2, 23), {"pass": 3, "fail": 1}), Week(datetime.date(2026, 3, 2), {"error": 2})]
    figure = charts.figure_data(charts.runs_per_week_figure(weeks))
    assert figure["layout"]["barmode"] == "stack"
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert traces["Pass"]["y"] == [3, 0] and traces["Fail"]["y"] == [1, 0] and traces["Error"]["y"] == [0, 2]
    assert traces["Pass"]["x"] == ["2026-02-23", "2026-03-02"]
    okabe_ito = {"#009E73", "#E69F00", "#D55E00", "#000000"}
    assert {trace["marker"]["color"] for trace in figure["data"]} == okabe_ito
    assert len({trace["marker"]["pattern"]["shape"] for trace in figure["data"]}) == 4


def test_the_trend_is_in_the_city_time_zone_and_names_it(settings):
    """plotly.js ignores a time's UTC offset and draws the wall-clock time it is given: the figure holds the city's."""
    settings.TIME_ZONE = "Asia/Kolkata"  # UTC+5:30, no daylight saving time
    points = [TrendPoint(1, NOW, "pass", 100, 10), TrendPoint(2, NOW + datetime.timedelta(hours=20), "fail", 40, 9)]
    figure = charts.figure_data(charts.trend_figure(points))
    score, rows = figure["data"]
    assert score["x"] == rows["x"] == ["2026-03-02 11:30:00", "2026-03-03 07:30:00"]
    assert score["customdata"] == ["IST", "IST"] and "%{customdata}" in score["hovertemplate"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Finished (time in Asia/Kolkata)"


def test_runs_per_week_name_the_city_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    figure = charts.figure_data(charts.runs_per_week_figure([Week(datetime.date(2026, 3, 2), {"pass": 1})]))
    assert figure["layout"]["xaxis"]["title"]["text"] == "Week starting (Mondays, in Europe/Berlin)"
