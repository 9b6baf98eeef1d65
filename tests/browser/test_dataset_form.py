"""The dataset form's little JavaScript: add a field with the button, move fields up and down, save in that order.
Blank rows stay ignored even though the script numbers the positions."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_contact_adds_and_reorders_dictionary_fields(page, login, personas, city):
    from inventory.models import Dataset
    from inventory.services.datasets import dataset_save

    dataset = dataset_save(
        by=personas["stat_analyst"],
        title="Overtime",
        description="Overtime hours.",
        department=city["police"],
        rights="Payroll data.",
        dictionary=[{"name": "employee_id", "type": "string"}, {"name": "hours", "type": "number"}],
    )
    login(page, "police_contact", next=f"/inventory/datasets/{dataset.pk}/edit/")

    page.get_by_role("button", name="Add a field").click()
    new_name = page.locator('input[name="fields-3-name"]')
    expect(new_name).to_be_focused()
    new_name.fill("pay_period")
    page.locator('select[name="fields-3-type"]').select_option("date")
    # Move the new field (fourth, after one blank row) to the top, and "hours" above "employee_id".
    rows = page.locator("[data-formset=fields] > [data-row]")
    for position in (3, 2, 1):
        rows.nth(position).locator("[data-move=up]").click()
    rows.nth(2).locator("[data-move=up]").click()
    expect(rows.nth(0).locator('input[name$="-name"]')).to_have_value("pay_period")
    expect(rows.nth(0).locator("legend")).to_contain_text("Field 1")
    expect(rows.nth(1).locator('input[name$="-name"]')).to_have_value("hours")

    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Saved “Overtime”.")
    assert [f.name for f in Dataset.objects.get(pk=dataset.pk).fields.all()] == ["pay_period", "hours", "employee_id"]
