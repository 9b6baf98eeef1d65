"""When each dataset is checked: the schedule slot of a moment, by the dataset's declared update frequency.

A slot is the start of the schedule period a moment falls in, in the city's time zone: the hour for hourly and
continuously updated data, local midnight for daily, Monday for weekly, the 1st of the month for monthly, and so
on. A scheduled run belongs to its slot, and the database allows one run per dataset per slot.

* irregular (and anything unknown) is checked weekly, so a dataset with no promised rhythm is still watched;
* semiweekly: Monday and Thursday; biweekly: every other Monday; semimonthly: the 1st and the 16th;
* bimonthly, quarterly, semiannual: the 1st of January and of every 2nd, 3rd or 6th month after it;
* annual, biennial and decennial are all checked once a year (1 January): a check every two or ten years would
  not notice a broken link or a file that has gone empty.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from inventory.models import Frequency

EPOCH_MONDAY = datetime.date(1970, 1, 5)

#: frequency -> (unit, step): "hour", "day" (step days), "week" (step weeks), "halfweek", "halfmonth", "month"
#: (step months, aligned on January).
PERIODS: dict[str, tuple[str, int]] = {
    Frequency.CONTINUOUS: ("hour", 1),
    Frequency.HOURLY: ("hour", 1),
    Frequency.DAILY: ("day", 1),
    Frequency.SEMIWEEKLY: ("halfweek", 1),
    Frequency.WEEKLY: ("week", 1),
    Frequency.BIWEEKLY: ("week", 2),
    Frequency.SEMIMONTHLY: ("halfmonth", 1),
    Frequency.MONTHLY: ("month", 1),
    Frequency.BIMONTHLY: ("month", 2),
    Frequency.QUARTERLY: ("month", 3),
    Frequency.SEMIANNUAL: ("month", 6),
    Frequency.ANNUAL: ("month", 12),
    Frequency.BIENNIAL: ("month", 12),
    Frequency.DECENNIAL: ("month", 12),
}
#: What an irregular or unknown frequency is checked as.
DEFAULT_PERIOD = ("week", 1)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def slot_for(frequency: str, when: datetime.datetime | None = None) -> datetime.datetime:
    """The start of the schedule period ``when`` (default: now) falls in, for a dataset updated ``frequency``."""
    when = when or timezone.now()
    unit, step = PERIODS.get(frequency, DEFAULT_PERIOD)
    if unit == "hour":
        # Whole hours in UTC: the same boundaries as local hours, without the hour that repeats in the autumn.
        return when.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    day = timezone.localtime(when).date()
    if unit == "day":
        return _local_midnight(day)
    if unit == "week":
        weeks = (day - EPOCH_MONDAY).days // 7
        return _local_midnight(EPOCH_MONDAY + datetime.timedelta(weeks=weeks - weeks % step))
    if unit == "halfweek":
        monday = day - datetime.timedelta(days=day.weekday())
        return _local_midnight(monday + datetime.timedelta(days=3 if day.weekday() >= 3 else 0))
    if unit == "halfmonth":
        return _local_midnight(day.replace(day=16 if day.day >= 16 else 1))
    month = (day.month - 1) // step * step + 1
    return _local_midnight(day.replace(month=month, day=1))


def next_slot(frequency: str, slot: datetime.datetime) -> datetime.datetime:
    """The start of the period after the one ``slot`` falls in."""
    unit, step = PERIODS.get(frequency, DEFAULT_PERIOD)
    current = slot_for(frequency, slot)
    if unit == "hour":
        return current + datetime.timedelta(hours=1)
    day = timezone.localtime(current).date()
    if unit == "day":
        return _local_midnight(day + datetime.timedelta(days=1))
    if unit == "week":
        return _local_midnight(day + datetime.timedelta(weeks=step))
    if unit == "halfweek":
        return _local_midnight(day + datetime.timedelta(days=3 if day.weekday() == 0 else 4))
    if unit == "halfmonth":
        if day.day == 1:
            return _local_midnight(day.replace(day=16))
        return _local_midnight((day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1))
    months = day.year * 12 + day.month - 1 + step
    return _local_midnight(datetime.date(months // 12, months % 12 + 1, 1))


def describe_period(frequency: str) -> str:
    """How often a dataset with this frequency is checked, in words (for pages and the README)."""
    unit, step = PERIODS.get(frequency, DEFAULT_PERIOD)
    words = {
        ("hour", 1): "every hour",
        ("day", 1): "every day",
        ("halfweek", 1): "every Monday and Thursday",
        ("week", 1): "every Monday",
        ("week", 2): "every other Monday",
        ("halfmonth", 1): "on the 1st and the 16th of each month",
        ("month", 1): "on the 1st of each month",
        ("month", 2): "on the 1st of every second month",
        ("month", 3): "on the 1st of each quarter",
        ("month", 6): "on 1 January and 1 July",
        ("month", 12): "every 1 January",
    }[(unit, step)]
    if frequency not in PERIODS:
        return f"{words} (no regular update frequency is declared)"
    return words
