"""Who may open and change a dataset's pages: the matrix of ``team.access.DATASETS``, persona by persona."""

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.pages import assert_login_redirect, client_for

from .dataset_pages import edit_data, form_data, inventory_state
from .factories import DataFieldFactory, DatasetFactory, PublicDatasetFactory

pytestmark = pytest.mark.django_db

EVERYONE = (*PERSONAS, "no_role")
SIGNED_IN_WITH_A_ROLE = [p for p in PERSONAS if p != "anonymous"]
#: Who writes a Police dataset: the Stat team anywhere, the Police contact for their own department.
POLICE_WRITERS = ("stat_lead", "stat_analyst", "police_contact")
#: Who may log a new dataset (somewhere).
CREATORS = ("stat_lead", "stat_analyst", "police_contact", "parks_contact")


@pytest.fixture
def police_dataset(city):
    dataset = DatasetFactory(department=city["police"], title="Use of force", keywords=["force"])
    DataFieldFactory(dataset=dataset, name="incident_id")
    return dataset


@pytest.fixture
def parks_dataset(city):
    return DatasetFactory(department=city["parks"], title="Park permits")


def expect(response, persona: str, *, allowed, hidden=(), path: str) -> None:
    """200 for ``allowed``, 404 for ``hidden`` (who may not even know it exists), 403 for the rest."""
    if persona == "anonymous":
        assert_login_redirect(response, path)
    elif persona in allowed:
        assert response.status_code == 200, response.status_code
    elif persona in hidden:
        assert response.status_code == 404, response.status_code
    else:
        assert response.status_code == 403, response.status_code


# --- reading -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["inventory:dataset", "inventory:dataset_history"])
@pytest.mark.parametrize("persona", EVERYONE)
def test_a_police_dataset_is_read_by_everyone_in_the_program(persona, page, as_persona, police_dataset):
    path = reverse(page, args=[police_dataset.pk])
    response = client_for(persona, as_persona).get(path)
    expect(response, persona, allowed=SIGNED_IN_WITH_A_ROLE, hidden=("no_role",), path=path)


@pytest.mark.parametrize("page", ["inventory:dataset", "inventory:dataset_history"])
@pytest.mark.parametrize("persona", EVERYONE)
def test_a_parks_dataset_is_hidden_from_police_lead_and_public_safety_budget_analyst(
    persona, page, as_persona, parks_dataset
):
    path = reverse(page, args=[parks_dataset.pk])
    hidden = ("police_lead", "budget_analyst", "no_role")
    allowed = [p for p in SIGNED_IN_WITH_A_ROLE if p not in hidden]
    expect(client_for(persona, as_persona).get(path), persona, allowed=allowed, hidden=hidden, path=path)


def test_a_public_dataset_is_read_by_someone_with_no_role(as_persona, city):
    dataset = PublicDatasetFactory(department=city["parks"])
    assert client_for("no_role", as_persona).get(dataset.get_absolute_url()).status_code == 200


def test_unknown_dataset_is_404(as_persona):
    client = as_persona("stat_lead")
    for path in (
        "/inventory/datasets/999999/",
        "/inventory/datasets/999999/edit/",
        "/inventory/datasets/999999/history/",
    ):
        assert client.get(path).status_code == 404
    assert client.post("/inventory/datasets/999999/history/1/restore/").status_code == 404


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_writers_see_the_edit_button(persona, as_persona, police_dataset):
    response = client_for(persona, as_persona).get(police_dataset.get_absolute_url())
    if response.status_code != 200:
        return
    edit = reverse("inventory:dataset_edit", args=[police_dataset.pk]).encode()
    assert (edit in response.content) == (persona in POLICE_WRITERS)


# --- writing -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_add_form_is_for_the_stat_team_and_department_contacts(persona, as_persona):
    path = reverse("inventory:dataset_create")
    expect(client_for(persona, as_persona).get(path), persona, allowed=CREATORS, path=path)


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_edit_form_is_for_writers_of_that_dataset(persona, as_persona, police_dataset):
    path = reverse("inventory:dataset_edit", args=[police_dataset.pk])
    response = client_for(persona, as_persona).get(path)
    expect(response, persona, allowed=POLICE_WRITERS, hidden=("no_role",), path=path)


@pytest.mark.parametrize("persona", [p for p in EVERYONE if p not in CREATORS])
def test_refused_create_writes_nothing(persona, as_persona, city):
    before = inventory_state()
    response = client_for(persona, as_persona).post(
        reverse("inventory:dataset_create"), form_data(city["police"], fields=[{"name": "a", "type": "string"}])
    )
    assert response.status_code in (302, 403)
    assert inventory_state() == before


@pytest.mark.parametrize("persona", [p for p in EVERYONE if p not in POLICE_WRITERS])
def test_refused_edit_writes_nothing(persona, as_persona, police_dataset):
    data = edit_data(police_dataset, title="Taken over", fields=[{"name": "x", "type": "string"}])
    before = inventory_state()
    response = client_for(persona, as_persona).post(reverse("inventory:dataset_edit", args=[police_dataset.pk]), data)
    assert response.status_code in (302, 403, 404)
    assert inventory_state() == before


@pytest.mark.parametrize("persona", EVERYONE)
def test_restore_is_for_writers(persona, as_persona, users, police_dataset):
    from inventory.services.datasets import dataset_update

    first = police_dataset.history.order_by("history_id").first()
    dataset_update(dataset=police_dataset, title="Changed", by=users["stat_lead"])
    path = reverse("inventory:dataset_restore", args=[police_dataset.pk, first.history_id])
    before = inventory_state()
    response = client_for(persona, as_persona).post(path)
    if persona == "anonymous":
        assert_login_redirect(response, path)
    elif persona in POLICE_WRITERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("inventory:dataset_history", args=[police_dataset.pk])
        police_dataset.refresh_from_db()
        assert police_dataset.title == "Use of force"
        return
    else:
        assert response.status_code == (404 if persona == "no_role" else 403)
    assert inventory_state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/inventory/datasets/add/",
        "/inventory/datasets/{pk}/",
        "/inventory/datasets/{pk}/edit/",
        "/inventory/datasets/{pk}/history/",
    ],
)
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_wrong_methods_are_refused(as_persona, police_dataset, path, method):
    path = path.format(pk=police_dataset.pk)
    before = inventory_state()
    assert getattr(as_persona("stat_lead"), method)(path).status_code == 405
    assert inventory_state() == before


def test_pages_refuse_post_and_restore_refuses_get(as_persona, police_dataset):
    client = as_persona("stat_lead")
    before = inventory_state()
    assert client.post(police_dataset.get_absolute_url()).status_code == 405
    assert client.post(reverse("inventory:dataset_history", args=[police_dataset.pk])).status_code == 405
    version = police_dataset.history.first()
    assert (
        client.get(reverse("inventory:dataset_restore", args=[police_dataset.pk, version.history_id])).status_code
        == 405
    )
    assert inventory_state() == before
