"""Deterministic demo data for the demo inventory: one invented table per dataset, written from its data dictionary.

Pure Python, no database: :func:`demo_table` builds the rows of one :class:`demo.inventory.DatasetSpec` as of a
day, and :meth:`DemoTable.csv` writes them, whole or as the file looked on an earlier day (only the rows the
export held by then), which is how the seeded run history is made. The same identifier and day always give the
same bytes. Problems are planted as :data:`demo.quality.PLANTED` says; every other value keeps to the dictionary.
Most tables hold about thirteen months of records at random moments; those the goals demo computes its measures
from hold three years written by their story (:mod:`demo.quality.stories`).
"""

from __future__ import annotations

import bisect
import csv
import datetime
import functools
import io
import itertools
import random
import re
from dataclasses import dataclass, field
from datetime import UTC

from inventory.models import DataField, FieldType, Frequency
from inventory.services.dictionary import table_schema_field

from ..inventory import DatasetSpec, FieldSpec
from .plants import PLANTED, Plant
from .stories import STORIES
from .stories import Context as StoryContext
from .vocabulary import AMOUNTS, COUNTS, STREETS, VOCABULARY

SEED = "riverton-2026"
_NEVER = datetime.datetime.max.replace(tzinfo=UTC)

#: The city's bounding box (invented): latitude and longitude.
LATITUDE = (41.040, 41.135)
LONGITUDE = (-85.215, -85.070)

#: Days between two exports of a dataset with this update frequency (irregular and slower ones: a month or more).
PERIOD_DAYS = {
    Frequency.CONTINUOUS: 1,
    Frequency.HOURLY: 1,
    Frequency.DAILY: 1,
    Frequency.SEMIWEEKLY: 3,
    Frequency.WEEKLY: 7,
    Frequency.BIWEEKLY: 14,
    Frequency.SEMIMONTHLY: 15,
    Frequency.MONTHLY: 30,
    Frequency.BIMONTHLY: 61,
    Frequency.QUARTERLY: 91,
    Frequency.SEMIANNUAL: 182,
    Frequency.ANNUAL: 365,
    Frequency.BIENNIAL: 730,
    Frequency.DECENNIAL: 3650,
    Frequency.IRREGULAR: 30,
}

#: Date columns that name a reporting period rather than an event: the data is not judged fresh by them.
PERIOD_COLUMNS = frozenset({"month_start", "week_starting", "quarter_start", "fiscal_year"})
#: Datasets whose first required date is not when the record happened.
NO_EVENT_DATE = frozenset({"hce-rental-registry"})

#: How a later date column follows the row's own date: (column, after column, low, high, unit).
FOLLOWS: dict[str, tuple[str, float, float, str]] = {
    "dispatched_at": ("received_at", 1, 14, "minutes"),
    "arrived_at": ("dispatched_at", 3, 22, "minutes"),
    "closed_at": ("opened_at", 2, 240, "hours"),
    "on_scene_at": ("call_at", 4, 12, "minutes"),
    "repaired": ("reported", 0, 21, "days"),
    "issued": ("applied", 3, 60, "days"),
    "closed": ("opened", 1, 14, "days"),
    "completed": ("", 0, 0, "days"),
}
#: Dates that are not tied to the row's time: (days before the day, days after it).
SPREAD_DAYS: dict[str, tuple[int, int]] = {
    "last_tested": (-1000, 0),
    "last_retimed": (-2200, 0),
    "license_expires": (10, 720),
    "next_inspection": (5, 365),
    "surveyed": (-360, -20),
}

_PATTERN_PART = re.compile(r"\\d\{(\d+)\}|\[([^\]]+)\]\{(\d+)\}|\\(.)|([^\\\[^$])")


