"""A KPI's small trend for the public dashboard's tiles, drawn by the server as inline SVG: no plotly.js, so the
summary page stays light, prints as it shows, and needs no script at all.

This module only measures: :func:`sparkline` turns a measure's latest values into coordinates (a plain dict, safe
to cache with the page) and :func:`trend_words` says the same in words; the markup is
``goals/public/_sparkline.html``. The line is the values in the charts' blue, the target a dashed black step line
(so the two differ by more than colour), and the latest value is marked with its status's own symbol and colour
(:data:`goals.charts.STATUS_STYLE`). Like any sparkline its axis spans the data alone: the numbers are in the words
beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .charts import ACTUAL_COLOR, STATUS_STYLE, TARGET_COLOR, format_value, period_name
from .selectors import Point
from .status import Status

#: How many of a measure's latest values a tile draws: a year of a monthly measure, three of a quarterly one.
POINTS = 12
WIDTH, HEIGHT = 160, 40
#: Room around the line so the latest value's symbol is not cut off at the edge.
PAD = 6


def latest(points: Sequence[Point]) -> list[Point]:
    """The values a tile draws: the last :data:`POINTS` of ``points`` (oldest first)."""
    return list(points[-POINTS:])


def status_marker(status: Status, x: float, y: float) -> str:
    """An SVG path of the status's symbol centred on (x, y): the shapes of the full charts' markers."""
    r = 4.5
    if status == Status.ON_TRACK:  # a circle
        return f"M{x - r},{y} a{r},{r} 0 1,0 {2 * r},0 a{r},{r} 0 1,0 {-2 * r},0 Z"
    if status == Status.APPROACHING:  # a diamond
        return f"M{x},{y - r - 1} L{x + r + 1},{y} L{x},{y + r + 1} L{x - r - 1},{y} Z"
    if status == Status.OFF_TRACK:  # a cross
        return f"M{x - r},{y - r} L{x + r},{y + r} M{x - r},{y + r} L{x + r},{y - r}"
    return f"M{x - r},{y - r} h{2 * r} v{2 * r} h{-2 * r} Z"  # no data: an open square


def sparkline(points: Sequence[Point]) -> dict | None:
    """Coordinates of the small trend of ``points`` (:func:`latest` of them, oldest first): the value line, the
    target's step line(s) (one per run of periods with a target), and the latest value's symbol; ``None`` when
    there is no value to draw."""
    drawn = latest(points)
    if not drawn:
        return None
    values = [float(point.value) for point in drawn]
    targets = [None if point.target is None else float(point.target) for point in drawn]
    numbers = values + [target for target in targets if target is not None]
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    count = len(drawn)

    def x_at(index: float) -> float:
        return round(PAD + (WIDTH - 2 * PAD) * index / (count - 1), 1) if count > 1 else WIDTH / 2

    def y_at(number: float) -> float:
        return round(PAD + (HEIGHT - 2 * PAD) * (high - number) / (high - low), 1)

    target_lines: list[str] = []
    run: list[str] = []
    for index, target in enumerate(targets):
        if target is None:
            if run:
                target_lines.append(" ".join(run))
            run = []
            continue
        y = y_at(target)
        # A step line: the target holds across its period, up to the next one's (the full charts' "hv" shape).
        run.append(f"{x_at(index)},{y}")
        run.append(f"{x_at(min(index + 1, count - 1))},{y}")
    if run:
        target_lines.append(" ".join(run))
    last = drawn[-1]
    last_x, last_y = x_at(count - 1), y_at(values[-1])
    style = STATUS_STYLE[last.status]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "value_color": ACTUAL_COLOR,
        "target_color": TARGET_COLOR,
        "value_line": " ".join(f"{x_at(index)},{y_at(value)}" for index, value in enumerate(values)),
        "target_lines": target_lines,
        "marker": status_marker(last.status, last_x, last_y),
        "marker_color": style["color"],
        "marker_filled": last.status in (Status.ON_TRACK, Status.APPROACHING),
    }


def trend_words(points: Sequence[Point], *, unit: str, frequency: str) -> str:
    """The small trend in words, with its numbers: where the drawn values began and ended, and their range."""
    drawn = latest(points)
    if not drawn:
        return "No values published yet."
    last = drawn[-1]
    latest_words = f"{format_value(last.value, unit)} in {period_name(last.period, frequency)}"
    if len(drawn) == 1:
        return f"One value so far: {latest_words}."
    first = drawn[0]
    values = [point.value for point in drawn]
    return (
        f"The last {len(drawn)} values, from {format_value(first.value, unit)} in "
        f"{period_name(first.period, frequency)} to {latest_words}; lowest {format_value(min(values), unit)}, "
        f"highest {format_value(max(values), unit)}."
    )
