"""Named reads of the inventory. Each costs a fixed number of queries however many datasets it returns.

Who sees what is ``inventory.access``' business; these functions take the :class:`~team.access.Actor` and narrow
in SQL.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3

from team.access import Actor
from team.models import Department, Person, Role, RoleAssignment

from . import extensions
from .access import datasets_readable_by, departments_for_datasets
from .models import RIGHTS_RULE_Q, AccessLevel, DataField, Dataset, Distribution, Keyword, Status, Theme

#: What the What Works Cities criterion calls an up-to-date inventory: changed within the last twelve months.
INVENTORY_FRESH_FOR = datetime.timedelta(days=365)

#: Full-text search configuration (PostgreSQL): English stemming, so "crashes" finds "crash".
SEARCH_CONFIG = "english"


# --- required metadata ---------------------------------------------------------------------------------------------


def metadata_complete_q() -> Q:
    """The condition a dataset meets when its required metadata is complete.

    Required: title, description, at least one keyword, department (always set), a steward (contact), an access
    level, a rights statement unless public, a license if public, an update frequency, and at least one
    distribution once published.
    """
    has_keyword = Exists(Dataset.keywords.through.objects.filter(dataset_id=OuterRef("pk")))
    has_distribution = Exists(Distribution.objects.filter(dataset_id=OuterRef("pk")))
    return (
        ~Q(title="")
        & ~Q(description="")
        & Q(has_keyword)
        & Q(department__isnull=False)
        & Q(contact__isnull=False)
        & ~Q(access_level="")
        & RIGHTS_RULE_Q
        & (~Q(access_level=AccessLevel.PUBLIC) | ~Q(license=""))
        & ~Q(accrual_periodicity="")
        & (Q(published=False) | Q(has_distribution))
    )


# --- search ----------------------------------------------------------------------------------------------------------


class SearchDocument(Expression):
    """A dataset's title and description as one full-text document (PostgreSQL): the ``search_document`` column
    PostgreSQL generates and stores from them (migration 0007, with its GIN index ``dataset_search_document_idx``).
    Read, not computed: a word found in nearly every dataset costs a read of each row's stored document, not a
    stemming of its text."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        # The dataset table's alias in the query being compiled ("U0" in a subquery), which the model cannot name:
        # the column is not one of its fields.
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_document", []


def datasets_matching(queryset: QuerySet[Dataset], text: str) -> QuerySet[Dataset]:
    """Datasets whose title, description or keywords match ``text``.

    On PostgreSQL: full-text search over title and description (English stemming, web-search syntax: quoted
    phrases, ``or``, ``-word``), or a keyword containing the text, or a title containing it (so a half-typed word
    still finds something). Each of the three reads an index (the stored document's GIN index, migration 0007; the
    title's trigram index, 0006; the keyword's name), and the datasets are those of the three lists of ids
    together, so a search costs what its matches cost, not a pass over every dataset. Elsewhere (SQLite in
    development): every word contained (case-insensitively) in the title, the description or a keyword.
    """
    text = " ".join(text.split())[:200]
    if not text:
        return queryset
    keyword_through = Dataset.keywords.through.objects
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        matches = (
            Dataset.objects.alias(document=SearchDocument())
            .filter(document=query)
            .order_by()
            .values("pk")
            .union(
                Dataset.objects.filter(title__icontains=text).order_by().values("pk"),
                keyword_through.filter(keyword__name__icontains=text).order_by().values("dataset_id"),
            )
        )
        return queryset.filter(pk__in=matches)
    keyword_matches = Exists(keyword_through.filter(dataset_id=OuterRef("pk"), keyword__name__icontains=text))
    every_word = Q()
    for word in text.split():
        every_word &= (
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(Exists(keyword_through.filter(dataset_id=OuterRef("pk"), keyword__name__icontains=word)))
        )
    return queryset.filter(every_word | Q(keyword_matches))


# --- the signed-in inventory ------------------------------------------------------------------------------------------


