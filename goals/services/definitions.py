"""Define goals and measures: create and change them, with their computation and their targets per period.

Who may call these is the caller's to check (``team.access.Actor.can_define_goals``: the principal, Stat lead and
analysts). Each function runs in one transaction and raises ``ValidationError`` naming the field at fault.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from inventory.models import DataField

from ..computation import clean_condition, clean_filters, computation_problems
from ..models import Goal, Measure, MeasureFrequency, MeasureTarget, Narrative, Observation, ObservationSource
from ..periods import period_label, period_start

GOAL_FIELDS = (
    "priority",
    "statement",
    "description",
    "target_value",
    "target_date",
    "horizon",
    "bold",
    "parent",
    "public",
)
MEASURE_FIELDS = (
    "goal",
    "department",
    "name",
    "slug",
    "description",
    "is_kpi",
    "type",
    "unit",
    "direction",
    "frequency",
    "baseline_value",
    "baseline_period",
    "target_value",
    "tolerance_percent",
    "public",
    "source_dataset",
    "method",
    "aggregation",
    "value_column",
    "date_column",
    "filters",
    "condition",
)
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


def _record_as(obj, *, by, reason: str) -> None:
    obj._change_reason = reason[:100]
    if by is not None:
        obj._history_user = by


def _check_unknown(fields: dict, allowed: tuple[str, ...], name: str) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{name}() got unexpected fields: {', '.join(sorted(unknown))}")


# --- goals -------------------------------------------------------------------------------------------------------


def _validate_goal(goal: Goal, departments) -> None:
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
def goal_create(*, by=None, departments, **fields) -> Goal:
    """Add a goal owned by ``departments`` (at least one). Guarantees: it validates as a whole or nothing is
    written; the history records who created it."""
    _check_unknown(fields, GOAL_FIELDS, "goal_create")
    departments = list(departments)
    goal = Goal(**fields)
    _validate_goal(goal, departments)
    _record_as(goal, by=by, reason="Created")
    goal.save()
    goal.departments.set(departments)
    return goal


@transaction.atomic
def goal_update(*, goal: Goal, by=None, departments=None, **fields) -> Goal:
    """Change a goal: only the fields given change (``departments``, when given, replaces the owners). Guarantees:
    no cascade loops, at least one owner department, the history keeps the old values and who changed them."""
    _check_unknown(fields, GOAL_FIELDS, "goal_update")
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    for name, value in fields.items():
        setattr(goal, name, value)
    departments = list(departments) if departments is not None else None
    _validate_goal(goal, departments)
    _record_as(goal, by=by, reason="Edited")
    goal.save()
    if departments is not None:
        goal.departments.set(departments)
    return goal


# --- measures ----------------------------------------------------------------------------------------------------


def dictionary_columns(dataset) -> dict[str, str] | None:
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
        dataset_name=f"“{measure.source_dataset.title}”" if measure.source_dataset_id else "the dataset",
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
def measure_create(*, by=None, compute: bool = True, **fields) -> Measure:
    """Add a measure to a goal. Guarantees: a unique slug (made from the name when not given); one KPI per goal;
    a computation that names a dataset, a date column and (for sum, mean, median) a value column, columns that
    its dataset's dictionary lists (when it has one) and a condition for a share; every problem is raised at
    once, by field, and nothing is written. A computed measure is computed once this commits, unless ``compute``
    is false (the demo city computes its measures itself, once per data file it seeds)."""
    _check_unknown(fields, MEASURE_FIELDS, "measure_create")
    fields.setdefault("filters", [])
    fields.setdefault("condition", {})
    measure = Measure(**fields)
    _validate_measure(measure)
    _record_as(measure, by=by, reason="Created")
    measure.save()
    if measure.is_computed and compute:
        _compute_after_commit(measure)
    return measure


def _compute_after_commit(measure: Measure) -> None:
    from ..tasks import measure_compute_task

    measure_id = measure.pk
    transaction.on_commit(lambda: measure_compute_task.delay(measure_id))


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
def measure_update(*, measure: Measure, by=None, **fields) -> Measure:
    """Change a measure: only the fields given change, checked as :func:`measure_create` checks them. A changed
    computation (or frequency) removes the values the old one computed, clears its error, and queues the new one
    once this commits; values entered by hand are kept."""
    _check_unknown(fields, MEASURE_FIELDS, "measure_update")
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
    _record_as(measure, by=by, reason="Edited")
    measure.save()
    if recompute and measure.is_computed:
        _compute_after_commit(measure)
    return measure


@transaction.atomic
def measure_target_set(
    *, measure: Measure, period: datetime.date, value: Decimal | None, by=None
) -> MeasureTarget | None:
    """Set the target of the period containing ``period`` (any day of it), or with ``value=None`` remove it so
    the measure's standing target applies again. Guarantees one target per measure and period."""
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
