"""Create, change and delete cost-benefit analyses with their years.

Who may (:mod:`budget.access`): the budget analysts of the portfolio of the analysis's department (its program's,
else its budget-request action item's) and the Stat lead. Each function takes the acting user (``by``; ``None`` is
the system: the demo seeding), refuses anyone else with ``PermissionDenied``, runs in one transaction and raises
``ValidationError`` naming the field at fault. Costs and benefits are given per year, year 0 first, and replace the
analysis's years wholesale.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.unchanged import UNCHANGED, Unchanged, given
from sessions.models import ActionItem, Deliverable
from team.access import actor_for

from ..access import ANALYSIS_REFUSED, can_edit_analyses_of, can_edit_analysis
from ..models import AMOUNT, Analysis, AnalysisYear, Program

if TYPE_CHECKING:
    from django.contrib.auth.models import User

#: The longest horizon an analysis may have (years 0..50).
MAX_YEARS = 51
MAX_AMOUNT = Decimal(10) ** (AMOUNT["max_digits"] - AMOUNT["decimal_places"])
MIN_RATE, MAX_RATE = Decimal("-0.5"), Decimal("1")

#: One year's (cost, benefit), in year order from year 0.
Flows = Sequence[tuple[Decimal, Decimal]]


def _enforce(by: User | None, department) -> None:
    if by is not None and not can_edit_analyses_of(actor_for(by), department):
        raise PermissionDenied(ANALYSIS_REFUSED)


def _amount(value, field: str, year: int) -> Decimal:
    if isinstance(value, float):
        raise ValidationError({"years": f"Year {year}: the {field} must be a decimal, not a float."})
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"years": f"Year {year}: the {field} must be an amount."}) from None
    if not amount.is_finite():
        raise ValidationError({"years": f"Year {year}: the {field} must be an amount."})
    if amount < 0:
        raise ValidationError({"years": f"Year {year}: the {field} cannot be negative."})
    if amount >= MAX_AMOUNT:
        raise ValidationError({"years": f"Year {year}: the {field} is too large."})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"years": f"Year {year}: the {field} has more than two decimal places (cents)."})
    return amount.quantize(Decimal("0.01"))


def clean_years(years: Flows) -> list[tuple[Decimal, Decimal]]:
    """The years checked: at least one, at most :data:`MAX_YEARS`, amounts of zero or more to the cent."""
    years = list(years)
    if not years:
        raise ValidationError({"years": "Give at least year 0's cost and benefit."})
    if len(years) > MAX_YEARS:
        raise ValidationError({"years": f"At most {MAX_YEARS} years (0 to {MAX_YEARS - 1})."})
    return [(_amount(cost, "cost", t), _amount(benefit, "benefit", t)) for t, (cost, benefit) in enumerate(years)]


def _clean_rate(rate) -> Decimal:
    if isinstance(rate, float):
        raise ValidationError({"discount_rate": "The discount rate must be a decimal, not a float."})
    try:
        value = Decimal(rate)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"discount_rate": "The discount rate must be a number such as 0.03."}) from None
    if not value.is_finite() or not MIN_RATE <= value <= MAX_RATE:
        raise ValidationError({"discount_rate": "The discount rate must be between -0.5 and 1 (0.03 is 3%)."})
    if value != value.quantize(Decimal("0.000001")):
        raise ValidationError({"discount_rate": "The discount rate has at most six decimal places."})
    return value


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Give the analysis a title."})
    if len(title) > 200:
        raise ValidationError({"title": "At most 200 characters."})
    return title


def _write_years(analysis: Analysis, years: list[tuple[Decimal, Decimal]]) -> None:
    analysis.years.all().delete()
    AnalysisYear.objects.bulk_create(
        AnalysisYear(analysis=analysis, year=t, cost=cost, benefit=benefit) for t, (cost, benefit) in enumerate(years)
    )


def analysis_create(
    *,
    by: User | None,
    title: str,
    discount_rate: Decimal | str,
    years: Flows,
    program: Program | None = None,
    action_item: ActionItem | None = None,
    assumptions: str = "",
) -> Analysis:
    """A new analysis of ``program`` or of the budget-request ``action_item`` (one of the two; both if the request
    is about the program), with its years."""
    if program is None and action_item is None:
        raise ValidationError({"program": "Choose the program or the budget request the analysis is about."})
    if action_item is not None and action_item.deliverable != Deliverable.BUDGET_REQUEST:
        raise ValidationError({"action_item": "Only an action item whose deliverable is a budget request."})
    department = program.department if program is not None else action_item.department  # type: ignore[union-attr]
    _enforce(by, department)
    if by is not None and program is not None and action_item is not None:
        _enforce(by, action_item.department)
    fields = {
        "title": _clean_title(title),
        "discount_rate": _clean_rate(discount_rate),
        "assumptions": (assumptions or "").strip(),
    }
    cleaned = clean_years(years)
    with transaction.atomic():
        analysis = Analysis.objects.create(program=program, action_item=action_item, created_by=by, **fields)
        _write_years(analysis, cleaned)
    return analysis


def analysis_update(
    analysis: Analysis,
    *,
    by: User | None,
    title: str | Unchanged = UNCHANGED,
    discount_rate: Decimal | str | Unchanged = UNCHANGED,
    assumptions: str | Unchanged = UNCHANGED,
    years: Flows | Unchanged = UNCHANGED,
) -> Analysis:
    """Change an analysis: the fields given (its years replaced wholesale when given). What it is about stays."""
    if by is not None and not can_edit_analysis(actor_for(by), analysis):
        raise PermissionDenied(ANALYSIS_REFUSED)
    changes = given({"title": title, "discount_rate": discount_rate, "assumptions": assumptions})
    if "title" in changes:
        changes["title"] = _clean_title(changes["title"])
    if "discount_rate" in changes:
        changes["discount_rate"] = _clean_rate(changes["discount_rate"])
    if "assumptions" in changes:
        changes["assumptions"] = (changes["assumptions"] or "").strip()
    cleaned = None if isinstance(years, Unchanged) else clean_years(years)
    with transaction.atomic():
        locked = Analysis.objects.select_for_update().get(pk=analysis.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
            setattr(analysis, name, value)
        locked.save()
        if cleaned is not None:
            _write_years(locked, cleaned)
    return analysis


def analysis_delete(analysis: Analysis, *, by: User | None) -> None:
    """Delete an analysis and its years."""
    if by is not None and not can_edit_analysis(actor_for(by), analysis):
        raise PermissionDenied(ANALYSIS_REFUSED)
    with transaction.atomic():
        Analysis.objects.filter(pk=analysis.pk).delete()
