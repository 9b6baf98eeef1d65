"""Periods of a measure: each is named by its first day (a Monday, the 1st of a month, of a quarter, 1 January).

Used by the computation (grouping rows), by manual entry and uploads (normalising what people type), and by pages
(labelling a period as people say it: "March 2026", "2026 Q1", "week of 2 March 2026", "2026").
"""

from __future__ import annotations

import datetime
import re

from .models import MeasureFrequency

PANDAS_FREQUENCY: dict[str, str] = {
    # pandas period aliases whose ``start_time`` is the first day of our periods.
    MeasureFrequency.WEEKLY: "W-SUN",  # weeks ending on Sunday, so starting on Monday (ISO weeks)
    MeasureFrequency.MONTHLY: "M",
    MeasureFrequency.QUARTERLY: "Q",
    MeasureFrequency.ANNUAL: "Y",
}


def period_start(day: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period of ``frequency`` that contains ``day``."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if frequency == MeasureFrequency.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    if frequency == MeasureFrequency.QUARTERLY:
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if frequency == MeasureFrequency.ANNUAL:
        return day.replace(month=1, day=1)
    return day.replace(day=1)


def next_period(start: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period after the one starting on ``start``."""
    if frequency == MeasureFrequency.WEEKLY:
        return start + datetime.timedelta(days=7)
    months_in: dict[str, int] = {MeasureFrequency.QUARTERLY: 3, MeasureFrequency.ANNUAL: 12}
    month = start.month - 1 + months_in.get(frequency, 1)
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def last_finished_period(today: datetime.date, frequency: str) -> datetime.date:
    """The first day of the last period of ``frequency`` that is over on ``today``: the one before today's (what a
    department reports on and its lead's narrative is about)."""
    return period_start(period_start(today, frequency) - datetime.timedelta(days=1), frequency)


def is_period_start(day: datetime.date, frequency: str) -> bool:
    return period_start(day, frequency) == day


def period_label(start: datetime.date, frequency: str) -> str:
    """How people name the period that starts on ``start``."""
    if frequency == MeasureFrequency.WEEKLY:
        return f"Week of {start.day} {start:%B %Y}"
    if frequency == MeasureFrequency.QUARTERLY:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    if frequency == MeasureFrequency.ANNUAL:
        return str(start.year)
    return f"{start:%B %Y}"


_YEAR = re.compile(r"^(\d{4})$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})[- ]?q([1-4])$", re.IGNORECASE)
_WEEK = re.compile(r"^(\d{4})-?w(\d{1,2})$", re.IGNORECASE)
#: A date, alone or with a time of day after it (a spreadsheet's timestamp): nothing else may follow the date.
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_period(text: str, frequency: str) -> datetime.date:
    """The first day of the period ``text`` names: a date (any day in the period, YYYY-MM-DD), a month (YYYY-MM),
    a quarter (YYYY-Q1), an ISO week (YYYY-W05) or a year (YYYY). Raises ValueError with a message for people."""
    text = text.strip()
    if not text:
        raise ValueError("The period is missing.")
    try:
        if match := _YEAR.match(text):
            day = datetime.date(int(match[1]), 1, 1)
        elif match := _MONTH.match(text):
            day = datetime.date(int(match[1]), int(match[2]), 1)
        elif match := _QUARTER.match(text):
            day = datetime.date(int(match[1]), 3 * (int(match[2]) - 1) + 1, 1)
        elif match := _WEEK.match(text):
            day = datetime.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        elif match := _DATE.match(text):
            day = datetime.date.fromisoformat(match[1])
        else:
            raise ValueError(text)
    except ValueError as exc:
        raise ValueError(
            f"“{text}” is not a period: write a date (YYYY-MM-DD), a month (YYYY-MM), a quarter (YYYY-Q1), "
            "a week (YYYY-W05) or a year (YYYY)."
        ) from exc
    coarser_than: dict[str, tuple[re.Pattern[str], ...]] = {
        MeasureFrequency.WEEKLY: (_YEAR, _MONTH, _QUARTER),
        MeasureFrequency.MONTHLY: (_YEAR, _QUARTER, _WEEK),
        MeasureFrequency.QUARTERLY: (_YEAR, _WEEK),
        MeasureFrequency.ANNUAL: (_WEEK,),
    }
    coarser = coarser_than.get(frequency, ())
    if any(pattern.match(text) for pattern in coarser):
        raise ValueError(f"“{text}” does not name one {MeasureFrequency(frequency).label.lower()} period.")
    return period_start(day, frequency)
