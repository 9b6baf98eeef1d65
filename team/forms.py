"""Forms for the team pages. They parse and validate input only; the services in ``team.services`` write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from .access import Actor
from .models import (
    DEPARTMENT_ROLES,
    OPTIONAL_DEPARTMENT_ROLES,
    PORTFOLIO_ROLES,
    PROGRAM_ROLES,
    SEAT_ROLES,
    DataSpeciality,
    Department,
    Portfolio,
    Role,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names, or at the top of the form
    when it names no field of this form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PersonForm(forms.Form):
    full_name = forms.CharField(label="Full name", max_length=200)
    title = forms.CharField(label="Job title", max_length=200, required=False)
    email = forms.EmailField(
        label="Email address", required=False, help_text="Needed to give this person a login. No two people share one."
    )
    phone = forms.CharField(label="Phone number", max_length=40, required=False)
    department = forms.ModelChoiceField(
        label="Department",
        queryset=Department.objects.none(),
        required=False,
        empty_label="- No department -",
        help_text="The department this person works in, if any.",
    )
    give_login = forms.BooleanField(
        label="Give this person a login",
        required=False,
        help_text="We’ll email them a link to set their password. They need an email address.",
    )

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(active=True)
        if person is not None and person.department_id:
            # Keep an inactive department selectable for someone who is still in it.
            departments = Department.objects.filter(Q(active=True) | Q(pk=person.department_id))
        self.fields["department"].queryset = departments.order_by("name")
        for name in ("full_name", "title", "email", "phone"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"

    def clean(self):
        data = super().clean()
        if data.get("give_login") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter an email address to give this person a login.")
        return data

    @property
    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("full_name", "title", "email", "phone", "department")}


class PersonEditForm(PersonForm):
    active = forms.BooleanField(
        label="Active", required=False, help_text="Clear this when someone leaves; their history is kept."
    )

    field_order = ["full_name", "title", "email", "phone", "department", "active", "give_login"]

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, person=person, **kwargs)
        if person.user_id:
            del self.fields["give_login"]

    @property
    def person_fields(self) -> dict:
        return {**super().person_fields, "active": self.cleaned_data["active"]}


def _role_group(label: str, roles) -> tuple[str, list[tuple[str, str]]]:
    ordered = [role for role in Role if role in roles]
    return (label, [(role.value, role.label) for role in ordered])


ROLE_GROUPS = (
    ("Program staff", PROGRAM_ROLES),
    ("Department roles", DEPARTMENT_ROLES | OPTIONAL_DEPARTMENT_ROLES),
    ("Budget", PORTFOLIO_ROLES),
    ("Seats at the table", SEAT_ROLES),
)


def grantable_role_choices(actor: Actor) -> list:
    """The roles ``actor`` may grant, grouped as the select shows them."""
    groups = []
    for label, roles in ROLE_GROUPS:
        label, choices = _role_group(label, {role for role in roles if actor.can_grant_role(role)})
        if choices:
            groups.append((label, choices))
    return [("", "- Choose a role -"), *groups]


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label="Role")
    department = forms.ModelChoiceField(
        label="Department",
        queryset=Department.objects.none(),
        required=False,
        empty_label="- Choose a department -",
        help_text="For a department lead or contact; optional for a data expert.",
    )
    portfolio = forms.ModelChoiceField(
        label="Portfolio",
        queryset=Portfolio.objects.none(),
        required=False,
        empty_label="- Choose a portfolio -",
        help_text="For a budget analyst.",
    )
    speciality = forms.ChoiceField(
        label="Speciality",
        choices=[("", "- Choose a speciality -"), *DataSpeciality.choices],
        required=False,
        help_text="For a data expert.",
    )
    starts_on = forms.DateField(
        label="Start date", required=False, widget=DateInput, help_text="Leave blank to start today."
    )
    note = forms.CharField(
        label="Note",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why, or on whose decision.",
    )

    #: Which roles each optional field applies to (the page hides the others when JavaScript runs).
    SHOW_FOR = {
        "department": " ".join(sorted(DEPARTMENT_ROLES | OPTIONAL_DEPARTMENT_ROLES)),
        "portfolio": " ".join(sorted(PORTFOLIO_ROLES)),
        "speciality": Role.DATA_EXPERT.value,
    }

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_role_choices(actor)
        self.fields["role"].widget.attrs["data-role-select"] = ""
        self.fields["department"].queryset = Department.objects.active().order_by("name")
        self.fields["portfolio"].queryset = Portfolio.objects.order_by("name")


class RoleEndForm(forms.Form):
    ends_on = forms.DateField(label="End date", required=False, widget=DateInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


# --- the program's structure ---------------------------------------------------------------------------------------


class DepartmentForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    code = forms.CharField(
        label="Short code",
        max_length=12,
        help_text="A short code such as PD or DPW, used in lists and exports. No two departments share one.",
    )
    parent = forms.ModelChoiceField(
        label="Division of",
        queryset=Department.objects.none(),
        required=False,
        empty_label="- Not a division -",
        help_text="For a division: the department it belongs to. Leave blank for a department in its own right.",
    )
    portfolio = forms.ModelChoiceField(
        label="Budget portfolio",
        queryset=Portfolio.objects.none(),
        required=False,
        empty_label="- No portfolio -",
        help_text="Its portfolio’s budget analysts prepare its Stat sessions.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Optional."
    )
    contact_email = forms.EmailField(
        label="Contact mailbox",
        required=False,
        help_text="Optional: a shared mailbox for questions about its data, such as data@police.example.gov, never "
        "a person’s own address. The public data.json gives it as the contact of the department’s datasets.",
    )
    active = forms.BooleanField(
        label="Active",
        required=False,
        initial=True,
        help_text="Clear this when a department closes or merges into another; its history is kept.",
    )

    def __init__(self, *args, department: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Department.objects.filter(active=True)
        if department is not None:
            # Keep an inactive parent selectable for a division still under it; a department is never its own.
            parents = Department.objects.filter(Q(active=True) | Q(pk=department.parent_id)).exclude(pk=department.pk)
        self.fields["parent"].queryset = parents.order_by("name")
        self.fields["portfolio"].queryset = Portfolio.objects.order_by("name")
        for name in ("name", "code", "contact_email"):
            self.fields[name].widget.attrs["autocomplete"] = "off"

    @property
    def department_fields(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("name", "code", "parent", "portfolio", "description", "contact_email", "active")
        }


class PortfolioForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Optional."
    )
    departments = forms.ModelMultipleChoiceField(
        label="Departments in this portfolio",
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            "A department sits in one portfolio only: ticking one that is now in another portfolio moves it here "
            "and takes it out of the other. Clearing one leaves it in no portfolio."
        ),
    )

    def __init__(self, *args, portfolio: Portfolio | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["departments"]
        field.queryset = Department.objects.select_related("portfolio").order_by("name")
        own_id = portfolio.pk if portfolio is not None else None

        def label(department: Department) -> str:
            text = f"{department.name} ({department.code})"
            if not department.active:
                text += ", inactive"
            if department.portfolio_id and department.portfolio_id != own_id:
                text += f": now in {department.portfolio.name}"
            return text

        field.label_from_instance = label
        self.fields["name"].widget.attrs["autocomplete"] = "off"
