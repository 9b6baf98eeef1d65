"""The cost-benefit arithmetic (budget.analysis), against examples worked by hand and against numpy-financial."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import numpy_financial as npf
import pytest

from budget.analysis import compute, payback_in_words


def test_hand_worked_three_years_at_ten_percent():
    """Year 0: cost 1,000, no benefit; years 1 and 2: benefit 600 each, no cost; r = 10%.

    Discount factors: 1/1.1^0 = 1; 1/1.1 = 0.909090...; 1/1.21 = 0.826446...
    PV(costs)    = 1000
    PV(benefits) = 600/1.1 + 600/1.21 = 545.4545... + 495.8677... = 1041.3223... -> 1041.32
    NPV          = -1000 + 545.4545... + 495.8677... = 41.3223... -> 41.32
    ratio        = 1041.3223 / 1000 = 1.0413223 -> 1.0413
    ROI          = 41.3223 / 1000 = 0.0413223 -> 0.0413 (4.13%)
    simple payback: cumulative -1000, -400, +200 -> year 2
    discounted payback: cumulative -1000, -454.55, +41.32 -> year 2
    """
    result = compute([(0, D("1000"), D("0")), (1, D("0"), D("600")), (2, D("0"), D("600"))], D("0.10"))
    assert result.pv_costs == D("1000.00")
    assert result.pv_benefits == D("1041.32")
    assert result.npv == D("41.32")
    assert result.benefit_cost_ratio == D("1.0413")
    assert result.roi == D("0.0413")
    assert result.roi_percent == D("4.13")
    assert result.simple_payback == 2
    assert result.discounted_payback == 2
    assert [row.cumulative_net for row in result.years] == [D("-1000.00"), D("-400.00"), D("200.00")]
    assert [row.cumulative_pv_net for row in result.years] == [D("-1000.00"), D("-454.55"), D("41.32")]


def test_hand_worked_simple_pays_back_but_discounted_does_not():
    """Cost 1,000 now, benefit 500 in years 1 and 2, r = 5%.

    Undiscounted: -1000, -500, 0 -> reaches zero in year 2 (zero counts: "zero or more").
    Discounted:   500/1.05 = 476.1904...; 500/1.1025 = 453.5147...; cumulative -1000, -523.81, -70.29: never.
    NPV = -70.2948 -> -70.29; PV(benefits) = 929.7052 -> 929.71; ratio 0.92970 -> 0.9297; ROI -0.0703.
    """
    result = compute([(0, D("1000"), D("0")), (1, D("0"), D("500")), (2, D("0"), D("500"))], "0.05")
    assert result.simple_payback == 2
    assert result.discounted_payback is None
    assert result.npv == D("-70.29")
    assert result.pv_benefits == D("929.71")
    assert result.benefit_cost_ratio == D("0.9297")
    assert result.roi == D("-0.0703")
    assert payback_in_words(result.discounted_payback) == "not within the horizon"


def test_hand_worked_zero_rate_is_plain_sums():
    """At r = 0 nothing is discounted: PV(costs) = 100 + 50 = 150, PV(benefits) = 40 + 80 + 80 = 200,
    NPV = 50, ratio 200/150 = 1.3333..., ROI 50/150 = 0.3333...; cumulative -60, -30, +50: payback year 2."""
    result = compute([(0, D("100"), D("40")), (1, D("50"), D("80")), (2, D("0"), D("80"))], D("0"))
    assert (result.pv_costs, result.pv_benefits, result.npv) == (D("150.00"), D("200.00"), D("50.00"))
    assert result.benefit_cost_ratio == D("1.3333")
    assert result.roi == D("0.3333")
    assert result.simple_payback == result.discounted_payback == 2


def test_rounding_is_half_up_and_only_at_the_end():
    """0.005 rounds up to 0.01 (half up, not to even). Three years of 0.005 benefit at 0%: each alone would round to
    0.01 (0.03 in all), but the sum is rounded once: 0.015 -> 0.02."""
    result = compute([(0, D("0"), D("0.005")), (1, D("0"), D("0.005")), (2, D("0"), D("0.005"))], D("0"))
    assert result.pv_benefits == D("0.02")
    assert compute([(0, D("0"), D("0.005"))], D("0")).npv == D("0.01")


def test_zero_costs_leave_the_ratio_and_roi_undefined():
    result = compute([(0, D("0"), D("100")), (1, D("0"), D("100"))], D("0.03"))
    assert result.pv_costs == D("0.00")
    assert result.benefit_cost_ratio is None
    assert result.roi is None
    assert result.roi_percent is None
    assert result.npv == D("197.09")  # 100 + 100/1.03 = 197.0873...
    assert result.simple_payback == 0


def test_never_paying_back():
    result = compute([(0, D("500"), D("0")), (1, D("100"), D("50"))], D("0.02"))
    assert result.simple_payback is None and result.discounted_payback is None
    assert result.benefit_cost_ratio == D("0.0820")  # (50/1.02) / (500 + 100/1.02) = 49.0196 / 598.0392 = 0.08197


def test_missing_years_are_empty_and_order_does_not_matter():
    shuffled = compute([(2, D("0"), D("121")), (0, D("100"), D("0"))], D("0.10"))
    assert shuffled.horizon == 2
    assert len(shuffled.years) == 3
    assert shuffled.npv == D("0.00")  # 121/1.21 = 100 exactly
    assert shuffled.discounted_payback == 2


def test_refuses_floats_repeats_and_impossible_rates():
    with pytest.raises(TypeError):
        compute([(0, 1.5, D("0"))], D("0"))
    with pytest.raises(ValueError, match="twice"):
        compute([(0, D("1"), D("0")), (0, D("1"), D("0"))], D("0"))
    with pytest.raises(ValueError, match="above"):
        compute([(0, D("1"), D("0"))], D("-1"))


@pytest.mark.parametrize("seed", range(300))
def test_agrees_with_numpy_financial(seed):
    """Random horizons, rates and amounts: our NPV and present values are numpy-financial's, to the cent (floats
    carry ~15 significant digits, so a cent's difference can only come from a value within a hair of half a cent)."""
    rng = random.Random(seed)
    years = rng.randint(1, 30)
    rate = D(rng.randint(-200, 1500)) / D(10000)  # -2% to 15%
    costs = [D(rng.randint(0, 10_000_000)) / 100 for _ in range(years)]
    benefits = [D(rng.randint(0, 10_000_000)) / 100 for _ in range(years)]
    result = compute([(t, costs[t], benefits[t]) for t in range(years)], rate)
    expected_npv = npf.npv(float(rate), [float(b - c) for b, c in zip(benefits, costs, strict=True)])
    expected_pv_costs = npf.npv(float(rate), [float(c) for c in costs])
    expected_pv_benefits = npf.npv(float(rate), [float(b) for b in benefits])
    for ours, theirs in (
        (result.npv, expected_npv),
        (result.pv_costs, expected_pv_costs),
        (result.pv_benefits, expected_pv_benefits),
    ):
        exact = D(repr(float(theirs)))
        assert abs(ours - exact) <= D("0.005") + D("1e-6")
        if abs(abs(exact) * 100 % 1 - D("0.5")) > D("1e-6"):  # not a hair from half a cent: the same cent exactly
            assert ours == exact.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    if result.pv_costs:
        ratio = expected_pv_benefits / expected_pv_costs
        assert abs(float(result.benefit_cost_ratio) - ratio) <= 0.00005 + 1e-9 * abs(ratio)
