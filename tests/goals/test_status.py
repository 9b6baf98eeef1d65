import datetime
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


# --- the SQL rule (goals.selectors_dashboard.status_case) judges as measure_status, on SQLite and PostgreSQL ------

D = Decimal
ON, NEAR, OFF = Status.ON_TRACK, Status.APPROACHING, Status.OFF_TRACK
#: (value, target, direction, tolerance %, status): each edge of the band and the smallest step past it (values
#: have four decimal places), in both directions, for bands whose size a binary float cannot hold (3.3, 0.021...).
BOUNDARIES = [
    # Exactly at the tolerance is approaching; a ten-thousandth further is off track.
    (D("90"), D("100"), "up", 10, NEAR),
    (D("89.9999"), D("100"), "up", 10, OFF),
    (D("110"), D("100"), "down", 10, NEAR),
    (D("110.0001"), D("100"), "down", 10, OFF),
    (D("8.8"), D("8"), "down", 10, NEAR),  # whole numbers: 8 * 10 / 100 in SQLite's integer division is 0
    (D("8.8001"), D("8"), "down", 10, OFF),
    (D("6.7"), D("10"), "up", 33, NEAR),
    (D("6.6999"), D("10"), "up", 33, OFF),
    (D("13.3"), D("10"), "down", 33, NEAR),
    (D("13.3001"), D("10"), "down", 33, OFF),
    (D("0.279"), D("0.3"), "up", 7, NEAR),
    (D("0.2789"), D("0.3"), "up", 7, OFF),
    (D("0.321"), D("0.3"), "down", 7, NEAR),
    (D("0.3211"), D("0.3"), "down", 7, OFF),
    (D("0.9045"), D("1.35"), "up", 33, NEAR),  # 1.35 * 33% = 0.4455
    (D("0.9044"), D("1.35"), "up", 33, OFF),
    # At the target, or a ten-thousandth short of it.
    (D("13.3"), D("13.3"), "down", 10, ON),
    (D("13.3001"), D("13.3"), "down", 0, OFF),
    (D("13.2999"), D("13.3"), "up", 0, OFF),
    (D("13.3"), D("13.3"), "up", 0, ON),
    # A tolerance of 100%: anything from zero to twice the target (in the good direction's terms).
    (D("0"), D("100"), "up", 100, NEAR),
    (D("-0.0001"), D("100"), "up", 100, OFF),
    (D("200"), D("100"), "down", 100, NEAR),
    (D("200.0001"), D("100"), "down", 100, OFF),
    # Negative targets (a change of -20%): the band is a share of the target's size.
    (D("-25"), D("-20"), "down", 10, ON),
    (D("-18"), D("-20"), "down", 10, NEAR),
    (D("-17.9999"), D("-20"), "down", 10, OFF),
    (D("-19"), D("-20"), "up", 10, ON),
    (D("-22"), D("-20"), "up", 10, NEAR),
    (D("-22.0001"), D("-20"), "up", 10, OFF),
    (D("-6.7"), D("-10"), "down", 33, NEAR),
    (D("-6.6999"), D("-10"), "down", 33, OFF),
    (D("-13.3"), D("-10"), "up", 33, NEAR),
    (D("-13.3001"), D("-10"), "up", 33, OFF),
    # A target of zero has no band, whatever the tolerance.
    (D("0"), D("0"), "down", 10, ON),
    (D("0"), D("0"), "up", 10, ON),
    (D("0.0001"), D("0"), "down", 100, OFF),
    (D("-0.0001"), D("0"), "down", 100, ON),
    (D("-0.0001"), D("0"), "up", 100, OFF),
    (D("0.0001"), D("0"), "up", 100, ON),
    (D("0"), D("0.0001"), "up", 33, OFF),
    # Large values: 15 significant digits still judged to the last place.
    (D("90000000000"), D("100000000000"), "up", 10, NEAR),
    (D("89999999999.9999"), D("100000000000"), "up", 10, OFF),
    (D("13300000000.0001"), D("10000000000.0001"), "down", 33, NEAR),  # the band is 3300000000.000033
    (D("13300000000.0002"), D("10000000000.0001"), "down", 33, OFF),
    (D("13300000000.0001"), D("10000000000"), "down", 33, OFF),
]


@pytest.mark.parametrize(("value", "target", "direction", "tolerance", "expected"), BOUNDARIES)
def test_the_python_rule_at_the_edges(value, target, direction, tolerance, expected):
    assert measure_status(value, target, direction=direction, tolerance_percent=tolerance) == expected


@pytest.mark.django_db
def test_the_sql_rule_judges_every_edge_as_the_python_rule_does():
    """One query judges an observation of each case (see BOUNDARIES) against its measure's target: SQLite keeps
    decimals as binary floats, so a rule that divided, or compared the floats, would misjudge some edges there."""
    from django.db.models import F

    from goals.models import Observation
    from goals.selectors_dashboard import status_case
    from tests.goals.factories import MeasureFactory

    cases = {}
    for value, target, direction, tolerance, expected in BOUNDARIES:
        measure = MeasureFactory(direction=direction, target_value=target, tolerance_percent=tolerance)
        observation = Observation.objects.create(measure=measure, period=datetime.date(2025, 1, 1), value=value)
        cases[observation.pk] = (value, target, direction, tolerance, expected)
    status, helpers = status_case()
    judged = dict(
        Observation.objects.filter(pk__in=cases)
        .annotate(target=F("measure__target_value"))
        .alias(**helpers)
        .annotate(status=status)
        .values_list("pk", "status")
    )
    wrong = {cases[pk]: judged[pk] for pk in cases if judged[pk] != cases[pk][-1]}
    assert not wrong, wrong
    read_back = {
        pk: measure_status(value, target, direction=direction, tolerance_percent=tolerance)
        for pk, value, target, direction, tolerance in Observation.objects.filter(pk__in=cases).values_list(
            "pk", "value", "measure__target_value", "measure__direction", "measure__tolerance_percent"
        )
    }
    assert read_back == judged
