"""The budget data pages for the axe browser test (tests/browser/test_axe_budget_data.py): their data, made on
demand and committed so the live server sees it, and the steps that drive the import to each of its pages."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from .data_support import MAPPING, csv_bytes


def budget_data(city) -> dict:
    """FY2027 (adopted, public) and FY2028 (open), Police's Patrol program with a line, a monthly actual and a
    linked measure; idempotent."""
    from budget.models import Program
    from budget.services import data
    from goals.models import Measure
    from tests.goals.factories import MeasureFactory

    program = Program.objects.filter(code="PATROL").first()
    if program is None:
        fy = data.fiscal_year_create(year=2027, by=None)
        data.fiscal_year_create(year=2028, by=None)
        fund = data.fund_save(code="100", name="General Fund", by=None)
        program = data.program_save(department=city["police"], code="PATROL", name="Patrol", by=None)
        line = data.line_save(fiscal_year=fy, fund=fund, program=program, category="personnel",
                              adopted=Decimal("1000000"), actual=Decimal("250000"), by=None)  # fmt: skip
        import datetime

        data.monthly_actual_save(line=line, month=datetime.date(2026, 8, 1), amount=Decimal("80000"), by=None)
        data.fiscal_year_set_status(fiscal_year=fy, status="adopted", by=None)
        data.fiscal_year_set_public(fiscal_year=fy, public=True, by=None)
        linked = MeasureFactory(department=city["police"], slug="axe-response", name="Response time")
        MeasureFactory(goal=linked.goal, department=city["police"], slug="axe-clearance", name="Clearance rate")
        data.program_link_measure(program=program, measure=Measure.objects.get(slug="axe-response"), by=None)
    return {"program": program}


def upload_file(page, tmp: Path) -> None:
    """From the import page: name a source, pick the file, go on to the mapping."""
    path = tmp / "export.csv"
    path.write_bytes(csv_bytes())
    page.fill("#id_new_source", "Munis")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('Next: match the columns')")
    page.wait_for_selector("h1:has-text('Match the columns')")


def map_columns(page) -> None:
    for name, column in MAPPING.items():
        page.select_option(f"#id_{name}", column)
    page.click("button:has-text('Preview the import')")
    page.wait_for_selector("h1:has-text('Preview of the budget import')")


def confirm(page) -> None:
    page.click("button:has-text('Import '):not(:has-text('another'))")
    page.wait_for_selector("h1:has-text('Budget import finished')")
