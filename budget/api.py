"""The budget data API under /api/budget/: fiscal years, funds, programs (with the slugs of the measures they pay
for), budget lines (filter by fiscal year, department, program, fund, category) and monthly actuals.

Reading: those who read budgets (``budget.access``) read theirs, all amounts; anyone else, anonymous visitors too,
reads the public budget only: the adopted amounts of public fiscal years (``public_lines``), and the years, funds and
programs they belong to. Writing goes through ``budget.services.data`` (fiscal years and funds: the Stat lead and the
budget analysts; programs, lines, actuals and measure links: the department's portfolio's budget analysts and the
Stat lead); anyone else gets 403 (404 for what they may not even read); a service's ValidationError is a 400.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from core.schema import write_responses
from goals.access import measures_readable_by
from goals.models import Measure
from inventory.api import _as_drf_error
from team.access import Actor, actor_for, require
from team.models import Department

from .access import (
    CITY_REFUSED,
    EDIT_REFUSED,
    can_manage_city_budget,
    can_read_budget,
    can_write_program,
    lines_readable_by,
    programs_readable_by,
    public_fiscal_years_q,
    public_lines,
)
from .models import BudgetLine, FiscalYear, Fund, MonthlyActual, Program, ProgramMeasure
from .serializers import (
    BudgetLineAmountsSerializer,
    BudgetLineInputSerializer,
    BudgetLineOutputSerializer,
    FiscalYearCreateSerializer,
    FiscalYearOutputSerializer,
    FiscalYearUpdateSerializer,
    FundSerializer,
    MeasureLinkSerializer,
    MonthlyActualSerializer,
    ProgramInputSerializer,
    ProgramOutputSerializer,
)
from .services import data as services


class BudgetPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def _reads_budget(request: Request) -> tuple[Actor, bool]:
    actor = actor_for(request.user)
    return actor, can_read_budget(actor)


def _lines(request: Request) -> QuerySet[BudgetLine]:
    actor, reads = _reads_budget(request)
    return lines_readable_by(actor) if reads else public_lines()


def _service(call):
    try:
        return call()
    except DjangoValidationError as error:
        raise _as_drf_error(error) from error


# --- fiscal years ----------------------------------------------------------------------------------------------------


class FiscalYearViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fiscal years (by the calendar year they end in); the public reads the public ones."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = FiscalYearOutputSerializer
    pagination_class = BudgetPagination
    lookup_field = "year"
    lookup_value_regex = r"\d{4}"

    def get_queryset(self) -> QuerySet[FiscalYear]:
        _, reads = _reads_budget(self.request)
        years = FiscalYear.objects.order_by("-year")
        return years if reads else years.filter(public_fiscal_years_q())

    @extend_schema(
        request=FiscalYearCreateSerializer,
        responses=write_responses(FiscalYearOutputSerializer, created=True, detail=True),
    )
    def create(self, request: Request) -> Response:
        require(can_manage_city_budget(actor_for(request.user)), CITY_REFUSED)
        incoming = FiscalYearCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        year = _service(lambda: services.fiscal_year_create(year=incoming.validated_data["year"], by=request.user))
        return Response(FiscalYearOutputSerializer(year).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=FiscalYearUpdateSerializer, responses=write_responses(FiscalYearOutputSerializer, detail=True)
    )
    def partial_update(self, request: Request, year: str) -> Response:
        fiscal_year = self.get_object()
        require(can_manage_city_budget(actor_for(request.user)), CITY_REFUSED)
        incoming = FiscalYearUpdateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        if "status" in values:
            moved, to = fiscal_year, values["status"]
            fiscal_year = _service(
                lambda: services.fiscal_year_set_status(fiscal_year=moved, status=to, by=request.user)
            )
        if "public" in values:
            public = values["public"]
            fiscal_year = services.fiscal_year_set_public(fiscal_year=fiscal_year, public=public, by=request.user)
        return Response(FiscalYearOutputSerializer(fiscal_year).data)


# --- funds -----------------------------------------------------------------------------------------------------------


class FundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The city's funds; the public reads those of the public budget."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = FundSerializer
    pagination_class = BudgetPagination
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Fund]:
        _, reads = _reads_budget(self.request)
        funds = Fund.objects.order_by("code")
        return funds if reads else funds.filter(Exists(public_lines().filter(fund=OuterRef("pk"))))

    @extend_schema(request=FundSerializer, responses=write_responses(FundSerializer, created=True, detail=True))
    def create(self, request: Request) -> Response:
        require(can_manage_city_budget(actor_for(request.user)), CITY_REFUSED)
        incoming = FundSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        fund = _service(
            lambda: services.fund_save(
                code=values["code"], name=values["name"], description=values.get("description"), by=request.user
            )
        )
        return Response(FundSerializer(fund).data, status=status.HTTP_201_CREATED)


# --- programs --------------------------------------------------------------------------------------------------------


class ProgramFilter(filters.FilterSet):
    department = filters.CharFilter(field_name="department__slug", help_text="The department's slug.")
    code = filters.CharFilter(field_name="code")

    class Meta:
        model = Program
        fields = ["department", "code"]


class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Programs of the departments (and divisions), with the slugs of the measures they pay for."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "delete", "head", "options"]
    serializer_class = ProgramOutputSerializer
    filterset_class = ProgramFilter
    pagination_class = BudgetPagination

    def get_queryset(self) -> QuerySet[Program]:
        actor, reads = _reads_budget(self.request)
        programs = (
            programs_readable_by(actor)
            if reads
            else Program.objects.filter(Exists(public_lines().filter(program=OuterRef("pk"))))
        )
        return (
            programs.select_related("department__portfolio")
            .prefetch_related(Prefetch("measure_links", ProgramMeasure.objects.select_related("measure")))
            .order_by("department__name", "code", "pk")
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        context["measure_ids"] = set(measures_readable_by(actor_for(self.request.user)).values_list("pk", flat=True))
        return context

    def _output(self, program: Program, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=program.pk)).data, status=code)

    @extend_schema(
        request=ProgramInputSerializer, responses=write_responses(ProgramOutputSerializer, created=True, detail=True)
    )
    def create(self, request: Request) -> Response:
        incoming = ProgramInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        department = Department.objects.filter(slug=values["department"]).first()
        if department is None:
            raise _as_drf_error(DjangoValidationError({"department": "No department has this slug."}))
        program = _service(
            lambda: services.program_save(
                department=department,
                code=values["code"],
                name=values.get("name", ""),
                description=values.get("description"),
                by=request.user,
            )
        )
        return self._output(program, status.HTTP_201_CREATED)

    def _writable(self, request: Request) -> Program:
        program = self.get_object()
        require(can_write_program(actor_for(request.user), program), EDIT_REFUSED)
        return program

    @extend_schema(request=MeasureLinkSerializer, responses=write_responses(ProgramOutputSerializer, detail=True))
    @action(detail=True, methods=["post"], url_path="measures")
    def link_measure(self, request: Request, pk: str) -> Response:
        """Link the program to a measure it pays for."""
        program = self._writable(request)
        incoming = MeasureLinkSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        measure = measures_readable_by(actor_for(request.user)).filter(slug=incoming.validated_data["measure"]).first()
        if measure is None:
            raise _as_drf_error(DjangoValidationError({"measure": "No measure you may read has this slug."}))
        _service(lambda: services.program_link_measure(program=program, measure=measure, by=request.user))
        return self._output(program)

    @extend_schema(request=None, responses=write_responses(ProgramOutputSerializer, detail=True))
    @action(detail=True, methods=["delete"], url_path=r"measures/(?P<slug>[-\w]+)")
    def unlink_measure(self, request: Request, pk: str, slug: str) -> Response:
        """Remove the program's link to the measure ``slug``."""
        program = self._writable(request)
        measure = get_object_or_404(Measure, slug=slug)
        services.program_unlink_measure(program=program, measure=measure, by=request.user)
        return self._output(program)


