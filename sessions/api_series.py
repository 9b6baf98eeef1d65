"""The Stat sessions API: meeting series and their sessions.

Reading: signed-in users, what :mod:`sessions.access` lets them read (the Stat team and the seats every series and
session; a department's lead and contacts their department's; a budget analyst their portfolio's); anonymous
visitors get 403 (the public schedule is the page /public/sessions/). Writing, through the same services as the
pages: the Stat team creates and changes series, moves and cancels sessions. Anyone else gets 403, or 404 for an
object they may not even read; a service's ValidationError is a 400 naming the fields.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.schema import write_responses
from goals.api import ID_SCHEMA, IdFilter
from inventory.api import _as_drf_error
from team.access import actor_for, require
from team.models import Department, Person
from team.serializers import DepartmentRefOutputSerializer

from . import services
from .access import MANAGE_ONLY, can_manage_sessions, series_readable_by, sessions_readable_by
from .models import (
    MAX_DURATION_MINUTES,
    MIN_MEMO_HOURS,
    Attendee,
    Cadence,
    ChecklistItem,
    Series,
    Session,
    SessionState,
)

SETTINGS = (
    "public",
    "no_surprises",
    "data_request_days",
    "data_due_days",
    "memo_draft_days",
    "memo_send_hours",
    "follow_up_days",
    "reply_to",
)


class SessionsPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- serializers -----------------------------------------------------------------------------------------------------


class SeriesOutputSerializer(serializers.ModelSerializer):
    department = DepartmentRefOutputSerializer(read_only=True, allow_null=True)
    default_attendees = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="The ids of the people invited to every session."
    )

    class Meta:
        model = Series
        fields = [
            "id",
            "name",
            "department",
            "cadence",
            "interval_weeks",
            "rrule",
            "place",
            "start_time",
            "duration_minutes",
            "time_zone",
            *SETTINGS,
            "default_attendees",
            "created_at",
        ]
        read_only_fields = fields


class _SettingsFields(serializers.Serializer):
    public = serializers.BooleanField(required=False)
    no_surprises = serializers.BooleanField(required=False)
    data_request_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    data_due_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    memo_draft_days = serializers.IntegerField(required=False, min_value=0, max_value=365)
    memo_send_hours = serializers.IntegerField(required=False, min_value=MIN_MEMO_HOURS, max_value=24 * 365)
    follow_up_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    reply_to = serializers.EmailField(required=False, allow_blank=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    duration_minutes = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DURATION_MINUTES)
    default_attendees = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Person.objects.filter(active=True), help_text="People's ids."
    )


class SeriesInputSerializer(_SettingsFields):
    name = serializers.CharField(max_length=200)
    department = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Department.objects.filter(active=True),
        allow_null=True,
        required=False,
        help_text="The department's slug; null for a cross-department initiative.",
    )
    cadence = serializers.ChoiceField(choices=Cadence.choices)
    interval_weeks = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=52)
    rrule = serializers.CharField(required=False, allow_blank=True, max_length=500)
    start_date = serializers.DateField(help_text="The first meeting's date: a year of sessions is booked from it.")
    start_time = serializers.TimeField()
    time_zone = serializers.CharField(required=False, max_length=64)


class SeriesUpdateSerializer(_SettingsFields):
    name = serializers.CharField(required=False, max_length=200)


class AttendeeOutputSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Attendee
        fields = ["person", "name", "role", "seat", "automatic", "attended"]
        read_only_fields = fields


class ChecklistItemOutputSerializer(serializers.ModelSerializer):
    assignee = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="A person's id.")

    class Meta:
        model = ChecklistItem
        fields = ["id", "kind", "title", "due_at", "assignee", "done_at"]
        read_only_fields = fields


class SessionOutputSerializer(serializers.ModelSerializer):
    series = serializers.PrimaryKeyRelatedField(read_only=True)
    series_name = serializers.CharField(source="series.name", read_only=True)
    attendees = AttendeeOutputSerializer(many=True, read_only=True)
    checklist = ChecklistItemOutputSerializer(
        many=True, read_only=True, help_text="The preparation steps, by due date."
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "uid",
            "series",
            "series_name",
            "starts_at",
            "duration_minutes",
            "place",
            "period_start",
            "period_end",
            "state",
            "planned_at",
            "memo_drafted_at",
            "memo_sent_at",
            "held_at",
            "follow_up_sent_at",
            "cancelled_at",
            "sequence",
            "attendees",
            "checklist",
        ]
        read_only_fields = fields


class SessionMoveInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="The new start, with its offset (ISO 8601).")
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- series ----------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List meeting series", description="The series you may read, by name."),
    retrieve=extend_schema(summary="One meeting series, by id"),
    create=extend_schema(
        summary="Create a meeting series",
        description="The Stat team. Books its sessions for a year from `start_date`, each with its attendees and "
        "its preparation checklist.",
        request=SeriesInputSerializer,
        responses=write_responses(SeriesOutputSerializer, created=True),
    ),
    partial_update=extend_schema(
        summary="Change a meeting series",
        description="The Stat team. Its name, default place, duration, default attendees and settings; its "
        "cadence stays (move or cancel sessions one by one).",
        request=SeriesUpdateSerializer,
        responses=write_responses(SeriesOutputSerializer, detail=True),
    ),
)
class SeriesViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = SeriesOutputSerializer
    pagination_class = SessionsPagination

    def get_queryset(self) -> QuerySet[Series]:
        return (
            series_readable_by(actor_for(self.request.user))
            .select_related("department")
            .prefetch_related("default_attendees")
            .order_by("name", "pk")
        )

    def _output(self, series: Series, code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=series.pk)).data, status=code)

    def create(self, request: Request) -> Response:
        require(can_manage_sessions(actor_for(request.user)), MANAGE_ONLY)
        incoming = SeriesInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        fields.setdefault("department", None)
        try:
            series = services.series_create(by=request.user, **fields)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(series, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        series = self.get_object()
        require(can_manage_sessions(actor_for(request.user)), MANAGE_ONLY)
        incoming = SeriesUpdateSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        fields = dict(incoming.validated_data)
        try:
            series = services.series_update(series, by=request.user, **fields)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(series, status.HTTP_200_OK)


# --- sessions --------------------------------------------------------------------------------------------------------


class SessionFilter(filters.FilterSet):
    series = IdFilter(field_name="series_id", help_text="A series' id.")
    state = filters.ChoiceFilter(choices=SessionState.choices, help_text="Sessions in this state.")
    since = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", help_text="Starting at or after.")
    until = filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt", help_text="Starting before.")

    class Meta:
        model = Session
        fields = ["series", "state", "since", "until"]


@extend_schema_view(
    list=extend_schema(
        summary="List sessions",
        description="The sessions you may read (cancelled ones too), soonest first, with their attendees and "
        "preparation checklist.",
        parameters=[OpenApiParameter("series", ID_SCHEMA, description="A series' id.")],
    ),
    retrieve=extend_schema(summary="One session, by id"),
    move=extend_schema(
        summary="Move a session",
        description="The Stat team. A new start (and place); its SEQUENCE rises so calendars update the event. A "
        "cancelled or held session is not moved (400).",
        request=SessionMoveInputSerializer,
        responses=write_responses(SessionOutputSerializer, detail=True),
    ),
    cancel=extend_schema(
        summary="Cancel a session",
        description="The Stat team. It stays, marked cancelled. A held or already cancelled session: 400.",
        request=None,
        responses=write_responses(SessionOutputSerializer, detail=True),
    ),
)
class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = SessionOutputSerializer
    filterset_class = SessionFilter
    pagination_class = SessionsPagination

    def get_queryset(self) -> QuerySet[Session]:
        attendees = Attendee.objects.select_related("person").order_by("role", "person__full_name", "pk")
        return (
            sessions_readable_by(actor_for(self.request.user))
            .select_related("series")
            .prefetch_related(
                Prefetch("attendees", queryset=attendees),
                Prefetch("checklist", queryset=ChecklistItem.objects.order_by("due_at", "pk")),
            )
            .order_by("starts_at", "pk")
        )

    def _output(self, session: Session) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        require(can_manage_sessions(actor_for(request.user)), MANAGE_ONLY)
        incoming = SessionMoveInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            session = services.session_move(session, by=request.user, **dict(incoming.validated_data))
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(session)

    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        session = self.get_object()
        require(can_manage_sessions(actor_for(request.user)), MANAGE_ONLY)
        try:
            session = services.session_cancel(session, by=request.user)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(session)
