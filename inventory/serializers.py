"""Input and output serializers for the datasets API.

Output serializers read only what :func:`inventory.selectors.datasets_for_api` has fetched, so a page costs a
fixed number of queries. :class:`DatasetInputSerializer` is the one validator of dataset metadata sent as data: the
API's input, and (through :class:`DatasetImportSerializer`, which reads a spreadsheet's cells into the same fields)
each row of a CSV or Excel import. It checks types, lengths, choices and addresses, and the rights rule on the values
the dataset would end with; the services check it all again with what needs the database (a steward who is a
contact of the department, a unique identifier, who may write and move the dataset), and the API turns their
ValidationError into a 400 with the same field names.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from rest_framework import serializers

from team.access import actor_for
from team.models import Department, Person
from team.serializers import DepartmentRefOutputSerializer

from .access import can_read_dataset_internals
from .models import (
    RIGHTS_REQUIRED,
    VALUE_FLAG_NAMES,
    AccessLevel,
    DataField,
    Dataset,
    Distribution,
    Frequency,
    Initiative,
    Status,
    lacks_rights,
)
from .services.parts import DICTIONARY_KEYS

#: Fields only users with a role in the program see (internal notes and the declared value behind the priority
#: score): :func:`inventory.access.can_read_dataset_internals`, the rule of the dataset's HTML page too.
INTERNAL_FIELDS = ("source_system", "privacy_notes", *VALUE_FLAG_NAMES, "priority_score")
SIGNED_IN_ONLY = "Present only for users with a role in the program."
NOT_A_WEB_ADDRESS = "“%(value)s” is not a web address: give one such as https://data.example.gov/."


class StewardOutputSerializer(serializers.ModelSerializer):
    """The steward by name (and id, for /api/people/<id>/); never their email or phone here."""

    class Meta:
        model = Person
        fields = ["id", "full_name"]
        read_only_fields = fields


class DistributionOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Distribution
        fields = ["title", "description", "download_url", "access_url", "media_type", "format"]
        read_only_fields = fields


class DataFieldOutputSerializer(serializers.ModelSerializer):
    allowed_values = serializers.ListField(child=serializers.JSONField(), read_only=True)

    class Meta:
        model = DataField
        fields = list(DICTIONARY_KEYS)
        read_only_fields = fields


class ChoiceLabelField(serializers.CharField):
    """The human label of a choice field's value (``R/P1M`` → ``Monthly``), read from the choices themselves:
    ``source="get_status_display"`` would make DRF inspect the method's signature for every row."""

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class DatasetOutputSerializer(serializers.ModelSerializer):
    department = DepartmentRefOutputSerializer(read_only=True)
    contact = StewardOutputSerializer(read_only=True, allow_null=True)
    # Typed as any field: the list's serializer reads the names its view attached, with fields of its own.
    keywords: serializers.Field = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    themes: serializers.Field = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    initiatives: serializers.Field = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    distributions = DistributionOutputSerializer(many=True, read_only=True)
    dictionary = DataFieldOutputSerializer(
        source="fields", many=True, read_only=True, help_text="The data dictionary (Table Schema fields)."
    )
    status_label = ChoiceLabelField(Status.choices, source="status")
    accrual_periodicity_label = ChoiceLabelField(Frequency.choices, source="accrual_periodicity")
    # Not read-only, so that the schema marks them optional: those without a role get none of these keys.
    source_system = serializers.CharField(required=False, help_text=SIGNED_IN_ONLY)
    privacy_notes = serializers.CharField(required=False, help_text=SIGNED_IN_ONLY)
    # The declared-value flags (models.VALUE_FLAGS) come from get_fields(), each like privacy_notes.
    priority_score = serializers.IntegerField(
        required=False, help_text=f"The dataset's priority score. {SIGNED_IN_ONLY}"
    )

    class Meta:
        model = Dataset
        fields = [
            "identifier",
            "title",
            "description",
            "keywords",
            "themes",
            "department",
            "contact",
            "access_level",
            "rights",
            "license",
            "accrual_periodicity",
            "accrual_periodicity_label",
            "temporal",
            "spatial",
            "issued",
            "modified",
            "landing_page",
            "published",
            "status",
            "status_label",
            "initiatives",
            "distributions",
            "dictionary",
            "created_at",
            "updated_at",
            "source_system",
            "privacy_notes",
            *VALUE_FLAG_NAMES,
            "priority_score",
        ]
        read_only_fields = fields

    def get_fields(self):
        fields = super().get_fields()
        for name in VALUE_FLAG_NAMES:
            fields[name] = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
        return fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not can_read_dataset_internals(actor_for(request.user)):
            for name in INTERNAL_FIELDS:
                data.pop(name, None)
        return data


