"""Input and output serializers for the datasets API.

Output serializers read only what :func:`inventory.selectors.datasets_for_api` has fetched, so a page costs a
fixed number of queries. Input serializers parse and check types; the rules (rights unless public, a steward who
is a contact of the department, a unique identifier) are the services', whose ValidationError the API turns into
a 400 with the same field names.
"""

from __future__ import annotations

from rest_framework import serializers

from team.models import Department, Person
from team.serializers import DepartmentRefOutputSerializer

from .models import AccessLevel, DataField, Dataset, Distribution, Frequency, Initiative, Status
from .services.datasets import DICTIONARY_KEYS

#: Fields only signed-in users see (internal notes and the declared value behind the priority score).
INTERNAL_FIELDS = (
    "source_system",
    "privacy_notes",
    "critical_to_decisions",
    "public_demand",
    "grant_reporting",
    "legislative_reporting",
    "performance_budgeting",
    "sensitive",
    "ready",
    "priority_score",
)
SIGNED_IN_ONLY = "Present only for signed-in users."
DECLARED_VALUE_FIELDS = (
    "critical_to_decisions",
    "public_demand",
    "grant_reporting",
    "legislative_reporting",
    "performance_budgeting",
    "sensitive",
    "ready",
)


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
    keywords = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    themes = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    initiatives = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    distributions = DistributionOutputSerializer(many=True, read_only=True)
    dictionary = DataFieldOutputSerializer(
        source="fields", many=True, read_only=True, help_text="The data dictionary (Table Schema fields)."
    )
    status_label = ChoiceLabelField(Status.choices, source="status")
    accrual_periodicity_label = ChoiceLabelField(Frequency.choices, source="accrual_periodicity")
    # Not read-only, so that the schema marks them optional: anonymous visitors get none of these keys.
    source_system = serializers.CharField(required=False, help_text=SIGNED_IN_ONLY)
    privacy_notes = serializers.CharField(required=False, help_text=SIGNED_IN_ONLY)
    critical_to_decisions = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    public_demand = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    grant_reporting = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    legislative_reporting = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    performance_budgeting = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    sensitive = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    ready = serializers.BooleanField(required=False, help_text=SIGNED_IN_ONLY)
    priority_score = serializers.IntegerField(
        required=False, help_text="The dataset's priority score. Present only for signed-in users."
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
            *DECLARED_VALUE_FIELDS,
            "priority_score",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
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

    identifier = serializers.CharField(
        max_length=200, required=False, help_text="Stable and unique; generated from the title when left out."
    )
    title = serializers.CharField(max_length=300)
    description = serializers.CharField()
    department = serializers.SlugRelatedField(
        slug_field="slug", queryset=Department.objects.all(), help_text="The owner department's slug."
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        allow_null=True,
        required=False,
        help_text="The steward's person id: a current department contact of the owner department.",
    )
    keywords = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    themes = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    initiatives = serializers.SlugRelatedField(
        slug_field="slug", queryset=Initiative.objects.all(), many=True, required=False, help_text="Initiative slugs."
    )
    source_system = serializers.CharField(max_length=200, required=False, allow_blank=True)
    access_level = serializers.ChoiceField(choices=AccessLevel.choices, required=False)
    rights = serializers.CharField(
        required=False, allow_blank=True, help_text="Why it is not public; required unless the access level is public."
    )
    license = serializers.URLField(max_length=500, required=False, allow_blank=True)
    accrual_periodicity = serializers.ChoiceField(choices=Frequency.choices, required=False)
    temporal = serializers.CharField(max_length=100, required=False, allow_blank=True)
    spatial = serializers.CharField(max_length=300, required=False, allow_blank=True)
    issued = serializers.DateField(required=False, allow_null=True)
    modified = serializers.DateField(required=False, allow_null=True)
    landing_page = serializers.URLField(max_length=500, required=False, allow_blank=True)
    privacy_notes = serializers.CharField(required=False, allow_blank=True)
    published = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    critical_to_decisions = serializers.BooleanField(required=False)
    public_demand = serializers.BooleanField(required=False)
    grant_reporting = serializers.BooleanField(required=False)
    legislative_reporting = serializers.BooleanField(required=False)
    performance_budgeting = serializers.BooleanField(required=False)
    sensitive = serializers.BooleanField(required=False)
    ready = serializers.BooleanField(required=False)
