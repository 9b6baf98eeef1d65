"""Input and output serializers for the goals API.

Output serializers read only what :mod:`goals.api`'s querysets fetched (the latest observation, its target and the
data-suspect flag are annotations), so a page costs a fixed number of queries. Input serializers parse types; the
rules (one KPI per goal, a computation that fits its dataset, no cascade loops) are the services', whose
ValidationError the API turns into a 400 naming the same fields.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.models import Dataset
from team.models import Department
from team.serializers import DepartmentRefOutputSerializer

from .computation import OPS
from .models import (
    Aggregation,
    Direction,
    Goal,
    Horizon,
    Measure,
    MeasureFrequency,
    MeasureType,
    Observation,
    Priority,
)
from .status import Status, measure_status


class PriorityOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["slug", "name", "description", "position"]
        read_only_fields = fields


class GoalOutputSerializer(serializers.ModelSerializer):
    priority = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    departments = DepartmentRefOutputSerializer(many=True, read_only=True)
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The parent goal's id (null when you may not read it)."
    )

    class Meta:
        model = Goal
        fields = [
            "id",
            "priority",
            "statement",
            "description",
            "departments",
            "target_value",
            "target_date",
            "horizon",
            "bold",
            "parent",
            "public",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, goal: Goal) -> dict:
        data = super().to_representation(goal)
        if not getattr(goal, "parent_readable", True):
            data["parent"] = None
        return data


class GoalInputSerializer(serializers.Serializer):
    """What a client sends to create (POST) or change (PUT, PATCH) a goal."""

    priority = serializers.SlugRelatedField(slug_field="slug", queryset=Priority.objects.all(), help_text="Slug.")
    statement = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    departments = serializers.SlugRelatedField(
        slug_field="slug", queryset=Department.objects.all(), many=True, help_text="The owner departments' slugs."
    )
    target_value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, allow_null=True)
    target_date = serializers.DateField(required=False, allow_null=True)
    horizon = serializers.ChoiceField(choices=Horizon.choices, required=False)
    bold = serializers.BooleanField(required=False)
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Goal.objects.all(), required=False, allow_null=True, help_text="The id of the goal it cascades from."
    )
    public = serializers.BooleanField(required=False)


class RuleSerializer(serializers.Serializer):
    """One row filter, or a share's condition: rows where ``column`` ``op`` ``value``."""

    column = serializers.CharField(max_length=200)
    op = serializers.ChoiceField(choices=list(OPS.items()))
    value = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class LatestOutputSerializer(serializers.Serializer):
    period = serializers.DateField(allow_null=True, help_text="First day of the latest period with a value.")
    value = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, help_text="That period's target, else the standing target."
    )
    # Plain text in the schema: another app's "status" enum has other values (drf-spectacular names enums by field).
    status = serializers.CharField(help_text=f"One of: {', '.join(Status.values)}.")


class MeasureOutputSerializer(serializers.ModelSerializer):
    type = serializers.CharField(read_only=True, help_text=f"One of: {', '.join(MeasureType.values)}.")
    goal = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The goal's id.")
    department = DepartmentRefOutputSerializer(read_only=True)
    source_dataset = serializers.SlugRelatedField(
        slug_field="identifier",
        read_only=True,
        allow_null=True,
        help_text="The source dataset's identifier (null, as is compute_error, when you may not see the dataset).",
    )
    filters = RuleSerializer(many=True, read_only=True)
    condition = serializers.SerializerMethodField(help_text="A share's condition, or null.")
    latest = serializers.SerializerMethodField()
    data_suspect = serializers.BooleanField(
        read_only=True, help_text="The source dataset's latest quality check failed, or its data is stale."
    )

    class Meta:
        model = Measure
        fields = [
            "slug",
            "name",
            "goal",
            "department",
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
            "computed_at",
            "compute_error",
            "latest",
            "data_suspect",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, measure: Measure) -> dict:
        data = super().to_representation(measure)
        if not getattr(measure, "source_readable", True):
            # A dataset the reader may not see: not named, and its fetch errors (which name addresses) not shown.
            data["source_dataset"], data["compute_error"] = None, ""
        return data

    @extend_schema_field(RuleSerializer(allow_null=True))
    def get_condition(self, measure: Measure) -> dict | None:
        return measure.condition or None

    @extend_schema_field(LatestOutputSerializer)
    def get_latest(self, measure: Measure) -> dict:
        return {
            "period": measure.latest_period,
            "value": None if measure.latest_value is None else f"{measure.latest_value:.4f}",
            "target": None if measure.latest_target is None else f"{measure.latest_target:.4f}",
            "status": measure_status(
                measure.latest_value,
                measure.latest_target,
                direction=measure.direction,
                tolerance_percent=measure.tolerance_percent,
            ).value,
        }