def datasets_for_inventory(actor: Actor) -> QuerySet[Dataset]:
    """The datasets ``actor`` may read, with what the inventory list shows: department, steward, the stored priority
    score and what the registered columns read (joined in: quality's badge); the page's themes come from
    :func:`with_tag_names`. Three queries for a page: count, rows, themes."""
    columns = extensions.list_columns()
    queryset: QuerySet[Dataset] = Dataset.objects.select_related("department", "contact").only(
        "pk",
        "identifier",
        "title",
        "department__name",
        "department__slug",
        "department__code",
        "contact__full_name",
        "status",
        "access_level",
        "published",
        "accrual_periodicity",
        "updated_at",
        "priority_score",
        *(name for column in columns for name in column.fields),
    )
    queryset = datasets_readable_by(actor, queryset)
    for column in columns:
        queryset = column.prepare(queryset, actor)
    return queryset


_STATUS_LABELS = dict(Status.choices)
_ACCESS_LABELS = dict(AccessLevel.choices)


# --- status badges -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Badge:
    """One fact about a dataset as a tag: its words and the USWDS background class of its tag ("": usa-tag's own)."""

    label: str
    tone: str = ""


def publication_badge(status: str, published: bool) -> Badge | None:
    """Whether the dataset is published, when its lifecycle status does not already say so: "Published" for a
    dataset published before its status reached *published* (or kept published once retired), "Not published" for
    one whose status says published but which is not. ``None`` when the status says it (a *published* dataset that
    is, or one not yet there that is not), so the page never says "Published" twice."""
    if published and status != Status.PUBLISHED:
        return Badge("Published", "bg-green")
    if not published and status == Status.PUBLISHED:
        return Badge("Not published", "bg-base")
    return None


def status_badges(status: str, access_level: str, published: bool) -> tuple[Badge, ...]:
    """A dataset's badges, one per fact: its lifecycle status, its access level, and whether it is published when
    the status does not say it (:func:`publication_badge`)."""
    badges = [
        Badge(_STATUS_LABELS.get(status, status)),
        Badge(_ACCESS_LABELS.get(access_level, access_level), "bg-green" if access_level == AccessLevel.PUBLIC else ""),
    ]
    publication = publication_badge(status, published)
    if publication is not None:
        badges.append(publication)
    return tuple(badges)


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One row of the inventory list, as the list's template shows it: every value ready to print."""

    pk: int
    url: str
    title: str
    themes: str
    department: str
    steward: str
    status: str
    access: str
    #: Whether it is published, when the status does not say it (:func:`publication_badge`).
    publication: Badge | None
    updated_iso: str
    updated: str
    priority_score: int
    #: The registered columns' cells (``inventory.extensions.ListColumn``), in their order: each its partial's name
    #: and its display values.
    cells: tuple[tuple[str, Any], ...] = ()


#: A dataset id no database will reach, reversed once per page to give every row's link (the URL takes an int).
_PK_MARK = 987654321987654321


def inventory_rows(datasets: Iterable[Dataset]) -> list[InventoryRow]:
    """The inventory list's rows for ``datasets`` (from :func:`datasets_for_inventory`, with ``theme_names`` set by
    :func:`with_tag_names`): links, labels and dates ready to print, and each registered column's cell. No query;
    one ``reverse()`` for the page, not one a row."""
    head, _, tail = reverse("inventory:dataset", kwargs={"pk": _PK_MARK}).partition(str(_PK_MARK))
    months = {number: str(name).title() for number, name in MONTHS_3.items()}  # as |date:"M" says them
    zone = timezone.get_current_timezone()
    columns = extensions.list_columns()
    rows = []
    for dataset in datasets:
        updated = dataset.updated_at
        if updated.tzinfo is not None:
            updated = updated.astimezone(zone)  # timezone.localtime, without looking the zone up a row at a time
        rows.append(
            InventoryRow(
                pk=dataset.pk,
                url=f"{head}{dataset.pk}{tail}",
                title=dataset.title,
                themes=", ".join(getattr(dataset, "theme_names", ())),
                department=dataset.department.name,
                steward=dataset.contact.full_name if dataset.contact_id and dataset.contact else "",
                status=_STATUS_LABELS.get(dataset.status, dataset.status),
                access=_ACCESS_LABELS.get(dataset.access_level, dataset.access_level),
                publication=publication_badge(dataset.status, dataset.published),
                updated_iso=updated.isoformat(),
                updated=f"{updated.day} {months[updated.month]} {updated.year}",  # |date:"j M Y"
                priority_score=int(dataset.priority_score),
                cells=tuple((column.template, column.cell(dataset)) for column in columns),
            )
        )
    return rows


