"""Observations typed in or uploaded for manual measures, and the department lead's narrative per period.

An upload follows ``core.import_plan``, as the inventory's import does: :func:`read_observations` turns a CSV file
into rows of text (or raises :class:`UploadError`), :func:`observations_plan` says row by row what saving them would
do without writing anything, and :func:`observations_import` plans them again against the database as it is then
and writes every valid row in one transaction, in bulk: a bad row is skipped and listed, never half-written.

Computed measures take their values from their dataset, so neither manual entry nor uploads write to them. Who may
record values and who may write a narrative is :mod:`goals.access`'s to say
(:func:`~goals.access.can_record_observations`, :func:`~goals.access.can_write_narratives`): each service takes the
acting user (``by``; ``None`` is the system) and refuses anyone else with ``PermissionDenied``.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.history import record_as
from core.import_plan import CHANGED, FIRST_LINE, INVALID, NEW, UNCHANGED, Plan, PlannedRow, Repeats
from core.uploads import MAX_COLUMNS, RefusedFile, refuse_html, refuse_nul, too_many_columns_message
from team.access import enforce

from ..access import NARRATIVE_REFUSED, RECORD_REFUSED, can_record_observations, can_write_narratives
from ..models import DataVersion, Measure, Narrative, Observation, ObservationSource
from ..periods import is_period_start, parse_period, period_label, period_start

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("period", "value", "note")
REQUIRED_COLUMNS = ("period", "value")
COMPUTED_REFUSAL = (
    "This measure is computed from its dataset: its values come from the data, not from typing or uploading them."
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class UploadError(Exception):
    """The file cannot be read as observations; the message says why, for the person who uploaded it."""


def _number(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"“{text}” is not a number.") from exc
    if not value.is_finite():
        raise ValueError(f"“{text}” is not a number.")
    if abs(value) >= Decimal("1e12"):
        raise ValueError(f"{text} is too large to record.")
    return value.quantize(Decimal("0.0001"))


def _check_period(measure: Measure, start: datetime.date, today: datetime.date) -> None:
    if start > period_start(today, measure.frequency):
        raise ValueError(f"{period_label(start, measure.frequency)} has not begun yet.")


def _lock(measure: Measure) -> None:
    """Writers of one measure's periods wait for each other, so two first writes of a period never collide."""
    Measure.objects.select_for_update().filter(pk=measure.pk).values_list("pk", flat=True).get()


# --- one observation ---------------------------------------------------------------------------------------------