def text_matching(pattern: str, rng: random.Random, number: int | None = None) -> str:
    """A value matching a simple dictionary pattern (literals, ``\\d{n}`` and ``[class]{n}``).

    With ``number`` the last group of digits counts it (zero-padded), so identifiers can count up; the other
    groups are random."""
    found = _PATTERN_PART.findall(pattern)
    last_digits = max((i for i, part in enumerate(found) if part[0]), default=-1)
    parts: list[str] = []
    for i, (digits, klass, times, escaped, literal) in enumerate(found):
        if digits:
            n = int(digits)
            if number is not None and i == last_digits:
                base = 26 * 10 ** (n - 2) if n >= 7 else 0  # long serials start with the year
                parts.append(f"{(base + number) % 10**n:0{n}d}")
            elif n == 4 and number is not None:
                parts.append("2026")
            else:
                parts.append("".join(rng.choices("0123456789", k=n)))
        elif klass:
            parts.append("".join(rng.choices(_expand_class(klass), k=int(times))))
        else:
            parts.append(escaped or literal)
    return "".join(parts)


def _expand_class(klass: str) -> str:
    chars, i = [], 0
    while i < len(klass):
        if i + 2 < len(klass) and klass[i + 1] == "-":
            chars.extend(chr(c) for c in range(ord(klass[i]), ord(klass[i + 2]) + 1))
            i += 3
        else:
            chars.append(klass[i])
            i += 1
    return "".join(chars)


@dataclass
class Row:
    """One record: ``at`` is when it entered the export (it appears in files from then on)."""

    at: datetime.datetime
    values: list[str]


@dataclass
class DemoTable:
    spec: DatasetSpec
    as_of: datetime.date
    header: list[str]
    rows: list[Row]
    date_column: str = ""
    plants: tuple[Plant, ...] = ()
    dropped: dict[str, datetime.datetime] = field(default_factory=dict)  # column -> gone from files after
    #: The rows of the newest file where it differs from the earlier ones (a problem only the newest export has).
    newest_rows: list[Row] | None = None
    #: When each planted problem first shows in a file (absent: never, e.g. too rare to land in any row).
    problem_from: dict[int, datetime.datetime] = field(default_factory=dict)

    @property
    def newest_from(self) -> datetime.datetime:
        """From when the newest file is the one exported (the morning of the table's day, less a night)."""
        return datetime.datetime.combine(self.as_of, datetime.time(6), tzinfo=UTC) - datetime.timedelta(hours=12)

    def rows_at(self, moment: datetime.datetime | None = None) -> list[Row]:
        """The rows of the file exported at ``moment`` (rows are kept in the order they entered the export)."""
        rows = self.rows
        if self.newest_rows is not None and (moment is None or moment >= self.newest_from):
            rows = self.newest_rows
        return rows if moment is None else rows[: bisect.bisect_right(rows, moment, key=lambda row: row.at)]

    def problems_at(self, moment: datetime.datetime) -> tuple[bool, ...]:
        """Which planted problems the file exported at ``moment`` shows."""
        return tuple(moment >= self.problem_from.get(i, _NEVER) for i in range(len(self.plants)))

    def newest_date_at(self, moment: datetime.datetime | None = None, column: str = "") -> datetime.datetime | None:
        """The newest value of a date column (default: the freshness column) in the file exported at ``moment``."""
        column = column or self.date_column
        if column not in self.header:
            return None
        index = self.header.index(column)
        rows = self.rows_at(moment)
        if column == self.date_column:  # when each record happened, so the last rows hold its newest value
            found = next((row.values[index] for row in reversed(rows) if row.values[index]), "")
        else:
            found = max((row.values[index] for row in rows if index < len(row.values)), default="")
        if not found:
            return None
        try:
            value = datetime.datetime.fromisoformat(found)
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    def csv(self, moment: datetime.datetime | None = None) -> bytes:
        """The CSV file (UTF-8) as exported at ``moment`` (default: as of the table's day, every row)."""
        keep = [
            i
            for i, name in enumerate(self.header)
            if not (name in self.dropped and (moment is None or moment >= self.dropped[name]))
        ]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([self.header[i] for i in keep])
        for row in self.rows_at(moment):
            cells = [row.values[i] for i in keep] + row.values[len(self.header) :]
            writer.writerow(cells)
        return out.getvalue().encode()


def _frequency_days(spec: DatasetSpec) -> int:
    return PERIOD_DAYS.get(spec.frequency, 30)


