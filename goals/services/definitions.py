"""Define goals and measures: create and change them, with their computation and their targets per period.

Who may: those who define goals (:func:`goals.access.can_define_goals`: the principal, Stat lead and analysts).
Each function takes the acting user (``by``; ``None`` is the system: tasks, the demo seeding), refuses anyone else
with ``PermissionDenied``, runs in one transaction and raises ``ValidationError`` naming the field at fault.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from core.history import record_as
from core.outbox import enqueue
from core.unchanged import UNCHANGED, Unchanged, given
from inventory.models import DataField, Dataset
from team.access import enforce
from team.models import Department

from ..access import DEFINE_ONLY, can_define_goals
from ..computation import clean_condition, clean_filters, computation_problems
from ..models import (
    Direction,
    Goal,
    Horizon,
    Measure,
    MeasureFrequency,
    MeasureTarget,
    MeasureType,
    Narrative,
    Observation,
    ObservationSource,
    Priority,
)
from ..periods import period_label, period_start
from ..selectors import MEASURE_COMPUTE_TASK

if TYPE_CHECKING:
    from django.contrib.auth.models import User


#: Fields whose change makes the computed observations out of date.
COMPUTATION_FIELDS = (
    "source_dataset",
    "aggregation",
    "value_column",
    "date_column",
    "filters",
    "condition",
    "frequency",
)


# --- goals -------------------------------------------------------------------------------------------------------


def _validate_goal(goal: Goal, departments: list[Department] | None) -> None:
    errors: dict[str, list[str]] = {}
    if departments is not None and not list(departments):
        errors["departments"] = ["Choose at least one department that owns this goal."]
    if goal.parent_id is not None and goal.pk is not None:
        # No cycles: the parent may not be this goal or one that cascades from it.
        seen, parent = set(), goal.parent
        while parent is not None and parent.pk not in seen:
            if parent.pk == goal.pk:
                errors["parent"] = ["A goal cannot cascade from itself or from a goal that cascades from it."]
                break
            seen.add(parent.pk)
            parent = parent.parent
    try:
        goal.full_clean(exclude=["departments"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(
    *,
    by: User | None,
    departments: Iterable[Department],
    priority: Priority,
    statement: str,
    description: str = "",
    target_value: Decimal | None = None,
    target_date: datetime.date | None = None,
    horizon: str = Horizon.SHORT,
    bold: bool = False,
    parent: Goal | None = None,
    public: bool = False,
) -> Goal:
    """Add a goal owned by ``departments`` (at least one). Guarantees: only those who define goals may; it
    validates as a whole or nothing is written; the history records who created it."""
    enforce(by, can_define_goals, DEFINE_ONLY)
    owners = list(departments)
    goal = Goal(
        priority=priority,
        statement=statement,
        description=description,
        target_value=target_value,
        target_date=target_date,
        horizon=horizon,
        bold=bold,
        parent=parent,
        public=public,
    )
    _validate_goal(goal, owners)
    record_as(goal, by=by, reason="Created")
    goal.save()
    goal.departments.set(owners)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    by: User | None,
    departments: Iterable[Department] | None = None,
    priority: Priority | Unchanged = UNCHANGED,
    statement: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    target_value: Decimal | None | Unchanged = UNCHANGED,
    target_date: datetime.date | None | Unchanged = UNCHANGED,
    horizon: str | Unchanged = UNCHANGED,
    bold: bool | Unchanged = UNCHANGED,
    parent: Goal | None | Unchanged = UNCHANGED,
    public: bool | Unchanged = UNCHANGED,
) -> Goal:
    """Change a goal: only the fields given change (``departments``, when given, replaces the owners). Guarantees:
    only those who define goals may; no cascade loops, at least one owner department, the history keeps the old
    values and who changed them."""
    enforce(by, can_define_goals, DEFINE_ONLY)
    fields = given(
        {
            "priority": priority,
            "statement": statement,
            "description": description,
            "target_value": target_value,
            "target_date": target_date,
            "horizon": horizon,
            "bold": bold,
            "parent": parent,
            "public": public,
        }
    )
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    for name, value in fields.items():
        setattr(goal, name, value)
    owners = list(departments) if departments is not None else None
    _validate_goal(goal, owners)
    record_as(goal, by=by, reason="Edited")
    goal.save()
    if owners is not None:
        goal.departments.set(owners)
    return goal


# --- measures ----------------------------------------------------------------------------------------------------


def dictionary_columns(dataset: Dataset | None) -> dict[str, str] | None:
    """The dataset's data dictionary as ``{column: Table Schema type}``, or ``None`` when it has no dictionary."""
    if dataset is None:
        return None
    columns = dict(DataField.objects.filter(dataset=dataset).order_by("position", "pk").values_list("name", "type"))
    return columns or None


