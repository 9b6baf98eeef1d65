"""The goals charts: what each figure draws, that status is never told by colour alone, the palette, and the words
that stand in for the chart."""

from __future__ import annotations

import dataclasses
import datetime
import json
from decimal import Decimal

import pytest

from goals import charts
from goals.selectors import Point
from goals.selectors_dashboard import MeasureRow, StatusCounts, TrendPoint
from goals.status import Status

OKABE_ITO = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}

ROW = MeasureRow(
    **{
        field.name: None
        for field in dataclasses.fields(MeasureRow)
        if field.name
        not in {"name", "unit", "direction", "frequency", "tolerance_percent", "slug", "data_suspect", "quality_stale"}
    },
    name="Crashes",
    slug="crashes",
    unit="crashes",
    direction="down",
    frequency="monthly",
    tolerance_percent=10,
    data_suspect=False,
    quality_stale=False,
)


def _point(month: int, value, target, status) -> Point:
    return Point(datetime.date(2026, month, 1), Decimal(value), Decimal(target), "manual", status)


POINTS = [
    _point(1, 120, 100, Status.OFF_TRACK),
    _point(2, 105, 100, Status.APPROACHING),
    _point(3, 98, 90, Status.APPROACHING),
    _point(4, 88, 90, Status.ON_TRACK),
]


def test_measure_figure_draws_actuals_against_a_stepped_target_line():
    figure = charts.figure_data(charts.measure_figure(ROW, POINTS))
    target, actual = figure["data"]
    assert target["name"] == "Target" and target["line"]["dash"] == "dash" and target["line"]["shape"] == "hv"
    assert target["y"] == [100, 100, 90, 90]
    assert actual["name"] == "Actual" and actual["y"] == [120, 105, 98, 88]
    assert actual["x"] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert figure["config"] == {"displayModeBar": False, "scrollZoom": False, "responsive": True}
    json.dumps(figure)  # plain JSON for json_script


def test_each_status_has_its_own_symbol_and_words_not_only_a_colour():
    actual = charts.figure_data(charts.measure_figure(ROW, POINTS))["data"][1]
    assert actual["marker"]["symbol"] == ["x", "diamond", "diamond", "circle"]
    assert actual["text"] == ["Off track", "Approaching", "Approaching", "On track"]
    assert "%{text}" in actual["hovertemplate"]
    symbols = {style["symbol"] for style in charts.STATUS_STYLE.values()}
    patterns = {style["pattern"] for style in charts.STATUS_STYLE.values()}
    assert len(symbols) == len(patterns) == len(Status)


def test_colours_come_from_the_okabe_ito_palette():
    used = {style["color"] for status, style in charts.STATUS_STYLE.items() if status != Status.NO_DATA}
    assert used | {charts.ACTUAL_COLOR, charts.TARGET_COLOR} <= OKABE_ITO
    # "No data" is a dark grey with 3:1 contrast or better on white, as WCAG asks of graphics.
    assert charts.STATUS_STYLE[Status.NO_DATA]["color"] == "#56606B"


def test_department_figure_stacks_kpis_by_status_with_patterns():
    counts = [
        StatusCounts("Police", "police", on_track=2, approaching=1, off_track=1),
        StatusCounts("Parks", "parks", no_data=2),
    ]
    figure = charts.figure_data(charts.department_share_figure(counts))
    assert figure["layout"]["barmode"] == "stack"
    by_name = {trace["name"]: trace for trace in figure["data"]}
    assert list(by_name) == ["On track", "Approaching", "Off track", "No data"]
    assert by_name["On track"]["x"] == [2, 0] and by_name["No data"]["x"] == [0, 2]
    assert by_name["Off track"]["marker"]["pattern"]["shape"] == "x"
    for status, style in charts.STATUS_STYLE.items():
        # The bar is its status's colour with a white pattern over it ("replace" would draw the pattern in the
        # colour on a blank bar: every status but the unpatterned one would look white).
        marker = by_name[status.label]["marker"]
        assert marker["color"] == style["color"] and marker["pattern"]["fillmode"] == "overlay"
    assert charts.department_summary(counts) == (
        "2 departments. Most on track: Police (2 of 4 KPIs). Least on track: Parks (0 of 2)."
    )


def test_city_trend_is_the_share_on_track_each_month():
    trend = [TrendPoint(datetime.date(2026, 1, 1), 1, 1, 2), TrendPoint(datetime.date(2026, 2, 1), 3, 0, 1)]
    figure = charts.figure_data(charts.city_trend_figure(trend))
    assert figure["data"][0]["y"] == [25.0, 75.0]
    assert figure["layout"]["yaxis"]["range"] == [0, 100]
    assert charts.trend_summary(trend) == (
        "75% of the KPIs with a value and a target were on track in February 2026 (3 of 4), against 25% in "
        "January 2026."
    )
    assert charts.trend_summary([]) == "No KPI has a value and a target yet."


def test_the_summary_says_what_the_chart_shows():
    assert charts.measure_summary(ROW, POINTS) == (
        "Crashes: 88 crashes in April 2026, against a target of 90 crashes (lower is better): on track. "
        "120 crashes in January 2026, 4 periods charted."
    )
    assert charts.measure_summary(ROW, []) == "Crashes: no values recorded yet."


