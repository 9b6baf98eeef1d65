"""Three years of monthly history for the demo datasets the goals demo computes its measures from.

Most demo datasets hold about thirteen months of rows at random moments (:func:`demo.quality.generate.demo_table`).
The datasets in :data:`STORIES` hold instead the :data:`FULL_MONTHS` full months before the demo's day and the
current month up to yesterday, and move as the goals demo (``demo.goals``) tells it:

==============================  ===============================================================================
dataset                         story (the measure computed from it)
==============================  ===============================================================================
dot-crashes-by-intersection     crashes at the 50 targeted intersections fall a fifth from the 2023 level,
                                with a winter bump (count, ``targeted_intersection`` = Yes); serious and fatal
                                crashes citywide fall from 12 to 9 a month (count, ``severity``)
rpd-cad-incidents               priority 1 calls: the median minutes from call to arrival creep up from 8.6
                                to 9.3 (median of ``response_minutes``, ``arrived_at`` - ``received_at``)
311-service-requests            requests take longer to close, 6.4 to 7.1 days on average (mean of
                                ``days_to_close``, ``closed_at`` - ``opened_at``, by month closed)
dpw-sm-potholes                 crews fill potholes faster, 4.9 to 2.6 days (mean of ``days_to_repair``, by
                                month repaired), with a spring thaw peak in reports
hce-open-cases                  the code-enforcement backlog (cases open over 30 days at each month's end)
                                falls from 830 to 690 (sum of ``open_over_30_days`` over the districts)
hce-code-violations             new cases cited each month, a little fewer each year (count)
rpl-visits-wifi                 library visits grow from 69,000 to 80,500 a month, peaking in summer (sum of
                                ``visitors`` over branches and days)
rpl-circulation                 items checked out each month, growing with e-books (sum of ``checkouts``)
ems-response-times              life-threatening calls reached within 9 minutes rise from 85.5% to 91.4%
                                (share of Echo and Delta calls with ``response_seconds`` <= 540)
rfd-response-times              fire calls with the first unit on scene within NFPA 1710's 5:20 rise from
                                83% to 86.5% (share of ``response_seconds``, turnout plus travel, <= 320)
hce-building-permits            residential permits issued faster, 42 to 26 days at the median (median of
                                ``days_to_issue``, ``issued`` - ``applied``, by month issued)
==============================  ===============================================================================

Each story is a plan per month (:class:`Trend`: a straight trend, a yearly season and seeded noise, its last full
month, and its first where a promise rests on it, pinned) and a function writing one month's rows so that the
measure computed from them lands on the plan: exactly for counts, sums, medians and shares; for the two means of
durations, within a few hundredths (a request opened late in a month may close in the next). Values stay
consistent with each other (a duration column equals the difference of its timestamps). The plan depends only on
the calendar months, so the same day gives the same bytes.
"""

from __future__ import annotations

import calendar
import datetime
import itertools
import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC

from .vocabulary import STREETS, VOCABULARY

#: Full months of history before the current month (the goals demo's three years).
FULL_MONTHS = 36
SEED = "riverton-2026:stories"


@dataclass(frozen=True)
class Trend:
    """A monthly plan: ``start`` in the first full month to exactly ``end`` in the last, plus a yearly season of
    ``seasonal`` (highest in month ``peak``) and noise of up to ``noise`` of the trend; ``first`` pins the first
    month. The current (unfinished) month continues the trend."""

    start: float
    end: float
    seasonal: float = 0.0
    peak: int = 7
    noise: float = 0.0
    first: float | None = None
    decimals: int = 1

    def plan(self, months: list[datetime.date], seed: str) -> list[float]:
        rng = random.Random(seed)
        last = FULL_MONTHS - 1
        values = []
        for i, month in enumerate(months):
            trend = self.start + (self.end - self.start) * i / last
            season = self.seasonal * math.cos(2 * math.pi * (month.month - self.peak) / 12)
            value = trend + season + trend * self.noise * rng.uniform(-1, 1)
            if i == 0 and self.first is not None:
                value = self.first
            if i == last:
                value = self.end
            values.append(round(value, self.decimals))
        return values


