"""A measure's full chart drawn by the server as inline SVG, for the public measure page and its embed: no plotly.js
to download and start before the chart shows (on a phone that was most of those pages' weight and all of their
blocking time), and it prints as it shows.

It draws what :func:`goals.charts.measure_figure` draws, in the same Okabe–Ito colours: the actual values as a line,
each point marked with its status's symbol and colour (:data:`goals.charts.STATUS_STYLE`; the symbols of
:mod:`goals.sparklines`), the target as a dashed black step line, and a value axis from zero unless the values sit
far from it (:func:`goals.charts.value_axis_range`; the page then says so beside the chart, and the axis shows a
break at its foot). Axes have ticks and labels, the latest value is written above the plot and a legend names
every line and symbol drawn. Each point carries its period, value, target and status as a tooltip; the words and
the table beside the chart say everything for people who cannot see it.

This module only measures: :func:`line_chart` returns coordinates and labels (a plain dict, cached with the page);
the markup is ``goals/_line_chart.html``. It is drawn twice, for a wide and a narrow column (CSS shows one), so its
text stays readable on a phone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .charts import ACTUAL_COLOR, STATUS_STYLE, TARGET_COLOR, format_value, period_name, value_axis_range
from .selectors import Point
from .sparklines import status_marker
from .status import Status

#: The two drawings: the viewBox width, font size, the most x-axis labels and value-axis ticks.
WIDE = {"name": "wide", "width": 640, "font": 13, "x_labels": 6, "y_ticks": 5, "plot_height": 220}
#: How far up the value axis the break's chevrons reach, in px: no tick label is written below it.
BREAK_CLEARANCE = 13
NARROW = {"name": "narrow", "width": 340, "font": 12, "x_labels": 3, "y_ticks": 4, "plot_height": 180}
TEXT_COLOR = "#1b1b1b"
GRID_COLOR = "#dfe1e2"
AXIS_COLOR = "#565c65"
#: Status symbols in the legend, in the order the statuses read.
STATUS_ORDER = (Status.ON_TRACK, Status.APPROACHING, Status.OFF_TRACK, Status.NO_DATA)


def short_period(period, frequency: str) -> str:
    """A period as an axis names it: "Jan 2026", "2 Mar 2026" (a week), "2026 Q1", "2026"."""
    if frequency == "monthly":
        return f"{period:%b %Y}"
    if frequency == "weekly":
        return f"{period.day} {period:%b %Y}"
    return period_name(period, frequency)


def nice_step(span: float, ticks: int) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` intervals over ``span``."""
    raw = span / max(ticks, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def value_axis(points: Sequence[Point], ticks: int) -> tuple[float, float, list[float], float, bool]:
    """``(low, high, tick values, step, from_zero)`` of the value axis: from zero to a round number past the data
    (past zero for negative data), or the range :func:`value_axis_range` gives when it starts near the data."""
    near = value_axis_range(points)
    numbers = [float(point.value) for point in points]
    numbers += [float(point.target) for point in points if point.target is not None]
    if near is not None:
        low, high = near
        step = nice_step(high - low, ticks)
        first = math.ceil(low / step - 1e-9) * step
        # A round step may leave a short range one or two ticks, too few to read a scale from: a finer one, so at
        # least three stand inside it (one may yet give way to the axis break: see _draw).
        while first + 2 * step > high + step * 1e-6:
            step = _finer(step)
            first = math.ceil(low / step - 1e-9) * step
    else:
        low, high = min([0.0, *numbers]), max([0.0, *numbers])
        if low == high:
            high = 1.0
        step = nice_step(high - low, ticks)
        low, high = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
        first = low
    values = []
    tick = first
    while tick <= high + step * 1e-6:
        values.append(round(tick, 10))
        tick = first + step * len(values)
    return low, high, values, step, near is None


def _finer(step: float) -> float:
    """The round step below ``step`` (5 → 2 → 1 → 0.5...)."""
    magnitude = 10 ** math.floor(math.log10(step) + 1e-9)
    mantissa = round(step / magnitude)
    return {5: 2, 2: 1}.get(mantissa, 0.5) * magnitude


def tick_label(value: float, step: float) -> str:
    """A value-axis tick as people read it: as many decimals as the step needs, thousands separated."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return f"{value:,.{decimals}f}"


def _legend(items: list[dict], *, left: float, width: float, top: float, font: int) -> tuple[list[dict], float]:
    """Legend items laid out left to right, wrapping at ``width``: each gets ``x`` and ``y`` (its text's baseline);
    returns them and the height they take."""
    row_height = font + 10
    x, y = left, top + font
    for item in items:
        # The sample (28 units) and the label at about 0.55 em a character.
        size = 28 + 6 + 0.55 * font * len(item["label"]) + 18
        if x + size > width and x > left:
            x, y = left, y + row_height
        item["x"], item["y"] = round(x, 1), round(y, 1)
        item["mid"] = round(y - font * 0.35, 1)  # where a line sample sits, beside the text's middle
        item["sample_end"], item["text_x"] = round(x + 28, 1), round(x + 34, 1)
        x += size
    return items, y - top + 8


def _draw(points: Sequence[Point], *, unit: str, frequency: str, size: dict) -> dict:
    font = size["font"]
    width = size["width"]
    low, high, ticks, step, from_zero = value_axis(points, size["y_ticks"])
    labels = [tick_label(value, step) for value in ticks]
    # Room on the left for the widest tick label and the unit written up the axis.
    left = round(max(len(label) for label in labels) * font * 0.55 + font * 2 + 10)
    right = round(font * 2.2)  # half the last period's label
    top = font * 2 + 4  # room for the latest value's label, above the plot where no line can cross it
    bottom = top + size["plot_height"]
    plot_width = width - left - right
    days = [point.period.toordinal() for point in points]
    first, last = days[0], days[-1]

    def x_at(day: int) -> float:
        return round(left + plot_width * (day - first) / (last - first), 1) if last > first else left + plot_width / 2

    def y_at(number: float) -> float:
        return round(bottom - (bottom - top) * (number - low) / (high - low), 1)

    xs = [x_at(day) for day in days]
    values = [float(point.value) for point in points]
    # The target as a step line ("hv", as plotly draws it): it holds until the next period's target, and breaks
    # where a period has none.
    target_paths: list[str] = []
    path = ""
    for index, point in enumerate(points):
        if point.target is None:
            if path:
                target_paths.append(path)
            path = ""
            continue
        y = y_at(float(point.target))
        path += f"H{xs[index]}V{y}" if path else f"M{xs[index]},{y}"
    if path:
        target_paths.append(path)
    markers = []
    for index, point in enumerate(points):
        filled = point.status in (Status.ON_TRACK, Status.APPROACHING)
        color = STATUS_STYLE[point.status]["color"]
        target = f"target {format_value(point.target, unit)}" if point.target is not None else "no target"
        markers.append(
            {
                "d": status_marker(point.status, xs[index], y_at(values[index])),
                "fill": color if filled else "#ffffff",
                "stroke": TEXT_COLOR if filled else color,
                "stroke_width": 1 if filled else 2,
                "title": f"{period_name(point.period, frequency)}: {format_value(point.value, unit)}, {target}, "
                f"{point.status.label}",
            }
        )
    # Period labels along the bottom: the latest always, then every n-th before it.
    every = max(1, math.ceil(len(points) / size["x_labels"]))
    x_labels = [
        {"x": xs[index], "text": short_period(points[index].period, frequency)}
        for index in sorted(range(len(points) - 1, -1, -every))
    ]
    legend_items: list[dict] = []
    if target_paths:
        legend_items.append({"kind": "target", "label": "Target"})
    legend_items.append({"kind": "actual", "label": "Actual"})
    for status in STATUS_ORDER:
        if any(point.status == status for point in points):
            legend_items.append({"kind": "status", "status": status, "label": str(status.label)})
    legend_top = bottom + font * 2 + 8
    legend, legend_height = _legend(legend_items, left=4, width=width, top=legend_top, font=font)
    for item in legend:
        if item["kind"] == "status":
            status = item.pop("status")
            filled = status in (Status.ON_TRACK, Status.APPROACHING)
            color = STATUS_STYLE[status]["color"]
            item.update(
                d=status_marker(status, item["x"] + 14, item["mid"]),
                fill=color if filled else "#ffffff",
                stroke=TEXT_COLOR if filled else color,
                stroke_width=1 if filled else 2,
            )
    return {
        "name": size["name"],
        "width": width,
        "height": round(legend_top + legend_height),
        "font": font,
        "small_font": font - 1,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": bottom,
        "grid": [
            {"y": y_at(value), "label": label}
            for value, label in zip(ticks, labels, strict=True)
            # A tick's label would sit on the axis break's chevrons (the lowest 12 px of the axis).
            if from_zero or y_at(value) <= bottom - BREAK_CLEARANCE - font / 2
        ],
        "axis_title": unit,
        "axis_title_x": round(font * 0.9),
        "axis_title_y": round((top + bottom) / 2),
        "tick_label_x": left - 6,
        # Two small chevrons across the foot of the value axis: it does not start at zero.
        "axis_break": "" if from_zero else f"M{left - 5},{bottom - 3} l5,-4 l5,4 M{left - 5},{bottom - 8} l5,-4 l5,4",
        "x_labels": x_labels,
        "x_label_y": bottom + font + 6,
        "target_paths": target_paths,
        "value_line": " ".join(f"{x},{y_at(value)}" for x, value in zip(xs, values, strict=True)),
        "markers": markers,
        "latest": {
            "x": width - right,
            "y": font,
            "text": f"Latest: {format_value(points[-1].value, unit)} ({short_period(points[-1].period, frequency)})",
        },
        "legend": legend,
        "value_color": ACTUAL_COLOR,
        "target_color": TARGET_COLOR,
        "text_color": TEXT_COLOR,
        "grid_color": GRID_COLOR,
        "axis_color": AXIS_COLOR,
    }


def line_chart(points: Sequence[Point], *, unit: str, frequency: str) -> dict | None:
    """A measure's chart as SVG geometry, drawn for a wide and a narrow column (``wide``, ``narrow``); ``None``
    when there is no value to draw."""
    if not points:
        return None
    return {
        "wide": _draw(points, unit=unit, frequency=frequency, size=WIDE),
        "narrow": _draw(points, unit=unit, frequency=frequency, size=NARROW),
    }
