"""The datasets API: who reads which datasets, filters, search and pagination, and creating and updating datasets
with the same permissions as the forms."""

import pytest
from django.urls import reverse

from inventory.models import AccessLevel, Dataset, Status, Theme
from team.models import Person
from tests.conftest import PERSONAS
from tests.inventory.factories import (
    DataFieldFactory,
    DatasetFactory,
    DistributionFactory,
    InitiativeFactory,
    PublicDatasetFactory,
)
from tests.pages import client_for

pytestmark = pytest.mark.django_db

LIST = "/api/datasets/"
EVERYTHING = ["Crashes", "Dispatch calls", "Fire inspections", "Overtime", "Park permits", "Playgrounds"]
READ_ALL = ("principal", "stat_lead", "stat_analyst", "police_contact", "parks_contact", "data_expert")
WRITE_ANYWHERE = ("stat_lead", "stat_analyst")


def detail(identifier: str) -> str:
    return reverse("inventory:dataset-detail", kwargs={"identifier": identifier})


@pytest.fixture
def catalogue(city, users):
    police, fire, parks = city["police"], city["fire"], city["parks"]
    steward = Person.objects.get(user=users["police_contact"])
    crashes = PublicDatasetFactory(
        identifier="pd-crashes",
        title="Crashes",
        description="Traffic collisions by intersection.",
        department=police,
        contact=steward,
        keywords=["traffic"],
        themes=["Public Safety"],
        source_system="Records management system",
    )
    DistributionFactory(dataset=crashes, download_url="https://data.example.gov/crashes.csv")
    DataFieldFactory(dataset=crashes, name="crash_date", type="date", required=True)
    return {
        "crashes": crashes,
        "dispatch": DatasetFactory(
            identifier="pd-dispatch",
            title="Dispatch calls",
            department=police,
            initiatives=[InitiativeFactory(name="CompStat", slug="compstat")],
        ),
        "overtime": DatasetFactory(
            identifier="pd-overtime",
            title="Overtime",
            department=police,
            access_level=AccessLevel.PUBLIC,
            rights="",
            published=False,
        ),
        "inspections": DatasetFactory(identifier="fd-inspections", title="Fire inspections", department=fire),
        "permits": DatasetFactory(identifier="prd-permits", title="Park permits", department=parks),
        "playgrounds": PublicDatasetFactory(identifier="prd-playgrounds", title="Playgrounds", department=parks),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


# --- reading --------------------------------------------------------------------------------------------------------

VISIBLE = {
    **dict.fromkeys(READ_ALL, EVERYTHING),
    "police_lead": ["Crashes", "Dispatch calls", "Overtime", "Playgrounds"],
    "budget_analyst": ["Crashes", "Dispatch calls", "Fire inspections", "Overtime", "Playgrounds"],
    "anonymous": ["Crashes", "Playgrounds"],
    "no_role": ["Crashes", "Playgrounds"],
}


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_each_persona_lists_what_they_may_read(catalogue, as_persona, persona):
    assert titles(client_for(persona, as_persona).get(LIST)) == VISIBLE[persona]


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
@pytest.mark.parametrize("name", ["crashes", "dispatch", "overtime", "inspections", "permits"])
def test_detail_is_404_unless_readable(catalogue, as_persona, persona, name):
    dataset = catalogue[name]
    response = client_for(persona, as_persona).get(detail(dataset.identifier))
    assert response.status_code == (200 if dataset.title in VISIBLE[persona] else 404)


def test_detail_nests_distributions_and_dictionary(catalogue, as_persona):
    data = as_persona("stat_lead").get(detail("pd-crashes")).json()
    assert data["identifier"] == "pd-crashes"
    assert data["department"] == {"slug": "police", "name": "Police", "code": "PD", "active": True}
    assert data["contact"]["full_name"] == "Dana Data"
    assert set(data["contact"]) == {"id", "full_name"}  # never an email or phone
    assert data["keywords"] == ["traffic"] and data["themes"] == ["Public Safety"]
    assert data["distributions"][0]["download_url"] == "https://data.example.gov/crashes.csv"
    assert data["dictionary"][0]["name"] == "crash_date" and data["dictionary"][0]["required"] is True
    assert data["source_system"] == "Records management system"
    assert data["priority_score"] == 0


def test_the_dictionary_says_which_columns_are_personal(catalogue, as_persona):
    crashes = catalogue["crashes"]
    DataFieldFactory(dataset=crashes, name="driver_name", sensitive=True)
    dictionary = as_persona("stat_lead").get(detail("pd-crashes")).json()["dictionary"]
    assert {(row["name"], row["sensitive"]) for row in dictionary} == {("crash_date", False), ("driver_name", True)}


@pytest.mark.parametrize("persona", ["stat_lead", "anonymous"])
def test_a_list_row_is_the_detail_without_distributions_and_dictionary(catalogue, as_persona, persona):
    client = as_persona(persona)
    catalogue["crashes"].themes.add(*Theme.objects.bulk_create([Theme(name="Transportation"), Theme(name="Aviation")]))
    (row,) = [r for r in client.get(LIST).json()["results"] if r["identifier"] == "pd-crashes"]
    full = client.get(row["url"]).json()
    assert row["url"].endswith(detail("pd-crashes"))
    assert full["themes"] == ["Aviation", "Public Safety", "Transportation"]
    assert {k: v for k, v in row.items() if k != "url"} == {
        k: v for k, v in full.items() if k not in ("distributions", "dictionary")
    }


def test_anonymous_visitors_do_not_get_internal_fields(catalogue, as_persona):
    data = as_persona("anonymous").get(detail("pd-crashes")).json()
    for name in ("source_system", "privacy_notes", "sensitive", "priority_score"):
        assert name not in data
    assert "@" not in str(data)


INTERNAL = ("source_system", "privacy_notes", "sensitive", "critical_to_decisions", "priority_score")


@pytest.mark.parametrize("persona", [*PERSONAS, "no_role"])
def test_internal_fields_follow_the_html_matrix(catalogue, as_persona, persona):
    """Everyone with a role in the program reads a dataset's internal fields, as on its HTML page; anonymous
    visitors and a login without a role read what the public catalogue shows (issue 11, finding 9)."""
    crashes = catalogue["crashes"]
    Dataset.objects.filter(pk=crashes.pk).update(privacy_notes="Victims' addresses", sensitive=True)
    client = client_for(persona, as_persona)
    data = client.get(detail("pd-crashes")).json()
    (row,) = [r for r in client.get(LIST).json()["results"] if r["identifier"] == "pd-crashes"]
    has_a_role = persona not in ("anonymous", "no_role")
    for body in (data, row):
        assert all((name in body) is has_a_role for name in INTERNAL), body
    if has_a_role:
        assert data["privacy_notes"] == "Victims' addresses" and data["sensitive"] is True
    else:
        assert "Victims" not in str(data) and "Records management" not in str(data)


def test_sorting_by_priority_needs_a_role(catalogue, as_persona):
    """The order of the priority score would tell what the score hides."""
    Dataset.objects.filter(pk=catalogue["playgrounds"].pk).update(priority_score=9)
    assert titles(as_persona("stat_lead").get(LIST, {"sort": "-priority"}))[0] == "Playgrounds"
    for persona in ("anonymous", "no_role"):
        assert titles(client_for(persona, as_persona).get(LIST, {"sort": "-priority"})) == ["Crashes", "Playgrounds"]
        assert titles(client_for(persona, as_persona).get(LIST, {"sort": "priority"})) == ["Crashes", "Playgrounds"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "police"}, ["Crashes", "Dispatch calls", "Overtime"]),
        ({"status": Status.PUBLISHED}, ["Crashes", "Playgrounds"]),
        ({"access_level": AccessLevel.PUBLIC}, ["Crashes", "Overtime", "Playgrounds"]),
        ({"theme": "Public Safety"}, ["Crashes"]),
        ({"keyword": "TRAFFIC"}, ["Crashes"]),
        ({"initiative": "compstat"}, ["Dispatch calls"]),
        ({"frequency": "R/P1M"}, EVERYTHING),
        ({"search": "collision"}, ["Crashes"]),
        ({"sort": "-title", "department": "parks"}, ["Playgrounds", "Park permits"]),
    ],
)
def test_filters_search_and_sort(catalogue, as_persona, params, expected):
    assert titles(as_persona("stat_analyst").get(LIST, params)) == expected


