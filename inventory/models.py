"""The data inventory: every dataset a department owns, its DCAT-US metadata, distributions and data dictionary,
the discovery questionnaire that finds datasets, and the weights that prioritise them.

Vocabulary follows DCAT-US v1.1 (Project Open Data) for metadata and Frictionless Table Schema for the dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from team.models import Department, Person


class AccessLevel(models.TextChoices):
    PUBLIC = "public", "Public"
    RESTRICTED_PUBLIC = "restricted public", "Restricted public"
    NON_PUBLIC = "non-public", "Non-public"


class Frequency(models.TextChoices):
    """DCAT-US accrualPeriodicity values (ISO 8601 repeating durations) and ``irregular``."""

    CONTINUOUS = "R/PT1S", "Continuously updated"
    HOURLY = "R/PT1H", "Hourly"
    DAILY = "R/P1D", "Daily"
    SEMIWEEKLY = "R/P3.5D", "Semiweekly"
    WEEKLY = "R/P1W", "Weekly"
    BIWEEKLY = "R/P2W", "Biweekly"
    SEMIMONTHLY = "R/P0.5M", "Semimonthly"
    MONTHLY = "R/P1M", "Monthly"
    BIMONTHLY = "R/P2M", "Bimonthly"
    QUARTERLY = "R/P3M", "Quarterly"
    SEMIANNUAL = "R/P6M", "Semiannual"
    ANNUAL = "R/P1Y", "Annual"
    BIENNIAL = "R/P2Y", "Biennial"
    DECENNIAL = "R/P10Y", "Decennial"
    IRREGULAR = "irregular", "Irregular"


class Status(models.TextChoices):
    """Where a dataset is in the inventory's lifecycle."""

    IDENTIFIED = "identified", "Identified"
    DOCUMENTED = "documented", "Documented"
    QUALITY_CHECKED = "quality_checked", "Quality-checked"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class FieldType(models.TextChoices):
    """Frictionless Table Schema field types."""

    STRING = "string", "Text"
    INTEGER = "integer", "Integer"
    NUMBER = "number", "Number"
    BOOLEAN = "boolean", "Yes / no"
    DATE = "date", "Date"
    DATETIME = "datetime", "Date and time"
    TIME = "time", "Time"
    YEAR = "year", "Year"
    YEARMONTH = "yearmonth", "Year and month"
    DURATION = "duration", "Duration"
    GEOPOINT = "geopoint", "Geographic point"
    GEOJSON = "geojson", "GeoJSON"
    OBJECT = "object", "Object (JSON)"
    ARRAY = "array", "Array (JSON)"
    ANY = "any", "Any"


