"""Forms for the goals pages. They parse and check input; the services in ``goals.services`` validate the rest and
write (their ValidationError shows next to the field it names)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from inventory.models import Dataset
from team.forms import DateInput
from team.models import Department

from .computation import OPS
from .models import Aggregation, Direction, Goal, Horizon, Measure, MeasureFrequency, MeasureType, Priority

OP_CHOICES = [("", "- Operator -"), *OPS.items()]
#: Filter rows shown on the measure form at least (a measure with more, saved through the API, shows them all and
#: one more).
FILTER_ROWS = 3


def _departments():
    return Department.objects.filter(active=True).order_by("name")


class GoalForm(forms.Form):
    priority = forms.ModelChoiceField(label="Priority", queryset=Priority.objects.all(), empty_label=None)
    statement = forms.CharField(
        label="Goal",
        max_length=300,
        help_text="Specific and measurable, e.g. “Cut crashes at the 50 targeted intersections by 20% by 2027.”",
    )
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    departments = forms.ModelMultipleChoiceField(
        label="Owner departments",
        queryset=Department.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The departments that answer for it.",
    )
    target_value = forms.DecimalField(label="Target value", required=False, max_digits=16, decimal_places=4)
    target_date = forms.DateField(label="Target date", required=False, widget=DateInput())
    horizon = forms.ChoiceField(label="Horizon", choices=Horizon.choices)
    bold = forms.BooleanField(label="Bold goal", required=False, help_text="An ambitious, public commitment.")
    parent = forms.ModelChoiceField(
        label="Cascades from", queryset=Goal.objects.none(), required=False, empty_label="- No parent goal -"
    )
    public = forms.BooleanField(label="Public", required=False, help_text="Shown on the public dashboard.")

    def __init__(self, *args, goal: Goal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = _departments()
        if goal is not None:
            departments = Department.objects.filter(pk__in=departments.values("pk")) | goal.departments.all()
        self.fields["departments"].queryset = departments.distinct().order_by("name")
        parents = Goal.objects.select_related("priority").order_by("priority__position", "statement")
        self.fields["parent"].queryset = parents.exclude(pk=goal.pk) if goal else parents

    @property
    def goal_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("departments")
        return data


class MeasureForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In plain language: what this measures and why it matters.",
    )
    department = forms.ModelChoiceField(label="Department", queryset=Department.objects.none(), empty_label=None)
    is_kpi = forms.BooleanField(
        label="Key performance indicator",
        required=False,
        help_text="The one measure that says whether the goal is met.",
    )
    type = forms.ChoiceField(label="Type", choices=MeasureType.choices)
    unit = forms.CharField(label="Unit", max_length=50, help_text="e.g. crashes, minutes, %, visits.")
    direction = forms.ChoiceField(label="Which way is good", choices=Direction.choices)
    frequency = forms.ChoiceField(label="Frequency", choices=MeasureFrequency.choices)
    baseline_value = forms.DecimalField(label="Baseline value", required=False, max_digits=16, decimal_places=4)
    baseline_period = forms.CharField(
        label="Baseline period", required=False, max_length=50, help_text="e.g. 2023, or 2023-01 to 2023-12."
    )
    target_value = forms.DecimalField(
        label="Target", required=False, max_digits=16, decimal_places=4, help_text="For every period without its own."
    )
    tolerance_percent = forms.IntegerField(
        label="Tolerance (%)",
        min_value=0,
        max_value=100,
        initial=10,
        help_text="How far from the target, in % of it, still counts as approaching.",
    )
    public = forms.BooleanField(
        label="Public", required=False, help_text="Shown on the public dashboard when its goal is public too."
    )
    source_dataset = forms.ModelChoiceField(
        label="Source dataset",
        queryset=Dataset.objects.none(),
        required=False,
        empty_label="- None: values are entered by hand -",
    )
    method = forms.CharField(
        label="Method",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the value is calculated, in plain words.",
    )
    aggregation = forms.ChoiceField(
        label="Compute it as",
        required=False,
        choices=[("", "- Not computed: entered by hand -"), *Aggregation.choices],
    )
    date_column = forms.CharField(
        label="Date column", required=False, max_length=200, help_text="Places each row in a period."
    )
    value_column = forms.CharField(
        label="Value column", required=False, max_length=200, help_text="For a sum, mean or median: the numbers."
    )
    condition_column = forms.CharField(label="Condition: column", required=False, max_length=200)
    condition_op = forms.ChoiceField(label="Condition: operator", required=False, choices=OP_CHOICES)
    condition_value = forms.CharField(
        label="Condition: value",
        required=False,
        max_length=200,
        help_text="For a share: the rows that count, e.g. minutes is at most 10.",
    )

    def __init__(self, *args, datasets=None, filters: int = 0, department_id: int | None = None, **kwargs):
        """``filters``: how many filters the measure has, so that every one of them has its row;
        ``department_id``: its department, offered even when no longer active (as the goal form does)."""
        super().__init__(*args, **kwargs)
        self.filter_rows = max(FILTER_ROWS, filters + 1)
        departments = Department.objects.filter(Q(active=True) | Q(pk=department_id)) if department_id else None
        self.fields["department"].queryset = departments.order_by("name") if departments is not None else _departments()
        self.fields["source_dataset"].queryset = (
            (datasets if datasets is not None else Dataset.objects.all())
            .select_related("department")
            .order_by("department__name", "title")
        )
        self.fields["source_dataset"].label_from_instance = lambda d: f"{d.title} ({d.department.code})"
        for index in range(self.filter_rows):
            number = index + 1
            self.fields[f"filter_{index}_column"] = forms.CharField(
                label=f"Filter {number}: column", required=False, max_length=200
            )
            self.fields[f"filter_{index}_op"] = forms.ChoiceField(
                label=f"Filter {number}: operator", required=False, choices=OP_CHOICES
            )
            self.fields[f"filter_{index}_value"] = forms.CharField(
                label=f"Filter {number}: value", required=False, max_length=200
            )

    GROUPS = (
        ("The measure", ("name", "description", "department", "is_kpi", "type", "unit", "direction", "frequency")),
        ("Baseline and target", ("baseline_value", "baseline_period", "target_value", "tolerance_percent", "public")),
        ("Where the numbers come from", ("source_dataset", "method")),
        ("The computation", ("aggregation", "date_column", "value_column")),
        ("The condition of a share", ("condition_column", "condition_op", "condition_value")),
    )

    @property
    def groups(self) -> list[tuple[str, list]]:
        groups = [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]
        for index in range(self.filter_rows):
            names = [f"filter_{index}_{part}" for part in ("column", "op", "value")]
            groups.append((f"Filter {index + 1} (optional): only rows where…", [self[name] for name in names]))
        return groups

    def add_error(self, field, error):
        # The services name the JSON fields; show their messages on the inputs that feed them.
        if field == "filters":
            field = "filter_0_column"
        elif field == "condition":
            field = "condition_column"
        super().add_error(field, error)

    @property
    def measure_fields(self) -> dict:
        data = dict(self.cleaned_data)
        filters = []
        for index in range(self.filter_rows):
            rule = {part: data.pop(f"filter_{index}_{part}") for part in ("column", "op", "value")}
            if any(rule.values()):
                filters.append(rule)
        condition = {part: data.pop(f"condition_{part}") for part in ("column", "op", "value")}
        data["filters"] = filters
        data["condition"] = condition if any(condition.values()) else {}
        return data


def measure_initial(measure: Measure) -> dict:
    initial = {
        name: getattr(measure, name)
        for name in MeasureForm.base_fields
        if not name.startswith(("condition_", "filter_")) and hasattr(measure, name)
    }
    initial["department"] = measure.department_id
    initial["source_dataset"] = measure.source_dataset_id
    condition = measure.condition or {}
    for part in ("column", "op", "value"):
        initial[f"condition_{part}"] = condition.get(part, "")
    for index, rule in enumerate(measure.filters or []):
        for part in ("column", "op", "value"):
            initial[f"filter_{index}_{part}"] = rule.get(part, "")
    return initial


def goal_initial(goal: Goal) -> dict:
    initial = {name: getattr(goal, name) for name in GoalForm.base_fields if name not in ("departments", "parent")}
    initial["priority"] = goal.priority_id
    initial["parent"] = goal.parent_id
    initial["departments"] = [d.pk for d in goal.departments.all()]
    return initial


class ObservationForm(forms.Form):
    period = forms.DateField(
        label="Period", widget=DateInput(), help_text="Any day of the period: the value is kept for the whole period."
    )
    value = forms.DecimalField(label="Value", max_digits=16, decimal_places=4)
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For the Stat team and the department: never shown to the public, even for a public measure.",
    )


class TargetForm(forms.Form):
    period = forms.DateField(label="Period", widget=DateInput(), help_text="Any day of the period.")
    value = forms.DecimalField(
        label="Target", max_digits=16, decimal_places=4, required=False, help_text="Leave empty to remove it."
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns period, value and (optionally) note; the first row names them.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class NarrativeForm(forms.Form):
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 5}))
    next_steps = forms.CharField(label="What comes next", required=False, widget=forms.Textarea(attrs={"rows": 4}))
