"""Forms of the quality pages: a dataset's check settings, a data file to check, and a person's notification
choice. They parse and validate input only; ``quality.services`` writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from inventory.models import Dataset

from .models import DatasetQualitySettings, Delivery
from .services.sources import max_bytes_for, max_bytes_problem


def max_upload_bytes(settings_obj: DatasetQualitySettings | None) -> int:
    """The largest file a dataset accepts: the same cap as its downloads (its own, else the program's)."""
    return max_bytes_for(settings_obj)


class SourceUploadForm(forms.Form):
    file = forms.FileField(
        label="Data file to check",
        help_text="CSV, TSV, JSON records or Excel (XLSX), optionally gzipped.",
        error_messages={"required": "Choose a data file to upload.", "empty": "The file you chose is empty."},
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].help_text += f" At most {filesizeformat(max_bytes)}."

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}, over this dataset’s limit of "
                f"{filesizeformat(self.max_bytes)}. Check a smaller extract, or ask the Stat team to raise the limit."
            )
        return upload


THRESHOLD_FIELDS = (
    "freshness_grace_days",
    "row_change_warn_percent",
    "empty_warn_percent",
    "duplicate_warn_percent",
    "max_bytes",
)


class QualitySettingsForm(forms.ModelForm):
    """How a dataset is checked. A blank threshold keeps the program's default."""

    class Meta:
        model = DatasetQualitySettings
        fields = ["enabled", "source_distribution", "date_column", *THRESHOLD_FIELDS]
        labels = {
            "enabled": "Check this dataset on its schedule",
            "source_distribution": "Distribution to check",
            "date_column": "Date column",
            "freshness_grace_days": "Freshness grace period (days)",
            "row_change_warn_percent": "Warn when the row count changes by more than (%)",
            "empty_warn_percent": "Warn when a column is more empty than (%)",
            "duplicate_warn_percent": "Warn when duplicate rows are more than (%)",
            "max_bytes": "Largest file accepted (bytes)",
        }
        help_texts = {
            "enabled": "Off: only “Check now” and uploads check it.",
            "source_distribution": "Blank: the latest uploaded file, else the first distribution with an address.",
            "date_column": "A column of the data dictionary whose newest date says how fresh the data is. "
            "Blank: the source’s last-modified date.",
            "freshness_grace_days": "Blank for the default.",
            "row_change_warn_percent": "Blank for the default.",
            "empty_warn_percent": "Blank for the default.",
            "duplicate_warn_percent": "Blank for the default.",
            "max_bytes": "Blank for the program’s limit; a lower number lowers it for this dataset.",
        }

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        field = self.fields["source_distribution"]
        field.queryset = dataset.distributions.order_by("position", "pk")
        field.empty_label = "- Latest upload, else the first distribution -"
        field.label_from_instance = lambda d: d.title or d.download_url or d.access_url or f"Distribution {d.pk}"
        self.column_names = list(dataset.fields.order_by("position", "pk").values_list("name", flat=True))
        for name in ("row_change_warn_percent", "empty_warn_percent", "duplicate_warn_percent"):
            self.fields[name].widget.attrs["max"] = 100
            self.fields[name].validators.append(_at_most_100)
        program = settings.QUALITY_MAX_BYTES
        self.fields["max_bytes"].widget.attrs["max"] = program
        self.fields["max_bytes"].help_text = (
            f"At most the program’s limit of {filesizeformat(program)} ({program:,} bytes). "
            + self.fields["max_bytes"].help_text
        )

    def clean_max_bytes(self) -> int | None:
        value = self.cleaned_data["max_bytes"]
        if problem := max_bytes_problem(value):
            raise forms.ValidationError(problem)
        return value

    def clean_date_column(self) -> str:
        value = self.cleaned_data["date_column"].strip()
        if value and self.column_names and value not in self.column_names:
            raise forms.ValidationError(
                f"“{value}” is not in the data dictionary. Use one of: {', '.join(self.column_names)}."
            )
        return value

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _at_most_100(value):
    if value is not None and value > 100:
        raise forms.ValidationError("Enter a percentage from 0 to 100.")


class NotificationPreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="When a dataset you answer for starts failing",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )
