"""The forms of the inventory's other pages: the list's bulk form, the discovery questionnaire, the priority
weights, and the upload forms of the import, the harvest and the dictionary draft."""

from __future__ import annotations

from django import forms

from core.forms import ListPageForm, ListSelect
from team.forms import DateInput
from team.models import Department, Person

from .. import selectors
from ..models import DiscoveryQuestion, PriorityWeights, Status
from ..services import tabular
from ..services.datajson import FETCH_MAX_BYTES
from ..services.dictionary import CSV_SAMPLE_BYTES
from ..services.priority import FACTOR_LABELS

# --- the inventory list's bulk form -------------------------------------------------------------------------------


class BulkUpdateForm(ListPageForm):
    """What to do with the selected datasets: a new status, a new steward, or both."""

    dataset = forms.TypedMultipleChoiceField(
        label="Datasets", coerce=int, error_messages={"required": "Select at least one dataset."}
    )
    status = forms.ChoiceField(
        label="New status",
        required=False,
        choices=[("", "- Leave as it is -"), *Status.choices],
        widget=ListSelect,
    )
    contact = forms.TypedChoiceField(
        label="New steward",
        required=False,
        coerce=int,
        empty_value=None,
        help_text="A contact of the department.",
        widget=ListSelect,
    )
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, dataset_ids=None, **kwargs):
        # Its own ids: the filter form on the same page has a "status" field too.
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        stewards: dict[int, tuple[str, list[str]]] = {}
        for person_id, full_name, department in selectors.steward_names():
            name, departments = stewards.setdefault(person_id, (full_name, []))
            departments.append(department)
        self.fields["contact"].choices = [
            ("", "- Leave as it is -"),
            *((pk, f"{name} ({', '.join(departments)})") for pk, (name, departments) in stewards.items()),
        ]
        # Any id is acceptable here: the service changes only those the user may write and reports the rest.
        self.fields["dataset"].choices = [(str(pk), str(pk)) for pk in dataset_ids or []]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("status") and not cleaned.get("contact"):
            raise forms.ValidationError("Choose a new status or a new steward for the selected datasets.")
        return cleaned


# --- the discovery questionnaire ------------------------------------------------------------------------------------


class RespondentChoiceField(forms.ModelChoiceField):
    """A person, offered in groups (``groups``: (heading, people) pairs) rather than in one list: the choices shown,
    while the queryset still decides what is accepted."""

    def set_groups(self, empty_label: str, groups: list[tuple[str, list[Person]]]) -> None:
        self.choices = [
            ("", empty_label),
            *((heading, [(p.pk, self.label_from_instance(p)) for p in people]) for heading, people in groups if people),
        ]

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.full_name}, {obj.title}" if obj.title else obj.full_name


class AnswerForm(forms.Form):
    """One answer to one of the eight questions. The page puts the form under the question it answers (the question
    travels as a hidden field); the respondent is offered among the department's own people first."""

    question = forms.TypedChoiceField(
        label="Question", choices=DiscoveryQuestion.choices, coerce=int, widget=forms.HiddenInput
    )
    answer = forms.CharField(
        label="Answer",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the department said. A new answer to the same question supersedes the earlier one, "
        "which is kept.",
    )
    respondent = RespondentChoiceField(label="Who answered", queryset=Person.objects.none(), required=False)
    answered_on = forms.DateField(label="Answered on", widget=DateInput())

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        own, others = selectors.discovery_respondents(department)
        # Any active person may have answered; the department's own people are the likely ones, so they come first.
        self.fields["respondent"].queryset = selectors.discovery_respondent_queryset(department)
        self.fields["respondent"].set_groups(
            "- Not recorded -", [(f"{department.name}’s people", own), ("Everyone else", others)]
        )
        self.fields["question"].choices = [(q.value, f"{q.value}. {q.label}") for q in DiscoveryQuestion]


class CandidateForm(forms.Form):
    title = forms.CharField(label="Dataset title", max_length=300)


# --- the priority weights ------------------------------------------------------------------------------------------

#: The points a factor may carry.
WEIGHT_RANGE = (-10, 10)