def story_months(as_of: datetime.date) -> list[datetime.date]:
    """The first days of the :data:`FULL_MONTHS` full months before ``as_of``'s month, then of its own month."""
    index = as_of.year * 12 + as_of.month - 1
    return [datetime.date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(FULL_MONTHS, -1, -1)]


def _stamp(moment: datetime.datetime) -> str:
    return moment.isoformat()[:19] + "Z"


@dataclass
class Context:
    """What a story writes with: the months, the demo's day, one seeded ``rng``, and ``make(moment)``, which
    returns a row of generic values (every column within its dictionary) for a record of that moment."""

    identifier: str
    as_of: datetime.date
    end: datetime.datetime
    rng: random.Random
    make: Callable[[datetime.datetime], dict[str, str]]
    months: list[datetime.date] = field(init=False)

    def __post_init__(self) -> None:
        self.months = story_months(self.as_of)

    @property
    def yesterday(self) -> datetime.date:
        return self.as_of - datetime.timedelta(days=1)

    def finished(self, values: dict[str, str], columns: tuple[str, str, str], start: datetime.date, days: int):
        """Write a record started on ``start`` and done ``days`` later into its (start, done, days) date columns;
        one not done by yesterday is still open: its done date and day count are blank."""
        started, done, count = columns
        end = start + datetime.timedelta(days=days)
        values[started] = start.isoformat()
        if end > self.yesterday:
            values[done] = values[count] = ""
        else:
            values[done], values[count] = end.isoformat(), str(days)

    def plan(self, trend: Trend, name: str) -> list[float]:
        return trend.plan(self.months, f"{SEED}:{self.identifier}:{name}")

    def days(self, month: datetime.date) -> list[datetime.date]:
        """The days of ``month`` the export holds (up to yesterday)."""
        count = calendar.monthrange(month.year, month.month)[1]
        days = [month + datetime.timedelta(days=n) for n in range(count)]
        return [day for day in days if day <= self.yesterday]

    def count(self, i: int, value: float) -> int:
        """How many records a month planned at ``value`` holds: all of them, or for the current month the share
        of its days gone by."""
        month = self.months[i]
        share = len(self.days(month)) / calendar.monthrange(month.year, month.month)[1]
        return max(0, round(value * share))

    def moments(self, month: datetime.date, count: int) -> list[datetime.datetime]:
        """``count`` sorted moments in the month's days, between 06:00 and 23:59 UTC: the same date in the city's
        time zone (America/New_York), so a record falls in the month the plan gave it."""
        days = self.days(month)
        if not days:
            return []
        found = []
        for _ in range(count):
            day = self.rng.choice(days)
            seconds = self.rng.randint(6 * 3600, 24 * 3600 - 60)
            found.append(
                datetime.datetime.combine(day, datetime.time(0), tzinfo=UTC) + datetime.timedelta(seconds=seconds)
            )
        return sorted(found)

    def records(self, month: datetime.date, count: int) -> list[tuple[datetime.datetime, dict[str, str]]]:
        return [(moment, self.make(moment)) for moment in self.moments(month, count)]


Rows = list[tuple[datetime.datetime, dict[str, str]]]

# --- crashes ----------------------------------------------------------------------------------------------------

CRASHES_TARGETED = Trend(62, 50, seasonal=3, peak=1, noise=0.05, first=62, decimals=0)
CRASHES_SERIOUS = Trend(12, 9, noise=0.12, first=12, decimals=0)
CRASHES_ELSEWHERE = Trend(58, 55, seasonal=4, peak=1, noise=0.05, decimals=0)


