"""Money and percentages as the budget pages write them (:mod:`budget.costs`)."""

from __future__ import annotations

from django import template
from django.conf import settings

from budget.costs import money_text, percent_text

register = template.Library()


@register.filter
def money(value):
    if value is None or value == "":  # a missing figure (the template's lookups give "")
        return "—"
    return money_text(value, settings.CURRENCY)


@register.filter
def percent(value):
    if value is None or value == "":
        return "—"
    return percent_text(value)


@register.filter
def change_for(changes, year):
    """The change of fiscal year ``year`` among ``changes`` (``None`` if it has no budget that year)."""
    for change in changes:
        if change.year == year:
            return change
    return None
