"""The memo's charts, drawn by the server: a KPI's value and target over its last periods as an SVG line chart.

This module only measures: :func:`line_chart` turns a series of points into coordinates, tick positions and labels
(a plain dict, JSON-safe, so a sent memo's snapshot keeps it); the markup is ``stat_sessions/_memo_chart.html``, the
same on the page, the printable page and the PDF (WeasyPrint draws inline SVG, so the PDF fetches nothing).

Colours are Okabe–Ito (as :mod:`goals.charts`): the value in blue, the target in black and dashed, so the two lines
differ by more than colour; the chart names itself in ``<title>`` and says what it shows in ``<desc>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

VALUE_COLOR = "#0072B2"
TARGET_COLOR = "#000000"
WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 44
Y_TICKS = 4


def _number(value: str | Decimal | float | None) -> float | None:
    return None if value is None or value == "" else float(value)


def _label(value: float) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def _nice_range(low: float, high: float) -> tuple[float, float, float]:
    """An axis from ``low`` to ``high`` widened to round numbers, and its tick step (1, 2, 2.5 or 5 times a power
    of ten, about :data:`Y_TICKS` ticks), so the gridlines read 80, 85, 90 rather than 78.2, 84.6."""
    if low == high:
        low, high = low - 1, high + 1
    rough = (high - low) / Y_TICKS
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _anchor(index: int, count: int) -> str:
    """Where a period's label hangs from its tick: the first and last inward, so neither is cut off."""
    if count > 1 and index == 0:
        return "start"
    if count > 1 and index == count - 1:
        return "end"
    return "middle"


def line_chart(points: Sequence[dict], *, title: str, desc: str) -> dict | None:
    """Coordinates of a line chart of ``points`` (each ``{"label", "value", "target"}``, oldest first; values as
    decimal strings or numbers, ``target`` may be empty), or ``None`` when there is nothing to draw."""
    values = [_number(point["value"]) for point in points]
    targets = [_number(point.get("target")) for point in points]
    known = [number for number in values + targets if number is not None]
    if not known:
        return None
    low, high, step = _nice_range(min(known), max(known))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(points)

    def x_at(index: int) -> float:
        return round(LEFT + (plot_width * index / (count - 1) if count > 1 else plot_width / 2), 1)

    def y_at(number: float) -> float:
        return round(TOP + plot_height * (high - number) / (high - low), 1)

    markers = [{"x": x_at(i), "y": y_at(v), "label": points[i]["label"]} for i, v in enumerate(values) if v is not None]
    target_xy = [(x_at(i), y_at(t)) for i, t in enumerate(targets) if t is not None]
    ticks = round((high - low) / step)
    label_indexes = sorted({0, count // 2, count - 1}) if count > 2 else list(range(count))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "value_color": VALUE_COLOR,
        "target_color": TARGET_COLOR,
        "value_line": " ".join(f"{m['x']},{m['y']}" for m in markers),
        "target_line": " ".join(f"{x},{y}" for x, y in target_xy),
        "has_target": bool(target_xy),
        "markers": markers,
        "y_ticks": [{"y": y_at(low + step * i), "label": _label(low + step * i)} for i in range(ticks + 1)],
        "x_ticks": [{"x": x_at(i), "label": points[i]["label"], "anchor": _anchor(i, count)} for i in label_indexes],
        "legend_y": HEIGHT - 8,
        "title": title,
        "desc": desc,
    }
