"""The memo's server-drawn chart (sessions.svg): coordinates inside the plot, round gridlines, labels that fit."""

from sessions.svg import HEIGHT, WIDTH, line_chart


def points(values, targets=None):
    targets = targets or [None] * len(values)
    return [
        {"label": f"Month {i}", "value": value, "target": target}
        for i, (value, target) in enumerate(zip(values, targets, strict=True))
    ]


def test_nothing_to_draw_is_no_chart():
    assert line_chart([], title="t", desc="d") is None
    assert line_chart(points([None]), title="t", desc="d") is None


def test_the_chart_fits_its_box_with_round_gridlines():
    chart = line_chart(points(["78.2", "90", "105"], ["100", None, "95"]), title="Crashes", desc="Three months.")
    assert (chart["width"], chart["height"]) == (WIDTH, HEIGHT)
    assert [tick["label"] for tick in chart["y_ticks"]] == ["70", "80", "90", "100", "110"]
    xs = [marker["x"] for marker in chart["markers"]]
    ys = [marker["y"] for marker in chart["markers"]]
    assert xs == sorted(xs) and xs[0] == chart["left"] and xs[-1] == chart["right"]
    assert all(chart["top"] <= y <= chart["bottom"] for y in ys)
    assert ys[0] > ys[-1]  # higher values are drawn higher
    assert chart["has_target"] and len(chart["target_line"].split()) == 2
    assert [tick["anchor"] for tick in chart["x_ticks"]] == ["start", "middle", "end"]
    assert (chart["title"], chart["desc"]) == ("Crashes", "Three months.")


def test_a_single_flat_value_still_draws():
    chart = line_chart(points([5]), title="t", desc="d")
    assert len(chart["markers"]) == 1 and not chart["has_target"]
    assert chart["markers"][0]["x"] == (chart["left"] + chart["right"]) / 2