def steward_names() -> list[tuple[int, str, str]]:
    """Current department contacts held by active people, as (person id, full name, department name), ordered by
    name, then department: who may steward. One query of plain values."""
    return list(
        RoleAssignment.objects.current()
        .filter(role=Role.DEPARTMENT_CONTACT, person__active=True)
        .order_by("person__full_name", "department__name", "pk")
        .values_list("person_id", "person__full_name", "department__name")
    )


def importable_departments(actor: Actor | None) -> list[Department]:
    """The active departments ``actor`` may import new datasets into (``None``, the system: every one), by code."""
    departments: QuerySet[Department] = Department.objects.filter(active=True)
    if actor is not None:
        departments = departments_for_datasets(actor, departments)
    return list(departments.order_by("code"))


def discovery_respondent_queryset(department: Department) -> QuerySet[Person]:
    """Who may have answered ``department``'s discovery questions: every active person, and its own people."""
    return Person.objects.filter(Q(active=True) | Q(department=department))


def discovery_respondents(department: Department) -> tuple[list[Person], list[Person]]:
    """Who may have answered ``department``'s discovery questions (:func:`discovery_respondent_queryset`), in one
    query: its own people first (those whose department it is, or who hold a current role in it), then everyone
    else, each list by name."""
    holds_role = RoleAssignment.objects.current().filter(person_id=OuterRef("pk"), department=department)
    people = (
        discovery_respondent_queryset(department)
        .annotate(
            own=Case(When(Q(department=department) | Q(Exists(holds_role)), then=Value(True)), default=Value(False))
        )
        .order_by("full_name", "pk")
    )
    own: list[Person] = []
    others: list[Person] = []
    for person in people:
        (own if person.own else others).append(person)
    return own, others


@dataclass(frozen=True)
class InventoryCoverage:
    """The What Works Cities inventory criteria, measured."""

    departments: int
    departments_inventoried: int
    datasets: int
    datasets_complete: int
    last_changed: datetime.datetime | None
    fresh_since: datetime.datetime

    @property
    def departments_share(self) -> int:
        """Percentage (0–100, rounded down) of active departments with at least one inventoried dataset."""
        return self.departments_inventoried * 100 // self.departments if self.departments else 0

    @property
    def complete_share(self) -> int:
        """Percentage (0–100, rounded down) of inventoried datasets whose required metadata is complete."""
        return self.datasets_complete * 100 // self.datasets if self.datasets else 0

    @property
    def is_fresh(self) -> bool:
        """Whether the inventory changed within the last twelve months."""
        return self.last_changed is not None and self.last_changed >= self.fresh_since


#: Where the coverage figures are cached, and for how long at most (changes to departments outside the inventory
#: show within this time; dataset writes show at once).
COVERAGE_CACHE_KEY = "inventory:coverage"
COVERAGE_CACHE_SECONDS = 10 * 60


def _coverage_marks() -> dict:
    """What the coverage figures depend on that changes when the inventory or the departments change, in one cheap
    query (indexes only): the latest dataset change, the number of departments and their latest change."""
    latest_dataset = Dataset.objects.order_by("-updated_at").values("updated_at")[:1]
    return Department.objects.aggregate(
        datasets_changed=Max(Subquery(latest_dataset)),
        departments=Count("pk"),
        departments_changed=Max("updated_at"),
    )


