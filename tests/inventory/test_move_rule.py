"""Only the Stat lead and analysts move a dataset to another department, whichever way they try: the web form, the
API (PUT and PATCH), a CSV import, restoring an old version, a harvest, or the services themselves. A department
contact of two departments, who may write datasets in both, may not move one from the first to the second."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from inventory.models import Dataset
from inventory.services import tabular
from inventory.services.datajson import datajson_import
from inventory.services.datasets import dataset_create, dataset_save, dataset_update
from inventory.services.restore import dataset_restore
from team.models import Role
from tests.factories import RoleAssignmentFactory
from tests.pages import parse, text_of

from .dataset_pages import edit_data, inventory_state
from .test_datajson_import import catalog, record
from .test_tabular import confirm, csv_file, good_row, preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(city, users):
    """The Police contact is a contact of Fire too: they write both departments' datasets."""
    RoleAssignmentFactory(person=users["police_contact"].person, role=Role.DEPARTMENT_CONTACT, department=city["fire"])
    return users["police_contact"]


@pytest.fixture
def dataset(city, users):
    return dataset_create(
        by=users["stat_analyst"],
        identifier="pd-stops",
        title="Traffic stops",
        description="Every stop.",
        department=city["police"],
        rights="Holds names.",
    )


def department_of(dataset) -> str:
    return Dataset.objects.get(pk=dataset.pk).department.slug


# --- they write both departments, and may still log, edit and keep datasets in each -----------------------------------


def test_the_contact_of_two_departments_writes_both(both, city, dataset):
    fire = dataset_create(by=both, title="Inspections", description="x", department=city["fire"], rights="x")
    dataset_update(dataset=fire, by=both, title="Fire inspections")
    dataset_update(dataset=dataset, by=both, title="Stops", department=city["police"])  # its own department: no move
    assert (department_of(fire), department_of(dataset)) == ("fire", "police")


# --- the services -----------------------------------------------------------------------------------------------------


def test_the_services_refuse_the_move(both, city, dataset):
    before = inventory_state()
    with pytest.raises(PermissionDenied, match="Only the Stat lead and analysts move"):
        dataset_update(dataset=dataset, by=both, department=city["fire"])
    with pytest.raises(PermissionDenied):
        dataset_save(dataset=dataset, by=both, department=city["fire"], distributions=[], dictionary=[])
    assert inventory_state() == before


@pytest.mark.parametrize("persona", ["stat_lead", "stat_analyst"])
def test_the_stat_team_moves_through_the_service(persona, users, city, dataset):
    dataset_update(dataset=dataset, by=users[persona], department=city["fire"])
    assert department_of(dataset) == "fire"


def test_the_system_moves_too(city, dataset):
    dataset_update(dataset=dataset, by=None, department=city["fire"])
    assert department_of(dataset) == "fire"


# --- the web form -----------------------------------------------------------------------------------------------------


def test_the_form_offers_the_contact_only_the_datasets_own_department(both, as_persona, city, dataset):
    client = as_persona("police_contact")
    page = parse(client.get(reverse("inventory:dataset_edit", args=[dataset.pk])))
    options = [option.attrs.get("value") for option in page.find("select", id="id_department").find_all("option")]
    assert str(city["police"].pk) in options and str(city["fire"].pk) not in options
    # A new dataset may go to either of their departments.
    page = parse(client.get(reverse("inventory:dataset_create")))
    options = [option.attrs.get("value") for option in page.find("select", id="id_department").find_all("option")]
    assert {str(city["police"].pk), str(city["fire"].pk)} <= set(options)


