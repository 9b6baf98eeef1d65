"""The dataset form, with its inline formsets of distributions and dictionary fields.

It parses and validates input only; ``inventory.services`` write, and re-check everything it checks (the rights rule,
the steward rule, :func:`~inventory.services.parts.field_problems` and
:func:`~inventory.services.parts.distribution_problems` are shared, so the form and the services never disagree).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms

from team.forms import DateInput
from team.models import Department, Person, Role, RoleAssignment

from ..models import (
    RIGHTS_REQUIRED,
    VALUE_FLAG_NAMES,
    VALUE_FLAGS,
    AccessLevel,
    Dataset,
    FieldType,
    Frequency,
    Initiative,
    Status,
    lacks_rights,
)
from ..selectors import SPATIAL_TEXT_MAX
from ..services.datasets import SCALAR_FIELDS, STEWARD_ELSEWHERE, steward_is_valid
from ..services.parts import DICTIONARY_KEYS, DISTRIBUTION_KEYS, distribution_problems, field_problems


def split_list(text: str) -> list[str]:
    """``"a, b\\nc"`` → ``["a", "b", "c"]``: one value a line when there are several lines, else comma-separated."""
    text = (text or "").strip()
    if not text:
        return []
    parts = text.splitlines() if "\n" in text else text.split(",")
    seen: dict[str, str] = {}
    for part in parts:
        value = " ".join(part.split())
        if value and value not in seen:
            seen[value] = value
    return list(seen)


def join_list(values: Iterable[str], *, one_a_line: bool = False) -> str:
    values = list(values)
    if one_a_line or any("," in value for value in values):
        return "\n".join(values)
    return ", ".join(values)


class ListField(forms.CharField):
    """Text in, a list of distinct values out (see :func:`split_list`), each at most ``item_max_length`` long."""

    def __init__(self, *, item_max_length: int | None = None, **kwargs):
        self.item_max_length = item_max_length
        super().__init__(**kwargs)

    def to_python(self, value):
        return split_list(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        too_long = [item for item in value if self.item_max_length and len(item) > self.item_max_length]
        if too_long:
            raise forms.ValidationError(
                f"Each one may be at most {self.item_max_length} characters long: “{too_long[0][:40]}…” is longer."
            )

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return join_list(value)
        return value

    def has_changed(self, initial, data):
        return split_list(join_list(initial) if isinstance(initial, list | tuple) else initial or "") != split_list(
            data or ""
        )


class StewardChoiceField(forms.TypedChoiceField):
    """The steward, chosen among current department contacts. The list shows those of the department chosen; any
    contact of a department the form offers (``accepted``) is a valid choice here, so that one of another
    department hears the steward rule (the form's ``clean``) rather than "not one of the choices"."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.accepted: set[str] = set()

    def valid_value(self, value) -> bool:
        return str(value) in self.accepted or super().valid_value(value)


#: The form's sections, in order: a legend and the fields under it.
DATASET_SECTIONS = (
    ("About the dataset", ("title", "identifier", "description", "keywords", "themes", "source_system")),
    ("Owner and steward", ("department", "contact")),
    ("Access", ("access_level", "rights", "license", "privacy_notes", "published", "status")),
    ("Coverage and updates", ("accrual_periodicity", "temporal", "spatial", "issued", "modified", "landing_page")),
    ("Value to the program", ("initiatives", *VALUE_FLAG_NAMES)),
)


class DatasetForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300)
    identifier = forms.CharField(
        label="Identifier",
        max_length=200,
        required=False,
        help_text="Optional: a stable unique identifier. Leave blank and we’ll make one from the department and title.",
    )
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 4}), help_text="What the data holds, in plain words."
    )
    keywords = ListField(
        item_max_length=100,
        label="Keywords",
        required=False,
        max_length=2000,
        help_text="Separate them with commas, for example: crime, incidents, calls for service.",
    )
    themes = ListField(
        item_max_length=100,
        label="Themes",
        required=False,
        max_length=2000,
        help_text="Categories, separated by commas, for example: Public Safety, Transportation.",
    )
    source_system = forms.CharField(
        label="Source system", max_length=200, required=False, help_text="The system the data lives in."
    )
    department = forms.ModelChoiceField(
        label="Owner department", queryset=Department.objects.none(), empty_label="- Choose a department -"
    )
    contact = StewardChoiceField(
        label="Steward",
        required=False,
        help_text="The department contact who curates this dataset: a contact of the owner department.",
    )
    access_level = forms.ChoiceField(
        label="Access level", choices=AccessLevel.choices, widget=forms.RadioSelect, initial=AccessLevel.NON_PUBLIC
    )
    rights = forms.CharField(
        label="Rights statement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required unless the access level is public: why the data is restricted, and who may ask for it.",
    )
    license = forms.URLField(
        label="License URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="For example https://creativecommons.org/publicdomain/zero/1.0/",
    )
    privacy_notes = forms.CharField(
        label="Privacy and sensitivity notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Personal or sensitive information it holds, and how it is protected.",
    )
    published = forms.BooleanField(
        label="Published",
        required=False,
        help_text="A published dataset whose access level is public appears in the public catalogue and data.json.",
    )
    status = forms.ChoiceField(label="Status", choices=Status.choices, initial=Status.IDENTIFIED)
    accrual_periodicity = forms.ChoiceField(
        label="Update frequency", choices=Frequency.choices, initial=Frequency.IRREGULAR
    )
    temporal = forms.CharField(
        label="Temporal coverage",
        max_length=100,
        required=False,
        help_text="The period the data covers, as an ISO 8601 interval, for example 2015-01-01/2026-10-31.",
    )
    spatial = forms.CharField(
        label="Spatial coverage",
        max_length=SPATIAL_TEXT_MAX,
        required=False,
        help_text="For example: citywide, a district, or a bounding box west,south,east,north.",
    )
    issued = forms.DateField(label="Issued", required=False, widget=DateInput, help_text="When it was first issued.")
    modified = forms.DateField(
        label="Last modified", required=False, widget=DateInput, help_text="When the data itself last changed."
    )
    landing_page = forms.URLField(
        label="Landing page", max_length=500, required=False, assume_scheme="https", help_text="A page about the data."
    )
    initiatives = forms.ModelMultipleChoiceField(
        label="Initiatives it serves",
        queryset=Initiative.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # The declared-value flags (models.VALUE_FLAGS) are added below the class.

    def __init__(self, *args, departments, dataset: Dataset | None = None, stewards_url: str = "", **kwargs):
        """``departments``: those the dataset may be kept in by this user (``inventory.access.departments_for_dataset``:
        a department contact is offered only their own, and never another for an existing dataset).

        The steward list follows the department: it offers the contacts of the department chosen (posted, else
        initial), or every offered department's, grouped, while none is. With ``stewards_url`` (the
        ``inventory:dataset_stewards`` endpoint) the department select asks it, through htmx, for the steward list
        of the department picked, so the list follows the choice before the form is sent."""
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        self.fields["department"].queryset = departments.order_by("name")
        self.fields["initiatives"].queryset = Initiative.objects.order_by("name")
        self.chosen_department = self._chosen_department(departments)
        contact = self.fields["contact"]
        assert isinstance(contact, StewardChoiceField)
        contact.choices, accepted = steward_options(departments, dataset, department=self.chosen_department)
        contact.accepted = {str(pk) for pk in accepted}
        if self.chosen_department is not None:
            self.fields["contact"].help_text = steward_help(self.chosen_department, self.fields["contact"].choices)
        if stewards_url:
            self.fields["department"].widget.attrs.update(
                {
                    "hx-get": stewards_url,
                    "hx-trigger": "change",
                    "hx-target": f"#{self['contact'].auto_id}_group",
                    "hx-swap": "outerHTML",
                    "hx-include": f"[name='{self.add_prefix('contact')}']",
                }
            )
        if dataset is not None and len(dataset.spatial) > SPATIAL_TEXT_MAX:
            # A harvested geometry (GeoJSON, WKT) of up to hundreds of kilobytes is kept as harvested, not edited
            # in a text box: the form leaves it out, so saving the form leaves it as it is.
            del self.fields["spatial"]
        if dataset is not None:
            # The identifier is stable: shown on the dataset page, never edited.
            del self.fields["identifier"]
            self.fields["reason"] = forms.CharField(
                label="What changed, and why",
                max_length=100,
                required=False,
                help_text="Optional: the dataset’s history shows it next to the change.",
            )
        for name in ("title", "identifier", "source_system", "temporal", "spatial", "keywords", "themes"):
            if name in self.fields:
                self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        for name in ("keywords", "themes"):
            self.fields[name].widget = forms.TextInput(attrs={"autocomplete": "off"})

    def _chosen_department(self, departments) -> Department | None:
        """The department the form is for now: the one posted, else the initial one, if it is among those offered."""
        value = self.data.get(self.add_prefix("department")) if self.is_bound else self.initial.get("department")
        if isinstance(value, Department):
            value = value.pk
        if not str(value or "").isdigit():
            return None
        return departments.filter(pk=int(value)).first()

    @property
    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in DATASET_SECTIONS]

    def clean(self):
        data = super().clean()
        if data.get("access_level") is not None and lacks_rights(data["access_level"], data.get("rights")):
            self.add_error("rights", RIGHTS_REQUIRED)
        contact, department = data.get("contact"), data.get("department")
        if (
            contact is not None
            and department is not None
            and not steward_is_valid(contact=contact, department=department)
        ):
            self.add_error("contact", STEWARD_ELSEWHERE)
        return data

    def clean_contact(self) -> Person | None:
        person_id = self.cleaned_data.get("contact")
        return None if person_id is None else Person.objects.filter(pk=person_id).first()

    @property
    def dataset_fields(self) -> dict:
        """What :func:`~inventory.services.datasets.dataset_save` takes from this form."""
        data = dict(self.cleaned_data)
        if not data.get("identifier"):
            data.pop("identifier", None)
        return data


