"""How the goals pages write numbers and statuses."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def measure_number(value) -> str:
    """``1234.5000`` → ``1,234.5``; ``12.0000`` → ``12``; at most two decimals; ``—`` for no value."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


@register.filter
def with_unit(value, unit: str) -> str:
    """A value with its unit: ``12 crashes``, ``85%``; ``—`` for no value."""
    text = measure_number(value)
    if text == "—" or not unit:
        return text
    return f"{text}%" if unit.strip() == "%" else f"{text} {unit}"