def event_column(spec: DatasetSpec) -> FieldSpec | None:
    """The column saying when each record happened (the first required date or date-time), if any."""
    if spec.identifier in NO_EVENT_DATE:
        return None
    for f in spec.fields:
        if f.type in (FieldType.DATE, FieldType.DATETIME, FieldType.YEAR) and (f.required or f.type == FieldType.YEAR):
            return f
    return None


def freshness_column(spec: DatasetSpec) -> str:
    """The date column the checks judge freshness by: an event date, not a reporting period."""
    column = event_column(spec)
    return column.name if column is not None and column.name not in PERIOD_COLUMNS else ""


def row_target(spec: DatasetSpec) -> int:
    """How many rows the current file has: more for fast-moving datasets, a few hundred for slow ones."""
    rng = random.Random(f"{SEED}:{spec.identifier}:size")
    days = _frequency_days(spec)
    low, high = (1400, 2000) if days <= 1 else (700, 1100) if days <= 14 else (300, 650)
    return rng.randint(low, high)


def _period_start(day: datetime.date, column: str) -> datetime.date:
    if column == "month_start":
        return day.replace(day=1)
    if column == "quarter_start":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if column == "week_starting":
        return day - datetime.timedelta(days=day.weekday())
    return day


def _period_end(start: datetime.date, column: str) -> datetime.date:
    if column == "month_start":
        return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    if column == "quarter_start":
        month = start.month + 3
        return datetime.date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    if column == "week_starting":
        return start + datetime.timedelta(days=7)
    return start + datetime.timedelta(days=1)


def _format(value: datetime.date | datetime.datetime, type_: str) -> str:
    if type_ == FieldType.DATETIME:
        return value.isoformat()[:19] + "Z"
    if type_ == FieldType.YEAR:
        return str(value.year)
    return value.isoformat()[:10]


def _text_maker(f: FieldSpec):
    name = f.name
    if f.pattern:
        if f.unique:
            return lambda rng, number: text_matching(f.pattern, rng, number)
        return lambda rng, number: text_matching(f.pattern, rng)
    if f.unique:
        prefix = "".join(part[0] for part in name.split("_")[:-1]).upper() or name[:2].upper()
        return lambda rng, number: f"{prefix}-{number:07d}"
    if name in VOCABULARY:
        values, weights = VOCABULARY[name], _skewed(len(VOCABULARY[name]), 1)
        return lambda rng, number: rng.choices(values, cum_weights=weights)[0]
    if name == "address":
        return lambda rng, number: f"{rng.randint(1, 48) * 100} block of {rng.choice(STREETS)}"
    if name == "full_address":
        return lambda rng, number: f"{rng.randint(100, 4899)} {rng.choice(STREETS)}"
    if name == "intersection":
        return lambda rng, number: " & ".join(rng.sample(STREETS, 2))
    if name == "street_name":
        return lambda rng, number: rng.choice(STREETS)
    if name == "service_request":
        return lambda rng, number: f"SR-{rng.randint(24000000, 26999999):08d}"
    label = f.title or name
    return lambda rng, number: f"{label} {rng.randint(1, 40)}"


def _integer_maker(f: FieldSpec):
    low, high = COUNTS.get(f.name, (0, 40))
    if f.minimum != "":
        low = max(low, int(float(f.minimum)))
    if f.maximum != "":
        high = min(high, int(float(f.maximum)))
    if f.name in ("pedestrians_involved", "cyclists_involved"):
        return lambda rng, number: "1" if rng.random() < 0.08 else "0"
    mode = low + (high - low) * 0.3
    return lambda rng, number: str(min(max(round(rng.triangular(low, high, mode)), low), high))


def _number_maker(f: FieldSpec):
    low, high, decimals = AMOUNTS.get(f.name, (0, 100, 1))
    if f.minimum != "":
        low = max(low, float(f.minimum))
    if f.maximum != "":
        high = min(high, float(f.maximum))
    mode = low + (high - low) * 0.25
    return lambda rng, number: f"{rng.triangular(low, high, mode):.{decimals}f}"