# --- budget lines ----------------------------------------------------------------------------------------------------


class BudgetLineFilter(filters.FilterSet):
    fiscal_year = filters.NumberFilter(field_name="fiscal_year__year", help_text="The fiscal year, such as 2027.")
    department = filters.CharFilter(field_name="program__department__slug", help_text="The department's slug.")
    program = filters.NumberFilter(field_name="program_id", help_text="The program's id.")
    fund = filters.CharFilter(field_name="fund__code", help_text="The fund's code.")
    category = filters.ChoiceFilter(field_name="category", choices=BudgetLine._meta.get_field("category").choices)

    class Meta:
        model = BudgetLine
        fields = ["fiscal_year", "department", "program", "fund", "category"]


class BudgetLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Budget lines: a program's amounts from a fund for a category in a fiscal year. The public reads the adopted
    amounts of public fiscal years only (the others are null)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    serializer_class = BudgetLineOutputSerializer
    filterset_class = BudgetLineFilter
    pagination_class = BudgetPagination

    def get_queryset(self) -> QuerySet[BudgetLine]:
        lines = _lines(self.request).select_related("fiscal_year", "fund", "program__department__portfolio")
        return lines.order_by("-fiscal_year__year", "program__department__name", "program__code", "fund__code", "pk")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        _, reads = _reads_budget(self.request)
        if not reads:
            for line in args[0] if kwargs.get("many") else args[:1]:
                line.amended = line.actual = line.requested = None
        return serializer

    @extend_schema(
        request=BudgetLineInputSerializer,
        responses=write_responses(BudgetLineOutputSerializer, created=True, detail=True),
    )
    def create(self, request: Request) -> Response:
        """Add a line, or change the amounts of the line of the same year, fund, program and category."""
        incoming = BudgetLineInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        actor = actor_for(request.user)
        program = programs_readable_by(actor).select_related("department").filter(pk=values.pop("program")).first()
        fiscal_year = FiscalYear.objects.filter(year=values.pop("fiscal_year")).first()
        fund = Fund.objects.filter(code=values.pop("fund")).first()
        problems = {
            name: message
            for name, missing, message in (
                ("program", program is None, "No program you may read has this id."),
                ("fiscal_year", fiscal_year is None, "No such fiscal year: add it first."),
                ("fund", fund is None, "No fund has this code."),
            )
            if missing
        }
        if problems:
            raise _as_drf_error(DjangoValidationError(problems))
        assert program is not None and fiscal_year is not None and fund is not None
        require(can_write_program(actor, program), EDIT_REFUSED)
        line = _service(
            lambda: services.line_save(fiscal_year=fiscal_year, fund=fund, program=program, by=request.user, **values)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=line.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=BudgetLineAmountsSerializer, responses=write_responses(BudgetLineOutputSerializer, detail=True)
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        line = self.get_object()
        require(can_write_program(actor_for(request.user), line.program), EDIT_REFUSED)
        incoming = BudgetLineAmountsSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        line = _service(
            lambda: services.line_save(
                fiscal_year=line.fiscal_year,
                fund=line.fund,
                program=line.program,
                category=line.category,
                by=request.user,
                **incoming.validated_data,
            )
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=line.pk)).data)