def test_the_form_refuses_the_move(both, as_persona, city, dataset):
    before = inventory_state()
    response = as_persona("police_contact").post(
        reverse("inventory:dataset_edit", args=[dataset.pk]), edit_data(dataset, department=str(city["fire"].pk))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text_of(response)
    assert inventory_state() == before


def test_the_form_moves_for_the_stat_team(as_persona, city, dataset):
    response = as_persona("stat_analyst").post(
        reverse("inventory:dataset_edit", args=[dataset.pk]), edit_data(dataset, department=str(city["fire"].pk))
    )
    assert response.status_code == 302
    assert department_of(dataset) == "fire"


# --- the API ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_api_refuses_the_move(both, as_persona, dataset, method):
    before = inventory_state()
    body = {"department": "fire"}
    if method == "put":
        body.update(title=dataset.title, description=dataset.description)
    url = reverse("inventory:dataset-detail", kwargs={"identifier": dataset.identifier})
    response = getattr(as_persona("police_contact"), method)(url, body, content_type="application/json")
    assert response.status_code == 403
    assert inventory_state() == before


@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_api_moves_for_the_stat_team(as_persona, dataset, method):
    body = {"department": "fire"}
    if method == "put":
        body.update(title=dataset.title, description=dataset.description)
    url = reverse("inventory:dataset-detail", kwargs={"identifier": dataset.identifier})
    response = getattr(as_persona("stat_lead"), method)(url, body, content_type="application/json")
    assert response.status_code == 200
    assert department_of(dataset) == "fire"


# --- a CSV import -----------------------------------------------------------------------------------------------------


def test_an_import_row_may_not_move_a_dataset(both, as_persona, dataset):
    """The row names a Police dataset by its identifier and gives it to Fire: invalid in the preview, skipped when
    confirmed."""
    client = as_persona("police_contact")
    response = preview(client, csv_file([good_row("Traffic stops", code="FD", identifier="pd-stops")]))
    (row,) = response.context["plan"]["rows"]
    assert row["action"] == "invalid" and "You may not move a dataset to another department." in row["errors"]
    done = confirm(client)
    assert "You may not move a dataset to another department." in text_of(done)
    assert department_of(dataset) == "police"


def test_the_import_service_refuses_the_move_even_when_planned_by_someone_else(both, users, dataset):
    """Planned with the Stat analyst's rights, the rows are written with the contact's: the service refuses."""
    columns, rows = tabular.read_table(csv_file([good_row("Traffic stops", code="FD", identifier="pd-stops")]))
    plan = tabular.import_plan(columns=columns, rows=rows, by=users["stat_analyst"])
    assert [row.action for row in plan.rows] == ["changed"]
    result = tabular.datasets_import(columns=columns, rows=rows, by=both)
    assert [row.errors for row in result.skipped] == [["You may not move a dataset to another department."]]
    assert department_of(dataset) == "police"


def test_an_import_moves_for_the_stat_team(as_persona, dataset):
    client = as_persona("stat_analyst")
    preview(client, csv_file([good_row("Traffic stops", code="FD", identifier="pd-stops")]))
    confirm(client)
    assert department_of(dataset) == "fire"


# --- restoring a version that sat in another department ---------------------------------------------------------------


@pytest.fixture
def was_fires(users, city, dataset):
    """The dataset was Fire's once (the Stat analyst moved it back to Police since): its first version is Fire's."""
    dataset_update(dataset=dataset, by=users["stat_analyst"], department=city["fire"], title="Stops, Fire")
    fire_version = dataset.history.order_by("-history_id").first()
    dataset_update(dataset=dataset, by=users["stat_analyst"], department=city["police"], title="Stops, Police")
    return fire_version


def test_restoring_a_version_of_another_department_is_refused(both, as_persona, dataset, was_fires):
    client = as_persona("police_contact")
    history = parse(client.get(reverse("inventory:dataset_history", args=[dataset.pk])))
    restore_forms = [form.attrs["action"] for form in history.find_all("form")]
    assert reverse("inventory:dataset_restore", args=[dataset.pk, was_fires.history_id]) not in restore_forms
    assert restore_forms, "the versions that stayed in Police may still be restored"
    before = inventory_state()
    response = client.post(reverse("inventory:dataset_restore", args=[dataset.pk, was_fires.history_id]))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        dataset_restore(dataset=dataset, history_id=was_fires.history_id, by=both)
    assert inventory_state() == before


def test_the_stat_team_restores_a_version_of_another_department(as_persona, dataset, was_fires):
    response = as_persona("stat_lead").post(
        reverse("inventory:dataset_restore", args=[dataset.pk, was_fires.history_id])
    )
    assert response.status_code == 302
    assert department_of(dataset) == "fire"


# --- a harvest --------------------------------------------------------------------------------------------------------


def test_a_harvest_that_would_move_a_dataset_is_the_stat_teams(both, users, as_persona, city, dataset):
    """A harvest updates an existing dataset by its identifier and gives it to the department its publisher maps to:
    the contact may not harvest at all; the Stat analyst's harvest moves it."""
    moving = catalog(record("pd-stops", publisher="Fire"))
    before = inventory_state()
    with pytest.raises(PermissionDenied):
        datajson_import(catalog=moving, by=both)
    assert as_persona("police_contact").get(reverse("inventory:harvest")).status_code == 403
    assert inventory_state() == before
    report = datajson_import(catalog=moving, by=users["stat_analyst"])
    assert len(report.updated) == 1 and not report.invalid
    assert department_of(dataset) == "fire"
