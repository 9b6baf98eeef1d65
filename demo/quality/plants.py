"""The problems planted in the demo data, one list per dataset (see the table in ``demo.quality``'s docstring).

A problem has an onset: rows that entered the export from ``onset_days`` before the demo's day carry it, so the
seeded history shows the dataset passing before and failing after (``None``: there from the start). Onsets lie
before the last seeded history run, so only the showcase goes from passing to failing in its latest run (and
notifies people when seeded).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .generate import DemoTable

STALE = "stale"
BLANKS = "required_blank"
ENUM = "enum"
RANGE = "out_of_range"
PATTERN = "pattern"
TYPE = "type"
DUPLICATES = "duplicates"
MISSING_COLUMN = "missing_column"
RAGGED = "ragged"


@dataclass(frozen=True)
class Plant:
    """One planted problem: ``kind`` of problem in ``column`` (blank for the whole table), on ``share`` of the
    rows added since ``onset_days`` before the demo's day, using ``values`` as the bad values; ``story`` is what
    a presenter can say about it."""

    kind: str
    column: str = ""
    share: float = 1.0
    onset_days: int | None = None
    values: tuple[str, ...] = ()
    story: str = ""
    #: Only the newest file has it (the export that broke rewrote the last days): the history before is clean.
    newest_file_only: bool = False

    def since(self, end: datetime.datetime) -> datetime.datetime | None:
        return None if self.onset_days is None else end - datetime.timedelta(days=self.onset_days)

    def apply(self, table: DemoTable, rng: random.Random, end: datetime.datetime) -> datetime.datetime | None:
        """Plant the problem in ``table`` and return when it first shows in a file (None: in no row at all).

        Stale data is planted while the rows are made (they stop early): it returns None, as freshness is judged
        afresh for every file anyway."""
        since = self.since(end)
        if self.kind == STALE:
            return None
        if self.kind == MISSING_COLUMN:
            table.dropped[self.column] = since or datetime.datetime.min.replace(tzinfo=datetime.UTC)
            return table.dropped[self.column]
        rows = table.rows
        if self.newest_file_only:
            table.newest_rows = rows = [type(row)(at=row.at, values=list(row.values)) for row in table.rows]
        affected = [row for row in rows if since is None or row.at >= since]
        touched = [row for row in affected if rng.random() < self.share]
        if self.kind == DUPLICATES:
            for row in touched:
                rows.insert(rows.index(row) + 1, type(row)(at=row.at, values=list(row.values)))
        index = table.header.index(self.column) if self.column else 0
        for row in touched if self.kind != DUPLICATES else ():
            if self.kind == RAGGED:
                row.values.append(rng.choice(self.values))
            elif self.kind == PATTERN:  # the value rewritten from its parts, e.g. without its dashes
                row.values[index] = self.values[0].format(*row.values[index].split("-"))
            else:
                row.values[index] = rng.choice(self.values) if self.values else ""
        return min((row.at for row in touched), default=None)


#: The showcase: it passed every week until three days ago, then its export broke, and its contact was told.
SHOWCASE = "rpd-cad-incidents"

PLANTED: dict[str, tuple[Plant, ...]] = {
    SHOWCASE: (
        Plant(
            BLANKS,
            "dispatched_at",
            onset_days=3,
            newest_file_only=True,
            story="After a CAD upgrade, the newest export rewrote the last three days of calls without the dispatch "
            "time: a blank dispatched_at, a required column. Every earlier run passed; the latest fails, and Police's "
            "contact (Dana Whitaker) and the Stat analysts were notified.",
        ),
    ),
    "dot-parking-citations": (
        Plant(
            ENUM,
            "paid",
            share=0.2,
            onset_days=75,
            values=("Paid online", "Payment plan", "Waived"),
            story="The ticketing system's upgrade about ten weeks ago added payment states and the dictionary was "
            "not updated: a fifth of newer citations have a paid value outside the allowed values.",
        ),
    ),
    "dot-traffic-counts": (
        Plant(
            RANGE,
            "pedestrians",
            share=0.03,
            values=("-1",),
            story="The counting cameras write -1 for an hour they were offline: about 3% of counts have pedestrians "
            "below its minimum of 0, from the start.",
        ),
    ),
    "rhd-restaurant-inspections": (
        Plant(
            RANGE,
            "score",
            share=0.03,
            onset_days=120,
            values=("101", "104", "105", "110"),
            story="A new inspection form adds bonus points: since about four months ago some scores exceed the "
            "maximum of 100.",
        ),
    ),
    "hce-vacant-properties": (
        Plant(
            PATTERN,
            "parcel_id",
            share=0.03,
            values=("{0}{1}{2}",),
            story="Registrations keyed in by hand give the parcel number without its dashes (123456789), which "
            "breaks the pattern ^\\d{3}-\\d{3}-\\d{3}$ (about 3% of rows, from the start).",
        ),
    ),
    "fin-vendor-payments": (
        Plant(
            DUPLICATES,
            share=0.04,
            story="About 4% of payments are exported twice (duplicate rows, so payment_id is not unique either), "
            "from the start.",
        ),
    ),
    "rfd-inspections": (
        Plant(
            STALE,
            onset_days=70,
            story="Weekly, but the export job stopped ten weeks ago: the newest inspection_date is about 70 days "
            "old, so the data is stale.",
        ),
    ),
    "311-call-centre-volume": (
        Plant(
            STALE,
            onset_days=30,
            story="Daily, but the Genesys feed stopped a month ago: stale since.",
        ),
    ),
    "dpw-building-energy": (
        Plant(
            MISSING_COLUMN,
            "therms",
            onset_days=80,
            story="The energy-tracking system's new export left out the gas use column (therms) about eleven weeks "
            "ago: a dictionary column is missing from the file since.",
        ),
    ),
    "dpw-sw-illegal-dumping": (
        Plant(
            RAGGED,
            share=0.03,
            onset_days=100,
            values=("see notes", "crew 4", "repeat location"),
            story="Since about three months ago a crew note with an unquoted comma leaks into an extra field on "
            "about 3% of rows: ragged rows.",
        ),
    ),
    "it-open-data-usage": (
        Plant(
            TYPE,
            "page_views",
            share=0.03,
            values=("n/a", "1,204", "2,311"),
            story="Some months the analytics export writes 'n/a' or thousands separators in page_views, an "
            "integer column: type errors, from the start.",
        ),
    ),
}