class DatasetListOutputSerializer(DatasetOutputSerializer):
    """One row of the list: the dataset's metadata without its distributions and data dictionary (a page of 50
    datasets would otherwise carry a thousand dictionary fields); ``url`` reads the whole dataset. The view attaches
    the tag names (:func:`inventory.selectors.with_tag_names`)."""

    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_names", read_only=True)
    themes = serializers.ListField(child=serializers.CharField(), source="theme_names", read_only=True)
    initiatives = serializers.ListField(
        child=serializers.CharField(), source="initiative_slugs", read_only=True, help_text="Initiative slugs."
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="inventory:dataset-detail",
        lookup_field="identifier",
        help_text="The dataset in full, with its distributions and data dictionary.",
    )

    class Meta(DatasetOutputSerializer.Meta):
        fields = [
            "url",
            *(name for name in DatasetOutputSerializer.Meta.fields if name not in ("distributions", "dictionary")),
        ]
        read_only_fields = fields


class DatasetInputSerializer(serializers.Serializer):
    """What a client sends to create (POST) or change (PUT, PATCH) a dataset."""

    # The fields typed as any field (or none) are read from spreadsheet cells by the import's serializer, with fields
    # of its own (DatasetImportSerializer).
    identifier = serializers.CharField(
        max_length=200, required=False, help_text="Stable and unique; generated from the title when left out."
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField()
    department: serializers.Field = serializers.SlugRelatedField(
        slug_field="slug", queryset=Department.objects.all(), help_text="The owner department's slug."
    )
    contact: serializers.Field | None = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        allow_null=True,
        required=False,
        help_text="The steward's person id: a current department contact of the owner department.",
    )
    keywords = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    themes = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    initiatives: serializers.Field = serializers.SlugRelatedField(
        slug_field="slug", queryset=Initiative.objects.all(), many=True, required=False, help_text="Initiative slugs."
    )
    source_system = serializers.CharField(max_length=200, required=False, allow_blank=True)
    access_level: serializers.Field = serializers.ChoiceField(choices=AccessLevel.choices, required=False)
    rights = serializers.CharField(
        required=False, allow_blank=True, help_text="Why it is not public; required unless the access level is public."
    )
    license = serializers.URLField(
        max_length=500, required=False, allow_blank=True, error_messages={"invalid": NOT_A_WEB_ADDRESS}
    )
    accrual_periodicity: serializers.Field = serializers.ChoiceField(choices=Frequency.choices, required=False)
    temporal = serializers.CharField(max_length=100, required=False, allow_blank=True)
    spatial = serializers.CharField(required=False, allow_blank=True)
    issued: serializers.Field = serializers.DateField(required=False, allow_null=True)
    modified: serializers.Field = serializers.DateField(required=False, allow_null=True)
    landing_page = serializers.URLField(
        max_length=500, required=False, allow_blank=True, error_messages={"invalid": NOT_A_WEB_ADDRESS}
    )
    privacy_notes = serializers.CharField(required=False, allow_blank=True)
    published: serializers.Field = serializers.BooleanField(required=False)
    status: serializers.Field = serializers.ChoiceField(choices=Status.choices, required=False)
    # The declared-value flags (models.VALUE_FLAGS) come from get_fields().

    def get_fields(self):
        fields = super().get_fields()
        for name in VALUE_FLAG_NAMES:
            fields[name] = self.flag_field()
        return fields

    def flag_field(self) -> serializers.Field:
        return serializers.BooleanField(required=False)

    def validate(self, attrs: dict) -> dict:
        """The rights rule, on the values the dataset would end with: those sent, else the dataset's own (``instance``,
        when changing one), else a new dataset's defaults."""
        dataset = self.instance
        level = attrs.get("access_level", dataset.access_level if dataset else AccessLevel.NON_PUBLIC)
        rights = attrs.get("rights", dataset.rights if dataset else "")
        if lacks_rights(level, rights):
            raise serializers.ValidationError({"rights": RIGHTS_REQUIRED})
        return attrs


# --- a row of a CSV or Excel import ---------------------------------------------------------------------------------


class _CellField(serializers.Field):
    """A spreadsheet cell read into a value of the API's input. Its errors are whole sentences about the cell, shown
    as they are (an error of the API's own fields is shown after the column's name)."""

    whole_sentences = True

    @property
    def column(self) -> str:
        return (self.field_name or "").replace("_", " ")  # None only before the field is bound


