"""The import reports every problem of a row, not only the first, so a file is fixed in one pass; an unknown
department code is refused with the codes the importer may use."""

from __future__ import annotations

import pytest

from inventory.services import tabular
from team.models import Department
from tests.inventory.factories import DatasetFactory
from tests.inventory.test_tabular import IMPORT, csv_file, preview
from tests.pages import text_of

pytestmark = pytest.mark.django_db

HEADER = [
    "identifier",
    "title",
    "description",
    "department",
    "contact_email",
    "access_level",
    "rights",
    "issued",
    "published",
]
GOOD = {
    "identifier": "",
    "title": "Crime incidents",
    "description": "All crime incidents.",
    "department": "PD",
    "contact_email": "",
    "access_level": "non-public",
    "rights": "Victim details are confidential.",
    "issued": "",
    "published": "no",
}


def plan_of(users, persona: str, *rows: dict):
    parsed = [{**GOOD, **row} for row in rows]
    return tabular.import_plan(columns=HEADER, rows=parsed, by=users[persona])


def test_a_row_with_several_bad_cells_hears_of_each(city, users):
    (row,) = plan_of(
        users, "stat_analyst", {"issued": "31/12/2024", "published": "perhaps", "access_level": "secret"}
    ).rows
    assert row.action == "invalid"
    assert len(row.errors) == 3
    assert any("is not a date written YYYY-MM-DD" in error for error in row.errors)
    assert any("must be yes or no" in error for error in row.errors)
    assert any("is not an access level" in error for error in row.errors)


def test_a_bad_cell_does_not_hide_the_steward_or_the_rights_rule(city, users):
    """The steward and the rights rule were checked only once every cell was valid: now with the cells that are."""
    (row,) = plan_of(users, "stat_analyst", {"issued": "soon", "contact_email": "parks@example.gov", "rights": ""}).rows
    assert len(row.errors) == 3, row.errors
    assert any("“soon” is not a date written YYYY-MM-DD" in error for error in row.errors)
    assert "parks@example.gov is not a current department contact of Police." in row.errors
    assert any("needs a rights statement" in error for error in row.errors)


def test_the_steward_and_the_rights_rule_are_both_reported(city, users):
    (row,) = plan_of(users, "stat_analyst", {"contact_email": "stranger@example.org", "rights": ""}).rows
    assert "Nobody in the team has the email address stranger@example.org." in row.errors
    assert any("needs a rights statement" in error for error in row.errors)
    assert len(row.errors) == 2


def test_what_cannot_be_judged_without_a_bad_cell_is_not_guessed(city, users):
    """An unreadable access level says nothing of the rights rule; an unknown department nothing of the steward."""
    (level,) = plan_of(users, "stat_analyst", {"access_level": "secret", "rights": ""}).rows
    assert len(level.errors) == 1 and "is not an access level" in level.errors[0]
    (department,) = plan_of(users, "stat_analyst", {"department": "ZZ", "contact_email": "pdata@example.gov"}).rows
    assert len(department.errors) == 1 and department.errors[0].startswith("No department has the code “ZZ”.")


def test_an_unknown_department_lists_the_codes_the_importer_may_use(city, users):
    Department.objects.filter(pk=city["parks"].pk).update(active=False)
    (row,) = plan_of(users, "stat_lead", {"department": "ZZ"}).rows
    assert row.errors == ["No department has the code “ZZ”. Use one of: FD (Fire), PD (Police)."]
    (mine,) = plan_of(users, "police_contact", {"department": "ZZ"}).rows
    assert mine.errors == ["No department has the code “ZZ”. Use one of: PD (Police)."]
    (blank,) = plan_of(users, "police_contact", {"department": " "}).rows
    assert blank.errors == ["The department code is missing. Use one of: PD (Police)."]


def test_who_may_write_is_reported_with_the_rows_other_problems(city, users):
    DatasetFactory(identifier="fd-inspections", title="Inspections", department=city["fire"])
    new, existing = plan_of(
        users,
        "police_contact",
        {"department": "FD", "issued": "yesterday"},
        {"identifier": "fd-inspections", "department": "FD", "published": "maybe"},
    ).rows
    assert any("is not a date written" in error for error in new.errors)
    assert "You may not add datasets to Fire." in new.errors
    assert any("must be yes or no" in error for error in existing.errors)
    assert "You may not change fd-inspections (it belongs to Fire)." in existing.errors


def test_a_valid_row_is_still_valid(city, users):
    (row,) = plan_of(users, "police_contact", {"contact_email": "PDATA@example.gov"}).rows
    assert (row.action, row.errors) == ("new", [])
    assert row.fields["contact"] == users["police_contact"].person


def test_the_preview_lists_each_problem_and_the_import_page_the_codes(as_persona, city):
    client = as_persona("stat_analyst")
    rows = [[{**GOOD, "department": "ZZ", "issued": "soon", "published": "perhaps"}[c] for c in HEADER]]
    response = preview(client, csv_file(rows, HEADER))
    text = text_of(response)
    assert "No department has the code “ZZ”. Use one of: FD (Fire), PD (Police), PRD (Parks & Recreation)." in text
    assert "The issued date “soon” is not a date written YYYY-MM-DD." in text
    assert "Published must be yes or no, not “perhaps”." in text
    page = text_of(client.get(IMPORT))
    assert "department is the department’s short code: FD (Fire), PD (Police), PRD (Parks & Recreation)" in page
    assert "short code: PD (Police);" in text_of(as_persona("police_contact").get(IMPORT))
