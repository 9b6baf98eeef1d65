"""The public dashboard's small trends: drawn by the server as SVG coordinates, with the same numbers in words."""

from __future__ import annotations

import datetime
from decimal import Decimal

from goals import sparklines
from goals.charts import STATUS_STYLE
from goals.selectors import Point
from goals.status import Status


def _month(index: int) -> datetime.date:
    return datetime.date(2025 + index // 12, index % 12 + 1, 1)


def _points(values, targets=None, status=Status.ON_TRACK) -> list[Point]:
    targets = targets or [None] * len(values)
    return [
        Point(_month(i), Decimal(value), None if target is None else Decimal(target), "manual", status)
        for i, (value, target) in enumerate(zip(values, targets, strict=True))
    ]


def _xy(polyline: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in polyline.split()]


def test_the_line_spans_the_box_highest_value_at_the_top():
    spark = sparklines.sparkline(_points([10, 30, 20]))
    xy = _xy(spark["value_line"])
    assert [x for x, _ in xy] == [sparklines.PAD, sparklines.WIDTH / 2, sparklines.WIDTH - sparklines.PAD]
    assert xy[1][1] == sparklines.PAD  # 30, the highest, at the top
    assert xy[0][1] == sparklines.HEIGHT - sparklines.PAD  # 10, the lowest, at the bottom
    assert spark["width"] == sparklines.WIDTH and spark["target_lines"] == []


def test_only_the_latest_values_are_drawn():
    points = _points(list(range(1, 21)))
    assert len(_xy(sparklines.sparkline(points)["value_line"])) == sparklines.POINTS
    assert sparklines.trend_words(points, unit="crashes", frequency="monthly") == (
        f"The last {sparklines.POINTS} values, from 9 crashes in September 2025 to 20 crashes in August 2026; "
        "lowest 9 crashes, highest 20 crashes."
    )


def test_the_target_steps_across_each_period_and_breaks_where_there_is_none():
    spark = sparklines.sparkline(_points([5, 6, 7, 8], targets=[10, 10, None, 4]))
    first, second = (_xy(line) for line in spark["target_lines"])
    assert {y for _, y in first} == {sparklines.PAD}  # 10, the highest number of all
    assert first[-1][0] == _xy(spark["value_line"])[2][0]  # held up to the next period's start
    assert {y for _, y in second} == {sparklines.HEIGHT - sparklines.PAD}  # 4, the lowest


def test_the_latest_value_wears_its_status_symbol_and_colour():
    marks = {}
    for status in Status:
        spark = sparklines.sparkline(_points([1, 2], status=status))
        assert spark["marker_color"] == STATUS_STYLE[status]["color"]
        marks[status] = spark["marker"]
    assert len(set(marks.values())) == len(Status)  # a shape of its own each


def test_a_single_value_or_none_at_all():
    one = _points([42])
    assert _xy(sparklines.sparkline(one)["value_line"]) == [(sparklines.WIDTH / 2, sparklines.HEIGHT / 2)]
    assert sparklines.trend_words(one, unit="%", frequency="quarterly") == "One value so far: 42% in 2025 Q1."
    assert sparklines.sparkline([]) is None
    assert sparklines.trend_words([], unit="", frequency="monthly") == "No values published yet."