class Keyword(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A DCAT-US theme (category), e.g. Public Safety, Transportation."""

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    """A citywide or departmental initiative datasets serve: CompStat, BlightStat, Vision Zero..."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class ValueFlag:
    """A declared-value flag: a yes-or-no a department declares about a dataset, an input of its priority score
    (with a weight of the same name in :class:`PriorityWeights`)."""

    name: str
    #: What the dataset form calls it, and its hint there.
    label: str
    help_text: str
    #: How the priority score names it among a dataset's reasons.
    reason: str


#: The declared-value flags, in the order forms, exports and the priority score list them: the one declaration that
#: the form, the serializers, the import's columns, the priority weights and the score derive from (each is a boolean
#: field of :class:`Dataset` of the same name).
VALUE_FLAGS = (
    ValueFlag(
        "critical_to_decisions",
        "Critical to decisions",
        "Such as 311 or call-centre data.",
        "Critical to decisions (e.g. 311, call-centre data)",
    ),
    ValueFlag("public_demand", "Public demand", "Asked for through FOIA or 311.", "Public demand (FOIA, 311 requests)"),
    ValueFlag("grant_reporting", "Grant reporting", "", "Grant reporting"),
    ValueFlag(
        "legislative_reporting",
        "Legislative or oversight reporting",
        "For council, auditors or regulators.",
        "Legislative or oversight reporting",
    ),
    ValueFlag("performance_budgeting", "Performance budgeting", "", "Performance budgeting"),
    ValueFlag("sensitive", "Sensitive", "Holds personal or sensitive information.", "Sensitive (harder to publish)"),
    ValueFlag("ready", "Ready to bring in", "Documented, machine-readable and ready.", "Ready to bring in"),
)
VALUE_FLAG_NAMES = tuple(flag.name for flag in VALUE_FLAGS)


# --- the rights rule --------------------------------------------------------------------------------------------

#: The rights rule (DCAT-US ``rights``): a dataset that is not public says why in its rights statement. Declared once,
#: here: the database constraint and the completeness figures use the condition, the form, the API, the import, the
#: harvest and the services :func:`lacks_rights` and its message.
RIGHTS_RULE_Q = Q(access_level=AccessLevel.PUBLIC) | ~Q(rights="")
RIGHTS_REQUIRED = (
    "A dataset that is not public needs a rights statement saying why: the rights statement is required unless it is "
    "public."
)


def lacks_rights(access_level: str, rights: str | None) -> bool:
    """Whether a dataset with this access level and rights statement breaks the rights rule."""
    return access_level != AccessLevel.PUBLIC and not (rights or "").strip()


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def public(self) -> DatasetQuerySet:
        """What anonymous visitors and data.json see: published datasets whose access level is public."""
        return self.filter(PUBLIC_Q)

    def to_bring_in(self) -> DatasetQuerySet:
        """Datasets the program has still to bring in: not published (by its flag or its status), nor retired."""
        return self.filter(published=False).exclude(status__in=(Status.PUBLISHED, Status.RETIRED))


#: The condition that makes a dataset visible to everyone (see ``team.access.DATASETS``).
PUBLIC_Q = Q(access_level=AccessLevel.PUBLIC, published=True)


class Dataset(models.Model):
    """One dataset of the inventory, with its DCAT-US metadata."""

    identifier = models.CharField(
        max_length=200,
        unique=True,
        help_text="A stable unique identifier; it never changes once published (DCAT-US identifier).",
    )
    title = models.CharField(max_length=300)
    description = models.TextField()
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="datasets")
    themes = models.ManyToManyField(Theme, blank=True, related_name="datasets")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="datasets")
    contact = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stewarded_datasets",
        help_text="The steward: a department contact of the owner department.",
    )
    source_system = models.CharField(max_length=200, blank=True)
    access_level = models.CharField(max_length=20, choices=AccessLevel.choices, default=AccessLevel.NON_PUBLIC)
    rights = models.TextField(
        blank=True, help_text="Why the dataset is not public (required unless the access level is public)."
    )
    license = models.URLField(max_length=500, blank=True)
    accrual_periodicity = models.CharField(
        "update frequency", max_length=20, choices=Frequency.choices, default=Frequency.IRREGULAR
    )
    temporal = models.CharField(
        "temporal coverage", max_length=100, blank=True, help_text="ISO 8601 interval, e.g. 2015-01-01/2026-10-31."
    )
    #: DCAT-US ``spatial`` kept whole, whatever its form: a place name, a bounding box "W,S,E,N", WKT, or GeoJSON
    #: (a county's or state's polygon runs to hundreds of kilobytes). See ``selectors.spatial_extent``.
    spatial = models.TextField(
        "spatial coverage",
        blank=True,
        help_text="A place name, a bounding box (west,south,east,north), WKT or GeoJSON.",
    )
    issued = models.DateField(null=True, blank=True)
    modified = models.DateField(null=True, blank=True)
    landing_page = models.URLField(max_length=500, blank=True)
    privacy_notes = models.TextField("privacy and sensitivity notes", blank=True)
    published = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IDENTIFIED)
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="datasets")

    # Declared value, the inputs of the priority score (see PriorityWeights).
    critical_to_decisions = models.BooleanField(default=False)
    public_demand = models.BooleanField(default=False, help_text="Asked for through FOIA or 311.")
    grant_reporting = models.BooleanField(default=False)
    legislative_reporting = models.BooleanField(default=False, help_text="Legislative or oversight reporting.")
    performance_budgeting = models.BooleanField(default=False)
    sensitive = models.BooleanField(default=False, help_text="Holds personal or sensitive information.")
    ready = models.BooleanField(default=False, help_text="Documented, machine-readable and ready to bring in.")
    #: The priority score, stored so the inventory sorts by it off an index: the sum of the program's weights of the
    #: flags above and of ``initiative`` if it serves one. Written only by ``inventory.services.priority`` (each
    #: dataset write rescores its dataset; a change of weights rescores them all), never by hand.
    priority_score = models.IntegerField(default=0, editable=False)

    discovered_from = models.ForeignKey(
        "DiscoveryAnswer", null=True, blank=True, on_delete=models.SET_NULL, related_name="candidate_datasets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The score is derived (from the flags, the initiatives and the weights of the day), not metadata: a change of
    # weights is no change to a dataset, and restoring a version rescores it.
    history = HistoricalRecords(m2m_fields=[keywords, themes, initiatives], excluded_fields=["priority_score"])
    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=RIGHTS_RULE_Q, name="dataset_rights_required_unless_public"),
        ]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["access_level", "published"]),
            models.Index(fields=["updated_at"]),
            # The lists' default order (title, then pk): a page is read off the index instead of sorting every row.
            models.Index(fields=["title", "id"], name="dataset_title_idx"),
            models.Index(fields=["title", "id"], condition=PUBLIC_Q, name="dataset_public_title_idx"),
            # Sorting by priority, highest or lowest first (ties by title, then pk), reads a page off an index.
            models.Index(fields=["-priority_score", "title", "id"], name="dataset_priority_idx"),
            models.Index(fields=["priority_score", "title", "id"], name="dataset_priority_asc_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("inventory:dataset", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.access_level == AccessLevel.PUBLIC and self.published


class Distribution(models.Model):
    """Where a dataset can be had: a file to download (with its media type) or an API to query."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="distributions")
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    download_url = models.URLField(max_length=1000, blank=True)
    access_url = models.URLField(max_length=1000, blank=True, help_text="An API or web page giving access.")
    media_type = models.CharField(max_length=100, blank=True, help_text="e.g. text/csv; required with a download URL.")
    format = models.CharField(max_length=50, blank=True, help_text="A human name for the format, e.g. CSV, API.")
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["dataset", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(download_url="") | ~Q(access_url=""), name="distribution_has_a_url"),
            models.CheckConstraint(
                condition=Q(download_url="") | ~Q(media_type=""), name="distribution_download_has_media_type"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.download_url or self.access_url


class DataField(models.Model):
    """One field of a dataset's data dictionary, in Frictionless Table Schema terms."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    type = models.CharField(max_length=20, choices=FieldType.choices, default=FieldType.STRING)
    format = models.CharField(max_length=100, blank=True, help_text="Table Schema format, e.g. %Y-%m-%d or email.")
    description = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    allowed_values = models.JSONField(default=list, blank=True, help_text="Table Schema enum: the only values allowed.")
    minimum = models.CharField(max_length=100, blank=True)
    maximum = models.CharField(max_length=100, blank=True)
    pattern = models.CharField(max_length=500, blank=True, help_text="A regular expression every value matches.")
    sensitive = models.BooleanField(
        "personal or sensitive",
        default=False,
        help_text="Holds personal or sensitive information (a name, an address, a date of birth...): its values are "
        "shown to the Stat team and the owner department only.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["dataset", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "name"], name="datafield_unique_name_per_dataset"),
        ]

    def __str__(self) -> str:
        return self.name


class DiscoveryQuestion(models.IntegerChoices):
    """The eight discovery questions of the GovEx guide, asked of each department before its first meeting."""

    GRANTS = 1, "Do you provide information for reports on federal, state, or nonprofit grants?"
    DATABASES = 2, "Do you manage a database?"
    LEGISLATIVE = 3, "Do you compile reports for a legislative body (city council or cabinet meeting)?"
    STRATEGIC_PLAN = 4, "Does your department have a strategic plan or any other key performance objectives?"
    OVERSIGHT = (
        5,
        "Is your organization under any oversight from state or federal agencies, external auditors, or "
        "investigators? Is there a corrective action plan?",
    )
    PERFORMANCE_BUDGETING = 6, "Do you already have a performance-based budgeting or evaluation program?"
    PUBLIC_REQUESTS = 7, "What data is often requested by the public through FOIA requests, 311 or some other method?"
    INITIATIVE = 8, "Does the data align with an agency or citywide initiative?"


class DiscoveryAnswer(models.Model):
    """A department's answer to one discovery question, kept with its date and respondent.

    Answers are never overwritten: a newer answer to the same question supersedes the older one, which stays.
    """

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="discovery_answers")
    question = models.PositiveSmallIntegerField(choices=DiscoveryQuestion.choices)
    answer = models.TextField()
    respondent = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="discovery_answers"
    )
    answered_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["department", "question", "-answered_on", "-pk"]
        indexes = [models.Index(fields=["department", "question", "-answered_on"])]

    def __str__(self) -> str:
        return f"{self.department}: Q{self.question} ({self.answered_on})"


class PriorityWeights(models.Model):
    """The program's weights for the dataset priority score; one row, adjusted by the Stat lead.

    score = sum of the weights of each declared value a dataset has, plus ``initiative`` if it serves one;
    ``sensitive`` usually carries a negative weight (harder to publish), ``ready`` a positive one.
    """

    critical_to_decisions = models.SmallIntegerField(default=5)
    initiative = models.SmallIntegerField(default=4)
    public_demand = models.SmallIntegerField(default=3)
    grant_reporting = models.SmallIntegerField(default=2)
    legislative_reporting = models.SmallIntegerField(default=2)
    performance_budgeting = models.SmallIntegerField(default=2)
    sensitive = models.SmallIntegerField(default=-1)
    ready = models.SmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "priority weights"

    def __str__(self) -> str:
        return "Priority weights"

    #: The declared-value flags on Dataset that carry a weight of the same name.
    FLAG_FIELDS = VALUE_FLAG_NAMES

    @classmethod
    def current(cls) -> PriorityWeights:
        weights = cls.objects.order_by("pk").first()
        return weights if weights is not None else cls.objects.create()