def _coverage_figures() -> dict:
    inventoried = Dataset.objects.exclude(status=Status.RETIRED)
    departments = Department.objects.active().aggregate(
        total=Count("pk"),
        inventoried=Count("pk", filter=Q(Exists(inventoried.filter(department_id=OuterRef("pk"))))),
    )
    datasets = Dataset.objects.aggregate(
        total=Count("pk", filter=~Q(status=Status.RETIRED)),
        complete=Count("pk", filter=~Q(status=Status.RETIRED) & metadata_complete_q()),
        last_changed=Max("updated_at"),
    )
    return {
        "departments": departments["total"],
        "departments_inventoried": departments["inventoried"],
        "datasets": datasets["total"],
        "datasets_complete": datasets["complete"],
        "last_changed": datasets["last_changed"],
    }


def inventory_coverage(*, now: datetime.datetime | None = None) -> InventoryCoverage:
    """How complete the inventory is, program-wide.

    An *inventoried* dataset is one not retired. Departments are the active ones; the last change is the latest
    ``updated_at`` of any dataset (retired ones included: retiring one is a change).

    Counting every dataset costs more than the rest of a list page, so the figures are cached (Django's cache,
    shared by the server's workers when Redis is configured) under the inventory's last change: one cheap query
    checks that nothing changed since (a dataset saved, a department added or changed), three when something did.
    Services that delete datasets, which leave no ``updated_at`` behind, drop the cached figures on commit
    (:func:`forget_inventory_coverage`).
    """
    now = now or timezone.now()
    marks = _coverage_marks()
    cached = cache.get(COVERAGE_CACHE_KEY)
    if cached is not None and cached["marks"] == marks:
        figures = cached["figures"]
    else:
        figures = _coverage_figures()
        cache.set(COVERAGE_CACHE_KEY, {"marks": marks, "figures": figures}, COVERAGE_CACHE_SECONDS)
    return InventoryCoverage(**figures, fresh_since=now - INVENTORY_FRESH_FOR)


def forget_inventory_coverage() -> None:
    """Drop the cached coverage figures (after a write the marks of :func:`inventory_coverage` may not see)."""
    cache.delete(COVERAGE_CACHE_KEY)


# --- the public catalogue --------------------------------------------------------------------------------------------


def public_datasets() -> QuerySet[Dataset]:
    """Published, public datasets for the catalogue, with their department and themes (three queries a page)."""
    return (
        Dataset.objects.public()
        .select_related("department")
        .prefetch_related("themes")
        .only("pk", "identifier", "title", "description", "department__name", "department__slug", "modified")
    )


def public_dataset(identifier: str) -> Dataset:
    """One published, public dataset with everything its public page shows; 404 for any other."""
    dataset = (
        Dataset.objects.public()
        .select_related("department", "contact")
        .prefetch_related("keywords", "themes", "initiatives", "distributions", "fields")
        .filter(identifier=identifier)
        .first()
    )
    if dataset is None:
        raise Http404("No public dataset has that identifier.")
    return dataset


def public_filter_choices() -> dict[str, QuerySet]:
    """Departments and themes that have at least one public dataset: what the catalogue's filters offer."""
    public = Dataset.objects.public()
    return {
        "departments": Department.objects.filter(Exists(public.filter(department_id=OuterRef("pk")))),
        "themes": Theme.objects.filter(Exists(public.filter(themes=OuterRef("pk")))),
    }


# --- the dataset page ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Constraint:
    """One constraint of a dictionary field as the dataset page says it: words, then values shown as code."""

    text: str
    codes: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class DictionaryRow:
    """One field of a dataset's data dictionary, as the dataset page's table shows it."""

    name: str
    title: str
    kind: str
    description: str
    constraints: tuple[Constraint, ...] = field(default_factory=tuple)


