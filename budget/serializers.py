"""Input and output serializers of the budget data API (fiscal years, funds, programs, lines, monthly actuals).
Input serializers parse types; the rules are the services' (``budget.services.data``)."""

from __future__ import annotations

from rest_framework import serializers

from team.serializers import DepartmentRefOutputSerializer

from .models import BudgetLine, Category, FiscalYear, FiscalYearStatus, Fund, MonthlyActual, Program

AMOUNT = {"max_digits": 16, "decimal_places": 2}


class FiscalYearOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = FiscalYear
        fields = ["year", "name", "starts_on", "ends_on", "status", "public", "adopted_on"]
        read_only_fields = fields


class FiscalYearCreateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2999)


class FiscalYearUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FiscalYearStatus.choices, required=False)
    public = serializers.BooleanField(required=False)


class FundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fund
        fields = ["id", "code", "name", "description"]
        read_only_fields = ["id"]
        extra_kwargs = {"code": {"validators": []}}


class ProgramOutputSerializer(serializers.ModelSerializer):
    department = DepartmentRefOutputSerializer(read_only=True)
    measures = serializers.SerializerMethodField()

    class Meta:
        model = Program
        fields = ["id", "department", "code", "name", "description", "measures"]
        read_only_fields = fields

    def get_measures(self, program: Program) -> list[str]:
        """The slugs of the measures it pays for (those the reader may read)."""
        readable = self.context.get("measure_ids")
        return sorted(
            link.measure.slug for link in program.measure_links.all() if readable is None or link.measure_id in readable
        )


class ProgramInputSerializer(serializers.Serializer):
    department = serializers.SlugField(help_text="The department's (or division's) slug.")
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class MeasureLinkSerializer(serializers.Serializer):
    measure = serializers.SlugField(help_text="The measure's slug (of the program's department or its parent).")


class BudgetLineOutputSerializer(serializers.ModelSerializer):
    fiscal_year = serializers.IntegerField(source="fiscal_year.year", read_only=True)
    fund = serializers.CharField(source="fund.code", read_only=True)
    program = serializers.IntegerField(source="program_id", read_only=True)
    program_code = serializers.CharField(source="program.code", read_only=True)
    department = serializers.SlugField(source="program.department.slug", read_only=True)

    class Meta:
        model = BudgetLine
        fields = [
            "id",
            "fiscal_year",
            "fund",
            "program",
            "program_code",
            "department",
            "category",
            "adopted",
            "amended",
            "actual",
            "requested",
        ]
        read_only_fields = fields


class BudgetLineInputSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField(help_text="The fiscal year (the calendar year it ends in).")
    fund = serializers.CharField(max_length=20, help_text="The fund's code.")
    program = serializers.IntegerField(help_text="The program's id.")
    category = serializers.ChoiceField(choices=Category.choices)
    adopted = serializers.DecimalField(**AMOUNT, required=False)
    amended = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    actual = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    requested = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)


class BudgetLineAmountsSerializer(serializers.Serializer):
    adopted = serializers.DecimalField(**AMOUNT, required=False)
    amended = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    actual = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)
    requested = serializers.DecimalField(**AMOUNT, required=False, allow_null=True)


class MonthlyActualSerializer(serializers.ModelSerializer):
    line = serializers.IntegerField(source="line_id")

    class Meta:
        model = MonthlyActual
        fields = ["id", "line", "month", "amount"]
        read_only_fields = ["id"]
