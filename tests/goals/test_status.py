from decimal import Decimal

import pytest

from goals.status import Status, measure_status


@pytest.mark.parametrize(
    ("value", "target", "direction", "expected"),
    [
        # Higher is better (library visits): reaching the target is on track, 10% short approaching, more off.
        (100, 100, "up", Status.ON_TRACK),
        (120, 100, "up", Status.ON_TRACK),
        (90, 100, "up", Status.APPROACHING),
        (89.9, 100, "up", Status.OFF_TRACK),
        # Lower is better (response minutes): under the target is on track, up to 10% over approaching.
        (8, 10, "down", Status.ON_TRACK),
        (10, 10, "down", Status.ON_TRACK),
        (11, 10, "down", Status.APPROACHING),
        (11.01, 10, "down", Status.OFF_TRACK),
        # A target of zero (zero traffic deaths) has no band: anything above it is off track.
        (0, 0, "down", Status.ON_TRACK),
        (1, 0, "down", Status.OFF_TRACK),
        # Negative targets (a change of -20%) measure the band by the target's size.
        (-20, -20, "down", Status.ON_TRACK),
        (-18, -20, "down", Status.APPROACHING),
        (-17, -20, "down", Status.OFF_TRACK),
    ],
)
def test_status_against_target_direction_and_tolerance(value, target, direction, expected):
    assert measure_status(value, target, direction=direction, tolerance_percent=10) == expected


def test_no_value_or_no_target_is_no_data():
    assert measure_status(None, 10, direction="up", tolerance_percent=10) == Status.NO_DATA
    assert measure_status(5, None, direction="up", tolerance_percent=10) == Status.NO_DATA


def test_tolerance_is_a_share_of_the_target():
    assert measure_status(Decimal("75"), Decimal("100"), direction="up", tolerance_percent=25) == Status.APPROACHING
    assert measure_status(Decimal("75"), Decimal("100"), direction="up", tolerance_percent=0) == Status.OFF_TRACK