DatasetForm.base_fields.update(
    {flag.name: forms.BooleanField(label=flag.label, required=False, help_text=flag.help_text) for flag in VALUE_FLAGS}
)


def dataset_initial(dataset: Dataset) -> dict:
    """The dataset form's initial values for ``dataset`` (its tags prefetched)."""
    initial = {name: getattr(dataset, name) for name in SCALAR_FIELDS if name != "discovered_from"}
    initial["department"] = dataset.department_id
    initial["contact"] = dataset.contact_id
    initial["keywords"] = [k.name for k in dataset.keywords.all()]
    initial["themes"] = [t.name for t in dataset.themes.all()]
    initial["initiatives"] = [i.pk for i in dataset.initiatives.all()]
    return initial


@dataclass
class ErrorLink:
    text: str
    anchor: str = ""


def error_links(form: forms.BaseForm, formsets: dict) -> list[ErrorLink]:
    """Every problem on the dataset form's page, each linking to its input: the metadata form's, then each row's."""
    links = [ErrorLink(str(error)) for error in form.non_field_errors()]
    links += [
        ErrorLink(f"{bound.label}: {error}", bound.id_for_label or f"{bound.auto_id}_0")
        for bound in form
        for error in bound.errors
    ]
    for label, formset in formsets.items():
        links += [ErrorLink(f"{label}: {error}") for error in formset.non_form_errors()]
        for index, row in enumerate(formset.forms, start=1):
            links += [ErrorLink(f"{label} {index}: {error}") for error in row.non_field_errors()]
            links += [
                ErrorLink(f"{label} {index}, {bound.label}: {error}", bound.id_for_label)
                for bound in row
                for error in bound.errors
            ]
    return links


