"""The steward list follows the department: the dataset form offers the contacts of the department chosen, the
endpoint the department select fetches through htmx gives that list for another department (for whoever may log
or edit the dataset, no one else), and the form refuses a steward of another department and shows the right list
again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inventory.models import Dataset
from team.models import Person, Role
from tests.conftest import PERSONAS
from tests.factories import RoleAssignmentFactory, person_with_login
from tests.inventory.factories import DatasetFactory
from tests.pages import client_for, parse, text_of

pytestmark = pytest.mark.django_db

EVERYONE = [*PERSONAS, "no_role"]
STEWARDS = reverse("inventory:dataset_stewards")
ADD = reverse("inventory:dataset_create")
LOGIN = reverse("login")
#: Who may log a dataset (in some department): the Stat lead and analysts, and department contacts.
CREATORS = ("stat_lead", "stat_analyst", "police_contact", "parks_contact")


@pytest.fixture
def fire_contact(city):
    """A second department's contact, so a list that followed no department would show both."""
    return Person.objects.get(
        user=person_with_login(
            Role.DEPARTMENT_CONTACT, username="fire@example.gov", department=city["fire"], full_name="Fay Firewatch"
        )
    )


def options(response, select_id: str = "id_contact") -> list[str]:
    """The option labels of a select on the page (an optgroup's label first, in brackets)."""
    select = parse(response).find("select", id=select_id)
    assert select is not None, f"no select #{select_id}"
    labels = []
    for node in select.iter():
        if node.tag == "optgroup":
            labels.append(f"[{node.attrs['label']}]")
        elif node.tag == "option":
            labels.append(node.text)
    return labels


