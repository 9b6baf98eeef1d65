"""The budget: fiscal years (the city's start month; open, adopted or closed), funds, programs within departments
(and divisions), budget lines (fund, program, category; adopted, amended and actual amounts and next year's
request), optional monthly actuals, the link from programs to the measures they pay for, the finance system's column
mapping per import source, and cost-benefit analyses with their yearly costs and benefits.

Every amount is a decimal of the city's currency (16 digits, two places: to the cent), never a float."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from goals.models import Measure
from sessions.models import ActionItem
from team.models import Department

#: An amount's digits (up to a trillion, to the cent), as its fields declare them, for forms and serializers.
AMOUNT = {"max_digits": 16, "decimal_places": 2}


class FiscalYearStatus(models.TextChoices):
    OPEN = "open", "Open (being prepared)"
    ADOPTED = "adopted", "Adopted"
    CLOSED = "closed", "Closed"


class FiscalYear(models.Model):
    """A fiscal year, named by the calendar year it ends in (FY2027 runs July 2026 to June 2027 when the city's
    year starts in July: ``settings.FISCAL_YEAR_START_MONTH``)."""

    year = models.PositiveSmallIntegerField(unique=True, help_text="The calendar year the fiscal year ends in.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=8, choices=FiscalYearStatus.choices, default=FiscalYearStatus.OPEN)
    public = models.BooleanField(
        default=False, help_text="Publish this year's adopted budget on the public budget pages."
    )
    adopted_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts_on__lt=models.F("ends_on")), name="fiscal_year_in_order")
        ]

    def __str__(self) -> str:
        return f"FY{self.year}"

    @property
    def name(self) -> str:
        return f"FY{self.year}"


class Fund(models.Model):
    """A fund of the city's accounts (General Fund, Water Utility, Capital Projects...)."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Program(models.Model):
    """A program of a department or of one of its divisions (``department`` may be a division). ``measures`` are
    the measures it pays for: its cost per result is its spending divided by their values."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="budget_programs")
    code = models.CharField(max_length=30)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    measures = models.ManyToManyField(Measure, through="ProgramMeasure", related_name="budget_programs", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["department__name", "code"]
        constraints = [models.UniqueConstraint(fields=["department", "code"], name="program_code_once_per_department")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProgramMeasure(models.Model):
    """A program linked to a measure it pays for (who linked it, when)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="measure_links")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="program_links")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["program", "measure"], name="program_measure_once")]

    def __str__(self) -> str:
        return f"{self.program} → {self.measure}"


class Category(models.TextChoices):
    PERSONNEL = "personnel", "Personnel"
    OPERATING = "operating", "Operating"
    CAPITAL = "capital", "Capital"


class BudgetLine(models.Model):
    """What a program has from a fund for one category of spending in one fiscal year: adopted, amended (if the
    council changed it), actual (spent, to date or final) and the department's request for the next year."""

    # No index of their own for the year and the program: the line's unique constraint leads with the year, and the
    # (program, year) index with the program (each index is one more write for every line an import adds).
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="lines", db_index=False)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="lines")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="lines", db_index=False)
    category = models.CharField(max_length=10, choices=Category.choices)
    adopted = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    amended = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    requested = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, help_text="Next fiscal year's request."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "program", "fund", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "fund", "program", "category"], name="budget_line_once_per_year_fund_program"
            )
        ]
        indexes = [models.Index(fields=["program", "fiscal_year"])]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.program} {self.fund.code} {self.category}"

    @property
    def budget(self) -> Decimal:
        """The budget in force: the amended figure if there is one, else the adopted."""
        return self.amended if self.amended is not None else self.adopted


class MonthlyActual(models.Model):
    """What a budget line spent in one month (``month`` is its first day)."""

    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="monthly_actuals")
    month = models.DateField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["line", "month"]
        constraints = [
            models.UniqueConstraint(fields=["line", "month"], name="monthly_actual_once"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="monthly_actual_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.month:%Y-%m}"


class ImportSource(models.Model):
    """A finance system's export and how its columns map to ours, saved once and reused for every import."""

    name = models.CharField(max_length=100, unique=True)
    mapping = models.JSONField(default=dict, help_text="Our field name → the export's column name.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BudgetImport(models.Model):
    """One committed import: which source, which file, what it did."""

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.source})"


class Analysis(models.Model):
    """A cost-benefit / return-on-investment analysis of a program, or of a "budget request" action item: its
    assumptions, a real annual discount rate, and its costs and benefits per year (year 0 first)."""

    title = models.CharField(max_length=200)
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="analyses")
    action_item = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="budget_analyses"
    )
    assumptions = models.TextField(blank=True)
    discount_rate = models.DecimalField(
        max_digits=7,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("-0.5")), MaxValueValidator(Decimal("1"))],
        help_text="A real annual rate: 0.03 for 3%.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name_plural = "analyses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(program__isnull=False) | models.Q(action_item__isnull=False),
                name="analysis_of_a_program_or_an_action_item",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AnalysisYear(models.Model):
    """An analysis's costs and benefits in year ``year`` (0 is now: undiscounted)."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField()
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))
    benefit = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["analysis", "year"]
        constraints = [models.UniqueConstraint(fields=["analysis", "year"], name="analysis_year_once")]

    def __str__(self) -> str:
        return f"{self.analysis}, year {self.year}"
