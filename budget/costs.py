"""The budget's arithmetic, pure (no database): year-over-year change, spending projections and cost per unit.

Money is :class:`~decimal.Decimal`, quantized to the cent (``ROUND_HALF_UP``); percentages to a tenth of a point.
Nothing here divides by zero: a missing or zero denominator gives ``None`` and a reason people can read.

Cost per unit (performance-based budgeting) aligns periods as follows, and the pages say so in these words:

* a **monthly** measure: the program's monthly actuals for a month (the sum over its budget lines) divided by the
  measure's value for that month;
* **any other** measure (weekly, quarterly, annual): a fiscal year's actual spending (the sum of its lines'
  ``actual``) divided by the **sum** of the measure's observations whose period starts in that fiscal year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ZERO = Decimal("0.00")

MONTHLY_ALIGNMENT = "Monthly: the program’s monthly actual spending divided by the measure’s value for that month."
ANNUAL_ALIGNMENT = (
    "Annual: the program’s actual spending in a fiscal year divided by the sum of the measure’s values for the "
    "periods that start in that fiscal year."
)
NO_VALUE = "no value"
ZERO_VALUE = "zero: no cost per unit"
NO_SPENDING = "no actual spending recorded"


def cents(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_text(value: Decimal | None, currency: str = "USD") -> str:
    """``$1,234.50`` (``−$12.00`` for a cut); "—" for none. Other currencies are written with their code."""
    if value is None:
        return "—"
    amount = cents(value)
    sign = "−" if amount < 0 else ""
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{abs(amount):,.2f}"


def percent_text(value: Decimal | None) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):.1f}%"


# --- year over year ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One year's budget against the year before: the money and the percentage (``None`` when the year before had
    no budget, or there is no year before)."""

    year: int
    amount: Decimal
    previous: Decimal | None
    change: Decimal | None
    percent: Decimal | None

    @property
    def kind(self) -> str:
        if self.change is None:
            return "first year" if self.previous is None else "no change"
        if self.change > 0:
            return "increase"
        if self.change < 0:
            return "cut"
        return "no change"


def percent_change(previous: Decimal | None, amount: Decimal) -> Decimal | None:
    """``(amount - previous) / previous`` in percent, to a tenth; ``None`` without a previous non-zero amount."""
    if previous is None or previous == 0:
        return None
    return ((amount - previous) * 100 / previous).quantize(TENTH, rounding=ROUND_HALF_UP)


def year_over_year(amounts: Sequence[tuple[int, Decimal]]) -> list[Change]:
    """Each (year, amount), in year order, with its change from the year before (a missing year breaks the chain:
    FY2025 after FY2023 has no change)."""
    changes: list[Change] = []
    previous_year: int | None = None
    previous: Decimal | None = None
    for year, amount in sorted(amounts):
        amount = cents(amount)
        before = previous if previous_year == year - 1 else None
        change = None if before is None else cents(amount - before)
        changes.append(Change(year, amount, before, change, percent_change(before, amount)))
        previous_year, previous = year, amount
    return changes


# --- projections ---------------------------------------------------------------------------------------------------


def months_elapsed(starts_on: datetime.date, today: datetime.date) -> int:
    """Whole months of the fiscal year starting ``starts_on`` that are over by ``today`` (0 to 12): in its third
    month, two."""
    months = (today.year - starts_on.year) * 12 + today.month - starts_on.month
    return max(0, min(12, months))


@dataclass(frozen=True)
class Projection:
    """This year's spending to date projected to the year's end two ways."""

    spent: Decimal
    months: int
    straight_line: Decimal | None
    last_year_shaped: Decimal | None
    last_year_share: Decimal | None  # the share of last year's total spent by the same month (0 to 1)
    reason: str = ""


def project(
    *, spent: Decimal, months: int, last_year_to_date: Decimal | None, last_year_total: Decimal | None
) -> Projection:
    """Straight line: ``spent / months * 12``. Last-year-shaped: ``spent / share``, where ``share`` is the part of
    last year's total spent by the same month (``last_year_to_date / last_year_total``). Either is ``None`` when it
    cannot be made (no month over; last year has no monthly actuals, or spent nothing by that month)."""
    spent = cents(spent)
    straight = cents(spent * 12 / months) if months else None
    share = None
    shaped = None
    reason = ""
    if not months:
        reason = "no month of the year is over yet"
    elif not last_year_total or last_year_to_date is None:
        reason = "last year has no monthly actuals"
    elif last_year_to_date <= 0:
        reason = "last year spent nothing by this month"
    else:
        share = last_year_to_date / last_year_total
        shaped = cents(spent / share)
    return Projection(spent, months, straight, shaped, share, reason)


# --- cost per unit -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCost:
    """A program's spending in one period over a measure's value for that period: ``cost`` to the cent, or
    ``None`` with ``reason`` (no value, zero value, no spending)."""

    period: str  # "2026-03" for a month, "FY2026" for a fiscal year
    label: str  # "March 2026", "FY2026"
    spending: Decimal | None
    units: Decimal | None
    cost: Decimal | None
    reason: str = ""

    @property
    def text(self) -> str:
        return self.reason if self.cost is None else money_text(self.cost)


def unit_cost(*, period: str, label: str, spending: Decimal | None, units: Decimal | None) -> UnitCost:
    """``spending / units`` to the cent; never infinity nor a zero cost: without units "no value", with zero
    units "zero: no cost per unit", without spending "no actual spending recorded"."""
    if units is None:
        return UnitCost(period, label, spending, None, None, NO_VALUE)
    if units == 0:
        return UnitCost(period, label, spending, units, None, ZERO_VALUE)
    if spending is None:
        return UnitCost(period, label, None, units, None, NO_SPENDING)
    return UnitCost(period, label, cents(spending), units, cents(spending / units))


def sum_units(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    return sum(values, Decimal(0)) if values else None


def trend_words(costs: Sequence[UnitCost]) -> str:
    """The trend in words: the latest cost per unit against the earliest one that has a cost."""
    known = [cost for cost in costs if cost.cost is not None]
    if not known:
        return "No period has both spending and a non-zero value yet."
    last = known[-1]
    if len(known) == 1:
        return f"{last.text} per unit in {last.label}."
    first = known[0]
    change = percent_change(first.cost, last.cost)  # type: ignore[arg-type]
    direction = "no change" if not change else ("up " if change > 0 else "down ") + percent_text(abs(change))
    direction = direction.replace("+", "")
    return f"{last.text} per unit in {last.label}, {direction} from {first.text} in {first.label}."


# --- fiscal years --------------------------------------------------------------------------------------------------


def fiscal_year_of(day: datetime.date, start_month: int) -> int:
    """The fiscal year ``day`` falls in, named by the calendar year it ends in: with July starts, 15 August 2026 is
    in FY2027, 15 June 2026 in FY2026; with January starts, the calendar year."""
    return day.year + 1 if start_month > 1 and day.month >= start_month else day.year


def fiscal_year_start(year: int, start_month: int) -> datetime.date:
    return datetime.date(year - 1 if start_month > 1 else year, start_month, 1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)