def dataset_post(department, **overrides) -> dict:
    data = {
        "title": "Overtime",
        "description": "Overtime hours.",
        "department": str(department.pk),
        "contact": "",
        "access_level": "public",
        "status": "identified",
        "accrual_periodicity": "irregular",
        "distributions-TOTAL_FORMS": "0",
        "distributions-INITIAL_FORMS": "0",
        "fields-TOTAL_FORMS": "0",
        "fields-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


# --- the endpoint, per role -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_steward_list_of_a_department_for_a_new_dataset(persona, as_persona, city, users, fire_contact):
    """Those who log datasets get the list of a department they may log one in; anyone else a 403."""
    path = f"{STEWARDS}?department={city['police'].pk}"
    response = client_for(persona, as_persona).get(path)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next={STEWARDS}")
        return
    if persona == "parks_contact":
        assert response.status_code == 404  # Police is not a department they may keep datasets in
    elif persona in CREATORS:
        assert response.status_code == 200
        assert options(response) == ["- No steward yet -", users["police_contact"].person.full_name]
        assert "Police’s department contacts" in text_of(response)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_steward_list_for_an_existing_dataset(persona, as_persona, city, users):
    """For a dataset's own form: its writers only (a reader gets 403, someone who may not read it 404)."""
    dataset = DatasetFactory(identifier="pd-overtime", department=city["police"])
    path = f"{STEWARDS}?dataset={dataset.pk}&department={city['police'].pk}"
    response = client_for(persona, as_persona).get(path)
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next={STEWARDS}")
    elif persona in ("stat_lead", "stat_analyst", "police_contact"):
        assert response.status_code == 200
        assert options(response) == ["- No steward yet -", users["police_contact"].person.full_name]
    elif persona in ("police_lead", "budget_analyst", "no_role"):
        # The department lead and the portfolio's budget analyst read it; a login with no role does not.
        assert response.status_code == (404 if persona == "no_role" else 403)
    else:
        assert response.status_code == 403  # they read every dataset, and may change none of Police's


def test_a_department_contact_never_lists_another_departments_stewards(as_persona, city, fire_contact):
    """Not for a new dataset (not one of their departments), nor to move one of theirs (they never move one)."""
    dataset = DatasetFactory(identifier="pd-overtime", department=city["police"])
    client = as_persona("police_contact")
    assert client.get(f"{STEWARDS}?department={city['fire'].pk}").status_code == 404
    assert client.get(f"{STEWARDS}?dataset={dataset.pk}&department={city['fire'].pk}").status_code == 404
    assert client.get(f"{STEWARDS}?department=police").status_code == 404
    assert client.get(f"{STEWARDS}?dataset=x&department={city['police'].pk}").status_code == 404


def test_the_stat_team_lists_any_departments_and_every_one_while_none_is_chosen(as_persona, city, users, fire_contact):
    client = as_persona("stat_analyst")
    response = client.get(f"{STEWARDS}?department={city['fire'].pk}")
    assert options(response) == ["- No steward yet -", "Fay Firewatch"]
    assert "Fire’s department contacts" in text_of(response)
    everyone = options(client.get(f"{STEWARDS}?department="))
    assert everyone == [
        "- No steward yet -",
        "[Fire]",
        "Fay Firewatch",
        "[Parks & Recreation]",
        users["parks_contact"].person.full_name,
        "[Police]",
        users["police_contact"].person.full_name,
    ]


def test_the_steward_chosen_stays_chosen_when_the_new_department_has_them(as_persona, city, users, fire_contact):
    """A person who is a contact of both departments stays selected; one who is not is dropped."""
    both = users["police_contact"].person
    RoleAssignmentFactory(person=both, role=Role.DEPARTMENT_CONTACT, department=city["fire"])
    client = as_persona("stat_lead")
    kept = parse(client.get(f"{STEWARDS}?department={city['fire'].pk}&contact={both.pk}"))
    assert kept.find("option", value=str(both.pk)).attrs.get("selected") is not None
    dropped = parse(client.get(f"{STEWARDS}?department={city['parks'].pk}&contact={both.pk}"))
    assert dropped.find("option", value=str(both.pk)) is None


def test_a_department_without_contacts_says_so(as_persona, city):
    response = as_persona("stat_lead").get(f"{STEWARDS}?department={city['fire'].pk}")
    assert options(response) == ["- No steward yet -"]
    assert "Fire has no department contact yet" in text_of(response)


def test_the_endpoint_only_reads(as_persona, city):
    client = as_persona("stat_lead")
    path = f"{STEWARDS}?department={city['police'].pk}"
    assert client.post(path).status_code == 405
    assert client.put(path).status_code == 405
    assert not Dataset.objects.exists()


# --- the form ----------------------------------------------------------------------------------------------------


def test_the_form_lists_the_chosen_departments_contacts_and_asks_for_the_list_on_change(
    as_persona, city, users, fire_contact
):
    client = as_persona("stat_analyst")
    page = parse(client.get(f"{ADD}?department={city['police'].pk}"))
    department = page.find("select", id="id_department")
    assert department.attrs["hx-get"] == STEWARDS
    assert department.attrs["hx-target"] == "#id_contact_group"
    assert options(client.get(f"{ADD}?department={city['police'].pk}")) == [
        "- No steward yet -",
        users["police_contact"].person.full_name,
    ]
    # No department chosen yet: every department's contacts, grouped, so the form works without JavaScript.
    assert "[Fire]" in options(client.get(ADD))


def test_an_existing_datasets_form_lists_its_departments_contacts(as_persona, city, users, fire_contact):
    dataset = DatasetFactory(identifier="pd-overtime", department=city["police"])
    response = as_persona("stat_lead").get(reverse("inventory:dataset_edit", args=[dataset.pk]))
    assert options(response) == ["- No steward yet -", users["police_contact"].person.full_name]
    hx_get = parse(response).find("select", id="id_department").attrs["hx-get"]
    assert hx_get == f"{STEWARDS}?dataset={dataset.pk}"


def test_a_steward_of_another_department_is_refused_and_the_list_follows_the_department(
    as_persona, city, users, fire_contact
):
    """Without JavaScript the list does not change with the select: the server refuses the mismatch, and the form
    comes back with the list of the department posted."""
    client = as_persona("stat_analyst")
    response = client.post(ADD, dataset_post(city["fire"], contact=str(users["police_contact"].person.pk)))
    assert response.status_code == 200
    assert "The steward must be a current department contact of the owner department." in text_of(response)
    assert options(response) == ["- No steward yet -", "Fay Firewatch"]
    assert not Dataset.objects.exists()
    saved = client.post(ADD, dataset_post(city["fire"], contact=str(fire_contact.pk)))
    assert saved.status_code == 302
    assert Dataset.objects.get().contact == fire_contact
