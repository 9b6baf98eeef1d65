"""What the signed-in home page reads of goals and measures: the city's KPIs at a glance (the principal's), and the
work the measures ask for (the Stat team's queue, a department lead's for their departments): measures with no value
for the last finished period, KPIs whose narrative for it is not written yet, and the failing or stale datasets the
measures are computed from.

Built on :mod:`goals.selectors_dashboard`'s rows, so the statuses are the dashboards' own; each read is a fixed
number of queries however many measures there are. Who may read which measures is the caller's to say (the home
page asks :mod:`goals.access`): these take the departments to read, or none for the whole city.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import cast

from django.db.models import QuerySet

from .models import Measure, Narrative
from .periods import last_finished_period, period_label
from .selectors import DATA_SUSPECT_Q
from .selectors_dashboard import (
    STATUS_BADGES,
    MeasureRow,
    StatusCounts,
    counts_by_department,
    dashboard_cached,
    measure_rows,
    measures_queryset,
    status_counts,
)
from .status import Status

#: How many rows each list of the home page shows (each says how many more there are, and where they are).
SHOWN = 8


# --- the city at a glance ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CityGlance:
    """The city's KPIs by status (``overall``, its ``suspect`` count the KPIs on suspect data), the KPIs whose
    status changed since their previous period, and the departments to ask about: those with KPIs off track,
    approaching or on suspect data, the most off track first."""

    overall: StatusCounts
    changed: list[MeasureRow]
    ask_about: list[StatusCounts]

    @property
    def badges(self) -> dict:
        return {status.value: STATUS_BADGES[status] for status in Status}


def _ask_about(kpis: list[MeasureRow]) -> list[StatusCounts]:
    worrying = [c for c in counts_by_department(kpis) if c.off_track or c.approaching or c.suspect]
    return sorted(worrying, key=lambda c: (-c.off_track, -c.suspect, -c.approaching, c.label))


def city_glance() -> CityGlance:
    """The city's KPIs at a glance, cached under the goals data's fingerprint (one query when cached, two when not:
    the fingerprint and the KPIs)."""

    def build() -> CityGlance:
        kpis = measure_rows(measures_queryset().filter(is_kpi=True))
        return CityGlance(
            overall=status_counts(kpis, label="City"),
            changed=[row for row in kpis if row.status_changed],
            ask_about=_ask_about(kpis),
        )

    return cast(CityGlance, dashboard_cached("home-glance", build))


# --- the work the measures ask for ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    """A measure and the period something is due for (its first day and its name)."""

    row: MeasureRow
    period: datetime.date
    label: str


@dataclass(frozen=True)
class SuspectSource:
    """A dataset measures are computed from whose latest quality check failed (or could not run), or which is stale,
    and the measures that read it."""

    dataset_id: int
    title: str
    department: str
    failing: bool
    stale: bool
    measures: list[tuple[str, str]]  # (name, slug)

    @property
    def reason(self) -> str:
        if self.failing and self.stale:
            return "failed its latest quality check and is out of date"
        return "failed its latest quality check" if self.failing else "is out of date"


@dataclass(frozen=True)
class MeasureWork:
    """``kpis``: the KPIs in scope with their status; ``missing``: measures with no value for their last finished
    period; ``narratives``: KPIs with a value for that period and no narrative of it yet; ``suspect_sources``: the
    failing or stale datasets behind them. Lists are complete: templates show the first :data:`SHOWN`."""

    kpis: list[MeasureRow]
    missing: list[DueRow]
    narratives: list[DueRow]
    suspect_sources: list[SuspectSource]


def _in_scope(queryset: QuerySet[Measure], department_ids: Collection[int] | None) -> QuerySet[Measure]:
    return queryset if department_ids is None else queryset.filter(department_id__in=sorted(department_ids))


def suspect_sources(department_ids: Collection[int] | None = None) -> list[SuspectSource]:
    """The failing or stale datasets measures (of ``department_ids``; ``None``: every department) are computed
    from, by title, each with those measures. One query."""
    rows = (
        _in_scope(Measure.objects.filter(DATA_SUSPECT_Q), department_ids)
        .order_by("source_dataset__title", "source_dataset_id", "name")
        .values_list(
            "source_dataset_id",
            "source_dataset__title",
            "source_dataset__department__name",
            "source_dataset__quality__outcome",
            "source_dataset__quality__stale",
            "name",
            "slug",
        )
    )
    sources: dict[int, SuspectSource] = {}
    for dataset_id, title, department, outcome, stale, name, slug in rows:
        source = sources.get(dataset_id)
        if source is None:
            source = sources[dataset_id] = SuspectSource(
                dataset_id, title, department, outcome in ("fail", "error"), bool(stale), []
            )
        source.measures.append((name, slug))
    return list(sources.values())


def measure_work(
    today: datetime.date, department_ids: Collection[int] | None = None, *, with_sources: bool = True
) -> MeasureWork:
    """What the measures of ``department_ids`` (``None``: every department) ask for on ``today``: three queries
    (the measures, the narratives of their last finished periods and, ``with_sources``, the suspect sources)."""
    rows = measure_rows(_in_scope(measures_queryset(), department_ids))
    missing, reported = [], []
    for row in rows:
        last = last_finished_period(today, row.frequency)
        due = DueRow(row, last, period_label(last, row.frequency))
        if row.latest_period is None or row.latest_period < last:
            missing.append(due)
        elif row.is_kpi and last in (row.latest_period, row.previous_period):
            reported.append(due)
    written = set(
        Narrative.objects.filter(
            measure_id__in=[due.row.id for due in reported], period__in={due.period for due in reported}
        ).values_list("measure_id", "period")
    )
    return MeasureWork(
        kpis=[row for row in rows if row.is_kpi],
        missing=missing,
        narratives=[due for due in reported if (due.row.id, due.period) not in written],
        suspect_sources=suspect_sources(department_ids) if with_sources else [],
    )