def _value_maker(f: FieldSpec):
    """A function (rng, row number) -> text for a column that is not a date."""
    if f.allowed_values:
        values, weights = f.allowed_values, _skewed(len(f.allowed_values), 2)
        return lambda rng, number: rng.choices(values, cum_weights=weights)[0]
    if f.type == FieldType.INTEGER:
        return _integer_maker(f)
    if f.type == FieldType.NUMBER:
        return _number_maker(f)
    if f.type == FieldType.GEOPOINT:
        return lambda rng, number: _geopoint(rng)
    return _text_maker(f)


def _geopoint(rng: random.Random) -> str:
    """Table Schema's default geopoint form: "lon, lat"."""
    return f"{rng.uniform(*LONGITUDE):.5f}, {rng.uniform(*LATITUDE):.5f}"


@functools.cache
def _skewed(n: int, flatness: int) -> tuple[int, ...]:
    """Cumulative weights that make the first of ``n`` values the most common (``flatness`` evens them out)."""
    return tuple(itertools.accumulate(flatness * n - i for i in range(n)))


def demo_table(spec: DatasetSpec, *, as_of: datetime.date) -> DemoTable:
    """The demo table of ``spec`` as exported on ``as_of``, with its planted problems (if any).

    Deterministic: the same spec and day give the same table. Records span about thirteen months before the day,
    each appearing in the export when it happened (or, for a reporting period, when the period closed); the
    datasets the goals demo computes its measures from span three years and follow their story
    (:mod:`demo.quality.stories`)."""
    rng = random.Random(f"{SEED}:{spec.identifier}:{as_of.isoformat()}")
    plants = PLANTED.get(spec.identifier, ())
    end = datetime.datetime.combine(as_of, datetime.time(6, 0), tzinfo=datetime.UTC)
    event = event_column(spec)
    header = [f.name for f in spec.fields]
    dates = (FieldType.DATE, FieldType.DATETIME, FieldType.YEAR)
    makers = [(f, None if f.type in dates else _value_maker(f)) for f in spec.fields]
    story = STORIES.get(spec.identifier)
    if story is not None:
        numbers = itertools.count(1)

        def make(moment: datetime.datetime) -> dict[str, str]:
            return _record(spec, makers, event, moment, next(numbers), end, rng)[0]

        written = story(StoryContext(identifier=spec.identifier, as_of=as_of, end=end, rng=rng, make=make))
        rows = [Row(at=at, values=[values[name] for name in header]) for at, values in written]
    else:
        rows = _scattered_rows(spec, makers, event, plants, end, rng)
    rows = [row for row in rows if row.at <= end]
    rows.sort(key=lambda row: row.at)
    seen_rows: set[tuple[str, ...]] = set()
    unique_rows = []
    for row in rows:  # a repeated row would be a duplicate: only planted ones are wanted
        key = tuple(row.values)
        if key not in seen_rows:
            seen_rows.add(key)
            unique_rows.append(row)
    rows = unique_rows
    table = DemoTable(spec=spec, as_of=as_of, header=header, rows=rows, date_column=freshness_column(spec))
    table.plants = plants
    for position, plant in enumerate(plants):
        first = plant.apply(table, rng, end)
        if first is not None:
            table.problem_from[position] = max(first, table.newest_from) if plant.newest_file_only else first
    return table


def _scattered_rows(spec: DatasetSpec, makers, event, plants, end: datetime.datetime, rng) -> list[Row]:
    """About thirteen months of records at random moments (the datasets without a story)."""
    span = datetime.timedelta(days=400)
    header = [f.name for f in spec.fields]
    n = row_target(spec)
    lag = datetime.timedelta(hours=20)  # exports run overnight: the newest record is from yesterday
    stop = end
    for plant in plants:
        if plant.kind == "stale":
            stop = end - datetime.timedelta(days=plant.onset_days)
    moments = sorted(end - span + (span - lag) * rng.random() for _ in range(n))
    moments = [m for m in moments if m <= stop - lag] or moments[:1]
    rows: list[Row] = []
    for number, moment in enumerate(moments, start=1):
        values, appears = _record(spec, makers, event, moment, number, end, rng)
        rows.append(Row(at=appears, values=[values[name] for name in header]))
    return rows