def _unique_slug(measure: Measure) -> str:
    base = slugify(measure.name)[:100] or "measure"
    taken = set(Measure.objects.filter(slug__startswith=base).exclude(pk=measure.pk).values_list("slug", flat=True))
    if base not in taken:
        return base
    for number in range(2, 1000):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    return f"{base}-{uuid.uuid4().hex[:8]}"


def _validate_measure(measure: Measure) -> None:
    measure.filters = clean_filters(measure.filters if isinstance(measure.filters, list) else [])
    measure.condition = clean_condition(measure.condition if isinstance(measure.condition, dict) else {})
    measure.value_column = (measure.value_column or "").strip()
    measure.date_column = (measure.date_column or "").strip()
    if measure.aggregation in ("count", "share"):
        measure.value_column = ""  # a count or share reads no value column
    errors = computation_problems(
        aggregation=measure.aggregation,
        has_dataset=measure.source_dataset_id is not None,
        value_column=measure.value_column,
        date_column=measure.date_column,
        filters=measure.filters,
        condition=measure.condition,
        columns=dictionary_columns(measure.source_dataset),
        dataset_name=f"“{measure.source_dataset.title}”" if measure.source_dataset is not None else "the dataset",
    )
    if measure.is_kpi and measure.goal_id is not None:
        other = Measure.objects.filter(goal_id=measure.goal_id, is_kpi=True).exclude(pk=measure.pk).first()
        if other is not None:
            errors.setdefault("is_kpi", []).append(
                f"This goal already has a key performance indicator: “{other.name}”. A goal has one KPI; make "
                "this a supporting measure or change that one first."
            )
    if not measure.slug:
        measure.slug = _unique_slug(measure)
    try:
        measure.full_clean(validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_create(
    *,
    by: User | None,
    compute: bool = True,
    goal: Goal,
    department: Department,
    name: str,
    description: str = "",
    unit: str = "",
    slug: str = "",
    is_kpi: bool = False,
    type: str = MeasureType.OUTCOME,
    direction: str = Direction.UP,
    frequency: str = MeasureFrequency.MONTHLY,
    baseline_value: Decimal | None = None,
    baseline_period: str = "",
    target_value: Decimal | None = None,
    tolerance_percent: int = 10,
    public: bool = False,
    source_dataset: Dataset | None = None,
    method: str = "",
    aggregation: str = "",
    value_column: str = "",
    date_column: str = "",
    filters: list[dict] | None = None,
    condition: dict | None = None,
) -> Measure:
    """Add a measure to a goal. Guarantees: only those who define goals may; a unique slug (made from the name
    when not given); one KPI per goal; a computation that names a dataset, a date column and (for sum, mean,
    median) a value column, columns that its dataset's dictionary lists (when it has one) and a condition for a
    share; every problem is raised at once, by field, and nothing is written. A computed measure is computed once
    this commits, unless ``compute`` is false (the demo city computes its measures itself, once per data file it
    seeds)."""
    enforce(by, can_define_goals, DEFINE_ONLY)
    measure = Measure(
        goal=goal,
        department=department,
        name=name,
        slug=slug,
        description=description,
        is_kpi=is_kpi,
        type=type,
        unit=unit,
        direction=direction,
        frequency=frequency,
        baseline_value=baseline_value,
        baseline_period=baseline_period,
        target_value=target_value,
        tolerance_percent=tolerance_percent,
        public=public,
        source_dataset=source_dataset,
        method=method,
        aggregation=aggregation,
        value_column=value_column,
        date_column=date_column,
        filters=filters if filters is not None else [],
        condition=condition if condition is not None else {},
    )
    _validate_measure(measure)
    record_as(measure, by=by, reason="Created")
    measure.save()
    if measure.is_computed and compute:
        _compute_after_commit(measure)
    return measure


def _compute_after_commit(measure: Measure) -> None:
    # Marked asked for, as "Compute now" does: the worker claims it, the sweeper sees it (goals.services.compute).
    Measure.objects.filter(pk=measure.pk).update(compute_requested_at=timezone.now(), compute_attempts=0)
    enqueue(MEASURE_COMPUTE_TASK, measure.pk)


def _periods_off_frequency(measure: Measure, frequency: str) -> list[datetime.date]:
    """The periods of ``measure``'s values typed in or uploaded, targets and narratives that start no period of
    ``frequency`` (computed values go with a change of frequency: they are computed again)."""
    periods = set(
        Observation.objects.filter(measure=measure)
        .exclude(source=ObservationSource.COMPUTED)
        .values_list("period", flat=True)
    )
    periods |= set(MeasureTarget.objects.filter(measure=measure).values_list("period", flat=True))
    periods |= set(Narrative.objects.filter(measure=measure).values_list("period", flat=True))
    return sorted(period for period in periods if period_start(period, frequency) != period)


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    by: User | None,
    goal: Goal | Unchanged = UNCHANGED,
    department: Department | Unchanged = UNCHANGED,
    name: str | Unchanged = UNCHANGED,
    description: str | Unchanged = UNCHANGED,
    unit: str | Unchanged = UNCHANGED,
    slug: str | Unchanged = UNCHANGED,
    is_kpi: bool | Unchanged = UNCHANGED,
    type: str | Unchanged = UNCHANGED,
    direction: str | Unchanged = UNCHANGED,
    frequency: str | Unchanged = UNCHANGED,
    baseline_value: Decimal | None | Unchanged = UNCHANGED,
    baseline_period: str | Unchanged = UNCHANGED,
    target_value: Decimal | None | Unchanged = UNCHANGED,
    tolerance_percent: int | Unchanged = UNCHANGED,
    public: bool | Unchanged = UNCHANGED,
    source_dataset: Dataset | None | Unchanged = UNCHANGED,
    method: str | Unchanged = UNCHANGED,
    aggregation: str | Unchanged = UNCHANGED,
    value_column: str | Unchanged = UNCHANGED,
    date_column: str | Unchanged = UNCHANGED,
    filters: list[dict] | Unchanged = UNCHANGED,
    condition: dict | Unchanged = UNCHANGED,
) -> Measure:
    """Change a measure: only the fields given change, checked as :func:`measure_create` checks them (and only by
    those who define goals). A changed computation (or frequency) removes the values the old one computed, clears
    its error, and queues the new one once this commits; values entered by hand are kept."""
    enforce(by, can_define_goals, DEFINE_ONLY)
    fields = given(
        {
            "goal": goal,
            "department": department,
            "name": name,
            "description": description,
            "unit": unit,
            "slug": slug,
            "is_kpi": is_kpi,
            "type": type,
            "direction": direction,
            "frequency": frequency,
            "baseline_value": baseline_value,
            "baseline_period": baseline_period,
            "target_value": target_value,
            "tolerance_percent": tolerance_percent,
            "public": public,
            "source_dataset": source_dataset,
            "method": method,
            "aggregation": aggregation,
            "value_column": value_column,
            "date_column": date_column,
            "filters": filters,
            "condition": condition,
        }
    )
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    before = {name: getattr(measure, name) for name in COMPUTATION_FIELDS}
    for name, value in fields.items():
        setattr(measure, name, value)
    _validate_measure(measure)
    if measure.frequency != before["frequency"]:
        # A value, target or narrative of a month would otherwise sit in a quarterly measure as a "quarter" that
        # starts in February, beside the real one.
        stranded = _periods_off_frequency(measure, measure.frequency)
        if stranded:
            count, old = len(stranded), MeasureFrequency(before["frequency"]).label.lower()
            new = MeasureFrequency(measure.frequency).label.lower()
            examples = ", ".join(period_label(period, before["frequency"]) for period in stranded[:3])
            raise ValidationError(
                {
                    "frequency": [
                        f"{count} value{'s' if count != 1 else ''}, target{'s' if count != 1 else ''} or "
                        f"narrative{'s' if count != 1 else ''} {'is' if count == 1 else 'are'} recorded for "
                        f"{'a period' if count == 1 else 'periods'} that start{'s' if count == 1 else ''} no {new} "
                        f"period ({examples}{', …' if count > 3 else ''}): remove "
                        f"{'it' if count == 1 else 'them'} or keep the {old} frequency."
                    ]
                }
            )
    recompute = any(getattr(measure, name) != before[name] for name in COMPUTATION_FIELDS)
    if recompute:
        measure.compute_error = ""
        # Values computed by the old definition no longer say what this measure means (a new frequency does not
        # even share their periods): they go, and the new definition is computed once this commits. Values
        # entered by hand stay.
        Observation.objects.filter(measure=measure, source=ObservationSource.COMPUTED).delete()
    record_as(measure, by=by, reason="Edited")
    measure.save()
    if recompute and measure.is_computed:
        _compute_after_commit(measure)
    return measure


@transaction.atomic
def measure_target_set(
    *, measure: Measure, period: datetime.date, value: Decimal | None, by: User | None
) -> MeasureTarget | None:
    """Set the target of the period containing ``period`` (any day of it), or with ``value=None`` remove it so
    the measure's standing target applies again. Guarantees: only those who define goals may; one target per
    measure and period."""
    enforce(by, can_define_goals, DEFINE_ONLY)
    start = period_start(period, measure.frequency)
    if value is None:
        MeasureTarget.objects.filter(measure=measure, period=start).delete()
        return None
    target = MeasureTarget(measure=measure, period=start, value=value)
    try:
        target.full_clean(exclude=["measure"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError({"value": exc.message_dict.get("value", exc.messages)}) from exc
    target, _ = MeasureTarget.objects.update_or_create(measure=measure, period=start, defaults={"value": value})
    return target