def test_values_read_as_people_write_them():
    assert charts.format_value(Decimal("1234.0000")) == "1,234"
    assert charts.format_value(Decimal("12.5"), "%") == "12.5%"
    assert charts.format_value(Decimal("8.94"), "minutes") == "8.9 minutes"
    assert charts.format_value(None) == "no value"


def test_a_figure_built_without_validation_is_the_same_figure():
    assert charts.figure_data(charts.measure_figure(ROW, POINTS, validate=False)) == charts.figure_data(
        charts.measure_figure(ROW, POINTS)
    )


def test_the_figure_written_as_data_is_the_plotly_figure():
    """Pages write each measure's figure as data directly (no plotly objects): it must be the figure itself, for
    any unit, any mix of statuses, a period without a target, and a single point."""
    no_target = Point(datetime.date(2026, 5, 1), Decimal("7.25"), None, "upload", Status.NO_DATA)
    minutes = dataclasses.replace(ROW, unit="minutes", direction="up")
    quarterly = dataclasses.replace(ROW, frequency="quarterly")
    for row, points in ((ROW, POINTS), (minutes, [*POINTS, no_target]), (ROW, POINTS[:1]), (quarterly, POINTS)):
        assert charts.measure_figure_data(row, points) == charts.figure_data(charts.measure_figure(row, points))
    json.dumps(charts.measure_figure_data(ROW, POINTS))


def test_charts_have_no_theme_behind_them():
    counts = [StatusCounts("Police", "police", on_track=1)]
    for figure in (
        charts.measure_figure(ROW, POINTS),
        charts.measure_figure(ROW, POINTS, validate=False),
        charts.department_share_figure(counts),
        charts.city_trend_figure([TrendPoint(datetime.date(2026, 1, 1), 1, 0, 0)]),
    ):
        assert charts.figure_data(figure)["layout"]["template"] == {"data": {"scatter": [{"type": "scatter"}]}}


def test_a_week_quarter_or_year_reads_as_itself_on_hover_not_as_its_first_month():
    weekly = dataclasses.replace(ROW, frequency="weekly")
    monday = Point(datetime.date(2026, 3, 2), Decimal(5), Decimal(6), "manual", Status.ON_TRACK)
    target, actual = charts.measure_figure_data(weekly, [monday])["data"]
    assert actual["customdata"] == target["customdata"] == ["Week of 2 March 2026"]
    assert actual["hovertemplate"].startswith("%{customdata}<br>")
    quarterly = dataclasses.replace(ROW, frequency="quarterly")
    assert charts.measure_figure_data(quarterly, POINTS[:1])["data"][1]["customdata"] == ["2026 Q1"]
    monthly = charts.measure_figure_data(ROW, POINTS[:1])["data"][1]
    assert "customdata" not in monthly and monthly["hovertemplate"].startswith("%{x|%b %Y}<br>")


# --- the value axis: near the data for lines far from zero, from zero for bars ---------------------------------------


def _points(*values, target=None) -> list[Point]:
    target = None if target is None else Decimal(target)
    return [
        Point(datetime.date(2026, i + 1, 1), Decimal(v), target, "manual", Status.NO_DATA) for i, v in enumerate(values)
    ]


def test_a_line_chart_far_from_zero_starts_its_axis_near_the_data():
    # 88 to 120 (targets 90 and 100): drawn from zero the whole story would sit in the top quarter of the chart.
    for figure in (charts.measure_figure_data(ROW, POINTS), charts.figure_data(charts.measure_figure(ROW, POINTS))):
        yaxis = figure["layout"]["yaxis"]
        low, high = yaxis["range"]
        assert 0 < low < 88 and high > 120
        assert (88 - low) == pytest.approx(high - 120) == pytest.approx((120 - 88) / 10)
        assert "rangemode" not in yaxis
    assert charts.value_axis_range(_points(-120, -100, target=-90)) == [-123.0, -87.0]  # far below zero, too
    assert charts.value_axis_range(_points(50, 50)) == [47.5, 52.5]  # one value: a little either side


def test_a_line_chart_near_zero_or_across_it_keeps_zero():
    for points in (_points(2, 30), _points(5, 40, target=20), _points(-3, 4), _points(0, 0), []):
        assert charts.value_axis_range(points) is None
        if points:
            figure = charts.measure_figure_data(ROW, points)
            assert figure["layout"]["yaxis"]["rangemode"] == "tozero" and "range" not in figure["layout"]["yaxis"]
            assert figure == charts.figure_data(charts.measure_figure(ROW, points))


def test_the_chart_says_when_its_axis_does_not_start_at_zero():
    from goals.dashboards import measure_chart

    assert measure_chart(ROW, POINTS)["note"].startswith("Axis does not start at zero")
    assert measure_chart(ROW, _points(2, 30))["note"] == ""
    assert measure_chart(ROW, [])["note"] == ""  # nothing drawn, nothing to say


def test_bars_keep_zero():
    counts = [StatusCounts("Police", "police", on_track=40, approaching=41)]
    assert charts.figure_data(charts.department_share_figure(counts))["layout"]["xaxis"]["rangemode"] == "tozero"
