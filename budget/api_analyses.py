"""The analyses API (/api/budget/analyses/): list and read the analyses the caller reads, each with its computed
results (present values, net present value, benefit-cost ratio, return on investment, paybacks); create, change
(PATCH) and delete them through the same services as the pages, under the same rules (:mod:`budget.access`): the
budget analysts of the department's portfolio and the Stat lead write; the others who read it get 403; whoever does
not read it gets 404. Amounts and rates are decimal strings, never floats."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.api import _as_drf_error
from sessions.access import action_items_readable_by
from team.access import actor_for

from .access import analyses_readable_by, analysis_queryset, get_analysis_for_user, programs_readable_by
from .analysis import compute_analysis
from .models import Analysis, AnalysisYear
from .services.analyses import MAX_YEARS, analysis_create, analysis_delete, analysis_update


class AnalysisPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AnalysisYearSerializer(serializers.Serializer):
    year = serializers.IntegerField(read_only=True, help_text="0 is now (not discounted).")
    cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    benefit = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)


class AnalysisResultSerializer(serializers.Serializer):
    horizon = serializers.IntegerField(help_text="The last year (n).")
    pv_costs = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Present value of the costs.")
    pv_benefits = serializers.DecimalField(max_digits=18, decimal_places=2)
    npv = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Net present value.")
    benefit_cost_ratio = serializers.DecimalField(
        max_digits=24, decimal_places=4, allow_null=True, help_text="null: undefined (the costs' present value is 0)."
    )
    roi = serializers.DecimalField(
        max_digits=24,
        decimal_places=4,
        allow_null=True,
        help_text="Return on investment as a fraction (0.25 is 25%); null: undefined (no costs).",
    )
    simple_payback = serializers.IntegerField(allow_null=True, help_text="A year; null: not within the horizon.")
    discounted_payback = serializers.IntegerField(allow_null=True, help_text="A year; null: not within the horizon.")


class ProgramRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField(source="department.slug")


class AnalysisOutputSerializer(serializers.ModelSerializer):
    program = ProgramRefSerializer(read_only=True, allow_null=True)
    action_item = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    discount_rate = serializers.DecimalField(max_digits=7, decimal_places=6, read_only=True)
    years = AnalysisYearSerializer(many=True, read_only=True)
    results = serializers.SerializerMethodField()

    class Meta:
        model = Analysis
        fields = [
            "id",
            "title",
            "program",
            "action_item",
            "assumptions",
            "discount_rate",
            "years",
            "results",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(AnalysisResultSerializer)
    def get_results(self, analysis: Analysis) -> dict:
        result = compute_analysis(analysis)
        return AnalysisResultSerializer(result).data


class AnalysisInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    program = serializers.IntegerField(required=False, allow_null=True, help_text="A program's id (on creation only).")
    action_item = serializers.IntegerField(
        required=False, allow_null=True, help_text="A budget-request action item's id (on creation only)."
    )
    assumptions = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    discount_rate = serializers.DecimalField(
        max_digits=7, decimal_places=6, help_text="A real annual rate as a fraction: 0.03 for 3%."
    )
    years = AnalysisYearSerializer(
        many=True, max_length=MAX_YEARS, min_length=1, help_text="Costs and benefits from year 0, in order."
    )


def _write_responses(output, *, created: bool = False) -> dict:
    return {
        (201 if created else 200): output,
        400: OpenApiResponse(description="Invalid input; the body names each field's problems."),
        403: OpenApiResponse(
            description="Not signed in, or you may read this department's analyses but not change them."
        ),
        404: OpenApiResponse(description="No such object, or none you may read."),
    }


@extend_schema_view(
    create=extend_schema(
        request=AnalysisInputSerializer, responses=_write_responses(AnalysisOutputSerializer, created=True)
    ),
    partial_update=extend_schema(request=AnalysisInputSerializer, responses=_write_responses(AnalysisOutputSerializer)),
    destroy=extend_schema(
        responses={
            204: None,
            403: OpenApiResponse(description="Not allowed."),
            404: OpenApiResponse(description="No such analysis you may read."),
        }
    ),
)
class AnalysisViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    serializer_class = AnalysisOutputSerializer
    pagination_class = AnalysisPagination
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Analysis]:
        actor = actor_for(self.request.user)
        return (
            analyses_readable_by(actor, analysis_queryset())
            .prefetch_related(Prefetch("years", queryset=AnalysisYear.objects.order_by("year")))
            .order_by("title", "pk")
        )

    def _output(self, analysis: Analysis, code: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=analysis.pk)).data, status=code)

    def create(self, request: Request) -> Response:
        incoming = AnalysisInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        actor = actor_for(request.user)
        program = action_item = None
        if data.get("program") is not None:
            program = (
                programs_readable_by(actor).select_related("department__portfolio").filter(pk=data["program"]).first()
            )
            if program is None:
                raise serializers.ValidationError({"program": "No such program you may read."})
        if data.get("action_item") is not None:
            action_item = (
                action_items_readable_by(actor)
                .select_related("department__portfolio")
                .filter(pk=data["action_item"])
                .first()
            )
            if action_item is None:
                raise serializers.ValidationError({"action_item": "No such action item you may read."})
        try:
            created = analysis_create(
                by=request.user,
                program=program,
                action_item=action_item,
                title=data["title"],
                assumptions=data.get("assumptions", ""),
                discount_rate=data["discount_rate"],
                years=[(year["cost"], year["benefit"]) for year in data["years"]],
            )
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(created, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        analysis = get_analysis_for_user(request.user, int(pk), write=True)
        incoming = AnalysisInputSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        if "program" in data or "action_item" in data:
            raise serializers.ValidationError({"program": "What an analysis is about is set when it is created."})
        if "years" in data:
            data["years"] = [(year["cost"], year["benefit"]) for year in data["years"]]
        try:
            analysis_update(analysis, by=request.user, **data)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from error
        return self._output(analysis, status.HTTP_200_OK)

    def destroy(self, request: Request, pk: str) -> Response:
        analysis = get_analysis_for_user(request.user, int(pk), write=True)
        analysis_delete(analysis, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
