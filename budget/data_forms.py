"""Forms of the budget data pages: the import (upload, column mapping), fiscal years, program-measure links."""

from __future__ import annotations

from django import forms

from .importing import FIELDS, REQUIRED
from .models import FiscalYearStatus, ImportSource


class ImportUploadForm(forms.Form):
    source = forms.ModelChoiceField(
        queryset=ImportSource.objects.order_by("name"),
        required=False,
        to_field_name="name",
        label="Finance system (import source)",
        help_text="Its saved column mapping is offered again. Leave empty and name a new source below the first time.",
        empty_label="(a new source)",
    )
    new_source = forms.CharField(
        required=False,
        max_length=100,
        label="New source’s name",
        help_text="Such as “Munis general ledger export”.",
    )
    file = forms.FileField(
        label="CSV or XLSX file",
        help_text="The first row names the columns; you choose which is which next.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("source") and not (data.get("new_source") or "").strip():
            self.add_error("new_source", "Choose a source above, or name a new one.")
        return data

    @property
    def source_name(self) -> str:
        source = self.cleaned_data.get("source")
        return source.name if source else self.cleaned_data["new_source"].strip()


class MappingForm(forms.Form):
    """For each of our fields, the file's column that holds it (or none)."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, header: list[str], initial_mapping: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "(not in this file)"), *((column, column) for column in header)]
        for name, label in FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                choices=choices,
                required=name in REQUIRED,
                label=label,
                initial=initial_mapping.get(name, ""),
            )

    @property
    def mapping(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in FIELDS}


class FiscalYearCreateForm(forms.Form):
    year = forms.IntegerField(
        min_value=1900,
        max_value=2999,
        label="Fiscal year",
        help_text="The calendar year it ends in: 2027 for FY2027.",
    )


class FiscalYearStatusForm(forms.Form):
    status = forms.ChoiceField(choices=FiscalYearStatus.choices)


class FiscalYearPublicForm(forms.Form):
    public = forms.BooleanField(required=False)


class MeasureLinkForm(forms.Form):
    measure = forms.ModelChoiceField(queryset=None, label="Measure", empty_label="Choose a measure")

    def __init__(self, *args, measures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