class WeightsForm(forms.Form):
    """One number per factor of the priority score (disabled for those who may only read them)."""

    def __init__(self, *args, weights: PriorityWeights, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = WEIGHT_RANGE
        for factor, label in FACTOR_LABELS.items():
            self.fields[factor] = forms.IntegerField(
                label=label,
                min_value=low,
                max_value=high,
                initial=getattr(weights, factor),
                disabled=read_only,
                help_text=f"Points from {low} to {high}; negative points lower the score.",
            )


class RankingForm(forms.Form):
    """Which datasets the priority ranking lists (``?show=``): those still to bring in, unless asked for all."""

    TO_BRING_IN, ALL = "", "all"

    show = forms.ChoiceField(
        label="Rank",
        required=False,
        choices=[(TO_BRING_IN, "Datasets still to bring in (not published or retired)"), (ALL, "Every dataset")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the datasets still to bring in or every dataset."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "ranking_%s")
        super().__init__(*args, **kwargs)

    @property
    def shows_all(self) -> bool:
        return self.is_valid() and self.cleaned_data["show"] == self.ALL


# --- importing a CSV or Excel file ---------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text=f"One dataset per row, the first row naming the columns. Up to "
        f"{tabular.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {tabular.MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
        try:
            self.columns, self.rows = tabular.read_table(upload, upload.name)
        except tabular.TableError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


# --- harvesting a DCAT-US catalogue -------------------------------------------------------------------------------

#: What the harvest's mapping offers besides the departments: a new department, or no department (skip).
CREATE = "new"
SKIP = "skip"


class HarvestSourceForm(forms.Form):
    file = forms.FileField(
        label="A data.json file",
        required=False,
        help_text="A DCAT-US v1.1 catalogue saved from a city’s open data portal.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )
    url = forms.URLField(
        label="Or the address of a data.json",
        required=False,
        assume_scheme="https",
        help_text="For example https://data.example.gov/data.json. Only public internet addresses are fetched.",
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("url")):
            raise forms.ValidationError("Upload a data.json file or give its address (one or the other).")
        upload = data.get("file")
        if upload and upload.size > FETCH_MAX_BYTES:
            self.add_error("file", "This file is too large (over 50 MB).")
        return data


class MappingForm(forms.Form):
    """One select per publisher: which department its datasets go to, a new one, or none (skipped)."""

    def __init__(self, *args, publishers: list[str], departments: list[Department], may_create: bool, **kwargs):
        """``may_create``: whether the user may add departments (a principal or Stat lead: see
        ``team.services.department_create``); the others map each publisher to an existing department or skip it."""
        super().__init__(*args, **kwargs)
        self.publishers = publishers
        by_name = {d.name.lower(): d for d in departments}
        choices = [
            *([(CREATE, "Create a new department with this name")] if may_create else []),
            (SKIP, "Do not import this publisher’s datasets"),
            *((str(d.pk), d.name) for d in departments),
        ]
        for index, name in enumerate(publishers):
            match = by_name.get(name.lower())
            self.fields[f"publisher_{index}"] = forms.ChoiceField(
                label=f"Datasets published by “{name}” go to",
                choices=choices,
                initial=str(match.pk) if match else (CREATE if may_create else SKIP),
            )

    def department_map(self, departments: list[Department]) -> dict[str, Department | None]:
        """Publisher name → Department, or None to skip; publishers to create are left out (created on import)."""
        by_pk = {str(d.pk): d for d in departments}
        mapping: dict[str, Department | None] = {}
        for index, name in enumerate(self.publishers):
            value = (
                self.cleaned_data.get(f"publisher_{index}")
                if self.is_bound
                else self.fields[f"publisher_{index}"].initial
            )
            if value == SKIP:
                mapping[name] = None
            elif value in by_pk:
                mapping[name] = by_pk[value]
        return mapping


# --- drafting a data dictionary -------------------------------------------------------------------------------------


class DictionarySourceForm(forms.Form):
    """A sample CSV or a Table Schema. Only what is plainly wrong is refused here (an empty or binary file); the
    draft itself is a background job (``services.jobs.dictionary_draft_job_run``)."""

    file = forms.FileField(
        label="A sample CSV file or a Table Schema JSON file",
        help_text="From a CSV, the header names the fields and the first 1,000 rows suggest their types. "
        "A Table Schema (.json) is read as it is.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.tsv,.txt,.json,text/csv,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.is_table_schema = upload.name.lower().endswith(".json") or (upload.content_type or "").endswith("json")
        upload.seek(0)
        self.sample = upload.read(CSV_SAMPLE_BYTES + 1)
        if b"\x00" in self.sample[:4096]:
            what = "Table Schema" if self.is_table_schema else "CSV file"
            raise forms.ValidationError(f"This does not look like a {what}: it holds binary data. Upload a text file.")
        return upload