def _record(
    spec: DatasetSpec, makers, event, moment, number: int, end, rng
) -> tuple[dict[str, str], datetime.datetime]:
    """One record of ``moment``: every column within its dictionary, related columns agreeing; and when it
    enters the export."""
    values: dict[str, str] = {}
    seen: dict[str, datetime.datetime] = {}
    appears = moment
    for f, make in makers:
        if make is not None:
            values[f.name] = make(rng, number)
            continue
        when = _date_value(f, event, moment, seen, end, rng)
        if when is None:
            values[f.name] = ""
            continue
        seen[f.name] = when
        values[f.name] = _format(when, f.type)
        if f is event and f.name in PERIOD_COLUMNS:
            appears = datetime.datetime.combine(_period_end(when.date(), f.name), datetime.time(6), tzinfo=UTC)
    _consistent(spec, values, seen, end)
    return values, appears


def _date_value(f, event, moment, seen, end, rng) -> datetime.datetime | None:
    if f is event:
        if f.name in PERIOD_COLUMNS:
            start = _period_start(moment.date(), f.name)
            return datetime.datetime.combine(start, datetime.time(0), tzinfo=datetime.UTC)
        if f.type == FieldType.DATE:
            return moment.replace(hour=0, minute=0, second=0, microsecond=0)
        return moment.replace(microsecond=0)
    if f.name in FOLLOWS:
        after, low, high, unit = FOLLOWS[f.name]
        base = seen.get(after) if after else moment
        if base is None:
            base = moment
        when = base + datetime.timedelta(**{unit: rng.uniform(low, high)})
        if f.type == FieldType.DATE:
            when = when.replace(hour=0, minute=0, second=0, microsecond=0)
        if not f.required and (when > end or rng.random() < 0.1):
            return None  # not closed (repaired, issued...) yet
        return min(when, end).replace(microsecond=0)
    if f.name in SPREAD_DAYS:
        low, high = SPREAD_DAYS[f.name]
        if not f.required and rng.random() < 0.05:
            return None
        when = moment + datetime.timedelta(days=rng.randint(low, high))
        return when.replace(hour=0, minute=0, second=0, microsecond=0)
    when = moment - datetime.timedelta(days=rng.randint(0, 30))
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def _consistent(spec: DatasetSpec, values: dict[str, str], seen: dict, end: datetime.datetime) -> None:
    """Make related columns agree: a closed request has a closing time, response seconds match the times."""
    if "status" in values and "closed_at" in values:
        if values["status"] == "Closed" and not values["closed_at"]:
            values["status"] = "In progress"
        elif values["status"] != "Closed" and values["closed_at"]:
            values["status"] = "Closed"
    if "response_seconds" in values and "call_at" in seen and "on_scene_at" in seen:
        values["response_seconds"] = str(round((seen["on_scene_at"] - seen["call_at"]).total_seconds()))
    if "repaired" in seen and "days_to_repair" in values:
        values["days_to_repair"] = str((seen["repaired"] - seen["reported"]).days)
    if "repaired" in values and not values["repaired"] and "days_to_repair" in values:
        values["days_to_repair"] = ""
    if "cleared" in values and "reported" in values:
        values["cleared"] = str(min(int(values["cleared"]), int(values["reported"])))
    if "calls_answered" in values and "calls_offered" in values:
        offered = int(values["calls_offered"])
        abandoned = min(int(values["calls_abandoned"] or 0), offered // 8)
        values["calls_abandoned"], values["calls_answered"] = str(abandoned), str(offered - abandoned)


def table_schema(spec: DatasetSpec) -> dict:
    """The spec's dictionary as the Table Schema the inventory exports for it (without touching the database)."""
    fields = [
        DataField(
            name=f.name,
            title=f.title,
            type=f.type,
            description=f.description,
            required=f.required,
            unique=f.unique,
            allowed_values=list(f.allowed_values),
            minimum=f.minimum,
            maximum=f.maximum,
            pattern=f.pattern,
            format=f.format,
        )
        for f in spec.fields
    ]
    return {"fields": [table_schema_field(field) for field in fields]}
