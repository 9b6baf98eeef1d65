"""Filters of the analysis pages: money in the city's currency, rates and ratios, paybacks in words."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings

from ..analysis import payback_in_words

register = template.Library()

SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "EUR": "€", "GBP": "£"}


@register.filter
def analysis_money(value: Decimal | None) -> str:
    """``$1,234.56``; a negative amount ``−$1,234.56``; ``None``: an em dash."""
    if value is None:
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    symbol = SYMBOLS.get(settings.CURRENCY, "")
    text = f"{abs(amount):,.2f}"
    text = f"{symbol}{text}" if symbol else f"{text} {settings.CURRENCY}"
    return f"−{text}" if amount < 0 else text


@register.filter
def analysis_percent(value: Decimal | None, places: int = 2) -> str:
    """A fraction as a percentage: 0.035 → ``3.50%``; ``None``: "undefined"."""
    if value is None:
        return "undefined"
    percent = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    return f"{percent}%".replace("-", "−")


@register.filter
def analysis_payback(year: int | None) -> str:
    return payback_in_words(year)
