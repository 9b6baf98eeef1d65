"""The budget data pages through axe-core (bdata): the import (upload, with errors, the mapping, the preview, the
result), the fiscal years (with a form error), a program with its measure links."""

from __future__ import annotations

import pytest

from tests.budget.axe_data_pages import budget_data, confirm, map_columns, upload_file

from .axe import assert_accessible

pytestmark = pytest.mark.browser


def test_import_pages(page, open_as, personas, city, tmp_path):
    budget_data(city)
    response = open_as(page, "budget_analyst", "/budget/import/")
    assert response.status == 200
    assert_accessible(page)
    page.click("button:has-text('Next: match the columns')")  # nothing filled in: the errors
    page.wait_for_selector(".usa-error-message, .usa-alert--error")
    assert_accessible(page)
    upload_file(page, tmp_path)
    assert_accessible(page)
    map_columns(page)
    assert page.locator("text=not your portfolio").count() >= 1
    assert_accessible(page)
    confirm(page)
    assert_accessible(page)


def test_fiscal_years_page(page, open_as, personas, city):
    budget_data(city)
    response = open_as(page, "stat_lead", "/budget/fiscal-years/")
    assert response.status == 200
    assert_accessible(page)
    page.fill("#id_year", "2027")
    page.click("button:has-text('Add the fiscal year')")
    page.wait_for_selector(".usa-error-message, .usa-alert--error")
    assert_accessible(page)


def test_program_page(page, open_as, personas, city):
    program = budget_data(city)["program"]
    response = open_as(page, "budget_analyst", f"/budget/programs/{program.pk}/")
    assert response.status == 200
    assert_accessible(page)