def dictionary_rows(fields: Iterable[DataField]) -> list[DictionaryRow]:
    """The dataset page's dictionary table: each field's name, title, type (with its format), constraints and
    description. No query: give it the dataset's prefetched fields."""
    rows = []
    for data_field in fields:
        constraints = []
        if data_field.required:
            constraints.append(Constraint("Required"))
        if data_field.unique:
            constraints.append(Constraint("Unique"))
        if data_field.allowed_values:
            constraints.append(Constraint("One of:", tuple(data_field.allowed_values)))
        if data_field.minimum:
            constraints.append(Constraint(f"Minimum {data_field.minimum}"))
        if data_field.maximum:
            constraints.append(Constraint(f"Maximum {data_field.maximum}"))
        if data_field.pattern:
            constraints.append(Constraint("Matches", (data_field.pattern,)))
        if data_field.sensitive:
            constraints.append(Constraint("Personal or sensitive"))
        kind = data_field.get_type_display()
        rows.append(
            DictionaryRow(
                name=data_field.name,
                title=data_field.title,
                kind=f"{kind} ({data_field.format})" if data_field.format else kind,
                description=data_field.description,
                constraints=tuple(constraints),
            )
        )
    return rows


# --- the API ---------------------------------------------------------------------------------------------------------


def datasets_for_api(actor: Actor) -> QuerySet[Dataset]:
    """The datasets ``actor`` may read, with everything the API's detail shows prefetched (a fixed six queries:
    rows, keywords, themes, initiatives, distributions, fields)."""
    queryset = Dataset.objects.select_related("department", "contact").prefetch_related(
        Prefetch("keywords", queryset=Keyword.objects.order_by("name")),
        "themes",
        "initiatives",
        "distributions",
        "fields",
    )
    return datasets_readable_by(actor, queryset)


def datasets_for_api_list(actor: Actor) -> QuerySet[Dataset]:
    """The datasets ``actor`` may read, for the API's list: department and steward joined, nothing prefetched;
    give the page to :func:`with_tag_names` for its keywords, themes and initiatives."""
    return datasets_readable_by(actor, Dataset.objects.select_related("department", "contact"))


def dataset_tag_names(dataset: Dataset) -> dict[str, list[str]]:
    """One dataset's keyword, theme and initiative names (``keyword_names``, ``theme_names``,
    ``initiative_names``), each sorted by name as the relations are, in one ``UNION ALL`` query of plain values
    (prefetching the three relations would cost a query each)."""
    tags: dict[str, list[str]] = {"keyword_names": [], "theme_names": [], "initiative_names": []}
    parts = [
        through.objects.filter(dataset_id=dataset.pk)
        .annotate(tag_list=Value(attribute))
        .values_list("tag_list", f"{related}__name", f"{related}_id")
        for attribute, through, related in (
            ("keyword_names", Dataset.keywords.through, "keyword"),
            ("theme_names", Dataset.themes.through, "theme"),
            ("initiative_names", Dataset.initiatives.through, "initiative"),
        )
    ]
    # Django orders a union by the first part's column names; django-stubs checks them against every part's model.
    rows = parts[0].union(*parts[1:], all=True).order_by("tag_list", "keyword__name", "keyword_id")  # type: ignore[misc]
    for attribute, name, _pk in rows:
        tags[attribute].append(name)
    return tags


#: The tag lists :func:`with_tag_names` can attach: attribute, through model, value read.
_TAG_LISTS = {
    "keyword_names": (Dataset.keywords.through, "keyword__name"),
    "theme_names": (Dataset.themes.through, "theme__name"),
    "initiative_slugs": (Dataset.initiatives.through, "initiative__slug"),
}


