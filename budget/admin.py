from django.contrib import admin

from .models import Analysis, AnalysisYear, BudgetLine, FiscalYear, Fund, ImportSource, Program


@admin.register(FiscalYear)
class FiscalYearAdmin(admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "status", "public"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    list_select_related = ["department"]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "program", "fund", "category", "adopted", "amended", "actual", "requested"]
    list_select_related = ["fiscal_year", "program", "fund"]
    list_filter = ["fiscal_year", "category"]


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "updated_at"]


class AnalysisYearInline(admin.TabularInline):
    model = AnalysisYear


@admin.register(Analysis)
class AnalysisAdmin(admin.ModelAdmin):
    list_display = ["title", "program", "action_item", "discount_rate"]
    inlines = [AnalysisYearInline]
