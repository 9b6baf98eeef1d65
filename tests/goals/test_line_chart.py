"""A public measure's chart drawn by the server as SVG (goals.line_chart): the plotly chart's lines, symbols, axis
and legend, with no plotly.js."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from goals import line_chart
from goals.charts import ACTUAL_COLOR, STATUS_STYLE, TARGET_COLOR
from goals.selectors import Point
from goals.status import Status


def _month(index: int) -> datetime.date:
    return datetime.date(2025 + index // 12, index % 12 + 1, 1)


def _points(values, targets=None, statuses=None) -> list[Point]:
    targets = targets or [None] * len(values)
    statuses = statuses or [Status.ON_TRACK] * len(values)
    return [
        Point(_month(i), Decimal(str(value)), None if target is None else Decimal(str(target)), "manual", status)
        for i, (value, target, status) in enumerate(zip(values, targets, statuses, strict=True))
    ]


def _xy(polyline: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in polyline.split()]


@pytest.mark.parametrize("name", ["wide", "narrow"])
def test_the_values_run_across_the_plot_on_an_axis_from_zero_with_round_ticks(name):
    chart = line_chart.line_chart(_points([10, 25, 40]), unit="crashes", frequency="monthly")[name]
    xy = _xy(chart["value_line"])
    assert [x for x, _ in xy] == sorted(x for x, _ in xy)
    assert xy[0][0] == chart["left"] and xy[-1][0] == chart["right"]
    assert xy[2][1] < xy[1][1] < xy[0][1]  # 40 highest
    labels = [tick["label"] for tick in chart["grid"]]
    assert labels[0] == "0" and float(labels[-1]) >= 40
    zero = chart["grid"][0]["y"]
    assert zero == chart["bottom"] and not chart["axis_break"]
    assert chart["latest"]["text"] == "Latest: 40 crashes (Mar 2025)"


def test_values_far_from_zero_get_an_axis_near_them_with_a_break_drawn():
    chart = line_chart.line_chart(_points([98, 110, 120], targets=[100, 100, 100]), unit="", frequency="monthly")
    wide = chart["wide"]
    labels = [float(tick["label"].replace(",", "")) for tick in wide["grid"]]
    assert labels[0] >= 90 and labels[-1] <= 125  # not from zero
    assert wide["axis_break"]


def test_the_target_is_a_dashed_step_line_that_breaks_where_a_period_has_none():
    chart = line_chart.line_chart(_points([5, 6, 7, 8], targets=[10, 12, None, 4]), unit="", frequency="monthly")[
        "wide"
    ]
    first, second = chart["target_paths"]
    assert first.startswith("M") and "H" in first and "V" in first  # holds, then steps to the next target
    assert "H" not in second  # one period alone
    assert chart["target_color"] == TARGET_COLOR and chart["value_color"] == ACTUAL_COLOR


def test_each_point_wears_its_status_and_says_its_numbers_and_the_legend_names_them():
    statuses = [Status.ON_TRACK, Status.APPROACHING, Status.OFF_TRACK]
    chart = line_chart.line_chart(
        _points([90, 80, 70], targets=[85, 85, 85], statuses=statuses), unit="%", frequency="monthly"
    )["narrow"]
    assert [marker["title"] for marker in chart["markers"]] == [
        "January 2025: 90%, target 85%, On track",
        "February 2025: 80%, target 85%, Approaching",
        "March 2025: 70%, target 85%, Off track",
    ]
    assert chart["markers"][2]["stroke"] == STATUS_STYLE[Status.OFF_TRACK]["color"]
    assert chart["markers"][0]["fill"] == STATUS_STYLE[Status.ON_TRACK]["color"]
    legend = [item["label"] for item in chart["legend"]]
    assert legend == ["Target", "Actual", *(str(status.label) for status in statuses)]
    assert all(item["x"] + 20 < chart["width"] for item in chart["legend"])  # wrapped inside the drawing


def test_period_labels_always_name_the_latest_and_fit_the_narrow_drawing():
    points = _points(list(range(1, 37)))
    chart = line_chart.line_chart(points, unit="", frequency="monthly")
    assert chart["narrow"]["x_labels"][-1]["text"] == "Dec 2027"
    assert len(chart["narrow"]["x_labels"]) <= line_chart.NARROW["x_labels"]
    assert len(chart["wide"]["x_labels"]) <= line_chart.WIDE["x_labels"]
    quarterly = line_chart.line_chart(points[:3], unit="", frequency="quarterly")
    assert quarterly["wide"]["x_labels"][-1]["text"] == "2025 Q1"  # its own name for a quarter


def test_nothing_is_drawn_without_values_and_one_value_sits_in_the_middle():
    assert line_chart.line_chart([], unit="", frequency="monthly") is None
    one = line_chart.line_chart(_points([3]), unit="", frequency="monthly")["wide"]
    ((x, _),) = _xy(one["value_line"])
    assert x == (one["left"] + one["right"]) / 2


def test_small_steps_keep_their_decimals():
    chart = line_chart.line_chart(_points([0.1, 0.25, 0.3]), unit="", frequency="monthly")["wide"]
    assert [tick["label"] for tick in chart["grid"]] == ["0.0", "0.1", "0.2", "0.3"]


@pytest.mark.parametrize(
    "values",
    [[98, 110, 120], [101, 110, 120], [100.5, 104, 109], [51, 55, 58], [201, 230, 260], [96, 99, 104], [7, 7, 7]],
)
@pytest.mark.parametrize("name", ["wide", "narrow"])
def test_an_axis_near_the_data_has_a_scale_to_read_and_no_label_on_its_break(values, name):
    chart = line_chart.line_chart(_points(values), unit="", frequency="monthly")[name]
    assert chart["axis_break"]
    labels = [float(tick["label"].replace(",", "")) for tick in chart["grid"]]
    assert len(labels) >= 2, labels  # two labelled lines at least: a scale, not a lone number
    steps = {round(b - a, 6) for a, b in zip(labels, labels[1:], strict=False)}
    assert len(steps) == 1, labels  # evenly spaced
    # Every label stands clear of the chevrons drawn across the axis's lowest 12 px, half its height included.
    clearance = chart["bottom"] - line_chart.BREAK_CLEARANCE - chart["font"] / 2
    assert all(tick["y"] <= clearance for tick in chart["grid"]), chart["grid"]