class DepartmentCodeField(_CellField):
    """The owner department by its code (``PD``), not case-sensitive, from ``context["departments"]`` (code →
    Department). An unknown code is refused with the codes the importer may use (``context["department_codes"]``,
    each as "PD (Police)"), so the person fixing the file need not look them up."""

    def to_internal_value(self, data) -> Department:
        code = str(data).strip()
        if not code:
            raise serializers.ValidationError(f"The department code is missing.{self._valid_codes()}")
        department = self.context["departments"].get(code.lower())
        if department is None:
            raise serializers.ValidationError(f"No department has the code “{code}”.{self._valid_codes()}")
        return department

    def _valid_codes(self) -> str:
        codes = self.context.get("department_codes") or []
        return f" Use one of: {', '.join(codes)}." if codes else ""


class LabelledChoiceField(_CellField):
    """A choice by its value or its label in any case (``R/P1M`` or ``monthly``), or one of ``aliases``; a blank
    cell is ``blank``."""

    def __init__(self, choices, *, blank: str, refusal: str, aliases: Mapping[str, str] | None = None, **kwargs):
        self.by_word = {word.lower(): value for value, label in choices for word in (value, str(label))}
        self.by_word.update(aliases or {})
        self.blank, self.refusal = blank, refusal
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = str(data).strip()
        if not text:
            return self.blank
        if text.lower() in self.by_word:
            return self.by_word[text.lower()]
        raise serializers.ValidationError(self.refusal.format(value=text))


class YesNoField(_CellField):
    """Yes or no, as a spreadsheet writes it (yes, y, true, 1, x / no, n, false, 0, blank)."""

    TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "x"})
    FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", ""})

    def to_internal_value(self, data) -> bool:
        word = str(data).strip().lower()
        if word in self.TRUE_WORDS:
            return True
        if word in self.FALSE_WORDS:
            return False
        raise serializers.ValidationError(f"{self.column.capitalize()} must be yes or no, not “{data}”.")


class DateCellField(_CellField):
    """A date written YYYY-MM-DD (a spreadsheet's date-and-time cell is read as its date); blank: none."""

    def to_internal_value(self, data) -> datetime.date | None:
        text = str(data).strip()
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            raise serializers.ValidationError(
                f"The {self.column} date “{text}” is not a date written YYYY-MM-DD."
            ) from None


