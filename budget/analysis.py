"""Cost-benefit and return-on-investment arithmetic: pure, Decimal only, no database.

Given costs ``C_t`` and benefits ``B_t`` for years ``t = 0..n`` (year 0 is now: undiscounted) and a real annual
discount rate ``r``:

* present values ``PV(C) = sum(C_t / (1 + r)^t)`` and ``PV(B) = sum(B_t / (1 + r)^t)``;
* net present value ``NPV = sum((B_t - C_t) / (1 + r)^t)`` (= ``PV(B) - PV(C)``, computed exactly);
* benefit-cost ratio ``PV(B) / PV(C)`` and return on investment ``(PV(B) - PV(C)) / PV(C)``, both undefined
  (``None``, never infinity) when ``PV(C)`` is zero;
* simple payback: the first year in which the cumulative undiscounted net benefit ``sum(B_t - C_t)`` reaches zero or
  more (``None``: not within the horizon); discounted payback the same with discounted net benefits.

Everything is computed at 50 significant digits and only the outputs are rounded (ROUND_HALF_UP): money to the cent,
the ratio and the return on investment to four decimal places (0.0001, so a percentage to two).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
#: The ratio and the return on investment (a fraction: 0.1234 is 12.34%).
RATIO_PLACES = Decimal("0.0001")
PRECISION = 50


@dataclass(frozen=True)
class YearFlow:
    """One year's cost and benefit (year 0 first)."""

    year: int
    cost: Decimal
    benefit: Decimal


@dataclass(frozen=True)
class YearResult:
    """One year's figures as the analysis page shows them (rounded to the cent)."""

    year: int
    cost: Decimal
    benefit: Decimal
    net: Decimal
    discount_factor: Decimal  # 1 / (1 + r)^t, to six places (shown, not used in the sums)
    pv_net: Decimal
    cumulative_net: Decimal
    cumulative_pv_net: Decimal


@dataclass(frozen=True)
class AnalysisResult:
    """The computed results of an analysis, rounded (see the module)."""

    discount_rate: Decimal
    horizon: int  # the last year (n)
    pv_costs: Decimal
    pv_benefits: Decimal
    npv: Decimal
    benefit_cost_ratio: Decimal | None  # None: PV(costs) is zero, the ratio is undefined
    roi: Decimal | None  # None: PV(costs) is zero, undefined
    simple_payback: int | None  # None: not within the horizon
    discounted_payback: int | None  # None: not within the horizon
    years: tuple[YearResult, ...]

    @property
    def roi_percent(self) -> Decimal | None:
        return None if self.roi is None else (self.roi * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, float):
        raise TypeError("amounts and rates are Decimals, never floats")
    return Decimal(value)


def compute(flows: Iterable[YearFlow | tuple[int, Decimal, Decimal]], discount_rate: Decimal | str) -> AnalysisResult:
    """The analysis's results. ``flows`` are (year, cost, benefit), any order, each year at most once; a year
    missing between 0 and the last is a year of no cost and no benefit. The rate must be above -1."""
    by_year: dict[int, tuple[Decimal, Decimal]] = {}
    for flow in flows:
        year, cost, benefit = (flow.year, flow.cost, flow.benefit) if isinstance(flow, YearFlow) else flow
        if year < 0:
            raise ValueError("years count from 0")
        if year in by_year:
            raise ValueError(f"year {year} is given twice")
        by_year[year] = (_decimal(cost), _decimal(benefit))
    rate = _decimal(discount_rate)
    if rate <= -1:
        raise ValueError("the discount rate must be above -100%")
    horizon = max(by_year, default=0)
    with localcontext() as context:
        context.prec = PRECISION
        context.rounding = ROUND_HALF_UP
        growth = Decimal(1) + rate
        pv_costs = pv_benefits = npv = Decimal(0)
        cumulative = cumulative_pv = Decimal(0)
        simple_payback = discounted_payback = None
        rows = []
        for year in range(horizon + 1):
            cost, benefit = by_year.get(year, (Decimal(0), Decimal(0)))
            factor = Decimal(1) / growth**year
            pv_cost, pv_benefit = cost * factor, benefit * factor
            pv_costs += pv_cost
            pv_benefits += pv_benefit
            net = benefit - cost
            pv_net = net * factor
            npv += pv_net
            cumulative += net
            cumulative_pv += pv_net
            if simple_payback is None and cumulative >= 0:
                simple_payback = year
            if discounted_payback is None and cumulative_pv >= 0:
                discounted_payback = year
            rows.append(
                YearResult(
                    year=year,
                    cost=_cents(cost),
                    benefit=_cents(benefit),
                    net=_cents(net),
                    discount_factor=factor.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP),
                    pv_net=_cents(pv_net),
                    cumulative_net=_cents(cumulative),
                    cumulative_pv_net=_cents(cumulative_pv),
                )
            )
        if pv_costs == 0:
            ratio = roi = None
        else:
            ratio = (pv_benefits / pv_costs).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)
            roi = ((pv_benefits - pv_costs) / pv_costs).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)
        return AnalysisResult(
            discount_rate=rate,
            horizon=horizon,
            pv_costs=_cents(pv_costs),
            pv_benefits=_cents(pv_benefits),
            npv=_cents(npv),
            benefit_cost_ratio=ratio,
            roi=roi,
            simple_payback=simple_payback,
            discounted_payback=discounted_payback,
            years=tuple(rows),
        )


def compute_analysis(analysis, years=None) -> AnalysisResult:
    """The results of a :class:`budget.models.Analysis` (its ``years`` prefetched, or given)."""
    rows = analysis.years.all() if years is None else years
    return compute(((row.year, row.cost, row.benefit) for row in rows), analysis.discount_rate)


def payback_in_words(year: int | None) -> str:
    if year is None:
        return "not within the horizon"
    if year == 0:
        return "in year 0 (at once)"
    return f"in year {year}"