def _intersections() -> tuple[tuple[str, ...], tuple[str, ...]]:
    pairs = [" & ".join(pair) for pair in itertools.combinations(STREETS, 2)]
    targeted = random.Random(f"{SEED}:targeted").sample(pairs, 50)
    return tuple(sorted(targeted)), tuple(pair for pair in pairs if pair not in set(targeted))


#: The 50 intersections with the most crashes in 2023, where signals, crossings and enforcement change.
TARGETED_INTERSECTIONS, OTHER_INTERSECTIONS = _intersections()


def _crashes(c: Context) -> Rows:
    targeted, serious = c.plan(CRASHES_TARGETED, "targeted"), c.plan(CRASHES_SERIOUS, "serious")
    elsewhere = c.plan(CRASHES_ELSEWHERE, "elsewhere")
    rows: Rows = []
    for i, month in enumerate(c.months):
        at_targeted = c.count(i, targeted[i])
        records = c.records(month, at_targeted + c.count(i, elsewhere[i]))
        flags = [True] * at_targeted + [False] * (len(records) - at_targeted)
        c.rng.shuffle(flags)
        hurt = set(c.rng.sample(range(len(records)), min(c.count(i, serious[i]), len(records))))
        for n, ((moment, values), flag) in enumerate(zip(records, flags, strict=True)):
            values["targeted_intersection"] = "Yes" if flag else "No"
            values["intersection"] = c.rng.choice(TARGETED_INTERSECTIONS if flag else OTHER_INTERSECTIONS)
            if n in hurt:
                values["severity"] = "Fatal" if c.rng.random() < 0.12 else "Serious injury"
            else:
                values["severity"] = "Minor injury" if c.rng.random() < 0.35 else "Property damage only"
            rows.append((moment, values))
    return rows


# --- police dispatch --------------------------------------------------------------------------------------------

CAD_CALLS = Trend(150, 165, seasonal=12, peak=7, noise=0.04, decimals=0)
CAD_PRIORITY_1_MEDIAN = Trend(8.6, 9.3, seasonal=0.15, peak=12, noise=0.015)
PRIORITIES = (("1", 25), ("2", 35), ("3", 25), ("4", 15))


def _cad(c: Context) -> Rows:
    calls, medians = c.plan(CAD_CALLS, "calls"), c.plan(CAD_PRIORITY_1_MEDIAN, "median")
    rows: Rows = []
    for i, month in enumerate(c.months):
        records = c.records(month, c.count(i, calls[i]))
        minutes: list[float | None] = []
        for _moment, values in records:
            values["priority"] = c.rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
            if c.rng.random() < 0.05:
                minutes.append(None)  # cancelled before a unit arrived
            elif values["priority"] == "1":
                minutes.append(round(medians[i] + c.rng.triangular(-3.5, 6, 0), 1))
            else:
                minutes.append(round(c.rng.uniform(9, 48), 1))
        urgent = [m for (_, values), m in zip(records, minutes, strict=True) if values["priority"] == "1" and m]
        shift = round(medians[i] - statistics.median(urgent), 1) if urgent else 0.0
        for (moment, values), taken in zip(records, minutes, strict=True):
            received = moment.replace(microsecond=0)
            if taken is not None and values["priority"] == "1":
                taken = round(max(taken + shift, 2.0), 1)
            first = min(4.0, (taken or 12) - 1)
            values["received_at"] = _stamp(received)
            values["dispatched_at"] = _stamp(
                received + datetime.timedelta(seconds=round(60 * c.rng.uniform(0.4, first)))
            )
            arrived = received + datetime.timedelta(seconds=round(60 * taken)) if taken is not None else None
            if arrived is None or arrived > c.end:
                values["arrived_at"] = values["response_minutes"] = ""
            else:
                values["arrived_at"], values["response_minutes"] = _stamp(arrived), f"{taken:.1f}"
            rows.append((moment, values))
    return rows


# --- 311 --------------------------------------------------------------------------------------------------------