# --- monthly actuals -------------------------------------------------------------------------------------------------


class MonthlyActualFilter(filters.FilterSet):
    line = filters.NumberFilter(field_name="line_id")
    fiscal_year = filters.NumberFilter(field_name="line__fiscal_year__year")
    program = filters.NumberFilter(field_name="line__program_id")
    department = filters.CharFilter(field_name="line__program__department__slug")

    class Meta:
        model = MonthlyActual
        fields = ["line", "fiscal_year", "program", "department"]


class MonthlyActualViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What each budget line spent month by month (``month`` is the month's first day). Not public."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "head", "options"]
    serializer_class = MonthlyActualSerializer
    filterset_class = MonthlyActualFilter
    pagination_class = BudgetPagination

    def get_queryset(self) -> QuerySet[MonthlyActual]:
        actor, reads = _reads_budget(self.request)
        if not reads:
            return MonthlyActual.objects.none()
        return MonthlyActual.objects.filter(line__in=lines_readable_by(actor)).order_by("line_id", "month")

    @extend_schema(
        request=MonthlyActualSerializer, responses=write_responses(MonthlyActualSerializer, created=True, detail=True)
    )
    def create(self, request: Request) -> Response:
        """Record (or correct) what a line spent in a month."""
        incoming = MonthlyActualSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        line = _lines(request).select_related("fiscal_year", "program__department").filter(pk=values["line_id"]).first()
        if line is None:
            raise NotFound("No budget line you may read has this id.")
        require(can_write_program(actor_for(request.user), line.program), EDIT_REFUSED)
        month, amount = values["month"], values["amount"]
        actual = _service(lambda: services.monthly_actual_save(line=line, month=month, amount=amount, by=request.user))
        return Response(MonthlyActualSerializer(actual).data, status=status.HTTP_201_CREATED)
