"""Bulk actions on the inventory list: the Stat team changes the status of, or assigns a steward to, the datasets
they select, in one go; a steward who is not a contact of a dataset's department is refused for that dataset."""

import pytest
from django.urls import reverse

from inventory.models import Dataset, Status
from inventory.services.bulk import datasets_bulk_update
from team.models import Person
from tests.conftest import PERSONAS
from tests.inventory.factories import DatasetFactory
from tests.pages import assert_login_redirect, client_for

pytestmark = pytest.mark.django_db

URL = "/inventory/bulk/"


@pytest.fixture
def datasets(city):
    return {
        "dispatch": DatasetFactory(title="Dispatch calls", department=city["police"], status=Status.IDENTIFIED),
        "arrests": DatasetFactory(title="Arrests", department=city["police"], status=Status.IDENTIFIED),
        "permits": DatasetFactory(title="Park permits", department=city["parks"], status=Status.IDENTIFIED),
    }


def person(users, persona) -> Person:
    return Person.objects.get(user=users[persona])


def state() -> list:
    return list(Dataset.objects.order_by("pk").values("pk", "status", "contact_id", "updated_at"))


def flash(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("persona", ["stat_lead", "stat_analyst"])
def test_the_stat_team_changes_the_status_of_the_selected_datasets(datasets, as_persona, users, persona):
    client = as_persona(persona)
    picked = [datasets["dispatch"].pk, datasets["permits"].pk]
    response = client.post(
        URL, {"dataset": picked, "status": Status.DOCUMENTED, "contact": "", "query": "department=police&page=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/inventory/?department=police&page=1"
    assert set(Dataset.objects.filter(status=Status.DOCUMENTED).values_list("title", flat=True)) == {
        "Dispatch calls",
        "Park permits",
    }
    assert Dataset.objects.get(pk=datasets["arrests"].pk).status == Status.IDENTIFIED
    # The history records who changed it, and why.
    latest = Dataset.history.filter(id=datasets["dispatch"].pk).latest("history_date")
    assert latest.history_user == users[persona]
    assert latest.history_change_reason == "Bulk update"
    page = client.get(response["Location"])
    assert flash(page) == ["Changed 2 datasets: Dispatch calls; Park permits."]


def test_assigning_a_steward_refuses_datasets_of_other_departments(datasets, as_persona, users):
    steward = person(users, "police_contact")
    response = as_persona("stat_analyst").post(
        URL, {"dataset": [d.pk for d in datasets.values()], "contact": steward.pk}, follow=True
    )
    assert set(Dataset.objects.filter(contact=steward).values_list("title", flat=True)) == {"Arrests", "Dispatch calls"}
    assert Dataset.objects.get(pk=datasets["permits"].pk).contact is None
    assert flash(response) == [
        "Changed 2 datasets: Arrests; Dispatch calls.",
        "Could not change 1 dataset. Park permits: Dana Data is not a department contact of Parks & Recreation.",
    ]


def test_status_and_steward_together(datasets, as_persona, users):
    steward = person(users, "parks_contact")
    as_persona("stat_lead").post(
        URL, {"dataset": [datasets["permits"].pk], "status": Status.RETIRED, "contact": steward.pk}
    )
    permits = Dataset.objects.get(pk=datasets["permits"].pk)
    assert (permits.status, permits.contact) == (Status.RETIRED, steward)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": Status.DOCUMENTED}, "Nothing changed: Select at least one dataset."),
        ({"dataset": ["1"]}, "Nothing changed: Choose a new status or a new steward for the selected datasets."),
        ({"dataset": ["1"], "status": "lost"}, "Nothing changed: Select a valid choice. lost is not one of the"),
        ({"dataset": ["x"], "status": Status.DOCUMENTED}, "Nothing changed: Select a valid choice."),
    ],
)
def test_incomplete_requests_change_nothing_and_say_why(datasets, as_persona, data, message):
    before = state()
    response = as_persona("stat_lead").post(URL, data, follow=True)
    assert response.status_code == 200
    assert any(text.startswith(message) for text in flash(response)), flash(response)
    assert state() == before


def test_a_dataset_deleted_meanwhile_is_reported(datasets, as_persona):
    response = as_persona("stat_lead").post(
        URL, {"dataset": [datasets["dispatch"].pk, 999_999], "status": Status.DOCUMENTED}, follow=True
    )
    assert flash(response) == ["Changed 1 dataset: Dispatch calls.", "1 of the selected datasets no longer exists."]


@pytest.mark.parametrize(
    "persona",
    [p for p in PERSONAS if p not in ("stat_lead", "stat_analyst", "anonymous")] + ["no_role"],
)
def test_everyone_else_is_refused_and_nothing_changes(datasets, as_persona, users, persona):
    before = state()
    response = client_for(persona, as_persona).post(
        URL, {"dataset": [datasets["dispatch"].pk], "status": Status.RETIRED}
    )
    assert response.status_code == 403
    assert state() == before


def test_anonymous_visitors_are_sent_to_sign_in(datasets, as_persona):
    before = state()
    assert_login_redirect(as_persona("anonymous").post(URL, {"dataset": [1], "status": Status.RETIRED}), URL)
    assert state() == before


def test_bulk_takes_only_post(as_persona, city):
    assert as_persona("stat_lead").get(URL).status_code == 405


def test_the_list_links_to_the_bulk_form(datasets, as_persona):
    html = as_persona("stat_lead").get(reverse("inventory:list")).content.decode()
    assert f'action="{URL}"' in html


# --- the service ----------------------------------------------------------------------------------------------------


def test_service_needs_something_to_do(datasets, users):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        datasets_bulk_update(datasets=list(datasets.values()), by=users["stat_lead"])
    with pytest.raises(ValidationError):
        datasets_bulk_update(datasets=list(datasets.values()), by=users["stat_lead"], status="lost")


def test_service_reports_a_dataset_that_fails_validation_and_changes_the_others(datasets, users):
    # A dataset whose stored metadata no longer validates (its steward lost the role) is refused with the reason.
    stale = DatasetFactory(title="Stale", department=datasets["dispatch"].department)
    Dataset.objects.filter(pk=stale.pk).update(contact=person(users, "parks_contact"))
    stale.refresh_from_db()
    result = datasets_bulk_update(
        datasets=[datasets["dispatch"], stale], by=users["stat_lead"], status=Status.DOCUMENTED
    )
    assert [d.title for d in result.changed] == ["Dispatch calls"]
    assert [(d.title, "steward" in reason) for d, reason in result.refused] == [("Stale", True)]
    assert Dataset.objects.get(pk=stale.pk).status == stale.status