REQUESTS = Trend(120, 135, seasonal=15, peak=7, noise=0.04, decimals=0)
DAYS_TO_CLOSE = Trend(6.4, 7.1, seasonal=0.25, peak=1, noise=0.02)


def _service_requests(c: Context) -> Rows:
    volume, days = c.plan(REQUESTS, "requests"), c.plan(DAYS_TO_CLOSE, "days")
    rows: Rows = []
    for i, month in enumerate(c.months):
        for moment, values in c.records(month, c.count(i, volume[i])):
            opened = moment.replace(microsecond=0)
            taken = round(max(0.2, days[i] * c.rng.uniform(0.6, 1.4)), 1)
            closed = opened + datetime.timedelta(seconds=round(taken * 86400))
            values["opened_at"] = _stamp(opened)
            if closed > c.end:
                values["closed_at"] = values["days_to_close"] = ""
                values["status"] = c.rng.choice(("Open", "In progress"))
            else:
                values["closed_at"], values["days_to_close"], values["status"] = (
                    _stamp(closed),
                    f"{taken:.1f}",
                    "Closed",
                )
            rows.append((moment, values))
    return rows


# --- potholes ---------------------------------------------------------------------------------------------------

POTHOLES = Trend(95, 82, seasonal=30, peak=3, noise=0.05, decimals=0)
DAYS_TO_REPAIR = Trend(4.9, 2.6, seasonal=0.3, peak=2, noise=0.02, first=4.9)


def _potholes(c: Context) -> Rows:
    volume, days = c.plan(POTHOLES, "reported"), c.plan(DAYS_TO_REPAIR, "days")
    rows: Rows = []
    for i, month in enumerate(c.months):
        for moment, values in c.records(month, c.count(i, volume[i])):
            wanted = days[i] * c.rng.uniform(0.75, 1.25)
            taken = math.floor(wanted) + (c.rng.random() < wanted - math.floor(wanted))
            c.finished(values, ("reported", "repaired", "days_to_repair"), moment.date(), taken)
            rows.append((moment, values))
    return rows


# --- code enforcement -------------------------------------------------------------------------------------------