NO_STEWARD = ("", "- No steward yet -")


def steward_options(departments, dataset: Dataset | None, *, department: Department | None = None) -> tuple[list, set]:
    """The steward list and the ids it may take (one query). The list: the current department contacts of
    ``department`` when one is chosen, else those of every one of ``departments``, grouped by department; a
    dataset's steward who is no longer a contact stays listed while the dataset stays in its department, so the form
    shows the truth and asks for a new one when saved. The ids: every contact of ``departments`` (and that steward),
    so the form tells a steward of another department by the steward rule."""
    rows = (
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_CONTACT, department__in=departments, person__active=True)
        .select_related("person", "department")
        .order_by("department__name", "person__full_name", "person_id")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    listed, accepted = set(), set()
    for assignment in rows:
        accepted.add(assignment.person_id)
        if department is None or assignment.department_id == department.pk:
            groups.setdefault(assignment.department.name, []).append(
                (assignment.person_id, assignment.person.full_name)
            )
            listed.add(assignment.person_id)
    choices: list = [NO_STEWARD]
    in_place = department is None or (dataset is not None and department.pk == dataset.department_id)
    if dataset is not None and dataset.contact_id:
        accepted.add(dataset.contact_id)
        if dataset.contact_id not in listed and in_place:
            choices.append((dataset.contact_id, f"{dataset.contact.full_name} (no longer a contact)"))
    if department is None:
        choices += list(groups.items())
    else:
        choices += [choice for group in groups.values() for choice in group]
    return choices, accepted


def steward_help(department: Department, choices: list) -> str:
    """The steward field's hint once the department is chosen: whose contacts the list offers, or that it has
    none yet."""
    if len(choices) > 1:
        return f"One of {department.name}’s department contacts, who curates this dataset."
    return f"{department.name} has no department contact yet: leave it without a steward for now."


# --- the inline formsets -----------------------------------------------------------------------------------------


class DistributionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label="Title", max_length=200, required=False, help_text="For example: CSV download.")
    download_url = forms.URLField(
        label="Download URL", max_length=1000, required=False, assume_scheme="https", help_text="A file to download."
    )
    media_type = forms.CharField(
        label="Media type", max_length=100, required=False, help_text="Required with a download URL, e.g. text/csv."
    )
    access_url = forms.URLField(
        label="Access URL", max_length=1000, required=False, assume_scheme="https", help_text="Or: an API or web page."
    )
    format = forms.CharField(label="Format", max_length=50, required=False, help_text="For example: CSV, API.")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "height-10"})
    )

    def clean(self):
        data = super().clean()
        if not self.errors:
            for key, problem in distribution_problems(data).items():
                self.add_error(key, problem)
        return data

    @property
    def row(self) -> dict:
        return {"id": self.cleaned_data.get("id"), **{key: self.cleaned_data.get(key, "") for key in DISTRIBUTION_KEYS}}


class DataFieldForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=200, help_text="As in the header row.")
    title = forms.CharField(label="Title", max_length=200, required=False)
    type = forms.ChoiceField(label="Type", choices=FieldType.choices, initial=FieldType.STRING)
    format = forms.CharField(label="Format", max_length=100, required=False, help_text="e.g. %Y-%m-%d or email.")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "height-10"})
    )
    required = forms.BooleanField(label="Required", required=False, help_text="Every row has a value.")
    unique = forms.BooleanField(label="Unique", required=False, help_text="No two rows share a value.")
    allowed_values = ListField(
        label="Allowed values",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "height-10"}),
        help_text="The only values allowed, one a line or separated by commas.",
    )
    minimum = forms.CharField(label="Minimum", max_length=100, required=False)
    maximum = forms.CharField(label="Maximum", max_length=100, required=False)
    pattern = forms.CharField(label="Pattern", max_length=500, required=False, help_text="A regular expression.")
    sensitive = forms.BooleanField(
        label="Personal or sensitive",
        required=False,
        help_text="Its values are shown to the Stat team and the owner department only.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "title", "format", "minimum", "maximum", "pattern"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        for key, problem in field_problems(data).items():
            if key not in self.errors and key in self.fields:
                self.add_error(key, problem)
        return data

    @property
    def row(self) -> dict:
        return {"id": self.cleaned_data.get("id"), **{key: self.cleaned_data.get(key) for key in DICTIONARY_KEYS}}


class RowsFormSet(forms.BaseFormSet):
    """A formset of rows: blank extra rows are ignored, rows ticked for removal are dropped."""

    noun = "row"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = "Position"
            form.fields["ORDER"].widget.attrs.update({"min": 1, "data-order": ""})
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = f"Remove this {self.noun}"

    def kept_forms(self) -> list[forms.Form]:
        kept = []
        for index, form in enumerate(self.forms):
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            kept.append(form)
        return kept

    @property
    def rows(self) -> list[dict]:
        """The rows to keep, in the order the user gave them."""
        forms_in_order = self.ordered_forms if self.can_order else self.kept_forms()
        return [form.row for form in forms_in_order]


class BaseDistributionFormSet(RowsFormSet):
    noun = "distribution"


class BaseDataFieldFormSet(RowsFormSet):
    noun = "field"

    def clean(self):
        """Each name once: the later of two rows with the same name gets the error."""
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.kept_forms():
            name = (form.cleaned_data.get("name") or "").strip()
            if not name:
                continue
            if name in seen:
                form.add_error("name", f"Another field is already named “{name}”: each name appears once.")
            seen.add(name)


DistributionFormSet = forms.formset_factory(
    DistributionForm, formset=BaseDistributionFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
)
DataFieldFormSet = forms.formset_factory(
    DataFieldForm,
    formset=BaseDataFieldFormSet,
    extra=3,
    can_delete=True,
    can_order=True,
    max_num=500,
    validate_max=True,
)

DISTRIBUTIONS_PREFIX = "distributions"
DICTIONARY_PREFIX = "fields"


def distribution_initial(dataset: Dataset) -> list[dict]:
    return [{"id": d.pk, **{key: getattr(d, key) for key in DISTRIBUTION_KEYS}} for d in dataset.distributions.all()]


def dictionary_initial(dataset: Dataset) -> list[dict]:
    rows = []
    for field in dataset.fields.all():
        row = {"id": field.pk, **{key: getattr(field, key) for key in DICTIONARY_KEYS}}
        row["allowed_values"] = join_list(field.allowed_values or [])
        rows.append(row)
    return rows