class NamesCellField(serializers.ListField):
    """Names in one cell, separated by semicolons."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [part.strip() for part in data.split(";") if part.strip()]
        return super().to_internal_value(data)


#: How the import names an update frequency it does not know, and the words it takes besides the labels.
FREQUENCY_ALIASES = {
    "annually": Frequency.ANNUAL,
    "yearly": Frequency.ANNUAL,
    "continuous": Frequency.CONTINUOUS,
    "continuously": Frequency.CONTINUOUS,
    "real-time": Frequency.CONTINUOUS,
    "realtime": Frequency.CONTINUOUS,
    "fortnightly": Frequency.BIWEEKLY,
    "semiannually": Frequency.SEMIANNUAL,
    "biannual": Frequency.SEMIANNUAL,
}


class DatasetImportSerializer(DatasetInputSerializer):
    """One row of a CSV or Excel import (``inventory.services.tabular``), validated as the API validates its input:
    the same fields, with the cells a spreadsheet holds read into them (a department's code, the steward's email,
    names separated by semicolons, yes or no, labels as well as codes). Validate a row with ``run_validation(row)``,
    setting ``instance`` (the dataset the row changes, or ``None``) and ``partial`` (a change sends only the file's
    columns) first; ``context`` holds the file's lookups, each read once: ``departments`` (code → Department),
    ``department_codes`` (those the importer may use, as "PD (Police)"), ``stewards`` ((email, department id) →
    Person, current department contacts) and ``people`` (every email known). :meth:`row_values` gives every problem
    of a row at once."""

    department = DepartmentCodeField()
    contact = None
    contact_email = serializers.CharField(required=False, allow_blank=True)
    keywords = NamesCellField(child=serializers.CharField(max_length=100), required=False)
    themes = NamesCellField(child=serializers.CharField(max_length=100), required=False)
    initiatives = NamesCellField(child=serializers.CharField(max_length=120), required=False)
    access_level = LabelledChoiceField(
        AccessLevel.choices,
        blank=AccessLevel.NON_PUBLIC,
        refusal="“{value}” is not an access level (public, restricted public or non-public).",
        required=False,
    )
    accrual_periodicity = LabelledChoiceField(
        Frequency.choices,
        blank=Frequency.IRREGULAR,
        aliases=FREQUENCY_ALIASES,
        refusal="“{value}” is not an update frequency: use daily, weekly, monthly, annual... or an ISO 8601 value "
        "such as R/P1M.",
        required=False,
    )
    status = LabelledChoiceField(
        Status.choices,
        blank=Status.IDENTIFIED,
        refusal=f"“{{value}}” is not a status ({', '.join(Status.labels).lower()}).",
        required=False,
    )
    issued = DateCellField(required=False)
    modified = DateCellField(required=False)
    published = YesNoField(required=False)

    def flag_field(self) -> serializers.Field:
        return YesNoField(required=False)

    #: The columns of the row being read whose cells could not be read (see :meth:`row_values`): the checks that
    #: need them are left out rather than made on a value the file did not give.
    unreadable: frozenset[str] = frozenset()
    #: The row's values as its cells gave them, once validate() has them (``None`` before).
    cells: dict | None = None

    def row_values(self, row: dict) -> tuple[dict, list[str]]:
        """A row's values and every problem with it (none: it is valid), not only the first: each cell that cannot
        be read, and then, on the cells that can, the steward and the rights rule (which DRF would check only once
        every cell is valid). Set ``instance`` and ``partial`` first, as for ``run_validation``. The values of an
        invalid row are those that could be read."""
        self.cells = None
        try:
            return self.run_validation(row), []
        except serializers.ValidationError as error:
            cell_errors = error.detail
        if self.cells is not None or not isinstance(cell_errors, dict):
            return self.cells or {}, self.messages(cell_errors)  # every cell was read: validate() said the rest
        readable = {name: value for name, value in row.items() if name not in cell_errors}
        partial, self.partial, self.unreadable = self.partial, True, frozenset(cell_errors)
        more: dict | list = {}
        try:
            values = self.run_validation(readable)
        except serializers.ValidationError as error:
            values, more = self.cells or {}, error.detail
        finally:
            self.partial, self.unreadable = partial, frozenset()
        return values, self.messages(cell_errors) + self.messages(more)

    def validate(self, attrs: dict) -> dict:
        """The steward by their email, among the current contacts of the department the dataset would be in, and the
        rights rule: both, so a row hears of each."""
        self.cells = dict(attrs)
        errors: dict = {}
        if "contact_email" in attrs:
            try:
                attrs["contact"] = self._steward(attrs.pop("contact_email").strip().lower(), attrs)
            except serializers.ValidationError as error:
                errors.update(_as_dict(error.detail))
        if not self.unreadable & {"access_level", "rights"}:
            try:
                attrs = super().validate(attrs)
            except serializers.ValidationError as error:
                errors.update(_as_dict(error.detail))
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _steward(self, email: str, attrs: dict) -> Person | None:
        if not email or "department" in self.unreadable:
            return None  # with no department to be a contact of, the steward cannot be checked yet
        department = attrs.get("department") or (self.instance.department if self.instance else None)
        assert department is not None, "an import row names its department (a required column)"
        person = self.context["stewards"].get((email, department.pk))
        if person is not None:
            return person
        if email in self.context["people"]:
            raise serializers.ValidationError(
                {"contact_email": [f"{email} is not a current department contact of {department.name}."]}
            )
        raise serializers.ValidationError({"contact_email": [f"Nobody in the team has the email address {email}."]})

    def messages(self, detail) -> list[str]:
        """A row's errors (``ValidationError.detail``) as sentences: the cells' own as they are, the others after the
        column's name ("Title: Ensure this field has no more than 300 characters.")."""
        found = []
        for name, errors in detail.items() if isinstance(detail, dict) else [("non_field_errors", detail)]:
            field = self.fields.get(name)
            whole = name in ("non_field_errors", "contact_email") or getattr(field, "whole_sentences", False)
            for message in _flat(errors):
                found.append(str(message) if whole else f"{name.replace('_', ' ').capitalize()}: {message}")
        return found


def _as_dict(detail) -> dict:
    """A ValidationError's detail by field (a list of errors is the row's own, ``non_field_errors``)."""
    return detail if isinstance(detail, dict) else {"non_field_errors": detail}


def _flat(errors) -> list:
    if isinstance(errors, dict):
        return [message for value in errors.values() for message in _flat(value)]
    if isinstance(errors, list):
        return [message for value in errors for message in _flat(value)]
    return [errors]