BACKLOG = Trend(830, 690, seasonal=15, peak=8, noise=0.015, first=830, decimals=0)
NEW_CASES = Trend(140, 128, seasonal=25, peak=6, noise=0.05, decimals=0)


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` shared in proportion to ``weights``, in whole numbers that add up to it exactly."""
    parts = [math.floor(total * w / sum(weights)) for w in weights]
    parts[weights.index(max(weights))] += total - sum(parts)
    return parts


def _snapshot_at(month: datetime.date) -> datetime.datetime:
    """When a month's snapshot enters the export: the morning after the month ends."""
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return datetime.datetime.combine(following, datetime.time(6), tzinfo=UTC)


def _open_cases(c: Context) -> Rows:
    backlog = c.plan(BACKLOG, "backlog")
    weights = [random.Random(f"{SEED}:district:{d}").uniform(0.6, 1.6) for d in range(1, 10)]
    rows: Rows = []
    for i, month in enumerate(c.months[:-1]):  # the current month's count is taken when it ends
        at = _snapshot_at(month)
        for district, old in enumerate(_split(round(backlog[i]), weights), start=1):
            values = c.make(at)
            values["month_start"], values["council_district"] = month.isoformat(), str(district)
            values["open_over_30_days"] = str(old)
            values["open_cases"] = str(old + round(old * c.rng.uniform(0.3, 0.5)) + c.rng.randint(3, 12))
            rows.append((at, values))
    return rows


def _code_violations(c: Context) -> Rows:
    volume = c.plan(NEW_CASES, "cases")
    rows: Rows = []
    for i, month in enumerate(c.months):
        for moment, values in c.records(month, c.count(i, volume[i])):
            values["opened"] = moment.date().isoformat()
            # Most cases a few months old have been resolved one way or another; new ones are mostly open.
            weights = (8, 45, 7, 40) if (c.as_of - moment.date()).days > 90 else (60, 20, 8, 12)
            values["status"] = c.rng.choices(("Open", "Complied", "Referred to court", "Closed"), weights)[0]
            rows.append((moment, values))
    return rows


# --- library ----------------------------------------------------------------------------------------------------

VISITS = Trend(69000, 80500, seasonal=6000, peak=7, noise=0.02, decimals=0)
CHECKOUTS = Trend(41000, 46500, seasonal=2500, peak=7, noise=0.02, decimals=0)
BRANCHES = VOCABULARY["branch"][:5]
FORMATS = ("Book", "E-book", "Audiobook", "DVD", "Other")


def _branch_weights(name: str) -> list[float]:
    rng = random.Random(f"{SEED}:{name}")
    return [3.0 if branch == "Main Library" else rng.uniform(0.8, 1.6) for branch in BRANCHES]


def _visits(c: Context) -> Rows:
    totals = c.plan(VISITS, "visits")
    branch_weights = _branch_weights("visits")
    rows: Rows = []
    for i, month in enumerate(c.months):
        every_day = [month + datetime.timedelta(days=n) for n in range(calendar.monthrange(month.year, month.month)[1])]
        weights = [
            (0.4 if day.weekday() == 6 else 0.85 if day.weekday() == 5 else 1.0) * w
            for day in every_day
            for w in branch_weights
        ]
        counts = _split(round(totals[i]), weights)
        cells = zip(itertools.product(every_day, BRANCHES), counts, strict=True)
        for (day, branch), visitors in cells:
            if day > c.yesterday:
                continue
            at = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(2), tzinfo=UTC)
            values = c.make(at)
            values["branch"], values["date"], values["visitors"] = branch, day.isoformat(), str(visitors)
            values["wifi_sessions"] = str(round(visitors * c.rng.uniform(0.25, 0.4)))
            rows.append((at, values))
    return rows


def _circulation(c: Context) -> Rows:
    totals = c.plan(CHECKOUTS, "checkouts")
    branch_weights = _branch_weights("circulation")
    rows: Rows = []
    for i, month in enumerate(c.months[:-1]):  # a month's figures are reported when it ends
        share = i / (FULL_MONTHS - 1)
        formats = [0.62 - 0.08 * share, 0.16 + 0.08 * share, 0.1, 0.08, 0.04]  # e-books take over from print
        weights = [b * f for b in branch_weights for f in formats]
        at = _snapshot_at(month)
        for (branch, kind), checkouts in zip(
            itertools.product(BRANCHES, FORMATS), _split(round(totals[i]), weights), strict=True
        ):
            values = c.make(at)
            values.update(branch=branch, month_start=month.isoformat(), format=kind, checkouts=str(checkouts))
            values["renewals"] = str(round(checkouts * c.rng.uniform(0.12, 0.22)))
            rows.append((at, values))
    return rows


# --- EMS --------------------------------------------------------------------------------------------------------

EMS_CALLS = Trend(160, 175, seasonal=12, peak=1, noise=0.04, decimals=0)
EMS_WITHIN_9_MINUTES = Trend(85.5, 91.4, seasonal=0.6, peak=5, noise=0.01)
EMS_PRIORITIES = (("Echo", 8), ("Delta", 27), ("Charlie", 25), ("Bravo", 25), ("Alpha", 15))


def _ems(c: Context) -> Rows:
    volume, shares = c.plan(EMS_CALLS, "calls"), c.plan(EMS_WITHIN_9_MINUTES, "share")
    rows: Rows = []
    for i, month in enumerate(c.months):
        records = c.records(month, c.count(i, volume[i]))
        for _moment, values in records:
            values["priority"] = c.rng.choices([p for p, _ in EMS_PRIORITIES], [w for _, w in EMS_PRIORITIES])[0]
        urgent = [n for n, (_, values) in enumerate(records) if values["priority"] in ("Echo", "Delta")]
        in_time = set(c.rng.sample(urgent, math.ceil(shares[i] / 100 * len(urgent))))
        urgent = set(urgent)
        for n, (moment, values) in enumerate(records):
            if n in in_time:
                seconds = c.rng.randint(300, 540)
            elif n in urgent:
                seconds = c.rng.randint(541, 780)
            else:
                seconds = c.rng.randint(360, 1080)
            call = moment.replace(microsecond=0)
            values["call_at"], values["on_scene_at"] = _stamp(call), _stamp(call + datetime.timedelta(seconds=seconds))
            values["response_seconds"] = str(seconds)
            rows.append((moment, values))
    return rows


# --- fire and permits -------------------------------------------------------------------------------------------

FIRE_CALLS = Trend(95, 100, seasonal=10, peak=7, noise=0.04, decimals=0)
FIRE_WITHIN_STANDARD = Trend(83, 86.5, seasonal=0.5, peak=4, noise=0.01, first=83)
#: NFPA 1710: 80 seconds to turn out plus 240 seconds to drive.
STANDARD_SECONDS = 320


def _fire_response(c: Context) -> Rows:
    volume, shares = c.plan(FIRE_CALLS, "calls"), c.plan(FIRE_WITHIN_STANDARD, "share")
    rows: Rows = []
    for i, month in enumerate(c.months):
        records = c.records(month, c.count(i, volume[i]))
        in_time = set(c.rng.sample(range(len(records)), math.ceil(shares[i] / 100 * len(records))))
        for n, (moment, values) in enumerate(records):
            if n in in_time:
                turnout = c.rng.randint(45, 80)
                travel = c.rng.randint(120, STANDARD_SECONDS - turnout)
            else:
                turnout = c.rng.randint(55, 115)
                travel = c.rng.randint(max(120, STANDARD_SECONDS + 1 - turnout), 420)
            values["alarm_at"] = _stamp(moment.replace(microsecond=0))
            values["turnout_seconds"], values["travel_seconds"] = str(turnout), str(travel)
            values["response_seconds"] = str(turnout + travel)
            rows.append((moment, values))
    return rows


PERMITS = Trend(70, 76, seasonal=15, peak=5, noise=0.05, decimals=0)
DAYS_TO_ISSUE = Trend(42, 26, noise=0.02, first=42, decimals=0)
#: Months of applications before the history, so that its first month has permits issued (they take weeks).
PERMIT_LEAD_MONTHS = 1


def _permits(c: Context) -> Rows:
    volume, days = c.plan(PERMITS, "permits"), c.plan(DAYS_TO_ISSUE, "days")
    first = c.months[0]
    lead = [
        (datetime.date(first.year - (first.month <= k), (first.month - k - 1) % 12 + 1, 1), round(volume[0]), days[0])
        for k in range(PERMIT_LEAD_MONTHS, 0, -1)
    ]
    months = lead + [(month, c.count(i, volume[i]), days[i]) for i, month in enumerate(c.months)]
    rows: Rows = []
    for month, count, typical in months:
        for moment, values in c.records(month, count):
            taken = max(1, round(typical * c.rng.uniform(0.8, 1.2)))
            c.finished(values, ("applied", "issued", "days_to_issue"), moment.date(), taken)
            rows.append((moment, values))
    return rows


#: The datasets with three years of history, and the function writing each one's rows.
STORIES: dict[str, Callable[[Context], Rows]] = {
    "dot-crashes-by-intersection": _crashes,
    "rpd-cad-incidents": _cad,
    "311-service-requests": _service_requests,
    "dpw-sm-potholes": _potholes,
    "hce-open-cases": _open_cases,
    "hce-code-violations": _code_violations,
    "rpl-visits-wifi": _visits,
    "rpl-circulation": _circulation,
    "ems-response-times": _ems,
    "rfd-response-times": _fire_response,
    "hce-building-permits": _permits,
}
