"""The goals API: priorities, goals, measures and observations.

Reading: anyone; anonymous visitors see public goals, and public measures of public goals with their observations
(without their notes: :data:`goals.access.OBSERVATION_NOTES`); signed-in users what :mod:`goals.access` lets them
read. Writing, through the same services as the pages (which
check the same rules): goals and measures by the principal, Stat lead and analysts (``can_define_goals``);
observations of manual measures by the Stat team and the measure's department's lead and contacts. Anyone else
gets 403 (anonymous visitors too), or 404 for an object they may not even read; a service's ValidationError is a
400 naming the fields.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from core.schema import write_responses
from inventory.access import DATASETS
from inventory.api import _as_drf_error
from inventory.models import Dataset
from team.access import actor_for, require

from . import selectors, services
from .access import (
    DEFINE_ONLY,
    RECORD_REFUSED,
    can_define_goals,
    can_record_observations,
    get_measure_for_user,
    goals_readable_by,
    measures_readable_by,
    observations_readable_by,
    with_note_readable,
    with_parent_readable,
)
from .models import Goal, Measure, Observation, ObservationSource, Priority
from .serializers import (
    GoalInputSerializer,
    GoalOutputSerializer,
    MeasureInputSerializer,
    MeasureOutputSerializer,
    ObservationInputSerializer,
    ObservationOutputSerializer,
    PriorityOutputSerializer,
)


class GoalsPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ObservationPagination(PageNumberPagination):
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000


# --- priorities ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List priorities", description="The city's priorities, in their order."),
    retrieve=extend_schema(summary="One priority, by slug"),
)
class PriorityViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    serializer_class = PriorityOutputSerializer
    pagination_class = GoalsPagination
    lookup_field = "slug"
    queryset = Priority.objects.order_by("position", "name")


# --- goals -----------------------------------------------------------------------------------------------------------


class GoalFilter(filters.FilterSet):
    priority = filters.CharFilter(method="filter_priority", help_text="A priority's slug.")
    department = filters.CharFilter(method="filter_department", help_text="An owner department's slug.")
    public = filters.BooleanFilter(help_text="Public goals only (true) or non-public only (false).")
    bold = filters.BooleanFilter(help_text="Bold goals only (true).")

    class Meta:
        model = Goal
        fields = ["priority", "department", "public", "bold"]

    def filter_priority(self, queryset: QuerySet[Goal], name: str, value: str) -> QuerySet[Goal]:
        return queryset.filter(priority__slug=value)

    def filter_department(self, queryset: QuerySet[Goal], name: str, value: str) -> QuerySet[Goal]:
        owned = Goal.departments.through.objects.filter(department__slug=value).values("goal_id")
        return queryset.filter(pk__in=owned)


@extend_schema_view(
    list=extend_schema(
        summary="List goals",
        description="Goals you may read (anonymous visitors: public goals), filtered by priority, owner department, "
        "public and bold.",
    ),
    retrieve=extend_schema(summary="One goal, by id"),
    create=extend_schema(
        summary="Create a goal",
        description="The principal, Stat lead and Stat analysts.",
        request=GoalInputSerializer,
        responses=write_responses(GoalOutputSerializer, created=True),
    ),
    update=extend_schema(
        summary="Replace a goal",
        request=GoalInputSerializer,
        responses=write_responses(GoalOutputSerializer, detail=True),
    ),
    partial_update=extend_schema(
        summary="Change some of a goal",
        request=GoalInputSerializer,
        responses=write_responses(GoalOutputSerializer, detail=True),
    ),
)
class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    serializer_class = GoalOutputSerializer
    filterset_class = GoalFilter
    pagination_class = GoalsPagination

    def get_queryset(self) -> QuerySet[Goal]:
        actor = actor_for(self.request.user)
        return (
            with_parent_readable(goals_readable_by(actor), actor)
            .select_related("priority")
            .prefetch_related("departments")
            .order_by("priority__position", "statement", "pk")
        )

    def _output(self, goal: Goal, code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=goal.pk)).data, status=code)

    def create(self, request: Request) -> Response:
        require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
        incoming = GoalInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        try:
            goal = services.goal_create(by=request.user, **fields)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(goal, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str, *, partial: bool = False) -> Response:
        goal = self.get_object()
        require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
        incoming = GoalInputSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        try:
            goal = services.goal_update(goal=goal, by=request.user, **dict(incoming.validated_data))
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(goal, status.HTTP_200_OK)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self.update(request, pk, partial=True)


# --- measures --------------------------------------------------------------------------------------------------------


#: What an id may be (a BigAutoField's range), for :class:`IdFilter` and the schema's parameters that use it.
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


class IdFilter(filters.NumberFilter):
    """An object's id: a whole number a database id can be (django-filter's NumberFilter takes any decimal, and
    ``-2e+25`` reached the database as a number SQLite cannot hold: a 500). Anything else is a 400 naming it."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", ID_SCHEMA["minimum"])
        kwargs.setdefault("max_value", ID_SCHEMA["maximum"])
        super().__init__(*args, **kwargs)


class MeasureFilter(filters.FilterSet):
    goal = IdFilter(field_name="goal_id", help_text="A goal's id.")
    department = filters.CharFilter(field_name="department__slug", help_text="The department's slug.")
    priority = filters.CharFilter(field_name="goal__priority__slug", help_text="A priority's slug.")
    is_kpi = filters.BooleanFilter(help_text="Key performance indicators only (true).")
    public = filters.BooleanFilter(help_text="Measures marked public (true); shown publicly when their goal is too.")
    computed = filters.BooleanFilter(method="filter_computed", help_text="Computed from a dataset (true) or not.")
    data_suspect = filters.BooleanFilter(help_text="Measures whose source data is suspect (true).")

    class Meta:
        model = Measure
        fields = ["goal", "department", "priority", "is_kpi", "public", "computed", "data_suspect"]

    def filter_computed(self, queryset: QuerySet[Measure], name: str, value: bool | None) -> QuerySet[Measure]:
        if value is None:
            return queryset
        return queryset.exclude(aggregation="") if value else queryset.filter(aggregation="")