@transaction.atomic
def observation_record(
    *,
    measure: Measure,
    period: datetime.date,
    value: Decimal,
    note: str | None = "",
    by: User | None,
    source: str = ObservationSource.MANUAL,
) -> Observation:
    """Record (or correct) the value of the period containing ``period`` for a manual measure (``note=None`` keeps
    the note already recorded). Guarantees: only those who record the measure's values may; one observation per
    measure and period (a second call replaces the first, the history keeps it); no value for a period that has
    not begun; never on a computed measure."""
    if measure.is_computed:
        raise ValidationError(COMPUTED_REFUSAL)
    enforce(by, lambda actor: can_record_observations(actor, measure), RECORD_REFUSED)
    start = period_start(period, measure.frequency)
    errors = {}
    try:
        _check_period(measure, start, timezone.localdate())
    except ValueError as exc:
        errors["period"] = [str(exc)]
    try:
        value = _number(str(value))
    except ValueError as exc:
        errors["value"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    _lock(measure)
    observation = Observation.objects.filter(measure=measure, period=start).first()
    if observation is None:
        observation = Observation(measure=measure, period=start)
    if note is not None:
        observation.note = note
    observation.value, observation.source, observation.recorded_by = value, source, by
    record_as(observation, by=by, reason="Recorded")
    observation.save()
    return observation


# --- uploads -----------------------------------------------------------------------------------------------------


def read_observations(upload: File) -> list[dict[str, str]]:
    """The rows of an uploaded CSV file with ``period`` and ``value`` columns (``note`` optional), as text.

    Raises :class:`UploadError` when the file is too big, empty, not UTF-8 CSV (a spreadsheet, a web page, a NUL byte
    anywhere), wider than ``core.uploads.MAX_COLUMNS`` or lacks a required column."""
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise UploadError("The file is empty.")
    if b"\x00" in data[:4096] or data[:4] == b"PK\x03\x04":
        raise UploadError("The file is not a CSV file. Save it from your spreadsheet as “CSV UTF-8”.")
    try:
        refuse_html(data)
        refuse_nul(data)
    except RefusedFile as exc:
        raise UploadError(str(exc)) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError("The file is not UTF-8 text. In your spreadsheet choose “Save as… CSV UTF-8”.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [cell.strip().lower() for cell in next(reader, [])]
        if len(header) > MAX_COLUMNS:
            raise UploadError(too_many_columns_message(len(header)))
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise UploadError(
                f"The file has no {' or '.join(repr(m) for m in missing)} column. The first row must name the "
                f"columns: {', '.join(COLUMNS)} (note is optional)."
            )
        rows: list[dict[str, str]] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise UploadError(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
            rows.append(
                {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name in COLUMNS}
            )
    except csv.Error as exc:
        raise UploadError(f"The file is not valid CSV: {exc}.") from exc
    if not rows:
        raise UploadError("The file has a header row but no observations under it.")
    return rows


@dataclass(kw_only=True)
class RowPlan(PlannedRow):
    """What saving one row would do. ``note`` is ``None`` when the file has no note column (the note already
    recorded stays); ``previous`` is the value a change replaces."""

    period_text: str
    value_text: str
    note: str | None = None
    period: datetime.date | None = None
    value: Decimal | None = None
    previous: Decimal | None = None

    @property
    def label(self) -> str:
        return self.period_text


@dataclass
class UploadPlan(Plan[RowPlan]):
    measure: Measure | None = None


def observations_plan(
    *, measure: Measure, rows: list[dict[str, str]], today: datetime.date | None = None
) -> UploadPlan:
    """What saving ``rows`` to ``measure`` would do, row by row: new, changed (and from what), unchanged, or invalid
    and why (a period that is not one, a value that is not a number, a period not begun, the same period twice).
    A row whose value is the recorded one but whose note differs is a change too. Writes nothing; reads the
    measure's observations with one query."""
    today = today or timezone.localdate()
    existing = {
        period: (value, note)
        for period, value, note in Observation.objects.filter(measure=measure).values_list("period", "value", "note")
    }
    repeats = Repeats()
    plans = []
    for index, raw in enumerate(rows):
        row = RowPlan(
            line=index + FIRST_LINE,
            period_text=raw.get("period", "").strip(),
            value_text=raw.get("value", "").strip(),
            note=raw["note"].strip() if "note" in raw else None,
        )
        try:
            row.period = parse_period(row.period_text, measure.frequency)
            _check_period(measure, row.period, today)
        except ValueError as exc:
            row.errors.append(str(exc))
        if not row.value_text:
            row.errors.append("The value is missing.")
        else:
            try:
                row.value = _number(row.value_text)
            except ValueError as exc:
                row.errors.append(str(exc))
        if row.period is not None and not row.errors:
            earlier = repeats.earlier_line(row.period, row.line)
            if earlier is not None:
                row.errors.append(f"{period_label(row.period, measure.frequency)} is also on line {earlier}.")
        if measure.is_computed:
            row.errors.append(COMPUTED_REFUSAL)
        if row.errors:
            row.refuse()
        elif row.period in existing:
            row.previous, note = existing[row.period]
            same_note = row.note is None or row.note == note
            row.action = UNCHANGED if row.previous == row.value and same_note else CHANGED
        else:
            row.action = NEW
        plans.append(row)
    return UploadPlan(rows=plans, measure=measure)


@dataclass
class UploadResult:
    """What an upload saved: how many values it added and changed, how many were already recorded, and the rows it
    skipped with their reasons."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowPlan] = field(default_factory=list)


def _valid(row: RowPlan) -> tuple[datetime.date, Decimal]:
    assert row.period is not None and row.value is not None, "only valid rows are written"
    return row.period, row.value


@transaction.atomic
def observations_import(*, measure: Measure, rows: list[dict[str, str]], by: User | None) -> UploadResult:
    """Save the valid rows of an upload in one transaction, planned again against the observations as they are now.

    Guarantees: only those who record the measure's values may; invalid rows are skipped and returned with their
    reasons; the valid rows are written together or not at all, each with its history entry; uploading the same file
    twice changes nothing the second time. The plan has already checked every row as :func:`observation_record`
    would, under the measure's lock, so the rows are written in bulk: the same handful of queries for 50 rows as for
    5,000 (the database's own limit on a query's parameters aside: SQLite's splits them into batches)."""
    if not measure.is_computed:
        enforce(by, lambda actor: can_record_observations(actor, measure), RECORD_REFUSED)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    plan = observations_plan(measure=measure, rows=rows)
    result = UploadResult(unchanged=sum(1 for row in plan.rows if row.action == UNCHANGED))
    result.skipped = [row for row in plan.rows if row.action == INVALID]
    new = [(row, *_valid(row)) for row in plan.rows if row.action == NEW]
    changed = {_valid(row)[0]: row for row in plan.rows if row.action == CHANGED}
    if not new and not changed:
        return result
    now = timezone.now()
    if new:
        bulk_create_with_history(
            [
                Observation(
                    measure=measure,
                    period=period,
                    value=value,
                    note=row.note or "",
                    source=ObservationSource.UPLOAD,
                    recorded_by=by,
                    recorded_at=now,
                )
                for row, period, value in new
            ],
            Observation,
            default_user=by,
            default_change_reason="Uploaded",
        )
    if changed:
        observations = list(Observation.objects.filter(measure=measure, period__in=changed))
        for observation in observations:
            row = changed[observation.period]
            if row.note is not None:
                observation.note = row.note
            observation.value = _valid(row)[1]
            observation.source, observation.recorded_by = ObservationSource.UPLOAD, by
            observation.recorded_at = now
        # One INSERT … ON CONFLICT (id) DO UPDATE of the rows as they now are: bulk_update()'s CASE per row takes
        # PostgreSQL most of a minute for 5,000 rows; this takes a fraction of a second.
        Observation.objects.bulk_create(
            observations,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["value", "note", "source", "recorded_by", "recorded_at"],
        )
        Observation.history.bulk_history_create(
            observations, update=True, default_user=by, default_change_reason="Uploaded"
        )
    DataVersion.bump()  # bulk writes send no signal
    result.created, result.updated = len(new), len(changed)
    return result


# --- narratives --------------------------------------------------------------------------------------------------


@transaction.atomic
def narrative_save(
    *, measure: Measure, period: datetime.date, what_happened: str, next_steps: str = "", by: User | None
) -> Narrative:
    """Write (or rewrite) the narrative of ``measure`` for the period starting on ``period``. Guarantees: only the
    measure's department's lead (and the Stat lead and analysts) may; one narrative per measure and period, for a
    period that is one of the measure's and has begun; the history keeps earlier versions and who wrote them."""
    enforce(by, lambda actor: can_write_narratives(actor, measure), NARRATIVE_REFUSED)
    errors: dict[str, list[str]] = {}
    if not is_period_start(period, measure.frequency):
        errors["period"] = [f"{period:%Y-%m-%d} does not start a {measure.get_frequency_display().lower()} period."]
    elif period > period_start(timezone.localdate(), measure.frequency):
        errors["period"] = [f"{period_label(period, measure.frequency)} has not begun yet."]
    if not what_happened.strip():
        errors["what_happened"] = ["Say what happened in this period."]
    if errors:
        raise ValidationError(errors)
    _lock(measure)
    narrative = Narrative.objects.filter(measure=measure, period=period).first()
    if narrative is None:
        narrative = Narrative(measure=measure, period=period)
    narrative.what_happened, narrative.next_steps, narrative.author = what_happened.strip(), next_steps.strip(), by
    record_as(narrative, by=by, reason="Written")
    narrative.save()
    return narrative
