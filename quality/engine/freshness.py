"""Freshness: is the data newer than its declared update frequency (an ISO 8601 repeating duration) allows?"""

from __future__ import annotations

import datetime
import re

from .result import FAIL, PASS, WARN, CheckOutcome

_DURATION = re.compile(
    r"^(?:R\d*/)?P(?:(?P<Y>[\d.]+)Y)?(?:(?P<M>[\d.]+)M)?(?:(?P<W>[\d.]+)W)?(?:(?P<D>[\d.]+)D)?"
    r"(?:T(?:(?P<h>[\d.]+)H)?(?:(?P<m>[\d.]+)M)?(?:(?P<s>[\d.]+)S)?)?$"
)
_DAYS = {"Y": 365.25, "M": 30.44, "W": 7, "D": 1, "h": 1 / 24, "m": 1 / 1440, "s": 1 / 86400}
#: Frequencies that declare no schedule to judge against.
NO_SCHEDULE = {"", "irregular", "none", "unknown", "as needed"}


def period_of(frequency: str | None) -> datetime.timedelta | None:
    """``R/P1D`` → one day, ``R/P0.5M`` → about 15 days, ``R/PT1H`` → one hour; None for no schedule or a value
    that is not an ISO 8601 duration."""
    text = (frequency or "").strip()
    if text.lower() in NO_SCHEDULE:
        return None
    match = _DURATION.match(text)
    if not match or not any(match.groupdict().values()):
        return None
    days = sum(float(v) * _DAYS[k] for k, v in match.groupdict().items() if v)
    return datetime.timedelta(days=days) if days > 0 else None


def _aware(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _age_words(age: datetime.timedelta) -> str:
    days = age.total_seconds() / 86400
    if days < 2:
        return f"{age.total_seconds() / 3600:.0f} hours"
    return f"{days:.0f} days"


def freshness_check(
    *,
    frequency: str | None,
    grace_days: int,
    now: datetime.datetime,
    newest_value: datetime.datetime | None,
    date_column: str = "",
    date_column_found: bool = True,
    source_modified: datetime.datetime | None = None,
) -> CheckOutcome:
    """Pass when the data's last update (the newest date in ``date_column``, else the source's last-modified date)
    is no older than the frequency's period plus ``grace_days``; fail when older; warn when there is a schedule
    but nothing to date the data by. ``value`` is the age in days."""
    period = period_of(frequency)
    note = ""
    if date_column and not date_column_found:
        note = f" The date column “{date_column}” is not in the file."
    elif date_column and newest_value is None:
        note = f" The date column “{date_column}” holds no readable dates."
    if date_column and newest_value is not None:
        updated, basis = _aware(newest_value), f"the newest date in “{date_column}”"
    elif source_modified is not None:
        updated, basis = _aware(source_modified), "the source's last-modified date"
    else:
        updated, basis = None, ""
    age = (now - updated) if updated else None
    value = round(age.total_seconds() / 86400, 2) if age is not None else None
    if period is None:
        unknown = (
            " (“" + str(frequency) + "” is not an ISO 8601 frequency)"
            if (frequency or "").strip() and ((frequency or "").strip().lower() not in NO_SCHEDULE)
            else ""
        )
        return CheckOutcome(
            "freshness", PASS, value, f"No update schedule is declared{unknown}, so freshness is not judged.{note}"
        )
    allowed = period + datetime.timedelta(days=grace_days)
    if age is None:
        return CheckOutcome(
            "freshness",
            WARN,
            None,
            "Freshness cannot be judged: the source gives no last-modified date and no date column is set." + note,
        )
    if age > allowed:
        return CheckOutcome(
            "freshness",
            FAIL,
            value,
            f"The data is stale: {basis} is {_age_words(age)} old ({updated:%Y-%m-%d}), more than the "
            f"{_age_words(period)} its update frequency allows plus {grace_days} days' grace.{note}",
        )
    return CheckOutcome(
        "freshness",
        PASS,
        value,
        f"Up to date: {basis} is {_age_words(max(age, datetime.timedelta(0)))} old ({updated:%Y-%m-%d}), within "
        f"the {_age_words(period)} its update frequency allows plus {grace_days} days' grace.{note}",
    )