class MeasureInputSerializer(serializers.Serializer):
    """What a client sends to create (POST) or change (PUT, PATCH) a measure, with its computation."""

    goal = serializers.PrimaryKeyRelatedField(queryset=Goal.objects.all(), help_text="The goal's id.")
    department = serializers.SlugRelatedField(
        slug_field="slug", queryset=Department.objects.all(), help_text="The department's slug."
    )
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=120, required=False, help_text="Made from the name when left out.")
    description = serializers.CharField()
    is_kpi = serializers.BooleanField(required=False)
    type = serializers.CharField(required=False, help_text=f"One of: {', '.join(MeasureType.values)}.")
    unit = serializers.CharField(max_length=50)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    frequency = serializers.ChoiceField(choices=MeasureFrequency.choices, required=False)
    baseline_value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, allow_null=True)
    baseline_period = serializers.CharField(max_length=50, required=False, allow_blank=True)
    target_value = serializers.DecimalField(max_digits=16, decimal_places=4, required=False, allow_null=True)
    tolerance_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    public = serializers.BooleanField(required=False)
    source_dataset = serializers.SlugRelatedField(
        slug_field="identifier",
        queryset=Dataset.objects.all(),
        required=False,
        allow_null=True,
        help_text="The source dataset's identifier.",
    )
    method = serializers.CharField(required=False, allow_blank=True)
    aggregation = serializers.ChoiceField(
        choices=Aggregation.choices, required=False, allow_blank=True, help_text="Blank: entered by hand."
    )
    value_column = serializers.CharField(max_length=200, required=False, allow_blank=True)
    date_column = serializers.CharField(max_length=200, required=False, allow_blank=True)
    filters = RuleSerializer(many=True, required=False)
    condition = RuleSerializer(required=False, allow_null=True)

    def validate_type(self, value: str) -> str:
        # A CharField, not a ChoiceField, for the same reason as LatestOutputSerializer.status.
        if value not in MeasureType.values:
            raise serializers.ValidationError(f"“{value}” is not one of: {', '.join(MeasureType.values)}.")
        return value

    def validate_condition(self, value):
        return value or {}


class ObservationOutputSerializer(serializers.ModelSerializer):
    measure = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text="The measure's slug.")
    note = serializers.CharField(
        read_only=True,
        help_text="The recorder's note; empty for readers who see the measure only because it is public.",
    )

    class Meta:
        model = Observation
        fields = ["id", "measure", "period", "value", "note", "source", "recorded_at"]
        read_only_fields = fields

    def to_representation(self, instance: Observation) -> dict:
        data = super().to_representation(instance)
        # The view annotates note_readable (goals.access.with_note_readable); without it, no note.
        if not getattr(instance, "note_readable", False):
            data["note"] = ""
        return data


class ObservationInputSerializer(serializers.Serializer):
    """A value of a manual measure for the period containing ``period`` (any day of it)."""

    measure = serializers.SlugField(help_text="The measure's slug.")
    period = serializers.DateField()
    value = serializers.DecimalField(max_digits=16, decimal_places=4)
    note = serializers.CharField(required=False, allow_blank=True, default="")