@extend_schema_view(
    list=extend_schema(
        summary="List measures",
        description="Measures you may read (anonymous visitors: public measures of public goals) with their latest "
        "value, its target and status, and the data-suspect flag.",
        parameters=[OpenApiParameter("goal", ID_SCHEMA, description="A goal's id.")],
    ),
    retrieve=extend_schema(summary="One measure, by slug"),
    create=extend_schema(
        summary="Create a measure",
        description="The principal, Stat lead and Stat analysts. A computed measure names its source dataset, "
        "aggregation, date column and (for sum, mean, median) value column; a share has a condition.",
        request=MeasureInputSerializer,
        responses=write_responses(MeasureOutputSerializer, created=True),
    ),
    update=extend_schema(
        summary="Replace a measure",
        request=MeasureInputSerializer,
        responses=write_responses(MeasureOutputSerializer, detail=True),
    ),
    partial_update=extend_schema(
        summary="Change some of a measure",
        request=MeasureInputSerializer,
        responses=write_responses(MeasureOutputSerializer, detail=True),
    ),
)
class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    serializer_class = MeasureOutputSerializer
    filterset_class = MeasureFilter
    pagination_class = GoalsPagination
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Measure]:
        actor = actor_for(self.request.user)
        visible = measures_readable_by(actor)
        # Whether the reader may see the source dataset (DATASETS): if not, the output neither names it nor shows
        # the computation's error, which can quote where its data is fetched from. In the same query.
        source = DATASETS.readable(actor, Dataset.objects.filter(pk=OuterRef("source_dataset_id")))
        return (
            selectors.measures_annotated(visible)
            .annotate(source_readable=Exists(source))
            .order_by("goal__priority__position", "goal_id", "-is_kpi", "name")
        )

    def _output(self, measure: Measure, code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=measure.pk)).data, status=code)

    def _fields(self, incoming: MeasureInputSerializer) -> dict:
        fields = dict(incoming.validated_data)
        if "filters" in fields:
            fields["filters"] = [dict(rule) for rule in fields["filters"]]
        if "condition" in fields:
            fields["condition"] = dict(fields["condition"] or {})
        return fields

    def create(self, request: Request) -> Response:
        require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
        incoming = MeasureInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            measure = services.measure_create(by=request.user, **self._fields(incoming))
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(measure, status.HTTP_201_CREATED)

    def update(self, request: Request, slug: str, *, partial: bool = False) -> Response:
        measure = get_measure_for_user(request.user, slug)
        require(can_define_goals(actor_for(request.user)), DEFINE_ONLY)
        incoming = MeasureInputSerializer(data=request.data, partial=partial)
        incoming.is_valid(raise_exception=True)
        try:
            measure = services.measure_update(measure=measure, by=request.user, **self._fields(incoming))
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(measure, status.HTTP_200_OK)

    def partial_update(self, request: Request, slug: str) -> Response:
        return self.update(request, slug, partial=True)


# --- observations ----------------------------------------------------------------------------------------------------


class ObservationFilter(filters.FilterSet):
    measure = filters.CharFilter(field_name="measure__slug", help_text="The measure's slug.")
    since = filters.DateFilter(field_name="period", lookup_expr="gte", help_text="Periods starting on or after.")
    until = filters.DateFilter(field_name="period", lookup_expr="lte", help_text="Periods starting on or before.")
    source = filters.ChoiceFilter(choices=ObservationSource.choices, help_text="manual, upload or computed.")

    class Meta:
        model = Observation
        fields = ["measure", "since", "until", "source"]


@extend_schema_view(
    list=extend_schema(
        summary="List observations",
        description="Values of the measures you may read (anonymous visitors: public measures of public goals), "
        "oldest first per measure; filter by measure and period.",
    ),
    retrieve=extend_schema(summary="One observation, by id"),
    create=extend_schema(
        summary="Record a value",
        description="The value of a manual measure for the period containing `period` (any day of it); a value "
        "already recorded for that period is replaced. The Stat lead and analysts, and the measure's department's "
        "lead and contacts. Computed measures take their values from their dataset (403).",
        request=ObservationInputSerializer,
        responses={
            **write_responses(ObservationOutputSerializer, created=True),
            404: OpenApiResponse(description="No such measure you may read."),
        },
    ),
)
class ObservationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = ObservationOutputSerializer
    filterset_class = ObservationFilter
    pagination_class = ObservationPagination

    def get_queryset(self) -> QuerySet[Observation]:
        actor = actor_for(self.request.user)
        return (
            with_note_readable(actor, observations_readable_by(actor))
            .select_related("measure")
            .order_by("measure_id", "period", "pk")
        )

    def create(self, request: Request) -> Response:
        incoming = ObservationInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        measure = get_measure_for_user(request.user, fields.pop("measure"))
        require(not measure.is_computed, services.observations.COMPUTED_REFUSAL)
        require(can_record_observations(actor_for(request.user), measure), RECORD_REFUSED)
        try:
            observation = services.observation_record(measure=measure, by=request.user, **fields)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        observation.note_readable = True  # its writer reads the measure beyond its being public
        return Response(self.get_serializer(observation).data, status=status.HTTP_201_CREATED)