def with_tag_names(datasets: list[Dataset], *, only: tuple[str, ...] = tuple(_TAG_LISTS)) -> list[Dataset]:
    """Set ``keyword_names``, ``theme_names`` and ``initiative_slugs`` (or ``only`` some of them) on each of
    ``datasets``, each sorted as the detail sorts them, in one query of plain values per list (prefetching the
    relations would build a related manager per dataset and list, most of a list page's time)."""
    ids = [dataset.pk for dataset in datasets]
    tags: dict[str, dict[int, list[str]]] = {}
    for attribute in only:
        through, value = _TAG_LISTS[attribute]
        related = value.split("__")[0]
        rows = through._default_manager.filter(dataset_id__in=ids).order_by(f"{related}__name", f"{related}_id")
        names = tags[attribute] = {}
        for dataset_id, name in rows.values_list("dataset_id", value):
            names.setdefault(dataset_id, []).append(name)
    for dataset in datasets:
        for attribute, names in tags.items():
            setattr(dataset, attribute, names.get(dataset.pk, []))
    return datasets


# --- spatial coverage ----------------------------------------------------------------------------------------------

#: Longest ``spatial`` a page shows as text; a longer one (WKT of a county...) is summarised.
SPATIAL_TEXT_MAX = 300
_GEOJSON_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
    "Feature",
    "FeatureCollection",
}


@dataclass(frozen=True)
class SpatialCoverage:
    """How a page shows a dataset's ``spatial``: its text when short, else (GeoJSON) its kind and bounding box."""

    text: str = ""
    geojson_type: str = ""
    bbox: tuple[float, float, float, float] | None = None
    length: int = 0

    @property
    def is_geojson(self) -> bool:
        return bool(self.geojson_type)

    @property
    def bbox_text(self) -> str:
        """ "west -90.5, south 29.6, east -89.5, north 30.4" (degrees, to five decimals at most)."""
        if self.bbox is None:
            return ""
        return ", ".join(
            f"{side} {round(value, 5):g}"
            for side, value in zip(("west", "south", "east", "north"), self.bbox, strict=True)
        )


def _positions(geometry: Any):
    """Every [x, y, ...] position of a GeoJSON object, whatever its nesting."""
    if not isinstance(geometry, dict):
        return
    kind = geometry.get("type")
    if kind == "FeatureCollection":
        for feature in geometry.get("features") or []:
            yield from _positions(feature)
    elif kind == "Feature":
        yield from _positions(geometry.get("geometry"))
    elif kind == "GeometryCollection":
        for part in geometry.get("geometries") or []:
            yield from _positions(part)
    else:
        stack = [geometry.get("coordinates")]
        while stack:
            value = stack.pop()
            if isinstance(value, list) and len(value) >= 2 and all(isinstance(v, int | float) for v in value[:2]):
                yield value
            elif isinstance(value, list):
                stack.extend(value)


def geojson_extent(geometry: Any) -> tuple[float, float, float, float] | None:
    """The bounding box (west, south, east, north) of a GeoJSON object, from its coordinates; None if it has
    none."""
    west = south = float("inf")
    east = north = float("-inf")
    for position in _positions(geometry):
        x, y = float(position[0]), float(position[1])
        west, east = min(west, x), max(east, x)
        south, north = min(south, y), max(north, y)
    if west == float("inf"):
        return None
    return (west, south, east, north)


def spatial_coverage(spatial: str) -> SpatialCoverage:
    """A dataset's ``spatial`` as its page shows it, computed once per page: GeoJSON (an object's text, however
    long) becomes its type and bounding box; other text (a place name, "W,S,E,N", WKT) is shown as it is, cut
    short past :data:`SPATIAL_TEXT_MAX` characters."""
    spatial = spatial or ""
    if spatial.lstrip().startswith("{"):
        try:
            geometry = json.loads(spatial)
        except ValueError:
            geometry = None
        if isinstance(geometry, dict) and geometry.get("type") in _GEOJSON_TYPES:
            return SpatialCoverage(geojson_type=geometry["type"], bbox=geojson_extent(geometry), length=len(spatial))
    text = spatial if len(spatial) <= SPATIAL_TEXT_MAX else spatial[:SPATIAL_TEXT_MAX] + "…"
    return SpatialCoverage(text=text, length=len(spatial))
