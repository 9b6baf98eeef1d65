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


_PERIOD_WORD = {"weekly": "week", "monthly": "month", "quarterly": "quarter", "annual": "year"}


def _rule(rule: dict) -> str:
    from ..computation import OPS

    words = OPS.get(rule.get("op", ""), rule.get("op", "")).split(" (")[0]
    value = f" “{rule.get('value', '')}”" if rule.get("op") not in ("empty", "not empty") else ""
    return f"“{rule.get('column', '')}” {words}{value}"


@register.filter
def computation_sentence(measure) -> str:
    """A computed measure's definition in words: "The median of “minutes” per month (by “received”), counting only
    rows where “priority” equals “1”." Empty for a manual measure."""
    if not measure.aggregation:
        return ""
    period = _PERIOD_WORD.get(measure.frequency, "period")
    what = {
        "count": "The number of rows",
        "sum": f"The sum of “{measure.value_column}”",
        "mean": f"The mean of “{measure.value_column}”",
        "median": f"The median of “{measure.value_column}”",
        "share": "The share of rows (%) where " + _rule(measure.condition or {}),
    }.get(measure.aggregation, measure.aggregation)
    sentence = f"{what} per {period}, placed by “{measure.date_column}”"
    if measure.filters:
        sentence += ", counting only rows where " + " and ".join(_rule(rule) for rule in measure.filters)
    return sentence + "."