def test_an_invalid_filter_is_400(catalogue, as_persona):
    response = as_persona("stat_analyst").get(LIST, {"status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_pagination(catalogue, as_persona):
    data = as_persona("stat_analyst").get(LIST, {"page_size": 4}).json()
    assert data["count"] == 6 and len(data["results"]) == 4 and data["next"]
    assert titles(as_persona("stat_analyst").get(LIST, {"page_size": 4, "page": 2})) == EVERYTHING[4:]


def test_the_list_costs_the_same_queries_for_3_or_40_datasets(city, as_persona, django_assert_max_num_queries):
    client = as_persona("stat_analyst")

    def add(n):
        dataset = DatasetFactory(title=f"Set {n:02d}", department=city["police"], keywords=["k"], themes=["T"])
        DistributionFactory(dataset=dataset)
        DataFieldFactory(dataset=dataset)

    for n in range(3):
        add(n)
    client.get(LIST)
    with django_assert_max_num_queries(10) as few:  # session, user, roles, weights, count, rows, 3 tag lists
        assert len(titles(client.get(LIST))) == 3
    for n in range(3, 40):
        add(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(titles(client.get(LIST))) == 40


# --- writing ---------------------------------------------------------------------------------------------------------


def new_dataset(**overrides) -> dict:
    return {
        "title": "Stops",
        "description": "Traffic and pedestrian stops.",
        "department": "police",
        "access_level": AccessLevel.NON_PUBLIC,
        "rights": "Holds personal information.",
        "keywords": ["stops", "traffic"],
        "themes": ["Public Safety"],
        "accrual_periodicity": "R/P1M",
        **overrides,
    }


def state() -> list:
    return list(Dataset.objects.order_by("pk").values())


@pytest.mark.parametrize("persona", [*WRITE_ANYWHERE, "police_contact"])
def test_create(catalogue, as_persona, users, persona):
    response = as_persona(persona).post(LIST, new_dataset(), content_type="application/json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["title"] == "Stops" and data["department"]["slug"] == "police"
    assert data["identifier"].startswith("pd-stops-")
    assert sorted(data["keywords"]) == ["stops", "traffic"]
    dataset = Dataset.objects.get(identifier=data["identifier"])
    assert dataset.created_by == users[persona]


def test_create_with_steward_initiative_and_identifier(catalogue, as_persona, users):
    steward = Person.objects.get(user=users["police_contact"])
    response = as_persona("stat_lead").post(
        LIST,
        new_dataset(identifier="pd-stops", contact=steward.pk, initiatives=["compstat"], status="documented"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["identifier"], data["contact"]["id"], data["initiatives"]) == ("pd-stops", steward.pk, ["compstat"])


@pytest.mark.parametrize(
    "persona", ["principal", "police_lead", "parks_contact", "budget_analyst", "data_expert", "anonymous", "no_role"]
)
def test_create_is_refused_to_others(catalogue, as_persona, persona):
    before = state()
    response = client_for(persona, as_persona).post(LIST, new_dataset(), content_type="application/json")
    assert response.status_code == 403
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"rights": ""}, "rights"),  # not public: a rights statement is required
        ({"title": ""}, "title"),
        ({"department": "atlantis"}, "department"),
        ({"access_level": "secret"}, "access_level"),
        ({"identifier": "pd-crashes"}, "identifier"),  # taken
        ({"license": "not a url"}, "license"),
    ],
)
def test_create_with_bad_input_is_400_with_field_messages(catalogue, as_persona, overrides, field):
    before = state()
    response = as_persona("stat_analyst").post(LIST, new_dataset(**overrides), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert state() == before


def test_create_with_a_steward_of_another_department_is_400(catalogue, as_persona, users):
    parks_steward = Person.objects.get(user=users["parks_contact"])
    response = as_persona("stat_analyst").post(
        LIST, new_dataset(contact=parks_steward.pk), content_type="application/json"
    )
    assert response.status_code == 400
    assert "contact" in response.json()


@pytest.mark.parametrize("persona", [*WRITE_ANYWHERE, "police_contact"])
def test_patch_changes_only_what_is_sent(catalogue, as_persona, users, persona):
    response = as_persona(persona).patch(
        detail("pd-dispatch"), {"description": "Every 911 call.", "keywords": ["911"]}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    dataset = Dataset.objects.get(identifier="pd-dispatch")
    assert dataset.description == "Every 911 call."
    assert dataset.title == "Dispatch calls"
    assert [k.name for k in dataset.keywords.all()] == ["911"]
    assert dataset.updated_by == users[persona]
    assert response.json()["description"] == "Every 911 call."


def test_put_replaces_the_metadata(catalogue, as_persona):
    response = as_persona("stat_analyst").put(
        detail("pd-dispatch"), new_dataset(title="Dispatch"), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Dataset.objects.get(identifier="pd-dispatch").title == "Dispatch"


def test_put_without_required_fields_is_400(catalogue, as_persona):
    response = as_persona("stat_analyst").put(detail("pd-dispatch"), {"title": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert {"description", "department"} <= set(response.json())


def test_the_stat_team_moves_a_dataset_to_another_department(catalogue, as_persona):
    response = as_persona("stat_lead").patch(
        detail("pd-dispatch"), {"department": "fire"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Dataset.objects.get(identifier="pd-dispatch").department.slug == "fire"


def test_a_department_contact_may_not_move_a_dataset_away(catalogue, as_persona):
    before = state()
    response = as_persona("police_contact").patch(
        detail("pd-dispatch"), {"department": "parks"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert state() == before
    # Naming its own department again is no move.
    response = as_persona("police_contact").patch(
        detail("pd-dispatch"), {"department": "police", "title": "Calls"}, content_type="application/json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("parks_contact", 403),  # reads every dataset, writes only Parks'
        ("police_lead", 403),  # reads Police's, writes none
        ("budget_analyst", 403),
        ("data_expert", 403),
        ("principal", 403),
        ("anonymous", 403),
        ("no_role", 404),  # may not even read it
    ],
)
def test_update_is_refused_to_others(catalogue, as_persona, persona, status):
    before = state()
    response = client_for(persona, as_persona).patch(
        detail("pd-dispatch"), {"title": "Hacked"}, content_type="application/json"
    )
    assert response.status_code == status
    assert state() == before


def test_anonymous_update_of_a_public_dataset_is_refused(catalogue, as_persona):
    before = state()
    response = as_persona("anonymous").patch(detail("pd-crashes"), {"title": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert state() == before


def test_update_with_bad_input_is_400(catalogue, as_persona):
    before = state()
    response = as_persona("stat_analyst").patch(
        detail("pd-dispatch"), {"access_level": "non-public", "rights": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "rights" in response.json()
    assert state() == before


def test_delete_is_not_allowed(catalogue, as_persona):
    assert as_persona("stat_lead").delete(detail("pd-dispatch")).status_code == 405
    assert Dataset.objects.filter(identifier="pd-dispatch").exists()


def test_a_dataset_with_a_url_identifier(city, as_persona):
    PublicDatasetFactory(identifier="https://data.example.gov/id/abc", department=city["police"])
    response = as_persona("anonymous").get(detail("https://data.example.gov/id/abc"))
    assert response.status_code == 200
    assert response.json()["identifier"] == "https://data.example.gov/id/abc"


def test_schema_lists_the_dataset_endpoints(as_persona, db):
    schema = as_persona("anonymous").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/datasets/"])
    assert {"get", "put", "patch"} <= set(paths["/api/datasets/{identifier}/"])


def test_detail_costs_the_same_queries_for_2_or_30_fields(catalogue, as_persona, django_assert_max_num_queries):
    client = as_persona("stat_analyst")
    client.get(detail("pd-crashes"))
    with django_assert_max_num_queries(10) as few:  # session, user, roles, weights, row, 5 prefetches
        assert client.get(detail("pd-crashes")).status_code == 200
    for n in range(28):
        DataFieldFactory(dataset=catalogue["crashes"], name=f"extra_{n}")
        DistributionFactory(dataset=catalogue["crashes"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(detail("pd-crashes")).json()["dictionary"]) == 29
